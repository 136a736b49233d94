//! Property tests: random valid scenarios (levers anywhere in their ranges, districts added,
//! sectors removed) run five simulated years with every invariant holding and every indicator a
//! finite number; extreme but valid worlds finish with warnings, not garbage.
//!
//! `PROPTEST_CASES=64 cargo test --release --test it properties` explores more.

use chancheng::experiment::validate::run_checked;
use chancheng::scenario::levers::{LEVERS, LeverKey};
use chancheng::scenario::{BASELINE_TOML, Scenario, load_str};
use proptest::prelude::*;
use std::path::Path;

/// Five simulated years: every mechanism has acted (entry, construction, settlement, debt).
const MONTHS: i64 = 60;

fn baseline_table() -> toml::Table {
    toml::from_str(BASELINE_TOML).expect("the baseline parses")
}

fn load(table: &toml::Table) -> Result<Scenario, String> {
    let text = toml::to_string(table).map_err(|e| e.to_string())?;
    load_str(
        &text,
        "generated.toml",
        Path::new(env!("CARGO_MANIFEST_DIR")),
    )
    .map_err(|e| e.to_string())
}

fn table<'a>(t: &'a mut toml::Table, path: &[&str]) -> &'a mut toml::Table {
    let mut t = t;
    for p in path {
        t = t
            .entry(p.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()))
            .as_table_mut()
            .expect("a table");
    }
    t
}

/// Sets a numeric or boolean lever from a fraction of its range.
fn set_lever(t: &mut toml::Table, field: &str, min: f64, max: f64, fraction: f64) {
    match t.get(field) {
        Some(toml::Value::Boolean(_)) => {
            t.insert(field.into(), toml::Value::Boolean(fraction >= 0.5));
        }
        Some(toml::Value::Float(_)) | Some(toml::Value::Integer(_)) => {
            t.insert(
                field.into(),
                toml::Value::Float(min + fraction * (max - min)),
            );
        }
        _ => {}
    }
}

/// A random world built from the baseline.
#[derive(Debug, Clone)]
struct World {
    lever_fractions: Vec<f64>,
    extra_districts: Vec<(bool, f64, f64)>,
    dropped_sectors: Vec<usize>,
    seed: u64,
}

fn worlds() -> impl Strategy<Value = World> {
    (
        prop::collection::vec(0.0..=1.0f64, LEVERS.len() * 4),
        prop::collection::vec((any::<bool>(), 0.2..2.0f64, 5.0..90.0f64), 0..=2),
        prop::collection::vec(0usize..9, 0..=3),
        any::<u64>(),
    )
        .prop_map(
            |(lever_fractions, extra_districts, dropped_sectors, seed)| World {
                lever_fractions,
                extra_districts,
                dropped_sectors,
                seed,
            },
        )
}

fn build(world: &World) -> toml::Table {
    let mut t = baseline_table();
    t.insert("name".into(), "generated".into());
    table(&mut t, &["time"]).insert("months".into(), toml::Value::Integer(MONTHS));
    // Sweeps' plausible ranges name sectors that may be gone.
    t.remove("uncertainty");
    // Districts: clones of the zone or the city, with their own land and travel times.
    let district_ids: Vec<String> = table(&mut t, &["districts"]).keys().cloned().collect();
    let mut all_ids = district_ids.clone();
    for (i, (cluster, land_scale, minutes)) in world.extra_districts.iter().enumerate() {
        let id = format!("extra{i}");
        let source = if *cluster { "zone" } else { "city" };
        let mut d = table(&mut t, &["districts", source]).clone();
        for key in [
            "land_total_ha",
            "land_serviced_free_ha",
            "land_occupied_ha",
            "land_idle_ha",
        ] {
            if let Some(v) = d.get(key).and_then(toml::Value::as_float) {
                d.insert(key.into(), toml::Value::Float(v * land_scale));
            }
        }
        table(&mut t, &["districts"]).insert(id.clone(), toml::Value::Table(d));
        let row = table(&mut t, &["travel", "minutes", &id]);
        row.insert(id.clone(), toml::Value::Float(10.0));
        for other in &all_ids {
            row.insert(other.clone(), toml::Value::Float(*minutes));
        }
        all_ids.push(id);
    }
    // Sectors: drop some, and every reference to them.
    let sectors: Vec<String> = table(&mut t, &["sectors"]).keys().cloned().collect();
    for &k in &world.dropped_sectors {
        let id = &sectors[k % sectors.len()];
        let remaining = table(&mut t, &["sectors"]).len();
        if remaining > 1 {
            table(&mut t, &["sectors"]).remove(id);
        }
    }
    let kept: Vec<String> = table(&mut t, &["sectors"]).keys().cloned().collect();
    for (_, sector) in table(&mut t, &["sectors"]).iter_mut() {
        if let Some(inputs) = sector.get_mut("inputs").and_then(toml::Value::as_table_mut) {
            inputs.retain(|k, _| kept.iter().any(|s| s == k));
        }
    }
    // Levers anywhere in their ranges, per district for investment.
    let mut fractions = world.lever_fractions.iter().cycle();
    for lever in LEVERS {
        match lever.key {
            LeverKey::Policy(field) => {
                let f = *fractions.next().expect("cycle");
                set_lever(table(&mut t, &["policy"]), field, lever.min, lever.max, f);
            }
            LeverKey::Investment(field) => {
                for id in &all_ids {
                    let f = *fractions.next().expect("cycle");
                    let plan = table(&mut t, &["policy", "investment", id]);
                    if plan.is_empty() {
                        // A new district starts from the zone's plan.
                        let zone = table(&mut t, &["policy", "investment", "zone"]).clone();
                        *table(&mut t, &["policy", "investment", id]) = zone;
                    }
                    let plan = table(&mut t, &["policy", "investment", id]);
                    set_lever(plan, field, lever.min, lever.max, f);
                }
            }
        }
    }
    t
}

/// Runs a scenario with the invariants checked every month; any violation or non-finite
/// indicator fails.
fn assert_sound(scenario: &Scenario, seed: u64, what: &str) {
    let run = run_checked(scenario, seed);
    if let Some(v) = run.violation {
        panic!("{what}: {v}");
    }
    for record in &run.output.records {
        if let Some((row, reason)) = record.first_invalid() {
            panic!(
                "{what}: {} {} = {} ({reason})",
                record.label, row.indicator, row.value
            );
        }
    }
    assert_eq!(
        run.output.records.len(),
        scenario.spec().time.months as usize,
        "{what}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, max_shrink_iters: 20, ..ProptestConfig::default() })]

    #[test]
    fn random_valid_worlds_keep_every_invariant(world in worlds()) {
        let table = build(&world);
        // Every generated world is valid by construction: a refusal is a bug in the generator
        // or in the checks.
        let scenario = load(&table);
        prop_assert!(scenario.is_ok(), "{world:?} refused: {:?}", scenario.as_ref().err());
        if let Ok(scenario) = scenario {
            assert_sound(&scenario, world.seed, &format!("{world:?}"));
        }
    }
}

/// Extreme but valid worlds: each must finish with finite numbers and the invariants intact.
#[test]
fn extreme_worlds_finish_without_garbage() {
    /// (key, the table that holds it, value).
    type Edit = (&'static str, &'static [&'static str], toml::Value);
    let cases: Vec<(&str, Vec<Edit>)> = vec![
        (
            "zero budget",
            vec![
                ("transfers_cny_per_year", &["government"], 0.0.into()),
                ("initial_cash_cny", &["government"], 0.0.into()),
                ("transfers_cny_per_year", &["city_budget"], 0.0.into()),
                ("initial_cash_cny", &["city_budget"], 0.0.into()),
                ("debt_limit_revenue_multiple", &["government"], 0.0.into()),
                ("debt_limit_revenue_multiple", &["city_budget"], 0.0.into()),
            ],
        ),
        (
            "no migrants",
            vec![
                ("migrant_pool_workers", &["households"], 0.0.into()),
                ("migrant_entry_rate_per_month", &["households"], 0.0.into()),
            ],
        ),
        (
            "export demand collapses",
            vec![
                ("external_demand_growth_per_year", &["macro"], (-0.2).into()),
                ("demand_shock_sd", &["macro"], 0.5.into()),
            ],
        ),
        (
            "no serviced land",
            vec![
                ("land_serviced_free_ha", &["districts", "zone"], 0.0.into()),
                ("land_idle_ha", &["districts", "zone"], 0.0.into()),
                ("land_serviced_free_ha", &["districts", "city"], 0.0.into()),
            ],
        ),
    ];
    for (what, edits) in cases {
        let mut t = baseline_table();
        table(&mut t, &["time"]).insert("months".into(), toml::Value::Integer(MONTHS));
        for (key, path, value) in edits {
            table(&mut t, path).insert(key.into(), value);
        }
        let scenario = load(&t).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_sound(&scenario, 11, what);
    }
    // Every lever at its maximum, then at its minimum.
    for (what, fraction) in [
        ("every lever at its maximum", 1.0),
        ("every lever at its minimum", 0.0),
    ] {
        let world = World {
            lever_fractions: vec![fraction],
            extra_districts: Vec::new(),
            dropped_sectors: Vec::new(),
            seed: 5,
        };
        let scenario = load(&build(&world)).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_sound(&scenario, 5, what);
    }
}

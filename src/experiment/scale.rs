//! The start-up budget on agents: a scenario that could create more agents than a laptop holds
//! fails before the run (unless the user says `--allow-large`), instead of allocating until memory
//! runs out an hour in.

// `!(x <= limit)` is how a check fails on NaN too; the lint would have us lose that.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use crate::format::figure;
use crate::scenario::{Scenario, ScenarioFile};

/// Worker agents a run may create without `--allow-large` (about 1 GB at today's footprint).
pub const MAX_WORKER_AGENTS: f64 = 3_000_000.0;
/// Firms a run may create without `--allow-large`.
pub const MAX_FIRMS: f64 = 200_000.0;

/// Upper bounds on what a run can create, from the scenario alone.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AgentBound {
    /// Worker agents at the start plus everyone who could arrive: the rural reserve and the
    /// migrant pool (arrivals are drawn from them), city school leavers and displaced farmers.
    pub workers: f64,
    /// Firms at the start plus every entry prospect of the horizon.
    pub firms: f64,
}

/// Mean of the truncated Pareto law of firm sizes the model draws from (model `draw_scale`).
fn mean_firm_size(shape: f64, min: f64, max: f64) -> f64 {
    let max = max.max(min);
    if max <= min {
        return min;
    }
    let tail = (min / max).powf(shape);
    if (shape - 1.0).abs() < 1e-9 {
        min * (max / min).ln() / (1.0 - tail)
    } else {
        shape * min.powf(shape) * (max.powf(1.0 - shape) - min.powf(1.0 - shape))
            / ((1.0 - shape) * (1.0 - tail))
    }
}

/// The terms of [`AgentBound`], each from the keys named beside it.
struct Terms {
    /// `time.months` in years.
    years: f64,
    /// `sectors.*.initial_firms.*`, summed.
    initial_firms: f64,
    /// Mean firm size from `firms.size_pareto_shape`, `firms.size_min_workers` and
    /// `firms.size_max_workers`.
    mean_size: f64,
    /// Worker agents at the start: firms × mean size ÷ (1 − `labour.initial_unemployment_rate`).
    initial_workers: f64,
    /// `households.rural_reserve_workers` grown at `households.rural_reserve_growth_per_year`.
    reserve: f64,
    /// `households.migrant_pool_workers`.
    migrants: f64,
    /// `households.city_entrants_per_year` over the horizon.
    entrants: f64,
    /// `districts.*.land_total_ha` of the cluster zones.
    cluster_land: f64,
    /// `households.landless_farmers_per_ha` × cluster land.
    farmers: f64,
    /// `sectors.*.entry_prospects_per_year`, summed.
    prospects_per_year: f64,
}

fn terms(s: &ScenarioFile) -> Terms {
    let years = f64::from(s.time.months) / 12.0;
    let initial_firms: f64 = s
        .sectors
        .values()
        .flat_map(|sec| sec.initial_firms.values())
        .map(|n| f64::from(*n))
        .sum();
    let prospects_per_year: f64 = s
        .sectors
        .values()
        .map(|sec| sec.entry_prospects_per_year)
        .sum();
    let f = &s.firms;
    let mean_size = mean_firm_size(f.size_pareto_shape, f.size_min_workers, f.size_max_workers);
    let initial_workers =
        initial_firms * mean_size / (1.0 - s.labour.initial_unemployment_rate).max(0.01);
    let h = &s.households;
    let reserve_growth = (1.0 + h.rural_reserve_growth_per_year.max(0.0)).powf(years);
    // Farmers are displaced only where a cluster zone services its reserve land.
    let cluster_land: f64 = s
        .districts
        .values()
        .filter(|d| d.kind == crate::scenario::DistrictKind::Cluster)
        .map(|d| d.land_total_ha)
        .sum();
    Terms {
        years,
        initial_firms,
        mean_size,
        initial_workers,
        reserve: h.rural_reserve_workers * reserve_growth,
        migrants: h.migrant_pool_workers,
        entrants: h.city_entrants_per_year * years,
        cluster_land,
        farmers: h.landless_farmers_per_ha * cluster_land,
        prospects_per_year,
    }
}

pub fn agent_bound(s: &ScenarioFile) -> AgentBound {
    let t = terms(s);
    AgentBound {
        workers: t.initial_workers + t.reserve + t.migrants + t.entrants + t.farmers,
        firms: t.initial_firms + t.prospects_per_year * t.years,
    }
}

/// A count of agents for a message: whole, with thousands separators.
fn agents(x: f64) -> String {
    if x.abs() < 100.0 {
        format!("{x:.0}")
    } else {
        figure(x)
    }
}

/// Why a scenario is too large to run without `--allow-large`, if it is: the file it comes from,
/// the bound, and each term of the bound with the keys and values that drive it.
pub fn too_large(scenario: &Scenario) -> Option<String> {
    let s = scenario.spec();
    let bound = agent_bound(s);
    let t = terms(s);
    let (f, h) = (&s.firms, &s.households);
    let months = s.time.months;
    let mut reasons = Vec::new();
    if !(bound.workers <= MAX_WORKER_AGENTS) {
        reasons.push(format!(
            "up to {} worker agents (the limit is {}): {} at the start ({} initial firms, \
             sectors.*.initial_firms.*, × {} workers a firm on average from \
             firms.size_pareto_shape = {}, firms.size_min_workers = {} and \
             firms.size_max_workers = {}, ÷ (1 − labour.initial_unemployment_rate = {})), \
             {} from households.rural_reserve_workers = {} (grown at \
             households.rural_reserve_growth_per_year = {}, if positive, over \
             time.months = {months}), \
             {} from households.migrant_pool_workers = {}, {} from \
             households.city_entrants_per_year = {} over time.months = {months}, and {} from \
             households.landless_farmers_per_ha = {} × {} ha of cluster land \
             (districts.*.land_total_ha)",
            agents(bound.workers),
            agents(MAX_WORKER_AGENTS),
            agents(t.initial_workers),
            agents(t.initial_firms),
            agents(t.mean_size),
            f.size_pareto_shape,
            f.size_min_workers,
            f.size_max_workers,
            s.labour.initial_unemployment_rate,
            agents(t.reserve),
            h.rural_reserve_workers,
            h.rural_reserve_growth_per_year,
            agents(t.migrants),
            h.migrant_pool_workers,
            agents(t.entrants),
            h.city_entrants_per_year,
            agents(t.farmers),
            h.landless_farmers_per_ha,
            agents(t.cluster_land),
        ));
    }
    if !(bound.firms <= MAX_FIRMS) {
        reasons.push(format!(
            "up to {} firms (the limit is {}): {} initial firms (sectors.*.initial_firms.*) plus \
             {} entry prospects a year (sectors.*.entry_prospects_per_year, summed) over \
             time.months = {months}",
            agents(bound.firms),
            agents(MAX_FIRMS),
            agents(t.initial_firms),
            agents(t.prospects_per_year),
        ));
    }
    (!reasons.is_empty()).then(|| {
        format!(
            "{} could create {}. Change those keys, or pass --allow-large if the machine has the \
             memory (≈ 0.3 kB per worker agent)",
            scenario.origin(),
            reasons.join("; and ")
        )
    })
}

/// The scenario with its population, firms and everything they live and work in multiplied by
/// `factor` (benchmarks of how cost grows with agents): initial firms, entry prospects, the
/// labour pools and city entrants, housing, schools, hospitals, shops, land and background
/// residents. Prices, rates and policies stay.
pub fn scaled_population(
    scenario: &crate::scenario::Scenario,
    factor: f64,
) -> Result<crate::scenario::Scenario, crate::scenario::ScenarioError> {
    let s = scenario.spec();
    let mut keys: Vec<String> = [
        "households.rural_reserve_workers",
        "households.migrant_pool_workers",
        "households.city_entrants_per_year",
    ]
    .iter()
    .map(|k| k.to_string())
    .collect();
    for (id, sector) in &s.sectors {
        keys.push(format!("sectors.{id}.entry_prospects_per_year"));
        for district in sector.initial_firms.keys() {
            keys.push(format!("sectors.{id}.initial_firms.{district}"));
        }
    }
    for id in s.districts.keys() {
        for field in [
            "land_total_ha",
            "land_serviced_free_ha",
            "land_occupied_ha",
            "land_idle_ha",
            "school_seats",
            "hospital_beds",
            "commercial_floor_m2",
            "standard_factory_floor_m2",
            "market_housing_units",
            "public_rental_units",
            "resettlement_units",
            "dormitory_units",
            "rural_home_units",
            "background_residents",
            "training_seats",
        ] {
            keys.push(format!("districts.{id}.{field}"));
        }
    }
    let overrides: Vec<(String, f64)> = keys
        .into_iter()
        .filter_map(|k| scenario.number_at(&k).map(|v| (k, v * factor)))
        .collect();
    scenario.with_overrides(&overrides)
}

#[cfg(test)]
mod tests {
    use super::{mean_firm_size, too_large};
    use std::path::Path;

    /// A child of the baseline with a heavy firm-size tail: it inherits the name `baseline`, and
    /// the refusal must name its own file and the keys that make it large, not the parent.
    #[test]
    fn the_refusal_names_the_file_and_the_keys_that_drive_the_bound() {
        let text = "extends = \"baseline.toml\"\n\
                    [firms]\n\
                    size_pareto_shape = 0.3\n\
                    size_max_workers = 1e6\n";
        // No baseline.toml in that folder: `extends` takes the embedded one.
        let child = crate::scenario::load_str(text, "heavy-tail.toml", Path::new("<built-in>"))
            .expect("the child loads");
        assert_eq!(child.name(), "baseline");
        let message = too_large(&child).expect("refused");
        for part in [
            "scenario file heavy-tail.toml could create up to",
            "worker agents",
            "firms.size_pareto_shape = 0.3",
            "firms.size_max_workers = 1000000",
            "firms.size_min_workers = ",
            "sectors.*.initial_firms.*",
            "households.rural_reserve_workers = ",
            "households.migrant_pool_workers = ",
            "households.city_entrants_per_year = ",
            "households.landless_farmers_per_ha = ",
            "--allow-large",
        ] {
            assert!(message.contains(part), "`{part}` missing from: {message}");
        }
        assert!(!message.contains("`baseline`"), "{message}");
        // Firms stay within their budget, so their keys are not blamed.
        assert!(!message.contains("entry_prospects_per_year"), "{message}");

        let baseline = crate::scenario::load_builtin().expect("baseline");
        assert_eq!(too_large(&baseline), None);
        let crowded = baseline
            .with_overrides(&[("sectors.logistics.entry_prospects_per_year".into(), 1e5)])
            .expect("valid");
        let message = too_large(&crowded).expect("refused");
        assert!(
            message
                .starts_with("the built-in scenario `baseline` with overrides could create up to")
                && message.contains("sectors.*.entry_prospects_per_year")
                && !message.contains("worker agents ("),
            "{message}"
        );
    }

    #[test]
    fn truncated_pareto_mean_matches_a_numerical_integral() {
        for (shape, min, max) in [
            (1.1_f64, 5.0_f64, 3000.0_f64),
            (1.0, 5.0, 500.0),
            (2.5, 10.0, 1e5),
        ] {
            // Inverse transform on a fine grid of u, as the model draws.
            let n = 200_000;
            let tail = (min / max).powf(shape);
            let sum: f64 = (0..n)
                .map(|i| {
                    let u = (i as f64 + 0.5) / n as f64;
                    min * (1.0 - u * (1.0 - tail)).powf(-1.0 / shape)
                })
                .sum();
            let numeric = sum / n as f64;
            let exact = mean_firm_size(shape, min, max);
            assert!(
                (numeric / exact - 1.0).abs() < 1e-3,
                "{shape} {min} {max}: {numeric} vs {exact}"
            );
        }
    }
}

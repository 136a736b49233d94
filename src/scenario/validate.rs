//! Checks that turn a parsed [`ScenarioFile`] into a runnable scenario: every number against its
//! declared range ([`super::ranges`]), then what ranges cannot say — names, references between
//! tables, sums and orderings — written so that NaN fails. Each problem is returned as (dotted key,
//! message saying what is allowed).

// `!(x <= limit)` is how a check fails on NaN too; the lint would have us lose that.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use super::ranges::{self, format_number};
use super::schema::*;

/// The longest scenario name: it names a folder and appears in every CSV row.
pub const MAX_NAME_CHARS: usize = 64;
/// The longest district or sector id.
pub const MAX_ID_CHARS: usize = 40;
/// Districts a scenario may have: agent records index them in 16 bits and stream keys number
/// the rural ones in 8.
pub const MAX_DISTRICTS: usize = 255;

struct Checker {
    problems: Vec<(String, String)>,
}

impl Checker {
    fn fail(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.problems.push((key.into(), message.into()));
    }
}

/// A name fit for a folder, a CSV cell and a dotted key: ASCII letters, digits, '-' and '_'.
fn plain_name(name: &str, max: usize) -> bool {
    !name.is_empty()
        && name.len() <= max
        && name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
}

/// A name for a message: at most 40 characters of it.
fn shown(name: &str) -> String {
    if name.chars().count() > 40 {
        let cut: String = name.chars().take(40).collect();
        format!("{cut}… ({} characters)", name.chars().count())
    } else {
        name.to_string()
    }
}

/// Parse `YYYY-MM` into (year, month).
pub fn parse_year_month(s: &str) -> Option<(i32, u32)> {
    let (y, m) = s.split_once('-')?;
    let year: i32 = y.parse().ok()?;
    let month: u32 = m.parse().ok()?;
    ((1900..=2200).contains(&year) && (1..=12).contains(&month) && m.len() == 2)
        .then_some((year, month))
}

pub fn validate(s: &ScenarioFile) -> Vec<(String, String)> {
    let mut c = Checker {
        problems: Vec::new(),
    };
    if !plain_name(&s.name, MAX_NAME_CHARS) {
        c.fail(
            "name",
            format!(
                "`{}` is not allowed: use 1 to {MAX_NAME_CHARS} letters, digits, '-' and '_' \
                 (it names the output folder)",
                shown(&s.name)
            ),
        );
    }
    if parse_year_month(&s.time.start).is_none() {
        c.fail(
            "time.start",
            format!(
                "`{}` is not a month: write YYYY-MM, e.g. \"2016-01\"",
                s.time.start
            ),
        );
    }
    match toml::Value::try_from(s) {
        Ok(mut value) => {
            if let Some(table) = value.as_table_mut() {
                table.remove("uncertainty");
            }
            c.problems.extend(ranges::check_numbers(&value));
        }
        Err(e) => c.fail("", format!("cannot check the numbers: {e}")),
    }
    check_districts(&mut c, s);
    check_sectors(&mut c, s);
    check_shares_and_rates(&mut c, s);
    check_policy(&mut c, s);
    c.problems
}

fn check_districts(c: &mut Checker, s: &ScenarioFile) {
    if !s
        .districts
        .values()
        .any(|d| d.kind == DistrictKind::Cluster)
    {
        c.fail(
            "districts",
            "at least one district must have kind = \"cluster\"",
        );
    }
    if s.districts.len() > MAX_DISTRICTS {
        c.fail(
            "districts",
            format!(
                "{} districts: a scenario may have at most {MAX_DISTRICTS}",
                s.districts.len()
            ),
        );
    }
    for (id, d) in &s.districts {
        let k = |f: &str| format!("districts.{id}.{f}");
        if !plain_name(id, MAX_ID_CHARS) {
            c.fail(
                format!("districts.{}", shown(id)),
                format!(
                    "a district id is 1 to {MAX_ID_CHARS} letters, digits, '-' and '_' \
                     (it appears in every CSV row)"
                ),
            );
        }
        if id == "region" {
            c.fail(
                "districts.region",
                "`region` is reserved for the whole region's rows in the output: rename the district",
            );
        }
        let used = d.land_serviced_free_ha + d.land_occupied_ha + d.land_idle_ha;
        if used > d.land_total_ha {
            c.fail(
                k("land_total_ha"),
                format!(
                    "serviced-free + occupied + idle land = {used} ha exceeds the total {} ha",
                    d.land_total_ha
                ),
            );
        }
    }
    let ids: Vec<&String> = s.districts.keys().collect();
    for (from, row) in &s.travel.minutes {
        if !s.districts.contains_key(from) {
            c.fail(
                format!("travel.minutes.{from}"),
                format!("unknown district; allowed: {ids:?}"),
            );
        }
        for to in row.keys() {
            if !s.districts.contains_key(to) {
                c.fail(
                    format!("travel.minutes.{from}.{to}"),
                    format!("unknown district; allowed: {ids:?}"),
                );
            }
        }
    }
    for (i, a) in ids.iter().enumerate() {
        for b in &ids[i..] {
            let given =
                |x: &str, y: &str| s.travel.minutes.get(x).is_some_and(|r| r.contains_key(y));
            if !given(a, b) && !given(b, a) {
                c.fail(
                    "travel.minutes",
                    format!("no travel time between `{a}` and `{b}` (within a district too): add travel.minutes.{a}.{b}"),
                );
            }
        }
    }
}

fn check_sectors(c: &mut Checker, s: &ScenarioFile) {
    if s.sectors.is_empty() {
        c.fail("sectors", "at least one sector is needed");
    }
    let sector_ids: Vec<&String> = s.sectors.keys().collect();
    let district_ids: Vec<&String> = s.districts.keys().collect();
    for (id, sec) in &s.sectors {
        let k = |f: &str| format!("sectors.{id}.{f}");
        if !plain_name(id, MAX_ID_CHARS) {
            c.fail(
                format!("sectors.{}", shown(id)),
                format!("a sector id is 1 to {MAX_ID_CHARS} letters, digits, '-' and '_'"),
            );
        }
        let labour =
            sec.labour_elasticity_low + sec.labour_elasticity_mid + sec.labour_elasticity_high;
        if !(labour > 0.0) {
            c.fail(
                k("labour_elasticity_low"),
                "the three labour elasticities must sum to > 0",
            );
        }
        let returns = sec.capital_elasticity + labour;
        if !(returns < 0.95) {
            c.fail(
                k("capital_elasticity"),
                format!(
                    "capital + labour elasticities = {returns:.3} must stay below 0.95 \
                     (decreasing returns give firms a finite size)"
                ),
            );
        }
        let inputs: f64 = sec.inputs.values().sum();
        if !(inputs < 0.9) {
            c.fail(
                k("inputs"),
                format!("input coefficients sum to {inputs:.3}; allowed below 0.9"),
            );
        }
        if sec.locates_in.is_empty() {
            c.fail(
                k("locates_in"),
                "list at least one district kind: cluster, city or rural",
            );
        }
        for input in sec.inputs.keys() {
            if !s.sectors.contains_key(input) {
                c.fail(
                    format!("sectors.{id}.inputs.{input}"),
                    format!("unknown sector; allowed: {sector_ids:?}"),
                );
            }
        }
        for (district, n) in &sec.initial_firms {
            match s.districts.get(district) {
                None => c.fail(
                    format!("sectors.{id}.initial_firms.{district}"),
                    format!("unknown district; allowed: {district_ids:?}"),
                ),
                Some(d) if *n > 0 && !sec.locates_in.contains(&d.kind) => c.fail(
                    format!("sectors.{id}.initial_firms.{district}"),
                    format!(
                        "district `{district}` is of kind {:?}, where this sector does not locate \
                         (locates_in = {:?})",
                        d.kind, sec.locates_in
                    ),
                ),
                _ => {}
            }
        }
    }
    let budget: f64 = s.sectors.values().map(|x| x.household_budget_share).sum();
    if !(budget <= 1.0 + 1e-9) {
        c.fail(
            "sectors",
            format!("household_budget_share sums to {budget:.3} over sectors; allowed at most 1"),
        );
    }
}

fn check_shares_and_rates(c: &mut Checker, s: &ScenarioFile) {
    let f = &s.firms;
    if !(f.size_max_workers >= f.size_min_workers) {
        c.fail(
            "firms.size_max_workers",
            format!(
                "value {} is below firms.size_min_workers = {}",
                format_number(f.size_max_workers),
                format_number(f.size_min_workers)
            ),
        );
    }
    let h = &s.households;
    for (k, shares) in [
        ("households.skill_share_rural", &h.skill_share_rural[..]),
        ("households.skill_share_migrant", &h.skill_share_migrant[..]),
        ("households.skill_share_city", &h.skill_share_city[..]),
        (
            "households.initial_origin_shares",
            &h.initial_origin_shares[..],
        ),
    ] {
        let sum: f64 = shares.iter().sum();
        if !((sum - 1.0).abs() <= 1e-6) {
            c.fail(
                k,
                format!(
                    "{} shares must sum to 1; these sum to {}",
                    shares.len(),
                    format_number(sum)
                ),
            );
        }
    }

    for (component, r) in super::coupling::COMPONENTS
        .iter()
        .zip(s.coupling.references())
    {
        let key = format!("coupling.{}", component.key);
        if !(r.max > r.min) {
            c.fail(
                key,
                format!(
                    "needs min < max; got min = {}, max = {}",
                    format_number(r.min),
                    format_number(r.max)
                ),
            );
        }
    }
    let weights: f64 = s.coupling.references().iter().map(|r| r.weight).sum();
    // A NaN weight is reported by the range check; here only all-zero weights.
    if weights == 0.0 {
        c.fail("coupling", "the weights must not all be 0");
    }
    for (key, u) in &s.uncertainty {
        let (low, mode, high) = (u.low, u.mode, u.high);
        match (u.dist, mode) {
            (Dist::Triangular, None) => {
                c.fail(
                    format!("uncertainty.{key}"),
                    "a triangular distribution needs `mode` (low ≤ mode ≤ high)",
                );
                continue;
            }
            (Dist::Uniform, Some(_)) => {
                c.fail(
                    format!("uncertainty.{key}"),
                    "a uniform distribution has no `mode` (use dist = \"triangular\")",
                );
                continue;
            }
            _ => {}
        }
        if let Some(group) = &u.group
            && !plain_name(group, MAX_ID_CHARS)
        {
            c.fail(
                format!("uncertainty.{key}.group"),
                format!("a group is 1 to {MAX_ID_CHARS} letters, digits, '-' and '_'"),
            );
        }
        let ordered = low < high && mode.is_none_or(|m| low <= m && m <= high);
        if !ordered {
            c.fail(
                format!("uncertainty.{key}"),
                "needs finite low < high (and low ≤ mode ≤ high)",
            );
            continue;
        }
        // A whole-number parameter must be sampled as one, and only such a parameter rounded.
        if let Some(range) = ranges::range_of(key)
            && range.integer != u.integer
        {
            c.fail(
                format!("uncertainty.{key}"),
                if range.integer {
                    "the parameter is a whole number: add `integer = true` so that sampled values are rounded"
                } else {
                    "the parameter is a real number: remove `integer = true`"
                },
            );
        }
        // A sweep must only ever draw values the model accepts.
        if let Some(range) = ranges::range_of(key)
            && !(low >= range.low && high <= range.high)
        {
            c.fail(
                format!("uncertainty.{key}"),
                format!(
                    "the range [{}, {}] leaves the parameter's allowed range: {}",
                    format_number(low),
                    format_number(high),
                    range.allowed()
                ),
            );
        }
    }
}

fn check_policy(c: &mut Checker, s: &ScenarioFile) {
    let district_ids: Vec<&String> = s.districts.keys().collect();
    for district in s.policy.investment.keys() {
        if !s.districts.contains_key(district) {
            c.fail(
                format!("policy.investment.{district}"),
                format!("unknown district; allowed: {district_ids:?}"),
            );
        }
    }
}

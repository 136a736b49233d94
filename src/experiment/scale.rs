//! The start-up budget on agents: a scenario that could create more agents than a laptop holds
//! fails before the run (unless the user says `--allow-large`), instead of allocating until memory
//! runs out an hour in.

// `!(x <= limit)` is how a check fails on NaN too; the lint would have us lose that.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use crate::scenario::ScenarioFile;

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

pub fn agent_bound(s: &ScenarioFile) -> AgentBound {
    let years = f64::from(s.time.months) / 12.0;
    let initial_firms: f64 = s
        .sectors
        .values()
        .flat_map(|sec| sec.initial_firms.values())
        .map(|n| f64::from(*n))
        .sum();
    let prospects: f64 = s
        .sectors
        .values()
        .map(|sec| sec.entry_prospects_per_year)
        .sum();
    let f = &s.firms;
    let employed =
        initial_firms * mean_firm_size(f.size_pareto_shape, f.size_min_workers, f.size_max_workers);
    let initial_workers = employed / (1.0 - s.labour.initial_unemployment_rate).max(0.01);
    let h = &s.households;
    let reserve_growth = (1.0 + h.rural_reserve_growth_per_year.max(0.0)).powf(years);
    // Farmers are displaced only where a cluster zone services its reserve land.
    let land: f64 = s
        .districts
        .values()
        .filter(|d| d.kind == crate::scenario::DistrictKind::Cluster)
        .map(|d| d.land_total_ha)
        .sum();
    AgentBound {
        workers: initial_workers
            + h.rural_reserve_workers * reserve_growth
            + h.migrant_pool_workers
            + h.city_entrants_per_year * years
            + h.landless_farmers_per_ha * land,
        firms: initial_firms + prospects * years,
    }
}

/// Why a scenario is too large to run without `--allow-large`, if it is.
pub fn too_large(s: &ScenarioFile) -> Option<String> {
    let bound = agent_bound(s);
    let mut reasons = Vec::new();
    if !(bound.workers <= MAX_WORKER_AGENTS) {
        reasons.push(format!(
            "up to {:.3e} worker agents (those at the start plus the rural reserve, migrant pool, \
             city entrants and displaced farmers it could draw on); the limit is {:.0e}",
            bound.workers, MAX_WORKER_AGENTS
        ));
    }
    if !(bound.firms <= MAX_FIRMS) {
        reasons.push(format!(
            "up to {:.3e} firms (initial firms plus entry prospects); the limit is {:.0e}",
            bound.firms, MAX_FIRMS
        ));
    }
    (!reasons.is_empty()).then(|| {
        format!(
            "scenario `{}` could create {}. Check its sizes and pools, or pass --allow-large if \
             the machine has the memory (≈ 0.3 kB per worker agent)",
            s.name,
            reasons.join(" and ")
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
    use super::mean_firm_size;

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

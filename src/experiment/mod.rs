//! Running scenarios: one run, and (later) replications, sweeps and comparisons. Seeds of
//! replications come from (master seed, scenario, run index) through a mixing function.

pub mod attribution;
pub mod compare;
pub mod coupling_panel;
pub mod scale;
pub mod sweep;
pub mod validate;

use crate::model::indicators::MonthRecord;
use crate::model::{FirmRecord, Simulation};
use crate::scenario::Scenario;

/// What one run hands to the output layer.
pub struct RunOutput {
    pub records: Vec<MonthRecord>,
    pub district_ids: Vec<String>,
    pub final_firms: Vec<FirmRecord>,
    /// (month label, firm microdata) every `snapshot_every` months.
    pub snapshots: Vec<(String, Vec<FirmRecord>)>,
    pub peak_firms: usize,
    pub peak_workers: usize,
    /// (year, employed workers by home district × work district) in December of every year.
    pub commuting: Vec<(i32, nalgebra::DMatrix<f64>)>,
    /// Travel minutes between districts at the start, for maps.
    pub base_travel_minutes: nalgebra::DMatrix<f64>,
}

/// A run that cannot continue: a number of the model stopped meaning anything.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "the run of `{scenario}` (seed {seed}) stopped in {month}: indicator `{indicator}` of {scope} \
     is {value}, {reason}; the scenario drives the model outside what it can represent (check \
     extreme values of its parameters)"
)]
pub struct RunError {
    pub scenario: String,
    pub seed: u64,
    pub month: String,
    pub indicator: String,
    /// A district id or `region`.
    pub scope: String,
    pub value: f64,
    pub reason: &'static str,
}

/// Runs a scenario to its horizon. `on_month` is called after every month (progress bars). Every
/// indicator is checked every month: a run never hands on NaN, infinity or a negative count.
pub fn run_single(
    scenario: &Scenario,
    seed: u64,
    snapshot_every: Option<u32>,
    mut on_month: impl FnMut(u32),
) -> Result<RunOutput, Box<RunError>> {
    let mut sim = Simulation::new(scenario, seed);
    let mut records = Vec::with_capacity(sim.months_total() as usize);
    let mut snapshots = Vec::new();
    let district_ids: Vec<String> = sim.districts().iter().map(|d| d.id.clone()).collect();
    let mut commuting = Vec::new();
    while !sim.is_done() {
        let record = sim.step();
        if let Some((row, reason)) = record.first_invalid() {
            return Err(Box::new(RunError {
                scenario: scenario.name().to_string(),
                seed,
                month: record.label.clone(),
                indicator: row.indicator.to_string(),
                scope: row
                    .district
                    .map_or_else(|| "region".to_string(), |d| district_ids[d].clone()),
                value: row.value,
                reason,
            }));
        }
        if let Some(every) = snapshot_every
            && every > 0
            && (record.month + 1).is_multiple_of(every)
        {
            snapshots.push((record.label.clone(), sim.firm_records()));
        }
        if record.label.ends_with("-12")
            && let Ok(year) = record.label[..4].parse::<i32>()
        {
            commuting.push((year, sim.commuting_flows()));
        }
        records.push(record);
        on_month(sim.month());
    }
    Ok(RunOutput {
        district_ids,
        final_firms: sim.firm_records(),
        snapshots,
        peak_firms: sim.peak_firms(),
        peak_workers: sim.peak_workers(),
        base_travel_minutes: sim.base_travel_minutes().clone(),
        commuting,
        records,
    })
}

/// splitmix64 finaliser: decorrelates seeds built from small integers.
pub use crate::model::streams::mix64;

/// Seed of replication `run` under `master`: the same for every scenario, so that replication r
/// of two scenarios shares its random numbers (common random numbers).
pub fn replication_seed(master: u64, run: u64) -> u64 {
    mix64(mix64(master) ^ mix64(run.wrapping_add(0x632B_E59B_D9B4_E019)))
}

/// An implementation failure a planner must see beside the results.
#[derive(Debug, Clone, PartialEq)]
pub enum Warning {
    /// A kind of public capital cut by more than 10 % of its plan for lack of funds (CNY since
    /// the start).
    CapitalCut {
        kind: String,
        cut: f64,
        planned: f64,
    },
    /// A public housing stock more than half empty at the end of the run: `public_rental` or
    /// `resettlement`, in a district (`None`: the region's public rental stock, with its units).
    EmptyHousing {
        stock: &'static str,
        district: Option<String>,
        empty_share: f64,
        month: String,
        units: Option<f64>,
    },
}

impl Warning {
    /// The warning in Chinese or English.
    pub fn text(&self, zh: bool) -> String {
        match self {
            Warning::CapitalCut { kind, cut, planned } if zh => format!(
                "{kind} 的资本计划因资金不足被削减 {:.0}%（开工以来计划 {:.1} 亿元中的 {:.1} 亿元）",
                100.0 * cut / planned,
                planned / 1e8,
                cut / 1e8
            ),
            Warning::CapitalCut { kind, cut, planned } => format!(
                "capital plan for {kind} cut by {:.0} % for lack of funds ({:.1} of {:.1} 亿元 planned since the start)",
                100.0 * cut / planned,
                cut / 1e8,
                planned / 1e8
            ),
            Warning::EmptyHousing {
                stock,
                district,
                empty_share,
                month,
                units,
            } => {
                let name = match (*stock, zh) {
                    ("public_rental", true) => "公租房",
                    ("public_rental", false) => "public rental housing",
                    (_, true) => "安置房",
                    (_, false) => "resettlement housing",
                };
                let pct = 100.0 * empty_share;
                match (district, units, zh) {
                    (Some(d), _, true) => format!("{d} 的{name}在 {month} 空置 {pct:.0}%"),
                    (Some(d), _, false) => {
                        format!("{name} in {d} stands {pct:.0} % empty at {month}")
                    }
                    (None, u, true) => format!(
                        "全域{name}在 {month} 空置 {pct:.0}%（{:.0} 套）",
                        u.unwrap_or(0.0)
                    ),
                    (None, u, false) => format!(
                        "{name} of the region stands {pct:.0} % empty at {month} ({:.0} units)",
                        u.unwrap_or(0.0)
                    ),
                }
            }
        }
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(false))
    }
}

/// Implementation failures a planner must see beside the results: a kind of public capital cut by
/// more than 10 % of its plan for lack of funds, or a public housing stock more than half empty at
/// the end of the run.
pub fn implementation_warnings(run: &RunOutput) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let Some(last) = run.records.last() else {
        return warnings;
    };
    for row in last.rows() {
        let Some(kind) = row.indicator.strip_prefix("capital_planned.") else {
            continue;
        };
        let planned = row.value;
        let cut = last
            .get(None, &format!("capital_cut.{kind}"))
            .unwrap_or(0.0);
        if planned > 0.0 && cut > 0.1 * planned {
            warnings.push(Warning::CapitalCut {
                kind: kind.to_string(),
                cut,
                planned,
            });
        }
    }
    for (indicator, stock) in [
        ("occupancy.public_rental", "public_rental"),
        ("occupancy.resettlement", "resettlement"),
    ] {
        for (d, id) in run.district_ids.iter().enumerate() {
            if let Some(v) = last.get(Some(d), indicator)
                && v > 0.0
                && v < 0.5
            {
                warnings.push(Warning::EmptyHousing {
                    stock,
                    district: Some(id.clone()),
                    empty_share: 1.0 - v,
                    month: last.label.clone(),
                    units: None,
                });
            }
        }
    }
    if let (Some(v), Some(units)) = (
        last.get(None, "occupancy.public_rental"),
        last.get(None, "public_rental_units"),
    ) && units > 0.0
        && v < 0.5
    {
        warnings.push(Warning::EmptyHousing {
            stock: "public_rental",
            district: None,
            empty_share: 1.0 - v,
            month: last.label.clone(),
            units: Some(units),
        });
    }
    warnings
}

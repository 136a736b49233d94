//! Comparing scenarios on common random numbers: replication r of every scenario uses the same
//! seed, so differences to the reference scenario are paired and their noise partly cancels.

use super::{RunError, RunOutput, replication_seed, run_single};
use crate::scenario::Scenario;
use rayon::prelude::*;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Runs `runs` replications of a scenario in parallel and keeps only what `extract` takes from
/// each (results in replication order, independent of the number of threads). The first
/// replication, in replication order, that cannot continue is the error.
pub fn replicate<T: Send>(
    scenario: &Scenario,
    master_seed: u64,
    runs: u64,
    extract: impl Fn(&RunOutput) -> T + Sync,
    on_done: impl Fn() + Sync,
) -> Result<Vec<T>, Box<RunError>> {
    let results: Vec<Result<T, Box<RunError>>> = (0..runs)
        .into_par_iter()
        .map(|r| {
            let out = run_single(scenario, replication_seed(master_seed, r), None, |_| {})?;
            let value = extract(&out);
            on_done();
            Ok(value)
        })
        .collect();
    results.into_iter().collect()
}

/// Mean of an indicator over the last `months` months of a run (e.g. the year 2035).
pub fn final_mean(out: &RunOutput, district: Option<usize>, indicator: &str, months: usize) -> f64 {
    let tail = &out.records[out.records.len().saturating_sub(months)..];
    let values: Vec<f64> = tail
        .iter()
        .filter_map(|r| r.get(district, indicator))
        .collect();
    if values.is_empty() {
        f64::NAN
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    }
}

/// Mean, standard error and a two-sided confidence interval of a sample.
#[derive(Debug, Clone, Copy)]
pub struct Estimate {
    pub n: usize,
    pub mean: f64,
    pub std_error: f64,
    pub low: f64,
    pub high: f64,
}

impl Estimate {
    pub fn of(sample: &[f64], confidence: f64) -> Estimate {
        let n = sample.len();
        let mean = sample.iter().sum::<f64>() / n.max(1) as f64;
        if n < 2 {
            return Estimate {
                n,
                mean,
                std_error: f64::NAN,
                low: f64::NAN,
                high: f64::NAN,
            };
        }
        let var = sample.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let se = (var / n as f64).sqrt();
        let t = StudentsT::new(0.0, 1.0, (n - 1) as f64)
            .map(|d| d.inverse_cdf(0.5 + confidence / 2.0))
            .unwrap_or(f64::NAN);
        Estimate {
            n,
            mean,
            std_error: se,
            low: mean - t * se,
            high: mean + t * se,
        }
    }

    /// Paired differences a[r] − b[r].
    pub fn paired(a: &[f64], b: &[f64], confidence: f64) -> Estimate {
        let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
        Estimate::of(&d, confidence)
    }
}

/// Mean of an indicator over the 12 months of `year` (NaN if the run lacks any of them).
pub fn year_mean(out: &RunOutput, district: Option<usize>, id: &str, year: i32) -> f64 {
    let prefix = format!("{year}-");
    let v: Vec<f64> = out
        .records
        .iter()
        .filter(|r| r.label.starts_with(&prefix))
        .filter_map(|r| r.get(district, id))
        .collect();
    if v.len() == 12 {
        v.iter().sum::<f64>() / 12.0
    } else {
        f64::NAN
    }
}

/// The indicators every comparison keeps year by year for its figures and report.
pub const KEY_INDICATORS: &[&str] = &[
    "gdp",
    "employment",
    "unemployment_rate",
    "pendulum_index",
    "zone_residents",
    "industry_subsystem",
    "city_subsystem",
    "coupling_coordination",
    "debt_incl_ppp",
    "public_cost_cumulative",
];

/// What a comparison keeps of one run for figures: yearly means of the key indicators, residents
/// and jobs by district, commuting flows every December, and the implementation warnings.
#[derive(Debug, Clone)]
pub struct RunDigest {
    /// Calendar years the run covers in full.
    pub years: Vec<i32>,
    /// Region-level yearly means, in the order of [`KEY_INDICATORS`]: `[indicator][year]`.
    pub key: Vec<Vec<f64>>,
    /// Residents and jobs (employment in modelled firms) by district: `[year][district]`.
    pub residents: Vec<Vec<f64>>,
    pub jobs: Vec<Vec<f64>>,
    /// (year, employed workers by home × work district) in December.
    pub commuting: Vec<(i32, nalgebra::DMatrix<f64>)>,
    pub warnings: Vec<super::Warning>,
    /// Travel minutes between districts at the start.
    pub base_travel_minutes: nalgebra::DMatrix<f64>,
}

impl RunDigest {
    pub fn of(out: &RunOutput) -> RunDigest {
        let mut years: Vec<i32> = out
            .records
            .iter()
            .filter_map(|r| r.label.get(..4).and_then(|y| y.parse().ok()))
            .collect();
        years.dedup();
        years.retain(|&y| !year_mean(out, None, "gdp", y).is_nan());
        let nd = out.district_ids.len();
        let by_district = |id: &str| -> Vec<Vec<f64>> {
            years
                .iter()
                .map(|&y| (0..nd).map(|d| year_mean(out, Some(d), id, y)).collect())
                .collect()
        };
        RunDigest {
            base_travel_minutes: out.base_travel_minutes.clone(),
            key: KEY_INDICATORS
                .iter()
                .map(|id| years.iter().map(|&y| year_mean(out, None, id, y)).collect())
                .collect(),
            residents: by_district("residents"),
            jobs: by_district("employment"),
            commuting: out.commuting.clone(),
            warnings: super::implementation_warnings(out),
            years,
        }
    }

    /// The yearly series of a key indicator (`None` if it is not one).
    pub fn series(&self, id: &str) -> Option<&[f64]> {
        KEY_INDICATORS
            .iter()
            .position(|k| *k == id)
            .map(|k| self.key[k].as_slice())
    }
}

/// One scenario of a comparison as figures and reports see it.
#[derive(Debug, Clone)]
pub struct Arm {
    pub name: String,
    pub label_zh: String,
    pub label_en: String,
    pub description_zh: String,
    pub description_en: String,
    pub content_hash: String,
    pub runs: Vec<RunDigest>,
}

impl Arm {
    pub fn new(scenario: &Scenario, runs: Vec<RunDigest>) -> Arm {
        Arm {
            name: scenario.name().to_string(),
            label_zh: scenario.label(true).to_string(),
            label_en: scenario.label(false).to_string(),
            description_zh: scenario.description(true).to_string(),
            description_en: scenario.description(false).to_string(),
            content_hash: scenario.content_hash().to_string(),
            runs,
        }
    }
    pub fn label(&self, zh: bool) -> &str {
        if zh { &self.label_zh } else { &self.label_en }
    }
    pub fn description(&self, zh: bool) -> &str {
        if zh {
            &self.description_zh
        } else {
            &self.description_en
        }
    }
    /// Values of a key indicator in `year` over the replications, in replication order.
    pub fn sample(&self, id: &str, year: i32) -> Vec<f64> {
        self.runs
            .iter()
            .filter_map(|r| {
                let j = r.years.iter().position(|&y| y == year)?;
                r.series(id).map(|s| s[j])
            })
            .collect()
    }
}

/// A comparison's results for figures and reports: the scenarios (the first is the reference),
/// the region's districts and the master seed.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub arms: Vec<Arm>,
    pub district_ids: Vec<String>,
    pub district_names_zh: Vec<String>,
    pub district_names_en: Vec<String>,
    pub district_kinds: Vec<crate::scenario::DistrictKind>,
    pub base_travel_minutes: nalgebra::DMatrix<f64>,
    pub master_seed: u64,
}

impl Comparison {
    /// The comparison of `scenarios` (the first is the reference) from their runs' digests.
    pub fn new(scenarios: &[Scenario], digests: Vec<Vec<RunDigest>>, master_seed: u64) -> Self {
        let districts = scenarios
            .first()
            .map(|s| s.spec().districts.clone())
            .unwrap_or_default();
        let base_travel_minutes = digests
            .first()
            .and_then(|runs| runs.first())
            .map(|r| r.base_travel_minutes.clone())
            .unwrap_or_else(|| nalgebra::DMatrix::zeros(districts.len(), districts.len()));
        Comparison {
            arms: scenarios
                .iter()
                .zip(digests)
                .map(|(s, runs)| Arm::new(s, runs))
                .collect(),
            district_ids: districts.keys().cloned().collect(),
            district_names_zh: districts.values().map(|d| d.name_zh.clone()).collect(),
            district_names_en: districts.values().map(|d| d.name_en.clone()).collect(),
            district_kinds: districts.values().map(|d| d.kind).collect(),
            base_travel_minutes,
            master_seed,
        }
    }

    /// Years every arm's runs cover in full.
    pub fn years(&self) -> Vec<i32> {
        let mut years: Option<Vec<i32>> = None;
        for run in self.arms.iter().flat_map(|a| &a.runs) {
            years = Some(match years {
                None => run.years.clone(),
                Some(y) => y.into_iter().filter(|x| run.years.contains(x)).collect(),
            });
        }
        years.unwrap_or_default()
    }
    pub fn runs(&self) -> usize {
        self.arms.first().map_or(0, |a| a.runs.len())
    }
}

/// The indicators a paired table reports unless told otherwise: the key results, then the costs
/// and the implementation indicators a planner must see beside them.
pub const DEFAULT_TABLE_INDICATORS: [&str; 14] = [
    "gdp",
    "modelled_firm_value_added",
    "employment",
    "unemployment_rate",
    "pendulum_index",
    "zone_residents",
    "industry_subsystem",
    "city_subsystem",
    "coupling_coordination",
    "debt_incl_ppp",
    "public_cost_cumulative",
    "capital_cut_cumulative",
    "capital_cut_share",
    "occupancy.public_rental",
];

/// A reporting period of a paired table: a calendar year, or the end of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Year(i32),
    Final,
}

impl Period {
    /// The period as `compare.csv` writes it: `2035`, `final`, or `final-6m`.
    pub fn label(self, final_months: usize) -> String {
        match self {
            Period::Year(y) => y.to_string(),
            Period::Final if final_months == 12 => "final".into(),
            Period::Final => format!("final-{final_months}m"),
        }
    }
}

/// A choice of a paired table that the scenarios cannot serve: `argument` names the choice
/// (`years`, `final-months`, `indicators`, `district`), `message` starts with the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{argument} {message}")]
pub struct TableChoiceError {
    pub argument: &'static str,
    pub message: String,
}

/// What a paired table reports, checked against the scenarios before any run: indicators of
/// the region or of one district, in calendar years or the last months of the run.
#[derive(Debug, Clone)]
pub struct TableSpec {
    pub indicators: Vec<String>,
    pub periods: Vec<Period>,
    /// Months at the end of the run that [`Period::Final`] averages over.
    pub final_months: usize,
    pub district: Option<String>,
}

impl TableSpec {
    /// `years` are calendar years or `final`; every scenario must cover each year in full, record
    /// each indicator, and have `district` when one is named.
    pub fn new(
        scenarios: &[Scenario],
        indicators: Vec<String>,
        years: &[String],
        final_months: usize,
        district: Option<String>,
    ) -> Result<TableSpec, TableChoiceError> {
        let shortest = scenarios
            .iter()
            .map(|s| s.spec().time.months as usize)
            .min()
            .unwrap_or(0);
        if final_months == 0 || final_months > shortest {
            return Err(TableChoiceError {
                argument: "final-months",
                message: format!(
                    "{final_months} is not allowed: 1 to {shortest} (the shortest scenario's months)"
                ),
            });
        }
        let (first, last) = scenarios
            .iter()
            .map(full_years)
            .fold((i32::MIN, i32::MAX), |a, b| (a.0.max(b.0), a.1.min(b.1)));
        let mut periods = Vec::new();
        for y in years {
            let period = match y.trim() {
                "final" => Period::Final,
                text => match text.parse::<i32>() {
                    Ok(y) if (first..=last).contains(&y) => Period::Year(y),
                    _ => {
                        return Err(TableChoiceError {
                            argument: "years",
                            message: format!(
                                "`{text}` is not a year every scenario covers in full \
                                 ({first}–{last}) nor `final`"
                            ),
                        });
                    }
                },
            };
            if !periods.contains(&period) {
                periods.push(period);
            }
        }
        if let Some(d) = &district {
            for s in scenarios {
                if !s.spec().districts.contains_key(d) {
                    let ids: Vec<&str> = s.spec().districts.keys().map(String::as_str).collect();
                    return Err(TableChoiceError {
                        argument: "district",
                        message: format!(
                            "`{d}`: scenario `{}` has no such district (it has {})",
                            s.name(),
                            ids.join(", ")
                        ),
                    });
                }
            }
        }
        if let Some(reference) = scenarios.first() {
            let known = recorded_indicators(reference, district.as_deref());
            for id in &indicators {
                if !known.contains(id) {
                    let hint = crate::scenario::closest(id, known.iter().map(String::as_str))
                        .map(|k| format!("; did you mean `{k}`?"))
                        .unwrap_or_default();
                    return Err(TableChoiceError {
                        argument: "indicators",
                        message: format!(
                            "`{id}` is not an indicator of {}{hint} \
                             (`chancheng indicators` lists them)",
                            district.as_deref().unwrap_or("the region")
                        ),
                    });
                }
            }
        }
        Ok(TableSpec {
            indicators,
            periods,
            final_months,
            district,
        })
    }

    /// One run's values, indicator-major: (indicator k, period j) at `k · periods + j`.
    pub fn values(&self, out: &RunOutput) -> Vec<f64> {
        let d = self
            .district
            .as_ref()
            .and_then(|d| out.district_ids.iter().position(|x| x == d));
        self.indicators
            .iter()
            .flat_map(|id| {
                self.periods.iter().map(move |p| match p {
                    Period::Final => final_mean(out, d, id, self.final_months),
                    Period::Year(y) => year_mean(out, d, id, *y),
                })
            })
            .collect()
    }

    /// `region` or the district's id, as the tables write the scope.
    pub fn scope(&self) -> &str {
        self.district.as_deref().unwrap_or("region")
    }
}

/// The first and last calendar years a scenario's run covers in full.
pub fn full_years(scenario: &Scenario) -> (i32, i32) {
    let t = &scenario.spec().time;
    let (y0, m0) = crate::scenario::parse_year_month(&t.start).unwrap_or((2016, 1));
    let first = if m0 == 1 { y0 } else { y0 + 1 };
    let end = (m0 as i32 - 1) + t.months as i32; // months since January of y0, exclusive
    let last = y0 + end / 12 - 1;
    (first, last)
}

/// The indicator ids a run records for the region (or a district): those of a one-month run of
/// `scenario` (families such as `public_cost.<lever>` included).
fn recorded_indicators(scenario: &Scenario, district: Option<&str>) -> Vec<String> {
    let mut sim = crate::model::Simulation::new(scenario, 1);
    let d = district.and_then(|d| sim.districts().iter().position(|x| x.id == d));
    sim.step()
        .rows()
        .filter(|r| r.district == d)
        .map(|r| r.indicator.to_string())
        .collect()
}

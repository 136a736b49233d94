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

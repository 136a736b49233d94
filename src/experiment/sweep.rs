//! Sweeps: a design's samples × replications run on the model, one row of outputs per run.
//!
//! Run `i` is sample `i / R`, replication `i % R`. Its seed is the replication's seed under the
//! master seed (as in `compare`): every sample of a replication shares its random numbers, so the
//! outputs vary over a sample's parameters only (common random numbers, which sensitivity
//! estimates need); `independent` seeds mix the sample in as well.

use super::{RunOutput, mix64, replication_seed, run_single};
use crate::scenario::Scenario;
use std::fmt::Write as _;

/// How an output summarises an indicator's months.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Aggregate {
    /// Mean over the 12 months of a year.
    Year(i32),
    /// Mean over the last 12 months of the run.
    FinalYear,
    Max,
    Min,
    /// Mean over the whole run.
    Mean,
}

/// One output column: `[max:|min:|mean:]indicator[[district]][@year|@final]`.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputSpec {
    pub text: String,
    pub indicator: String,
    pub district: Option<String>,
    pub aggregate: Aggregate,
}

impl OutputSpec {
    /// Parses one output; `Err` says what is allowed.
    pub fn parse(text: &str) -> Result<OutputSpec, String> {
        let text = text.trim();
        let allowed = "an output is `indicator@YEAR`, `indicator@final`, `max:indicator`, \
                       `min:indicator` or `mean:indicator`, with `indicator[district]` for a district";
        let (agg, rest) = match text.split_once(':') {
            Some(("max", r)) => (Some(Aggregate::Max), r),
            Some(("min", r)) => (Some(Aggregate::Min), r),
            Some(("mean", r)) => (Some(Aggregate::Mean), r),
            Some((other, _)) => {
                return Err(format!("`{text}`: unknown summary `{other}:`; {allowed}"));
            }
            None => (None, text),
        };
        let (body, at) = match rest.split_once('@') {
            Some((b, y)) => (b, Some(y)),
            None => (rest, None),
        };
        let aggregate = match (agg, at) {
            (Some(_), Some(_)) => {
                return Err(format!(
                    "`{text}`: a summary over the run takes no year; {allowed}"
                ));
            }
            (Some(a), None) => a,
            (None, None) | (None, Some("final")) => Aggregate::FinalYear,
            (None, Some(y)) => Aggregate::Year(
                y.parse()
                    .ok()
                    .filter(|y| (1900..=2200).contains(y))
                    .ok_or_else(|| format!("`{text}`: `{y}` is not a year; {allowed}"))?,
            ),
        };
        let (indicator, district) = match body.split_once('[') {
            Some((i, d)) => match d.strip_suffix(']') {
                Some(d) if !d.is_empty() => (i, Some(d.to_string())),
                _ => return Err(format!("`{text}`: {allowed}")),
            },
            None => (body, None),
        };
        if indicator.is_empty() {
            return Err(format!("`{text}`: no indicator; {allowed}"));
        }
        Ok(OutputSpec {
            text: text.to_string(),
            indicator: indicator.to_string(),
            district,
            aggregate,
        })
    }

    /// The output of one run (NaN where the run has no such value).
    pub fn of(&self, run: &RunOutput) -> f64 {
        let district = match &self.district {
            Some(d) => match run.district_ids.iter().position(|x| x == d) {
                Some(i) => Some(i),
                None => return f64::NAN,
            },
            None => None,
        };
        let values = |records: &mut dyn Iterator<Item = &crate::model::indicators::MonthRecord>| -> Vec<f64> {
            records
                .filter_map(|r| r.get(district, &self.indicator))
                .collect()
        };
        let mean = |v: Vec<f64>| {
            if v.is_empty() {
                f64::NAN
            } else {
                v.iter().sum::<f64>() / v.len() as f64
            }
        };
        let records = &run.records;
        match self.aggregate {
            Aggregate::Year(y) => {
                let prefix = format!("{y}-");
                let months = records
                    .iter()
                    .filter(|r| r.label.starts_with(&prefix))
                    .count();
                if months == 12 {
                    mean(values(
                        &mut records.iter().filter(|r| r.label.starts_with(&prefix)),
                    ))
                } else {
                    f64::NAN
                }
            }
            Aggregate::FinalYear => mean(values(
                &mut records[records.len().saturating_sub(12)..].iter(),
            )),
            Aggregate::Mean => mean(values(&mut records.iter())),
            Aggregate::Max => values(&mut records.iter())
                .into_iter()
                .fold(f64::NAN, |m, v| if m.is_nan() || v > m { v } else { m }),
            Aggregate::Min => values(&mut records.iter())
                .into_iter()
                .fold(f64::NAN, |m, v| if m.is_nan() || v < m { v } else { m }),
        }
    }
}

/// What a sweep runs: the scenario, the parameters' names and the design's rows, replications,
/// outputs and the master seed.
pub struct Plan<'a> {
    pub scenario: &'a Scenario,
    pub parameters: Vec<String>,
    pub samples: Vec<Vec<f64>>,
    pub replications: u64,
    pub outputs: Vec<OutputSpec>,
    pub seed: u64,
    pub independent_seeds: bool,
    /// Indicators whose monthly values each run also records (its time series).
    pub series: Vec<OutputSpec>,
    /// Also run `validate`'s checks on every run and name those that fail (behavioural
    /// filtering: runs whose model behaviour leaves the stylized facts).
    pub validate: bool,
}

/// What one run gives: its `runs.csv` line and its time-series lines (`run,month,indicator,value`;
/// empty when no series is asked for).
pub struct RunResult {
    pub line: String,
    pub series: String,
}

impl Plan<'_> {
    pub fn runs(&self) -> u64 {
        self.samples.len() as u64 * self.replications
    }

    /// (sample, replication, seed) of run `i`.
    pub fn run_of(&self, i: u64) -> (u64, u64, u64) {
        let (sample, rep) = (i / self.replications, i % self.replications);
        let seed = if self.independent_seeds {
            mix64(replication_seed(self.seed, rep) ^ mix64(sample.wrapping_add(0x9E37_79B9)))
        } else {
            replication_seed(self.seed, rep)
        };
        (sample, rep, seed)
    }

    /// The CSV header of `runs.csv`.
    pub fn header(&self) -> String {
        let mut cols = vec![
            "run".to_string(),
            "sample".into(),
            "replication".into(),
            "seed".into(),
        ];
        cols.extend(self.parameters.iter().cloned());
        cols.extend(self.outputs.iter().map(|o| o.text.clone()));
        if self.validate {
            cols.push("validate_failed".into());
        }
        cols.push("status".into());
        csv_line(&cols)
    }

    /// One run of a scenario; with `validate`, through the checked run, naming the failed checks
    /// (`;`-separated) in `failed`.
    fn run_once(
        &self,
        scenario: &Scenario,
        seed: u64,
        failed: &mut String,
    ) -> Result<RunOutput, Box<super::RunError>> {
        if !self.validate {
            return run_single(scenario, seed, None, |_| {});
        }
        let run = super::validate::run_checked(scenario, seed);
        let names: Vec<&str> = super::validate::checks(scenario, &run)
            .iter()
            .filter(|c| !c.passed())
            .map(|c| c.id)
            .collect();
        *failed = names.join(";");
        Ok(run.output)
    }

    /// Runs run `i` and returns its CSV line (ending in a newline) and its series. A run the model
    /// cannot carry to its end gets NaN outputs and says why in `status`.
    pub fn run(&self, i: u64) -> RunResult {
        let (sample, rep, seed) = self.run_of(i);
        let values = &self.samples[sample as usize];
        let overrides: Vec<(String, f64)> = self
            .parameters
            .iter()
            .cloned()
            .zip(values.iter().copied())
            .collect();
        let mut series = String::new();
        let mut failed_checks = String::new();
        let (outputs, status) = match self.scenario.with_overrides(&overrides) {
            Err(e) => (vec![f64::NAN; self.outputs.len()], format!("invalid: {e}")),
            Ok(s) => match self.run_once(&s, seed, &mut failed_checks) {
                Ok(run) => {
                    for spec in &self.series {
                        let district = spec
                            .district
                            .as_ref()
                            .and_then(|d| run.district_ids.iter().position(|x| x == d));
                        for r in &run.records {
                            if let Some(v) = r.get(district, &spec.indicator) {
                                series.push_str(&csv_line(&[
                                    i.to_string(),
                                    r.label.clone(),
                                    spec.text.clone(),
                                    format!("{v}"),
                                ]));
                            }
                        }
                    }
                    (
                        self.outputs.iter().map(|o| o.of(&run)).collect(),
                        "ok".into(),
                    )
                }
                Err(e) => (vec![f64::NAN; self.outputs.len()], format!("stopped: {e}")),
            },
        };
        let mut cols = vec![
            i.to_string(),
            sample.to_string(),
            rep.to_string(),
            seed.to_string(),
        ];
        cols.extend(values.iter().map(|v| format!("{v}")));
        cols.extend(outputs.iter().map(|v| format!("{v}")));
        if self.validate {
            cols.push(failed_checks);
        }
        cols.push(status.replace(['\n', '\r'], " "));
        RunResult {
            line: csv_line(&cols),
            series,
        }
    }
}

/// One CSV line with quoting where needed, ending in a newline.
fn csv_line(cols: &[String]) -> String {
    let mut line = String::new();
    for (k, c) in cols.iter().enumerate() {
        if k > 0 {
            line.push(',');
        }
        if c.contains([',', '"', '\n']) {
            let _ = write!(line, "\"{}\"", c.replace('"', "\"\""));
        } else {
            line.push_str(c);
        }
    }
    line.push('\n');
    line
}

/// The run id at the start of a `runs.csv` line.
pub fn run_id_of(line: &str) -> Option<u64> {
    line.split(',').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_parse_as_documented() {
        let o = OutputSpec::parse("gdp@2035").unwrap();
        assert_eq!(
            (o.indicator.as_str(), o.aggregate),
            ("gdp", Aggregate::Year(2035))
        );
        let o = OutputSpec::parse("max:debt_to_revenue").unwrap();
        assert_eq!(o.aggregate, Aggregate::Max);
        let o = OutputSpec::parse("pendulum_index[zone]@final").unwrap();
        assert_eq!(o.district.as_deref(), Some("zone"));
        assert_eq!(o.aggregate, Aggregate::FinalYear);
        for bad in [
            "sum:gdp",
            "max:gdp@2030",
            "gdp@20x5",
            "gdp[zone",
            "@2030",
            "gdp[]",
        ] {
            assert!(OutputSpec::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn csv_lines_quote_what_needs_it() {
        assert_eq!(
            csv_line(&["1".into(), "a,b".into(), "say \"x\"".into()]),
            "1,\"a,b\",\"say \"\"x\"\"\"\n"
        );
        assert_eq!(run_id_of("17,3,1,99,0.5\n"), Some(17));
    }
}

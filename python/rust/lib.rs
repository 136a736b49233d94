//! `chancheng._core`: the simulator's engine for Python. Thin wrappers only: every number and
//! every message comes from the `chancheng` library, the same code the command line runs, so a
//! run from Python gives the command line's bytes and a bad value the command line's words. The
//! Python package around it (`python/chancheng/`) turns the columns into data frames.

use chancheng::experiment::compare::{DEFAULT_TABLE_INDICATORS, TableSpec, replicate};
use chancheng::experiment::{RunError, RunOutput, run_single};
use chancheng::scenario::{self, Scenario, levers::LeverKey};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use rayon::prelude::*;
use std::path::PathBuf;

/// The text the command line prints for an error, raised as `ValueError`.
fn value_error(e: impl Into<anyhow::Error>) -> PyErr {
    PyValueError::new_err(chancheng::cli::error_message(&e.into()))
}

fn run_error(e: Box<RunError>) -> PyErr {
    PyRuntimeError::new_err(e.to_string())
}

/// A validated scenario.
#[pyclass(name = "Scenario", module = "chancheng._core", frozen)]
#[derive(Clone)]
struct PyScenario {
    inner: Scenario,
}

#[pymethods]
impl PyScenario {
    /// The scenario's `name`.
    #[getter]
    fn name(&self) -> &str {
        self.inner.name()
    }

    /// The scenario's label in `"zh"` or `"en"`.
    #[pyo3(signature = (lang = "en"))]
    fn label(&self, lang: &str) -> String {
        self.inner.label(lang == "zh").to_string()
    }

    /// The scenario's description in `"zh"` or `"en"`.
    #[pyo3(signature = (lang = "en"))]
    fn description(&self, lang: &str) -> String {
        self.inner.description(lang == "zh").to_string()
    }

    /// Hash of the merged, validated content (what a run depends on).
    #[getter]
    fn content_hash(&self) -> &str {
        self.inner.content_hash()
    }

    /// Months the run covers.
    #[getter]
    fn months(&self) -> u32 {
        self.inner.spec().time.months
    }

    /// First month of the run, `YYYY-MM`.
    #[getter]
    fn start(&self) -> &str {
        &self.inner.spec().time.start
    }

    /// District ids in the order the outputs use.
    #[getter]
    fn districts(&self) -> Vec<String> {
        self.inner.spec().districts.keys().cloned().collect()
    }

    /// Where the scenario comes from (a file, or a built-in scenario), as messages name it.
    #[getter]
    fn origin(&self) -> String {
        self.inner.origin()
    }

    /// The number at a dotted key (switches as 0/1 are not numbers here; `None` if absent).
    fn number(&self, key: &str) -> Option<f64> {
        self.inner.number_at(key)
    }

    /// The same scenario with `KEY=VALUE` settings, validated as the command line's `--set`.
    fn with_settings(&self, settings: Vec<String>) -> PyResult<PyScenario> {
        chancheng::cli::with_settings(self.inner.clone(), &settings)
            .map(|inner| PyScenario { inner })
            .map_err(value_error)
    }

    /// What a `KEY=VALUE` setting may put at `key`: `"number"`, `"switch"`, `"text"`, or `None`
    /// where nothing can be set (no such key, or a timed policy value).
    fn settable(&self, key: &str) -> Option<&'static str> {
        if self.inner.switch_at(key).is_some() {
            Some("switch")
        } else if self.inner.text_at(key).is_some() {
            Some("text")
        } else if self.inner.number_at(key).is_some() {
            Some("number")
        } else {
            None
        }
    }

    /// The start-up agent budget's refusal, or `None` when the scenario fits.
    fn too_large(&self) -> Option<String> {
        chancheng::experiment::scale::too_large(&self.inner)
    }

    fn __repr__(&self) -> String {
        format!(
            "<chancheng.Scenario {:?} ({}), {} months from {}, content {}>",
            self.inner.name(),
            self.inner.origin(),
            self.inner.spec().time.months,
            self.inner.spec().time.start,
            &self.inner.content_hash()[..12.min(self.inner.content_hash().len())]
        )
    }
}

/// The built-in baseline (`"baseline"`) or one of the built-in comparison set by name.
#[pyfunction]
fn load_builtin(name: &str) -> PyResult<PyScenario> {
    let inner = if name == "baseline" {
        scenario::load_builtin().map_err(value_error)?
    } else {
        let set = scenario::load_builtin_set().map_err(value_error)?;
        let names: Vec<String> = set.iter().map(|s| s.name().to_string()).collect();
        set.into_iter().find(|s| s.name() == name).ok_or_else(|| {
            PyValueError::new_err(format!(
                "`{name}` is neither a scenario file nor a built-in scenario (they are {})",
                names.join(", ")
            ))
        })?
    };
    Ok(PyScenario { inner })
}

/// A scenario file (its `extends` chain resolved from its folder).
#[pyfunction]
fn load_file(path: PathBuf) -> PyResult<PyScenario> {
    scenario::load_file(&path)
        .map(|inner| PyScenario { inner })
        .map_err(value_error)
}

/// A scenario from TOML text; `display` names it in messages, `base_dir` resolves `extends`.
#[pyfunction]
fn load_str(text: &str, display: &str, base_dir: PathBuf) -> PyResult<PyScenario> {
    scenario::load_str(text, display, &base_dir)
        .map(|inner| PyScenario { inner })
        .map_err(value_error)
}

/// One finished run.
#[pyclass(name = "Run", module = "chancheng._core", frozen)]
struct PyRun {
    scenario: Scenario,
    seed: u64,
    output: RunOutput,
    wall_time_s: f64,
}

#[pymethods]
impl PyRun {
    #[getter]
    fn seed(&self) -> u64 {
        self.seed
    }

    #[getter]
    fn scenario_name(&self) -> &str {
        self.scenario.name()
    }

    /// The tidy table's varying columns: (month, district, indicator, value), one entry per row
    /// of `timeseries.csv` in its order.
    #[allow(clippy::type_complexity)]
    fn timeseries_columns(&self) -> (Vec<String>, Vec<String>, Vec<String>, Vec<f64>) {
        let out = &self.output;
        let mut columns = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for record in &out.records {
            for row in record.rows() {
                columns.0.push(record.label.clone());
                columns.1.push(
                    row.district
                        .map_or("region", |d| out.district_ids[d].as_str())
                        .to_string(),
                );
                columns.2.push(row.indicator.to_string());
                columns.3.push(row.value);
            }
        }
        columns
    }

    /// `timeseries.csv` as the command line writes it.
    fn timeseries_csv<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let out = &self.output;
        let bytes = chancheng::output::timeseries_csv(
            self.scenario.name(),
            0,
            self.seed,
            &out.records,
            &out.district_ids,
            true,
        )
        .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// `firms.csv`: the firms operating at the end of the run.
    fn firms_csv<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = chancheng::output::firms_csv(&self.output.final_firms, None)
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// `summary.json` as text.
    fn summary_json(&self) -> PyResult<String> {
        let summary =
            chancheng::output::summary(&self.scenario, self.seed, &self.output, self.wall_time_s);
        serde_json::to_string_pretty(&summary).map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }

    /// The implementation warnings (cut capital plans, empty housing) in `"zh"` or `"en"`.
    #[pyo3(signature = (lang = "en"))]
    fn warnings(&self, lang: &str) -> Vec<String> {
        chancheng::experiment::implementation_warnings(&self.output)
            .iter()
            .map(|w| w.text(lang == "zh"))
            .collect()
    }

    /// Writes timeseries.csv, firms.csv and summary.json into `folder` (created if missing), as
    /// `chancheng run` does.
    fn write(&self, py: Python<'_>, folder: PathBuf) -> PyResult<()> {
        py.detach(|| {
            std::fs::create_dir_all(&folder)
                .map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
            chancheng::output::write_run(
                &folder,
                &self.scenario,
                self.seed,
                &self.output,
                self.wall_time_s,
            )
            .map_err(|e| e.to_string())
        })
        .map_err(PyRuntimeError::new_err)
    }
}

fn run_one(scenario: &Scenario, seed: u64) -> Result<PyRun, Box<RunError>> {
    let started = std::time::Instant::now();
    let output = run_single(scenario, seed, None, |_| {})?;
    Ok(PyRun {
        scenario: scenario.clone(),
        seed,
        output,
        wall_time_s: started.elapsed().as_secs_f64(),
    })
}

/// Runs each (scenario, seed) pair, in parallel on the engine's thread pool, without the GIL;
/// results in the order given. Each run is the command line's run of the same pair.
#[pyfunction]
fn run_many(py: Python<'_>, runs: Vec<(PyRef<'_, PyScenario>, u64)>) -> PyResult<Vec<PyRun>> {
    let pairs: Vec<(Scenario, u64)> = runs
        .iter()
        .map(|(s, seed)| (s.inner.clone(), *seed))
        .collect();
    let results: Vec<Result<PyRun, Box<RunError>>> = py.detach(|| {
        pairs
            .par_iter()
            .map(|(scenario, seed)| run_one(scenario, *seed))
            .collect()
    });
    results.into_iter().map(|r| r.map_err(run_error)).collect()
}

/// One row of the paired table: scenario, indicator, district, year, runs, mean, CI low, CI
/// high, difference to the reference with its CI (`None` for the reference).
type PairedTuple = (
    String,
    String,
    String,
    String,
    usize,
    f64,
    f64,
    f64,
    Option<f64>,
    Option<f64>,
    Option<f64>,
);

/// `chancheng compare`: replication r of every scenario shares its seed; returns the rows of
/// `compare.csv` and its bytes.
#[pyfunction]
#[pyo3(signature = (scenarios, runs, seed, indicators, years, final_months, district))]
// One argument per keyword of `chancheng.compare`, which names them for the user.
#[allow(clippy::too_many_arguments)]
fn compare<'py>(
    py: Python<'py>,
    scenarios: Vec<PyRef<'py, PyScenario>>,
    runs: u64,
    seed: u64,
    indicators: Option<Vec<String>>,
    years: Vec<String>,
    final_months: usize,
    district: Option<String>,
) -> PyResult<(Vec<PairedTuple>, Bound<'py, PyBytes>)> {
    let scenarios: Vec<Scenario> = scenarios.iter().map(|s| s.inner.clone()).collect();
    if scenarios.is_empty() {
        return Err(PyValueError::new_err("scenarios: give at least one"));
    }
    if runs < 2 {
        return Err(PyValueError::new_err(format!(
            "runs={runs} is too few: a confidence interval needs at least 2 replications"
        )));
    }
    let indicators =
        indicators.unwrap_or_else(|| DEFAULT_TABLE_INDICATORS.map(String::from).to_vec());
    let spec =
        TableSpec::new(&scenarios, indicators, &years, final_months, district).map_err(|e| {
            PyValueError::new_err(format!("{}: {}", e.argument.replace('-', "_"), e.message))
        })?;
    let values: Vec<Vec<Vec<f64>>> = py
        .detach(|| {
            scenarios
                .iter()
                .map(|s| replicate(s, seed, runs, |out| spec.values(out), || {}))
                .collect::<Result<_, _>>()
        })
        .map_err(run_error)?;
    let rows = chancheng::report::comparison::paired_rows(&scenarios, &spec, &values);
    let csv = chancheng::report::comparison::paired_csv(&rows)
        .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
    let tuples = rows
        .into_iter()
        .map(|r| {
            let e = r.estimate;
            (
                r.scenario,
                r.indicator,
                r.district,
                r.period,
                e.n,
                e.mean,
                e.low,
                e.high,
                r.diff.map(|d| d.mean),
                r.diff.map(|d| d.low),
                r.diff.map(|d| d.high),
            )
        })
        .collect();
    Ok((tuples, PyBytes::new(py, &csv)))
}

/// The indicators a paired table reports unless told otherwise.
#[pyfunction]
fn default_compare_indicators() -> Vec<&'static str> {
    DEFAULT_TABLE_INDICATORS.to_vec()
}

/// A lever of the catalogue: id, zh name, en name, unit, kind (`number`, `switch`, `choice`),
/// scenario key (`policy.<field>` or `policy.investment.<district>.<field>`), min, max, value in
/// the baseline, report ids, mechanism.
type LeverTuple = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    String,
    f64,
    f64,
    String,
    &'static str,
    &'static str,
);

/// The lever catalogue, with each lever's value in `scenario` (the baseline when `None`).
#[pyfunction]
#[pyo3(signature = (scenario = None))]
fn levers(scenario: Option<PyRef<'_, PyScenario>>) -> PyResult<Vec<LeverTuple>> {
    let reference = match scenario {
        Some(s) => s.inner.clone(),
        None => scenario::load_builtin().map_err(value_error)?,
    };
    Ok(scenario::levers::LEVERS
        .iter()
        .map(|l| {
            let key = match l.key {
                LeverKey::Policy(f) => format!("policy.{f}"),
                LeverKey::Investment(f) => format!("policy.investment.<district>.{f}"),
            };
            let kind = match (l.key, l.unit) {
                (LeverKey::Policy("public_rental_eligibility"), _) => "choice",
                (_, "on/off") => "switch",
                _ => "number",
            };
            (
                l.id,
                l.name_zh,
                l.name_en,
                l.unit,
                kind,
                key,
                l.min,
                l.max,
                scenario::levers::lever_value(&reference, l),
                l.report_ids,
                l.mechanism,
            )
        })
        .collect())
}

/// The indicator catalogue: id, zh name, en name, unit, scope (en), scope (zh).
#[pyfunction]
#[allow(clippy::type_complexity)]
fn indicators() -> Vec<(
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
)> {
    use chancheng::model::indicators::{INDICATORS, scope};
    INDICATORS
        .iter()
        .map(|d| {
            (
                d.id,
                d.name_zh,
                d.name_en,
                d.unit,
                scope(d.id).name(false),
                scope(d.id).name(true),
            )
        })
        .collect()
}

/// The scenario's `[uncertainty]` table: key, distribution, low, mode, high, integer, group.
#[pyfunction]
#[allow(clippy::type_complexity)]
fn uncertainty(
    scenario: PyRef<'_, PyScenario>,
) -> Vec<(
    String,
    &'static str,
    f64,
    Option<f64>,
    f64,
    bool,
    Option<String>,
)> {
    use chancheng::scenario::schema::Dist;
    scenario
        .inner
        .spec()
        .uncertainty
        .iter()
        .map(|(key, u)| {
            let dist = match u.dist {
                Dist::Uniform => "uniform",
                Dist::Triangular => "triangular",
            };
            (
                key.clone(),
                dist,
                u.low,
                u.mode,
                u.high,
                u.integer,
                u.group.clone(),
            )
        })
        .collect()
}

/// The engine's version (the crate's).
#[pyfunction]
fn engine_version() -> &'static str {
    chancheng::VERSION
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyScenario>()?;
    m.add_class::<PyRun>()?;
    m.add_function(wrap_pyfunction!(load_builtin, m)?)?;
    m.add_function(wrap_pyfunction!(load_file, m)?)?;
    m.add_function(wrap_pyfunction!(load_str, m)?)?;
    m.add_function(wrap_pyfunction!(run_many, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_function(wrap_pyfunction!(default_compare_indicators, m)?)?;
    m.add_function(wrap_pyfunction!(levers, m)?)?;
    m.add_function(wrap_pyfunction!(indicators, m)?)?;
    m.add_function(wrap_pyfunction!(uncertainty, m)?)?;
    m.add_function(wrap_pyfunction!(engine_version, m)?)?;
    Ok(())
}

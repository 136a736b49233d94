//! Files a run writes: tidy `timeseries.csv`, `firms.csv` microdata, `summary.json` with
//! provenance. Every file is written to a temporary name and renamed, so an interrupted run never
//! leaves a half-written file under the final name.

pub mod folder;

use crate::experiment::RunOutput;
use crate::model::FirmRecord;
use crate::model::indicators::MonthRecord;
use crate::scenario::Scenario;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot write {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Csv { path: String, source: csv::Error },
    #[error("cannot encode {path}: {source}")]
    Json {
        path: String,
        source: serde_json::Error,
    },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Writes `bytes` to `path` atomically (temporary file in the same folder, then rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    }
    let tmp = tmp_path(path);
    let mut file = std::fs::File::create(&tmp).map_err(io_err(&tmp))?;
    file.write_all(bytes).map_err(io_err(&tmp))?;
    file.sync_all().map_err(io_err(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io_err(path))
}

fn tmp_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".partial");
    path.with_file_name(name)
}

/// The tidy long table: `scenario,run,seed,month,district,indicator,value`.
pub fn timeseries_csv(
    scenario: &str,
    run: u64,
    seed: u64,
    records: &[MonthRecord],
    district_ids: &[String],
    with_header: bool,
) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    if with_header {
        w.write_record([
            "scenario",
            "run",
            "seed",
            "month",
            "district",
            "indicator",
            "value",
        ])?;
    }
    let (run, seed) = (run.to_string(), seed.to_string());
    for record in records {
        for row in record.rows() {
            let district = row
                .district
                .map(|d| district_ids[d].as_str())
                .unwrap_or("region");
            w.write_record([
                scenario,
                &run,
                &seed,
                &record.label,
                district,
                row.indicator,
                &row.value.to_string(),
            ])?;
        }
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

pub fn firms_csv(firms: &[FirmRecord], month: Option<&str>) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(month.is_none())
        .from_writer(Vec::new());
    if month.is_some() {
        w.write_record([
            "month",
            "id",
            "sector",
            "district",
            "status",
            "employees",
            "employees_low",
            "employees_mid",
            "employees_high",
            "output",
            "value_added_per_worker",
            "productivity",
            "capital",
            "land_ha",
            "age_months",
            "anchor",
            "high_tech",
            "patents",
            "automation",
            "measured_tfp",
            "same_sector_employment",
            "others_same_sector_employment",
            "profit",
            "cash",
            "months_of_losses",
        ])?;
    }
    for f in firms {
        match month {
            None => w.serialize(f)?,
            Some(m) => w.serialize((m, f))?,
        }
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

#[derive(Serialize)]
pub struct Provenance {
    pub crate_version: &'static str,
    pub git_commit: Option<&'static str>,
    pub scenario: String,
    pub scenario_files: Vec<String>,
    pub scenario_sha256: String,
    pub seed: u64,
    pub months: usize,
    pub first_month: String,
    pub last_month: String,
    pub wall_time_s: f64,
}

#[derive(Serialize)]
pub struct Summary {
    pub provenance: Provenance,
    pub peak_firms: usize,
    pub peak_worker_agents: usize,
    /// Implementation failures: plans cut by more than 10 %, public stocks more than half empty.
    pub warnings: Vec<String>,
    /// Final value of every indicator: district id (or `region`) → indicator → value.
    pub final_values: BTreeMap<String, BTreeMap<String, f64>>,
}

pub fn summary(scenario: &Scenario, seed: u64, run: &RunOutput, wall_time_s: f64) -> Summary {
    let mut final_values: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
    if let Some(last) = run.records.last() {
        for row in last.rows() {
            let key = row
                .district
                .map(|d| run.district_ids[d].clone())
                .unwrap_or_else(|| "region".into());
            final_values
                .entry(key)
                .or_default()
                .insert(row.indicator.to_string(), row.value);
        }
    }
    Summary {
        provenance: Provenance {
            crate_version: env!("CARGO_PKG_VERSION"),
            git_commit: option_env!("CHANCHENG_GIT_COMMIT").filter(|c| !c.is_empty()),
            scenario: scenario.name().to_string(),
            scenario_files: scenario.sources().to_vec(),
            scenario_sha256: scenario.content_hash().to_string(),
            seed,
            months: run.records.len(),
            first_month: run
                .records
                .first()
                .map(|r| r.label.clone())
                .unwrap_or_default(),
            last_month: run
                .records
                .last()
                .map(|r| r.label.clone())
                .unwrap_or_default(),
            wall_time_s,
        },
        peak_firms: run.peak_firms,
        peak_worker_agents: run.peak_workers,
        warnings: crate::experiment::implementation_warnings(run)
            .iter()
            .map(ToString::to_string)
            .collect(),
        final_values,
    }
}

/// Writes the three data files of one run into `dir`.
pub fn write_run(
    dir: &Path,
    scenario: &Scenario,
    seed: u64,
    run: &RunOutput,
    wall_time_s: f64,
) -> Result<(), OutputError> {
    let csv_err = |path: &Path| {
        let path = path.display().to_string();
        move |source| OutputError::Csv { path, source }
    };
    let ts = dir.join("timeseries.csv");
    let bytes = timeseries_csv(
        scenario.name(),
        0,
        seed,
        &run.records,
        &run.district_ids,
        true,
    )
    .map_err(csv_err(&ts))?;
    write_atomic(&ts, &bytes)?;
    let firms = dir.join("firms.csv");
    let bytes = firms_csv(&run.final_firms, None).map_err(csv_err(&firms))?;
    write_atomic(&firms, &bytes)?;
    if !run.snapshots.is_empty() {
        let path = dir.join("firms_panel.csv");
        let mut all = Vec::new();
        for (i, (month, firms)) in run.snapshots.iter().enumerate() {
            let mut bytes = firms_csv(firms, Some(month)).map_err(csv_err(&path))?;
            if i > 0 {
                // Keep one header line for the whole panel.
                let cut = bytes
                    .iter()
                    .position(|b| *b == b'\n')
                    .map(|p| p + 1)
                    .unwrap_or(0);
                bytes.drain(..cut);
            }
            all.extend(bytes);
        }
        write_atomic(&path, &all)?;
    }
    let path = dir.join("summary.json");
    let json = serde_json::to_vec_pretty(&summary(scenario, seed, run, wall_time_s)).map_err(
        |source| OutputError::Json {
            path: path.display().to_string(),
            source,
        },
    )?;
    write_atomic(&path, &json)
}

//! Designs of experiments and sensitivity analysis on files, independent of the model (as SALib
//! offers for any model): the parameters come from any TOML file's `[uncertainty]` table, a design
//! is a CSV of parameter values, and the analysis reads that CSV and a CSV of outputs in the same
//! row order, whatever computed them.
//!
//! - [`params`]: the uncertain parameters of a file, in the file's order, with their groups;
//! - [`design`]: Monte Carlo, Latin hypercube, Saltelli (Sobol sequence) and Morris designs;
//! - [`analyze`]: Sobol indices (first, total and second order, bootstrap intervals) and Morris
//!   elementary effects.

pub mod analyze;
pub mod design;
pub mod params;
pub mod prim;

/// Deterministic random numbers for designs and bootstraps: a fixed algorithm (never `StdRng`,
/// which may change between releases), seeded by the user's seed.
pub(crate) fn rng(seed: u64) -> rand::rngs::Xoshiro256PlusPlus {
    use rand::SeedableRng;
    rand::rngs::Xoshiro256PlusPlus::seed_from_u64(seed)
}

/// Writes rows of numbers as CSV (header of names), full precision.
pub fn write_csv(
    names: &[String],
    rows: &[Vec<f64>],
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(names)?;
    for row in rows {
        w.write_record(row.iter().map(|x| format!("{x}")))?;
    }
    w.flush()
}

/// A CSV of numbers with a header row: the names and the rows.
#[derive(Debug, Clone)]
pub struct Table {
    pub names: Vec<String>,
    pub rows: Vec<Vec<f64>>,
}

/// Why a CSV of numbers cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Format { path: String, message: String },
}

/// Reads a CSV of numbers: a header row of names, then rows of as many numbers.
pub fn read_csv(path: &std::path::Path) -> Result<Table, TableError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| TableError::Io {
        path: shown.clone(),
        source,
    })?;
    parse_csv(&bytes, &shown)
}

/// Parses a CSV of numbers (see [`read_csv`]); `shown` names it in errors.
pub fn parse_csv(bytes: &[u8], shown: &str) -> Result<Table, TableError> {
    let shown = shown.to_string();
    let fail = |message: String| TableError::Format {
        path: shown.clone(),
        message,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes);
    let names: Vec<String> = reader
        .headers()
        .map_err(|e| fail(format!("no header row ({e})")))?
        .iter()
        .map(|s| s.trim().to_string())
        .collect();
    if names.is_empty() || names.iter().any(String::is_empty) {
        return Err(fail("the header row must name every column".into()));
    }
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| fail(format!("line {line}: {e}")))?;
        if record.len() != names.len() {
            return Err(fail(format!(
                "line {line}: {} values for {} columns",
                record.len(),
                names.len()
            )));
        }
        let row: Result<Vec<f64>, String> = record
            .iter()
            .zip(&names)
            .map(|(v, name)| {
                v.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| {
                        format!("line {line}, column `{name}`: `{v}` is not a finite number")
                    })
            })
            .collect();
        rows.push(row.map_err(fail)?);
    }
    Ok(Table { names, rows })
}

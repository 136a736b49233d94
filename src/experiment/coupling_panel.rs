//! The external reference panel of the coupling coordination degree
//! (`scenarios/reference/coupling_panel.csv`): read it, and compute the `[coupling]` block of a
//! scenario from it (min–max ranges and entropy weights), so the frozen block can be checked.

use crate::model::coupling::{COMPONENTS, Inputs, entropy_references};
use crate::scenario::CouplingReference;
use anyhow::{Context, bail};
use std::path::Path;

/// The panel's rows, in the order of [`COMPONENTS`]; other columns (unit, year, source) are
/// ignored.
pub fn read_panel(path: &Path) -> anyhow::Result<Vec<Inputs>> {
    let mut reader = csv::Reader::from_path(path)
        .with_context(|| format!("cannot read the coupling panel {}", path.display()))?;
    let headers = reader.headers()?.clone();
    let mut columns = [0usize; 10];
    for (slot, component) in columns.iter_mut().zip(COMPONENTS.iter()) {
        *slot = headers
            .iter()
            .position(|h| h == component.key)
            .with_context(|| {
                format!(
                    "{}: no column `{}` (the panel needs one per sub-indicator: {})",
                    path.display(),
                    component.key,
                    COMPONENTS.map(|c| c.key).join(", ")
                )
            })?;
    }
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("{}: row {}", path.display(), i + 2))?;
        let mut row = [0.0; 10];
        for ((value, column), component) in row.iter_mut().zip(columns).zip(COMPONENTS.iter()) {
            let text = record.get(column).unwrap_or("");
            *value = text.trim().parse().with_context(|| {
                format!(
                    "{}: line {}, column `{}`: `{text}` is not a number",
                    path.display(),
                    i + 2,
                    component.key
                )
            })?;
        }
        rows.push(row);
    }
    if rows.is_empty() {
        bail!("{}: the panel has no rows", path.display());
    }
    Ok(rows)
}

/// The `[coupling]` references the panel implies.
pub fn references(path: &Path) -> anyhow::Result<[CouplingReference; 10]> {
    let panel = read_panel(path)?;
    entropy_references(&panel).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// The references as the TOML lines of a `[coupling]` block (weights to 4 decimals).
pub fn to_toml(refs: &[CouplingReference; 10]) -> String {
    let mut out = String::from("[coupling]\n");
    for (component, r) in COMPONENTS.iter().zip(refs) {
        out.push_str(&format!(
            "{} = {{ min = {:?}, max = {:?}, weight = {:.4} }}\n",
            component.key, r.min, r.max, r.weight
        ));
    }
    out
}

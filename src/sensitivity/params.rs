//! The uncertain parameters of a TOML file's `[uncertainty]` table, in the file's order. A scenario
//! that `extends` another inherits its parent's table: the parent's parameters come first (a child
//! entry replaces the parent's in place), then the child's new ones.

use crate::scenario::{Dist, UncertainSpec};
use std::path::{Path, PathBuf};

/// One uncertain parameter: its dotted name and distribution (with `integer` and `group`).
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    pub name: String,
    pub spec: UncertainSpec,
}

impl Parameter {
    /// A uniform parameter on [low, high], real-valued and ungrouped.
    pub fn uniform(name: &str, low: f64, high: f64) -> Parameter {
        Parameter {
            name: name.to_string(),
            spec: UncertainSpec {
                dist: Dist::Uniform,
                low,
                mode: None,
                high,
                integer: false,
                group: None,
            },
        }
    }

    /// The value at quantile `u` ∈ [0, 1] of the distribution, rounded for a whole-number
    /// parameter.
    pub fn value_at(&self, u: f64) -> f64 {
        let s = &self.spec;
        let u = u.clamp(0.0, 1.0);
        let x = match (s.dist, s.mode) {
            (Dist::Triangular, Some(c)) => {
                let (a, b) = (s.low, s.high);
                let cut = (c - a) / (b - a);
                if u < cut {
                    a + (u * (b - a) * (c - a)).sqrt()
                } else {
                    b - ((1.0 - u) * (b - a) * (b - c)).sqrt()
                }
            }
            _ => s.low + u * (s.high - s.low),
        };
        if s.integer { x.round() } else { x }
    }

    /// The quantile of a value (the inverse of [`Parameter::value_at`] before rounding): Morris
    /// effects are measured in these units.
    pub fn unit_of(&self, x: f64) -> f64 {
        let s = &self.spec;
        let (a, b) = (s.low, s.high);
        match (s.dist, s.mode) {
            (Dist::Triangular, Some(c)) => {
                if x <= c {
                    (x - a).powi(2) / ((b - a) * (c - a))
                } else {
                    1.0 - (b - x).powi(2) / ((b - a) * (b - c))
                }
            }
            _ => (x - a) / (b - a),
        }
    }
}

/// Groups every parameter by the first `segments` parts of its dotted name (`1`: by section,
/// `macro`, `households`, …; `2`: `districts.zone`, `sectors.agri_food`, …), replacing the file's
/// groups: a cheaper Sobol design over many parameters.
pub fn group_by_prefix(params: &mut [Parameter], segments: usize) {
    for p in params {
        let prefix: Vec<&str> = p.name.split('.').take(segments.max(1)).collect();
        p.spec.group = Some(prefix.join("."));
    }
}

/// The factors of a Sobol analysis: each group, or a parameter without one, in order of first
/// appearance; `members[f]` are the indices of factor f's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Factors {
    pub names: Vec<String>,
    pub members: Vec<Vec<usize>>,
}

impl Factors {
    pub fn of(params: &[Parameter]) -> Factors {
        let mut names: Vec<String> = Vec::new();
        let mut members: Vec<Vec<usize>> = Vec::new();
        for (i, p) in params.iter().enumerate() {
            let name = p.spec.group.clone().unwrap_or_else(|| p.name.clone());
            match names.iter().position(|n| *n == name) {
                Some(f) => members[f].push(i),
                None => {
                    names.push(name);
                    members.push(vec![i]);
                }
            }
        }
        Factors { names, members }
    }
    pub fn len(&self) -> usize {
        self.names.len()
    }
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
    /// Whether any factor holds more than one parameter.
    pub fn grouped(&self) -> bool {
        self.members.iter().any(|m| m.len() > 1)
    }
}

/// Why a parameter file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ParamsError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{location}: {message}")]
    Invalid { location: String, message: String },
}

/// The uncertain parameters of `path` (and of the files it extends), in order.
pub fn read_parameters(path: &Path) -> Result<Vec<Parameter>, ParamsError> {
    let mut chain = Vec::new();
    let params = read_chain(path, &mut chain)?;
    if params.is_empty() {
        return Err(ParamsError::Invalid {
            location: path.display().to_string(),
            message: "no `[uncertainty]` table with at least one parameter".into(),
        });
    }
    Ok(params)
}

/// Names of a parameter file's groups for readers, from its optional `[groups]` table:
/// `macro_demand = { zh = "宏观经济与需求", en = "Macro economy and demand" }`. Figures and
/// reports show them instead of the ids; a group without an entry keeps its id. Returns
/// `group → [zh, en]`.
pub fn read_group_labels(
    path: &Path,
) -> Result<std::collections::BTreeMap<String, [String; 2]>, ParamsError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ParamsError::Io {
        path: shown.clone(),
        source,
    })?;
    group_labels_in(&text, &shown)
}

fn group_labels_in(
    text: &str,
    shown: &str,
) -> Result<std::collections::BTreeMap<String, [String; 2]>, ParamsError> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Names {
        zh: String,
        en: String,
    }
    let table: toml::Table = toml::from_str(text).map_err(|e| ParamsError::Invalid {
        location: shown.to_string(),
        message: e.message().to_string(),
    })?;
    let mut labels = std::collections::BTreeMap::new();
    let Some(groups) = table.get("groups") else {
        return Ok(labels);
    };
    let expected = "expected `[groups]` entries `name = { zh = \"…\", en = \"…\" }`";
    let Some(groups) = groups.as_table() else {
        return Err(ParamsError::Invalid {
            location: format!("{shown} (key `groups`)"),
            message: expected.into(),
        });
    };
    for (group, value) in groups {
        let names: Names =
            value
                .clone()
                .try_into()
                .map_err(|e: toml::de::Error| ParamsError::Invalid {
                    location: format!("{shown} (key `groups.{group}`)"),
                    message: format!("{}; {expected}", e.message().trim()),
                })?;
        labels.insert(group.clone(), [names.zh, names.en]);
    }
    Ok(labels)
}

/// The uncertain parameters of a TOML text that extends nothing (the built-in baseline).
pub fn parameters_of_text(text: &str, shown: &str) -> Result<Vec<Parameter>, ParamsError> {
    parameters_in(text, shown, None, &mut Vec::new())
}

fn read_chain(path: &Path, chain: &mut Vec<PathBuf>) -> Result<Vec<Parameter>, ParamsError> {
    let shown = path.display().to_string();
    let canonical = path.canonicalize().map_err(|source| ParamsError::Io {
        path: shown.clone(),
        source,
    })?;
    if chain.contains(&canonical) {
        return Err(ParamsError::Invalid {
            location: shown,
            message: "`extends` makes a cycle".into(),
        });
    }
    chain.push(canonical);
    let text = std::fs::read_to_string(path).map_err(|source| ParamsError::Io {
        path: shown.clone(),
        source,
    })?;
    parameters_in(&text, &shown, Some(path), chain)
}

fn parameters_in(
    text: &str,
    shown: &str,
    path: Option<&Path>,
    chain: &mut Vec<PathBuf>,
) -> Result<Vec<Parameter>, ParamsError> {
    let shown = shown.to_string();
    let at = |offset: usize| {
        let line = text[..offset.min(text.len())].matches('\n').count() + 1;
        format!("{shown}:{line}")
    };
    let doc = toml::de::DeTable::parse(text).map_err(|e| ParamsError::Invalid {
        location: e.span().map_or(shown.clone(), |s| at(s.start)),
        message: e.message().to_string(),
    })?;
    let table: toml::Table = toml::from_str(text).map_err(|e| ParamsError::Invalid {
        location: shown.clone(),
        message: e.message().to_string(),
    })?;
    let mut params = match table.get("extends") {
        Some(toml::Value::String(parent)) => {
            let Some(path) = path else {
                return Err(ParamsError::Invalid {
                    location: shown,
                    message: "`extends` needs the file's folder".into(),
                });
            };
            let parent = path.parent().unwrap_or(Path::new(".")).join(parent);
            read_chain(&parent, chain)?
        }
        Some(_) => {
            return Err(ParamsError::Invalid {
                location: shown,
                message: "`extends` must be a file name".into(),
            });
        }
        None => Vec::new(),
    };
    // The file's own entries, in the order they appear in it.
    let mut own: Vec<(usize, String)> = doc
        .get_ref()
        .iter()
        .filter(|(k, _)| k.get_ref() == "uncertainty")
        .filter_map(|(_, v)| match v.get_ref() {
            toml::de::DeValue::Table(t) => Some(t),
            _ => None,
        })
        .flat_map(|t| {
            t.iter()
                .map(|(k, _)| (k.span().start, k.get_ref().to_string()))
        })
        .collect();
    own.sort();
    let entries = match table.get("uncertainty") {
        None => None,
        Some(toml::Value::Table(t)) => Some(t),
        Some(_) => {
            return Err(ParamsError::Invalid {
                location: shown,
                message: "`uncertainty` must be a table of `\"dotted.key\" = { dist = …, low = …, high = … }`".into(),
            });
        }
    };
    for (offset, name) in own {
        let Some(value) = entries.and_then(|t| t.get(&name)) else {
            continue;
        };
        let spec: UncertainSpec =
            value
                .clone()
                .try_into()
                .map_err(|e: toml::de::Error| ParamsError::Invalid {
                    location: format!("{} (key `{name}`)", at(offset)),
                    message: format!(
                        "{}; expected {{ dist = \"uniform\" | \"triangular\", low, high, mode (triangular only), integer, group }}",
                        e.message().trim()
                    ),
                })?;
        check_spec(&spec).map_err(|message| ParamsError::Invalid {
            location: format!("{} (key `{name}`)", at(offset)),
            message,
        })?;
        match params.iter_mut().find(|p| p.name == name) {
            Some(p) => p.spec = spec,
            None => params.push(Parameter { name, spec }),
        }
    }
    Ok(params)
}

/// The checks a distribution needs to be sampled (a scenario's loader checks more: that the key
/// exists and the range is allowed).
fn check_spec(s: &UncertainSpec) -> Result<(), String> {
    let finite = s.low.is_finite() && s.high.is_finite() && s.mode.is_none_or(f64::is_finite);
    if !(finite && s.low < s.high) {
        return Err("needs finite low < high".into());
    }
    match (s.dist, s.mode) {
        (Dist::Triangular, Some(m)) if !(s.low <= m && m <= s.high) => {
            Err("needs low ≤ mode ≤ high".into())
        }
        (Dist::Triangular, None) => Err("a triangular distribution needs `mode`".into()),
        (Dist::Uniform, Some(_)) => Err("a uniform distribution has no `mode`".into()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(dist: Dist, low: f64, mode: Option<f64>, high: f64) -> Parameter {
        Parameter {
            name: "x".into(),
            spec: UncertainSpec {
                dist,
                low,
                mode,
                high,
                integer: false,
                group: None,
            },
        }
    }

    #[test]
    fn group_labels_are_read_and_a_bad_entry_is_named() {
        let text = "[uncertainty]\n\"a.b\" = { dist = \"uniform\", low = 0.0, high = 1.0, group = \"g\" }\n\
                    [groups]\ng = { zh = \"甲组\", en = \"Group G\" }\n";
        let labels = group_labels_in(text, "f.toml").expect("valid");
        assert_eq!(labels["g"], ["甲组".to_string(), "Group G".to_string()]);
        assert!(
            group_labels_in("x = 1\n", "f.toml")
                .expect("none")
                .is_empty()
        );
        let bad = group_labels_in("[groups]\ng = { zh = \"甲\" }\n", "f.toml").unwrap_err();
        let message = bad.to_string();
        assert!(
            message.contains("groups.g") && message.contains("en"),
            "{message}"
        );
    }

    #[test]
    fn quantiles_invert() {
        for p in [
            spec(Dist::Uniform, -2.0, None, 6.0),
            spec(Dist::Triangular, 0.0, Some(1.0), 4.0),
        ] {
            for k in 0..=20 {
                let u = f64::from(k) / 20.0;
                assert!((p.unit_of(p.value_at(u)) - u).abs() < 1e-12, "{p:?} at {u}");
            }
        }
        let t = spec(Dist::Triangular, 0.0, Some(1.0), 4.0);
        // P(X ≤ mode) = (mode − low)/(high − low).
        assert!((t.unit_of(1.0) - 0.25).abs() < 1e-12);
    }

    #[test]
    fn whole_numbers_are_rounded_and_only_they() {
        let mut p = spec(Dist::Uniform, 10.0, None, 20.0);
        assert_eq!(p.value_at(0.33), 13.3);
        p.spec.integer = true;
        assert_eq!(p.value_at(0.33), 13.0);
    }
}

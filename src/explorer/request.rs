//! What the page asks for: lever settings over the base scenario, each from a start month, turned
//! into the scenario file that reproduces them. The server runs exactly the file it offers for
//! download, so "Save scenario" and the numbers on screen cannot disagree.

use crate::scenario::{self, Scenario, ScenarioError};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One lever setting: a number, a switch or a choice, and the month it takes effect.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeverSetting {
    pub value: serde_json::Value,
    /// `YYYY-MM`; none: from the start of the run.
    #[serde(default)]
    pub from: Option<String>,
}

/// The page's state: settings by scenario key (`policy.x` or `policy.investment.<district>.x`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewRequest {
    #[serde(default)]
    pub levers: BTreeMap<String, LeverSetting>,
}

/// Why a request cannot be run: the message, and the scenario key it concerns when there is one
/// (the page shows it beside that lever).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Refusal {
    pub error: String,
    pub key: Option<String>,
}

impl Refusal {
    fn of(error: String, key: Option<String>) -> Refusal {
        Refusal { error, key }
    }
}

/// Where the base scenario comes from, so that a saved file can `extends` it.
#[derive(Debug, Clone)]
pub struct Base {
    pub scenario: Scenario,
    /// The file name that `extends` names (`baseline.toml` finds the built-in baseline).
    pub extends: String,
    /// The folder the saved file must sit in for `extends` to resolve.
    pub dir: PathBuf,
    /// `KEY=VALUE` settings given to `serve --set`, repeated in every saved file.
    pub settings: Vec<String>,
}

/// The longest request the server reads (the query string of one view).
pub const MAX_REQUEST_BYTES: usize = 16 * 1024;

impl ViewRequest {
    /// Parses the page's JSON; a malformed request is refused with serde's message.
    pub fn parse(text: &str) -> Result<ViewRequest, Refusal> {
        if text.len() > MAX_REQUEST_BYTES {
            return Err(Refusal::of(
                format!(
                    "request of {} bytes; at most {MAX_REQUEST_BYTES}",
                    text.len()
                ),
                None,
            ));
        }
        if text.trim().is_empty() {
            return Ok(ViewRequest::default());
        }
        serde_json::from_str(text).map_err(|e| Refusal::of(format!("malformed request: {e}"), None))
    }

    /// The scenario file of this view over `base` (TOML text).
    pub fn toml(&self, base: &Base) -> Result<String, Refusal> {
        let mut root = toml::Table::new();
        root.insert("extends".into(), base.extends.clone().into());
        root.insert("name".into(), "explorer".into());
        root.insert("label_zh".into(), "探索方案".into());
        root.insert("label_en".into(), "Explorer scenario".into());
        let mut set = |key: &str, value: toml::Value| -> Result<(), Refusal> {
            let parts: Vec<&str> = key.split('.').collect();
            let (last, path) = parts
                .split_last()
                .ok_or_else(|| Refusal::of("empty lever key".into(), Some(key.to_string())))?;
            let mut table = &mut root;
            for part in path {
                table = table
                    .entry(part.to_string())
                    .or_insert_with(|| toml::Table::new().into())
                    .as_table_mut()
                    .ok_or_else(|| {
                        Refusal::of(format!("`{key}` is not a lever key"), Some(key.into()))
                    })?;
            }
            table.insert(last.to_string(), value);
            Ok(())
        };
        for text in &base.settings {
            if let Some((k, v)) = text.split_once('=') {
                let (k, v) = (k.trim(), v.trim());
                let value = match base.scenario.value_at(k) {
                    Some(toml::Value::Integer(_)) => v
                        .parse::<f64>()
                        .map(|x| toml::Value::Integer(x.round() as i64))
                        .unwrap_or_else(|_| v.into()),
                    Some(toml::Value::Float(_)) => v
                        .parse::<f64>()
                        .map(toml::Value::Float)
                        .unwrap_or_else(|_| v.into()),
                    Some(toml::Value::Boolean(_)) => toml::Value::Boolean(v == "true" || v == "1"),
                    _ => v.into(),
                };
                set(k, value)?;
            }
        }
        for (key, setting) in &self.levers {
            if !key.starts_with("policy.") {
                return Err(Refusal::of(
                    format!("`{key}` is not a lever: lever keys start with `policy.`"),
                    Some(key.clone()),
                ));
            }
            let value = to_toml(&base.scenario, key, &setting.value)?;
            let value = match &setting.from {
                None => value,
                Some(month) => {
                    let mut timed = toml::Table::new();
                    timed.insert("value".into(), value);
                    timed.insert("from".into(), month.clone().into());
                    timed.into()
                }
            };
            set(key, value)?;
        }
        let mut text = format!(
            "# Saved by `chancheng serve`: the explorer's lever settings over {}.\n\
             # Keep it beside {} (`baseline.toml` is found built in), then e.g.\n\
             #   chancheng compare {} this-file.toml --runs 20{}\n",
            base.scenario.origin(),
            base.extends,
            if base.extends == scenario::BASELINE_FILE_NAME {
                "baseline".to_string()
            } else {
                base.extends.clone()
            },
            base.settings
                .iter()
                .map(|s| format!(" --set {s}"))
                .collect::<String>(),
        );
        text.push_str(
            &toml::to_string(&root)
                .map_err(|e| Refusal::of(format!("cannot write TOML: {e}"), None))?,
        );
        Ok(text)
    }

    /// The validated scenario of this view, and its file; the agent budget applies.
    pub fn scenario(&self, base: &Base) -> Result<(Scenario, String), Refusal> {
        let text = self.toml(base)?;
        let scenario = scenario::load_str(&text, "<explorer>", &base.dir).map_err(|e| match e {
            ScenarioError::Invalid(issues) => Refusal::of(
                issues
                    .iter()
                    .map(|i| format!("{}: {}", i.key, i.message))
                    .collect::<Vec<_>>()
                    .join("; "),
                issues.first().map(|i| i.key.clone()),
            ),
            other => Refusal::of(other.to_string(), None),
        })?;
        if let Some(reason) = crate::experiment::scale::too_large(&scenario) {
            return Err(Refusal::of(reason, None));
        }
        Ok((scenario, text))
    }
}

/// A JSON value as the TOML value the base holds at `key` (a whole number where it holds one).
fn to_toml(base: &Scenario, key: &str, value: &serde_json::Value) -> Result<toml::Value, Refusal> {
    let refuse = |m: String| Refusal::of(format!("{key}: {m}"), Some(key.to_string()));
    let held = match base.value_at(key) {
        Some(toml::Value::Table(t)) => t.get("value"),
        other => other,
    };
    match (held, value) {
        (None, _) => Err(refuse("no such lever in the base scenario".into())),
        (Some(toml::Value::Boolean(_)), serde_json::Value::Bool(b)) => Ok((*b).into()),
        (Some(toml::Value::String(_)), serde_json::Value::String(s)) => Ok(s.clone().into()),
        (Some(toml::Value::Integer(_)), serde_json::Value::Number(n)) => n
            .as_f64()
            .filter(|x| x.is_finite())
            .map(|x| toml::Value::Integer(x.round() as i64))
            .ok_or_else(|| refuse("not a finite number".into())),
        (Some(toml::Value::Float(_)), serde_json::Value::Number(n)) => n
            .as_f64()
            .filter(|x| x.is_finite())
            .map(toml::Value::Float)
            .ok_or_else(|| refuse("not a finite number".into())),
        (Some(held), v) => Err(refuse(format!(
            "takes {} (got {v})",
            match held {
                toml::Value::Boolean(_) => "true or false",
                toml::Value::String(_) => "text",
                _ => "a number",
            }
        ))),
    }
}

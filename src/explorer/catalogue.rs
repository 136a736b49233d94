//! What the page's left side lists: the report's levers grouped by package (R1–R4), each with its
//! names, unit, range, status-quo value and report IDs, and the presets of the built-in packages.

use super::request::Base;
use crate::scenario::levers::{LEVERS, Lever, LeverKey};
use crate::scenario::{self, Scenario};
use serde_json::{Value, json};

/// The report's four packages, in the order of its headings (DIGEST.md).
const PACKAGES: [(&str, &str, &str); 4] = [
    ("R1", "培育壮大主导产业", "Grow the leading industries"),
    ("R2", "完善配套服务功能", "Complete the supporting services"),
    ("R3", "破解要素制约", "Remove factor bottlenecks"),
    ("R4", "推进产城融合", "Integrate industry and city"),
];

/// The package a lever is listed under: that of its first report ID.
fn package_of(lever: &Lever) -> &'static str {
    let first = lever.report_ids.trim_start();
    PACKAGES
        .iter()
        .map(|p| p.0)
        .find(|p| first.starts_with(p))
        .unwrap_or("R4")
}

/// The scenario keys of a lever in `scenario`: one, or one per district that plans it.
pub fn keys(lever: &Lever, scenario: &Scenario) -> Vec<(String, Option<String>)> {
    match lever.key {
        LeverKey::Policy(field) => vec![(format!("policy.{field}"), None)],
        LeverKey::Investment(field) => scenario
            .spec()
            .districts
            .keys()
            .map(|d| (format!("policy.investment.{d}.{field}"), Some(d.clone())))
            .filter(|(k, _)| scenario.value_at(k).is_some())
            .collect(),
    }
}

/// A key's value in a scenario as the page holds it: `{value, from}` (from: none = the start).
pub fn setting(scenario: &Scenario, key: &str) -> Option<Value> {
    let to_json = |v: &toml::Value| -> Value {
        match v {
            toml::Value::Integer(i) => json!(i),
            toml::Value::Float(f) => json!(f),
            toml::Value::Boolean(b) => json!(b),
            toml::Value::String(s) => json!(s),
            _ => Value::Null,
        }
    };
    match scenario.value_at(key)? {
        toml::Value::Table(t) => Some(json!({
            "value": t.get("value").map(to_json).unwrap_or(Value::Null),
            "from": t.get("from").and_then(toml::Value::as_str),
        })),
        v => Some(json!({ "value": to_json(v), "from": Value::Null })),
    }
}

/// The catalogue and presets as the page reads them.
pub fn catalogue(base: &Base) -> Value {
    let scenario = &base.scenario;
    let districts = &scenario.spec().districts;
    let packages: Vec<Value> = PACKAGES
        .iter()
        .map(|(id, zh, en)| {
            let levers: Vec<Value> = LEVERS
                .iter()
                .filter(|l| package_of(l) == *id)
                .flat_map(|l| {
                    keys(l, scenario).into_iter().map(move |(key, district)| {
                        let kind = match (l.key, l.unit) {
                            (LeverKey::Policy("public_rental_eligibility"), _) => "choice",
                            (_, "on/off") => "switch",
                            _ => "number",
                        };
                        let district_names = district.as_ref().and_then(|d| districts.get(d));
                        json!({
                            "id": l.id,
                            "key": key,
                            "name_zh": l.name_zh,
                            "name_en": l.name_en,
                            "district": district,
                            "district_zh": district_names.map(|d| d.name_zh.clone()),
                            "district_en": district_names.map(|d| d.name_en.clone()),
                            "unit": l.unit,
                            "kind": kind,
                            "choices": if kind == "choice" {
                                json!(crate::scenario::PublicRentalEligibility::NAMES)
                            } else {
                                Value::Null
                            },
                            "min": l.min,
                            "max": l.max,
                            "report_ids": l.report_ids,
                            "mechanism": l.mechanism,
                            "status_quo": setting(scenario, &key),
                        })
                    })
                })
                .collect();
            json!({ "id": id, "name_zh": zh, "name_en": en, "levers": levers })
        })
        .collect();
    json!({
        "scenario": {
            "name": scenario.name(),
            "label_zh": scenario.label(true),
            "label_en": scenario.label(false),
            "start": scenario.spec().time.start,
            "months": scenario.spec().time.months,
        },
        "packages": packages,
        "presets": presets(base),
    })
}

/// The built-in packages as settings over the base: every lever key whose value differs.
fn presets(base: &Base) -> Vec<Value> {
    let Ok(set) = scenario::load_builtin_set() else {
        return Vec::new();
    };
    set.iter()
        .filter_map(|preset| {
            let mut levers = serde_json::Map::new();
            for lever in LEVERS {
                for (key, _) in keys(lever, &base.scenario) {
                    let theirs = setting(preset, &key);
                    if theirs.is_some() && theirs != setting(&base.scenario, &key) {
                        levers.insert(key, theirs.unwrap_or(Value::Null));
                    }
                }
            }
            (!levers.is_empty()).then(|| {
                json!({
                    "name": preset.name(),
                    "label_zh": preset.label(true),
                    "label_en": preset.label(false),
                    "levers": levers,
                })
            })
        })
        .collect()
}

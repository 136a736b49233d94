//! The calibrated scenarios' numbers are documented (the baseline, the regional scenario that adds
//! two county zones, and the whole prefecture): each carries a source tag or says what it is,
//! every assumption has an uncertainty range that contains it, and every range is a valid scenario
//! at both ends (so sweeps over `[uncertainty]` cannot fail on validation).

use chancheng::scenario::{BASELINE_TOML, Scenario, UncertainSpec, load_builtin, load_file};
use std::collections::BTreeSet;
use std::path::Path;

/// The calibrated scenario files: name, text, the loaded scenario.
fn calibrated() -> Vec<(&'static str, String, Scenario)> {
    let shipped = |file: &'static str| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios")
            .join(file);
        (
            file,
            std::fs::read_to_string(&path).expect("scenario file"),
            load_file(&path).expect("shipped scenario loads"),
        )
    };
    vec![
        (
            "baseline.toml",
            BASELINE_TOML.to_string(),
            load_builtin().expect("baseline"),
        ),
        shipped("region.toml"),
        shipped("zhumadian.toml"),
    ]
}

/// Words that say what a number is when it has no source tag.
const KINDS: [&str; 4] = ["ASSUMPTION", "DERIVED", "SETTING", "STATUS QUO"];

/// One numeric entry of the baseline file: dotted key, value, the comment of its line.
struct Entry {
    key: String,
    value: f64,
    comment: String,
    line: usize,
}

/// Source tags defined in the baseline's header (`#   [TAG]  …`); other files cite the same list.
fn defined_tags() -> BTreeSet<String> {
    BASELINE_TOML
        .lines()
        .take_while(|l| l.starts_with('#') || l.is_empty())
        .filter_map(|l| {
            let rest = l.trim_start_matches('#').trim_start();
            let tag = rest.strip_prefix('[')?.split(']').next()?;
            (!tag.is_empty()
                && tag
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()))
            .then(|| tag.to_string())
        })
        .collect()
}

/// Tags cited in a comment (`[HNSY]`, …).
fn cited_tags(comment: &str) -> Vec<String> {
    comment
        .split('[')
        .skip(1)
        .filter_map(|s| s.split(']').next())
        .filter(|t| {
            !t.is_empty()
                && t.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        })
        .map(str::to_string)
        .collect()
}

/// Numeric entries of a scenario file outside `[uncertainty]`; entries of an inline table are
/// reported one by one under the line's comment. Arrays are reported with value NaN.
fn numeric_entries(text: &str) -> Vec<Entry> {
    let mut section = String::new();
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('[') && !line.contains('=') {
            section = line.trim_matches(|c| c == '[' || c == ']').to_string();
            continue;
        }
        if section == "uncertainty" {
            continue;
        }
        let (body, comment) = match line.split_once('#') {
            Some((b, c)) => (b.trim(), c.trim().to_string()),
            None => (line, String::new()),
        };
        let Some((key, value)) = body.split_once('=') else {
            continue;
        };
        let (key, value) = (key.trim(), value.trim());
        let dotted = format!("{section}.{key}");
        if value.starts_with('{') {
            for item in value.trim_matches(|c| c == '{' || c == '}').split(',') {
                if let Some((k, v)) = item.split_once('=')
                    && let Ok(v) = v.trim().parse::<f64>()
                {
                    out.push(Entry {
                        key: format!("{dotted}.{}", k.trim()),
                        value: v,
                        comment: comment.clone(),
                        line: i + 1,
                    });
                }
            }
        } else if value.starts_with('[') && !value.contains('"') {
            out.push(Entry {
                key: dotted,
                value: f64::NAN,
                comment,
                line: i + 1,
            });
        } else if let Ok(v) = value.parse::<f64>() {
            out.push(Entry {
                key: dotted,
                value: v,
                comment,
                line: i + 1,
            });
        }
    }
    out
}

fn range(spec: &UncertainSpec) -> (f64, f64) {
    (spec.low, spec.high)
}

#[test]
fn every_number_has_a_source_or_says_what_it_is() {
    let tags = defined_tags();
    assert!(tags.len() >= 10, "header defines {tags:?}");
    let mut problems = Vec::new();
    for (file, text, _) in calibrated() {
        let entries = numeric_entries(&text);
        assert!(entries.len() > 50, "{file}: only {} numbers", entries.len());
        for e in &entries {
            let cited = cited_tags(&e.comment);
            for t in cited.iter().filter(|t| !tags.contains(*t)) {
                problems.push(format!(
                    "{file}:{}: `{}` cites undefined [{t}]",
                    e.line, e.key
                ));
            }
            if cited.is_empty() && !KINDS.iter().any(|k| e.comment.contains(k)) {
                problems.push(format!(
                    "{file}:{}: `{}` has neither a source tag nor one of {KINDS:?}",
                    e.line, e.key
                ));
            }
            if e.key.starts_with("policy.") && !e.comment.contains("STATUS QUO") {
                problems.push(format!(
                    "{file}:{}: lever `{}` lacks STATUS QUO",
                    e.line, e.key
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_assumption_has_an_uncertainty_range_that_contains_it() {
    let mut problems = Vec::new();
    for (file, text, scenario) in calibrated() {
        let uncertainty = &scenario.spec().uncertainty;
        for e in numeric_entries(&text) {
            if !e.comment.contains("ASSUMPTION") || e.key.starts_with("policy.") {
                continue;
            }
            if e.value.is_nan() {
                // Share vectors sum to 1 and cannot vary one element at a time.
                if !e.comment.contains("not swept") {
                    problems.push(format!(
                        "{file}:{}: array `{}` must say why it is not swept",
                        e.line, e.key
                    ));
                }
                continue;
            }
            match uncertainty.get(&e.key) {
                None => problems.push(format!(
                    "{file}:{}: `{}` has no [uncertainty] range",
                    e.line, e.key
                )),
                Some(spec) => {
                    let (low, high) = range(spec);
                    if !(low <= e.value && e.value <= high) {
                        problems.push(format!(
                            "{file}:{}: `{}` = {} lies outside its range [{low}, {high}]",
                            e.line, e.key, e.value
                        ));
                    }
                }
            }
        }
        if let Some(k) = uncertainty.keys().find(|k| k.starts_with("policy.")) {
            problems.push(format!(
                "{file}: lever `{k}` is in [uncertainty]; scenarios set levers, sweeps do not"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Whether a file's text has an `[uncertainty]` entry for `key`.
fn text_declares(text: &str, key: &str) -> bool {
    text.lines().any(|l| l.starts_with(&format!("\"{key}\" =")))
}

#[test]
fn every_uncertainty_range_is_a_valid_scenario_at_both_ends() {
    let mut problems = Vec::new();
    for (file, text, scenario) in calibrated() {
        let ranges: Vec<(String, (f64, f64))> = scenario
            .spec()
            .uncertainty
            .iter()
            .map(|(k, s)| (k.clone(), range(s)))
            .collect();
        assert!(ranges.len() > 300, "{file}: {} ranges", ranges.len());
        // One at a time: the keys this file declares (inherited ones are checked on their own
        // file; all of them together below).
        let own = |key: &str| file == "baseline.toml" || text_declares(&text, key);
        for (key, (low, high)) in ranges.iter().filter(|(k, _)| own(k)) {
            for v in [low, high] {
                if let Err(e) = scenario.with_overrides(&[(key.clone(), *v)]) {
                    problems.push(format!("{file}: {key} = {v}: {e}"));
                }
            }
        }
        // All at once too: joint constraints (land shares, elasticity sums, budget shares).
        for (pick, name) in ["lows", "highs"].iter().enumerate() {
            let all: Vec<(String, f64)> = ranges
                .iter()
                .map(|(k, r)| (k.clone(), if pick == 0 { r.0 } else { r.1 }))
                .collect();
            if let Err(e) = scenario.with_overrides(&all) {
                problems.push(format!("{file}: all at their {name}: {e}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

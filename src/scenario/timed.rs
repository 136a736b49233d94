//! Policies with a start month: `key = { value = V, from = "YYYY-MM" }` under `[policy]`.
//!
//! In one file such an inline table is a *timed leaf*. Merging through `extends` turns it into a
//! timeline kept in the merged table as `key = { steps = [{ value = V0 }, { from = "…", value = V }] }`
//! (a step without `from` holds from the start; a key with no step in force takes the schema
//! default). [`normalise`] rewrites every timeline canonically for the scenario's start month, so
//! two files that mean the same hash the same, and a timeline that never changes after the start is
//! stored as a plain value.

use super::validate::parse_year_month;
use std::collections::BTreeSet;

/// A timed leaf read from one file.
pub(super) struct TimedLeaf {
    /// Dotted path from the root, e.g. `["policy", "ppp_share"]`.
    path: Vec<String>,
    /// Canonical `YYYY-MM`.
    from: String,
    value: toml::Value,
}

/// A problem in one file: key path and message.
pub(super) type Problem = (Vec<String>, String);

const SYNTAX: &str = "write `key = { value = 0.4, from = \"2025-01\" }`";

/// Paths of the value slots under `[policy]` (levers and investment-plan items) that hold a table.
fn table_slots(root: &toml::Table) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let Some(policy) = root.get("policy").and_then(toml::Value::as_table) else {
        return out;
    };
    for (key, value) in policy {
        if key == "investment" {
            let Some(plans) = value.as_table() else {
                continue;
            };
            for (district, plan) in plans {
                let Some(plan) = plan.as_table() else {
                    continue;
                };
                for (item, value) in plan {
                    if value.is_table() {
                        out.push(vec![
                            "policy".into(),
                            "investment".into(),
                            district.clone(),
                            item.clone(),
                        ]);
                    }
                }
            }
        } else if value.is_table() {
            out.push(vec!["policy".into(), key.clone()]);
        }
    }
    out
}

/// The table holding the last element of `path`, creating missing tables on the way if `create`.
fn parent_mut<'a>(
    root: &'a mut toml::Table,
    path: &[String],
    create: bool,
) -> Option<&'a mut toml::Table> {
    let (_, parents) = path.split_last()?;
    let mut table = root;
    for part in parents {
        if create && !table.contains_key(part) {
            table.insert(part.clone(), toml::Value::Table(toml::Table::new()));
        }
        table = table.get_mut(part)?.as_table_mut()?;
    }
    Some(table)
}

fn get<'a>(root: &'a toml::Table, path: &[String]) -> Option<&'a toml::Value> {
    let (last, parents) = path.split_last()?;
    let mut table = root;
    for part in parents {
        table = table.get(part)?.as_table()?;
    }
    table.get(last)
}

/// Takes the timed leaves out of one file's table. Tables with `value` and `from` anywhere else are
/// problems.
pub(super) fn extract(table: &mut toml::Table) -> Result<Vec<TimedLeaf>, Vec<Problem>> {
    let mut leaves = Vec::new();
    let mut problems = Vec::new();
    for path in table_slots(table) {
        let Some(parent) = parent_mut(table, &path, false) else {
            continue;
        };
        let last = &path[path.len() - 1];
        // Taken out whether or not it is well formed, so it is reported once.
        let Some(toml::Value::Table(timed)) = parent.remove(last) else {
            continue;
        };
        let mut keys: Vec<&str> = timed.keys().map(String::as_str).collect();
        keys.sort_unstable();
        if keys != ["from", "value"] {
            problems.push((
                path.clone(),
                format!(
                    "a timed value has exactly the keys `value` and `from`; found {keys:?}: {SYNTAX}"
                ),
            ));
            continue;
        }
        let from = match timed.get("from") {
            Some(toml::Value::String(s)) => match parse_year_month(s) {
                Some((y, m)) => format!("{y:04}-{m:02}"),
                None => {
                    problems.push((
                        path.clone(),
                        format!("`from = \"{s}\"` is not a month: write YYYY-MM, e.g. \"2025-01\""),
                    ));
                    continue;
                }
            },
            _ => {
                problems.push((
                    path.clone(),
                    "`from` must be a month string YYYY-MM, e.g. \"2025-01\"".into(),
                ));
                continue;
            }
        };
        let value = match timed.get("value") {
            Some(toml::Value::Table(_)) | None => {
                problems.push((
                    path.clone(),
                    format!("`value` must be a number, boolean or string: {SYNTAX}"),
                ));
                continue;
            }
            Some(v) => v.clone(),
        };
        leaves.push(TimedLeaf { path, from, value });
    }
    find_misplaced(table, &mut Vec::new(), &mut problems);
    if problems.is_empty() {
        Ok(leaves)
    } else {
        Err(problems)
    }
}

/// Timed-looking tables left after extraction are in a place that cannot be timed.
fn find_misplaced(table: &toml::Table, path: &mut Vec<String>, problems: &mut Vec<Problem>) {
    for (key, value) in table {
        path.push(key.clone());
        if let Some(t) = value.as_table() {
            if t.contains_key("value") && t.contains_key("from") {
                problems.push((
                    path.clone(),
                    "a timed value `{ value = …, from = \"YYYY-MM\" }` is allowed only for a single \
                     value under [policy] (a lever, or an item of [policy.investment.<district>])"
                        .into(),
                ));
            } else {
                find_misplaced(t, path, problems);
            }
        }
        path.pop();
    }
}

fn step(from: Option<&str>, value: toml::Value) -> toml::Value {
    let mut t = toml::Table::new();
    if let Some(from) = from {
        t.insert("from".into(), toml::Value::String(from.into()));
    }
    t.insert("value".into(), value);
    toml::Value::Table(t)
}

/// A timeline's steps: (`from`, value); `None` holds from the start.
fn steps_of(value: &toml::Value) -> Vec<(Option<String>, toml::Value)> {
    match value {
        toml::Value::Table(t) => t
            .get("steps")
            .and_then(toml::Value::as_array)
            .map(|steps| {
                steps
                    .iter()
                    .filter_map(toml::Value::as_table)
                    .filter_map(|s| {
                        let from = s.get("from").and_then(|f| f.as_str()).map(str::to_string);
                        Some((from, s.get("value")?.clone()))
                    })
                    .collect()
            })
            .unwrap_or_default(),
        plain => vec![(None, plain.clone())],
    }
}

fn timeline(steps: Vec<(Option<String>, toml::Value)>) -> toml::Value {
    let array = steps
        .into_iter()
        .map(|(from, value)| step(from.as_deref(), value))
        .collect();
    let mut t = toml::Table::new();
    t.insert("steps".into(), toml::Value::Array(array));
    toml::Value::Table(t)
}

/// Lays one file's timed leaves over the merged parents: the parent's timeline up to `from`, then
/// the new value.
pub(super) fn apply(merged: &mut toml::Table, leaves: Vec<TimedLeaf>) {
    for leaf in leaves {
        let Some(parent) = parent_mut(merged, &leaf.path, true) else {
            continue;
        };
        let last = &leaf.path[leaf.path.len() - 1];
        let mut steps: Vec<_> = parent
            .get(last)
            .map(steps_of)
            .unwrap_or_default()
            .into_iter()
            .filter(|(from, _)| from.as_ref().is_none_or(|f| *f < leaf.from))
            .collect();
        steps.push((Some(leaf.from), leaf.value));
        parent.insert(last.clone(), timeline(steps));
    }
}

/// `time.start` of a merged table.
pub(super) fn start_of(merged: &toml::Table) -> Option<(i32, u32)> {
    let start = merged.get("time")?.get("start")?.as_str()?;
    parse_year_month(start)
}

fn month_of(from: &str) -> Option<(i32, u32)> {
    parse_year_month(from)
}

/// 0-based month index of `ym` relative to `start` (negative before it).
fn index(start: (i32, u32), ym: (i32, u32)) -> i64 {
    (ym.0 as i64 - start.0 as i64) * 12 + ym.1 as i64 - start.1 as i64
}

/// Rewrites every timeline canonically: the value in force at the start first (without `from`),
/// then only the later steps that change the value; a timeline with no later change becomes a
/// plain value.
pub(super) fn normalise(merged: &mut toml::Table, start: (i32, u32)) {
    for path in table_slots(merged) {
        let Some(parent) = parent_mut(merged, &path, false) else {
            continue;
        };
        let last = &path[path.len() - 1];
        let Some(current) = parent.get(last) else {
            continue;
        };
        let mut initial = None;
        let mut later = Vec::new();
        for (from, value) in steps_of(current) {
            match from.as_deref().and_then(month_of) {
                Some(ym) if index(start, ym) > 0 => later.push((ym, from, value)),
                _ => initial = Some(value),
            }
        }
        later.sort_by_key(|(ym, _, _)| *ym);
        let mut out = Vec::new();
        let mut in_force = initial.clone();
        if let Some(v) = initial {
            out.push((None, v));
        }
        for (_, from, value) in later {
            if in_force.as_ref() != Some(&value) {
                in_force = Some(value.clone());
                out.push((from, value));
            }
        }
        match out.as_slice() {
            [] => {
                parent.remove(last);
            }
            [(None, value)] => {
                parent.insert(last.clone(), value.clone());
            }
            _ => {
                parent.insert(last.clone(), timeline(out));
            }
        }
    }
}

/// The months (0-based, after month 0) at which some timeline changes.
pub(super) fn change_months(merged: &toml::Table, start: (i32, u32)) -> Vec<u32> {
    let mut months = BTreeSet::new();
    for path in table_slots(merged) {
        if let Some(value) = get(merged, &path) {
            for (from, _) in steps_of(value) {
                if let Some(i) = from
                    .as_deref()
                    .and_then(month_of)
                    .map(|ym| index(start, ym))
                    && i > 0
                {
                    months.insert(i as u32);
                }
            }
        }
    }
    months.into_iter().collect()
}

/// The merged table with every timeline replaced by its value in force at `month` (0-based from
/// `start`); a key with no step in force yet is left out (the schema default). Without a valid
/// start, the first step holds.
pub(super) fn resolve(merged: &toml::Table, start: Option<(i32, u32)>, month: u32) -> toml::Table {
    let mut out = merged.clone();
    for path in table_slots(merged) {
        let Some(parent) = parent_mut(&mut out, &path, false) else {
            continue;
        };
        let last = &path[path.len() - 1];
        let Some(current) = parent.get(last) else {
            continue;
        };
        let steps = steps_of(current);
        let in_force = match start {
            Some(start) => steps
                .into_iter()
                .rfind(|(from, _)| match from.as_deref().and_then(month_of) {
                    Some(ym) => index(start, ym) <= month as i64,
                    None => true,
                })
                .map(|(_, v)| v),
            None => steps.into_iter().next().map(|(_, v)| v),
        };
        match in_force {
            Some(v) => {
                parent.insert(last.clone(), v);
            }
            None => {
                parent.remove(last);
            }
        }
    }
    out
}

/// `YYYY-MM` of a 0-based month from `start`.
pub(super) fn month_name(start: (i32, u32), month: u32) -> String {
    let total = start.0 as i64 * 12 + start.1 as i64 - 1 + month as i64;
    format!("{:04}-{:02}", total / 12, total % 12 + 1)
}

//! The answer the page draws, from the pairs finished so far: bands over time for both arms,
//! paired differences with 95 % intervals written as `compare.md` writes them, coupling, the
//! district map, cost-effectiveness and the implementation warnings.

use super::engine::Pair;
use crate::experiment::compare::{Estimate, KEY_INDICATORS};
use crate::plot::human::Human;
use crate::plot::{Lang, name, quantile};
use crate::scenario::Scenario;
use serde_json::{Value, json};

/// The view of `pairs` (any order; sorted by replication here) for years `years`.
pub fn answer(pairs: &[Pair], runs: u64, years: &[i32], reference: &Scenario, lang: Lang) -> Value {
    let mut pairs: Vec<&Pair> = pairs.iter().collect();
    pairs.sort_by_key(|p| p.replication);
    let zh = lang.zh();
    let Some(first) = pairs.first() else {
        return json!({ "done": 0, "runs": runs });
    };
    let all_years = first.reference.years.clone();
    let sample = |arm: bool, id: &str, year: i32| -> Vec<f64> {
        pairs
            .iter()
            .filter_map(|p| {
                let d = if arm { &p.view } else { &p.reference };
                let j = d.years.iter().position(|&y| y == year)?;
                d.series(id).map(|s| s[j])
            })
            .collect()
    };
    let band = |arm: bool, id: &str, human: &Human| -> Value {
        let q = |p: f64| -> Vec<f64> {
            all_years
                .iter()
                .map(|&y| human.scaled(quantile(&sample(arm, id, y), p)))
                .collect()
        };
        json!({ "p5": q(0.05), "p50": q(0.5), "p95": q(0.95) })
    };
    let series: Vec<Value> = KEY_INDICATORS
        .iter()
        .map(|id| {
            let human = Human::of(id, zh);
            json!({
                "id": id,
                "name": name(id, lang),
                "unit": human.unit,
                "reference": band(false, id, &human),
                "view": band(true, id, &human),
            })
        })
        .collect();
    let chosen: Vec<i32> = years
        .iter()
        .copied()
        .filter(|y| all_years.contains(y))
        .collect();
    let deltas: Vec<Value> = chosen
        .iter()
        .flat_map(|&year| KEY_INDICATORS.iter().map(move |id| (year, *id)))
        .map(|(year, id)| {
            let human = Human::of(id, zh);
            let (a, b) = (sample(true, id, year), sample(false, id, year));
            let e_ref = human.clip(Estimate::of(&b, 0.95));
            let e_view = human.clip(Estimate::of(&a, 0.95));
            let d = Estimate::paired(&a, &b, 0.95);
            json!({
                "id": id,
                "year": year,
                "name": name(id, lang),
                "unit": human.unit,
                "reference": human.value(e_ref.mean),
                "view": human.value(e_view.mean),
                "delta": human.diff(d.mean),
                "low": human.diff(d.low),
                "high": human.diff(d.high),
                "delta_value": finite(d.mean),
                "low_value": finite(d.low),
                "high_value": finite(d.high),
                "excludes_zero": d.low > 0.0 || d.high < 0.0,
            })
        })
        .collect();
    let last = *all_years.last().unwrap_or(&0);
    json!({
        "done": pairs.len(),
        "runs": runs,
        "years": all_years,
        "series": series,
        "deltas": deltas,
        "cost": cost_effectiveness(&sample, last, lang),
        "map": district_map(&pairs, reference, last, lang),
        "warnings": warnings(&pairs, zh),
    })
}

fn finite(x: f64) -> Value {
    if x.is_finite() { json!(x) } else { Value::Null }
}

/// Paired Δ of each outcome per 亿元 of paired Δ in cumulative public cost, in the last year.
fn cost_effectiveness(
    sample: &dyn Fn(bool, &str, i32) -> Vec<f64>,
    year: i32,
    lang: Lang,
) -> Value {
    let zh = lang.zh();
    let cost = Estimate::paired(
        &sample(true, "public_cost_cumulative", year),
        &sample(false, "public_cost_cumulative", year),
        0.95,
    );
    // Below a tenth of a 亿元, or within noise, a ratio to the cost means nothing.
    let measurable = cost.mean.abs() >= 1e7 && (cost.low > 0.0 || cost.high < 0.0);
    let yi = if measurable {
        cost.mean / 1e8
    } else {
        f64::NAN
    };
    let cost_human = Human::of("public_cost_cumulative", zh);
    let outcomes: Vec<Value> = ["gdp", "employment", "zone_residents", "pendulum_index"]
        .iter()
        .map(|id| {
            let human = Human::of(id, zh);
            let d = Estimate::paired(&sample(true, id, year), &sample(false, id, year), 0.95);
            let per = d.mean / yi;
            json!({
                "id": id,
                "name": name(id, lang),
                "per_yi": if per.is_finite() { human.diff(per) } else { "–".to_string() },
                "per_yi_value": finite(human.scaled(per)),
                "unit": human.unit,
            })
        })
        .collect();
    json!({
        "year": year,
        "public_cost_delta": format!("{} {}", cost_human.diff(cost.mean), cost_human.unit),
        "public_cost_delta_yi": finite(yi),
        "measurable": measurable,
        "outcomes": outcomes,
    })
}

/// Districts placed by travel time, with residents and jobs of both arms and the view's mean
/// commuting flows (home → work) in `year`.
fn district_map(pairs: &[&Pair], reference: &Scenario, year: i32, lang: Lang) -> Value {
    let first = &pairs[0].reference;
    let positions = crate::plot::map::layout(&first.base_travel_minutes);
    let districts = &reference.spec().districts;
    let n = districts.len();
    let mean_by = |arm: bool, jobs: bool| -> Vec<f64> {
        let mut sum = vec![0.0; n];
        let mut count = 0.0;
        for p in pairs {
            let d = if arm { &p.view } else { &p.reference };
            if let Some(j) = d.years.iter().position(|&y| y == year) {
                let table = if jobs { &d.jobs } else { &d.residents };
                for (s, v) in sum.iter_mut().zip(&table[j]) {
                    *s += v;
                }
                count += 1.0;
            }
        }
        sum.iter().map(|s| s / f64::max(count, 1.0)).collect()
    };
    let mut flows = vec![vec![0.0; n]; n];
    let mut count = 0.0;
    for p in pairs {
        if let Some((_, m)) = p.view.commuting.iter().find(|(y, _)| *y == year)
            && m.nrows() == n
        {
            for (i, row) in flows.iter_mut().enumerate() {
                for (j, f) in row.iter_mut().enumerate() {
                    *f += m[(i, j)];
                }
            }
            count += 1.0;
        }
    }
    for f in flows.iter_mut().flatten() {
        *f /= f64::max(count, 1.0);
    }
    let kinds: Vec<Value> = districts
        .iter()
        .zip(&positions)
        .map(|((id, d), (x, y))| {
            json!({
                "id": id,
                "name": lang.pick(&d.name_zh, &d.name_en),
                "kind": format!("{:?}", d.kind).to_lowercase(),
                "x": x,
                "y": y,
            })
        })
        .collect();
    json!({
        "year": year,
        "districts": kinds,
        "residents_reference": mean_by(false, false),
        "residents_view": mean_by(true, false),
        "jobs_reference": mean_by(false, true),
        "jobs_view": mean_by(true, true),
        "flows_view": flows,
    })
}

/// The view's implementation warnings, each with the share of runs that raise it (the text of
/// the first run that does).
fn warnings(pairs: &[&Pair], zh: bool) -> Value {
    let mut found: Vec<(String, String, usize)> = Vec::new();
    for p in pairs {
        let mut seen = Vec::new();
        for w in &p.view.warnings {
            let kind = match w {
                crate::experiment::Warning::CapitalCut { kind, .. } => format!("cut:{kind}"),
                crate::experiment::Warning::EmptyHousing {
                    stock, district, ..
                } => format!("empty:{stock}:{}", district.as_deref().unwrap_or("region")),
            };
            if seen.contains(&kind) {
                continue;
            }
            seen.push(kind.clone());
            match found.iter_mut().find(|(k, _, _)| *k == kind) {
                Some(entry) => entry.2 += 1,
                None => found.push((kind, w.text(zh), 1)),
            }
        }
    }
    Value::Array(
        found
            .into_iter()
            .map(|(_, text, n)| json!({ "text": text, "runs": n, "of": pairs.len() }))
            .collect(),
    )
}

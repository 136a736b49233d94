//! The single-run dashboard: the key indicators of one run on one page, each panel naming what it
//! counts and where, stocks and flows on separate axes, U₁, U₂ and D together.

use super::human::Human;
use super::panels::{Grid, Line, Panel};
use super::{Lang, PALETTE, PlotError, Source, name, save};
use crate::model::indicators::MonthRecord;
use crate::scenario::Scenario;
use std::path::{Path, PathBuf};

/// Districts drawn one by one in a panel; a larger region shows its largest ones.
const MAX_DISTRICT_LINES: usize = 6;

fn year_of(label: &str) -> f64 {
    let (y, m) = label.split_once('-').unwrap_or(("2016", "01"));
    y.parse::<f64>().unwrap_or(2016.0) + (m.parse::<f64>().unwrap_or(1.0) - 1.0) / 12.0
}

/// One indicator for one scope (`None` = region) over the months, in its display unit.
fn points(
    records: &[MonthRecord],
    district: Option<usize>,
    id: &str,
    lang: Lang,
) -> Vec<(f64, f64)> {
    let human = Human::of(id, lang.zh());
    records
        .iter()
        .filter_map(|r| {
            r.get(district, id)
                .map(|v| (year_of(&r.label), human.scaled(v)))
        })
        .collect()
}

/// The title of a figure about one scenario: its Chinese label, or its description in English.
pub fn scenario_title(scenario: &Scenario, lang: Lang) -> String {
    match lang {
        Lang::Zh => scenario.label(true).to_string(),
        Lang::En if scenario.spec().description.is_empty() => scenario.label(false).to_string(),
        Lang::En => scenario.spec().description.clone(),
    }
}

/// Draws the dashboard of one run to `<stem>.png` and `<stem>.svg`.
pub fn dashboard(
    records: &[MonthRecord],
    district_names: &[String],
    scenario: &Scenario,
    seed: u64,
    lang: Lang,
    stem: &Path,
) -> Result<[PathBuf; 2], PlotError> {
    let zh = lang.zh();
    let region = lang.pick("全域", "Region");
    // Beyond a handful of lines a panel is unreadable: a large region shows its largest districts
    // (by the final value) and the region.
    let per_district = |id: &str, with_region: bool| -> Vec<Line> {
        let mut v: Vec<(usize, Vec<(f64, f64)>)> = (0..district_names.len())
            .map(|d| (d, points(records, Some(d), id, lang)))
            .collect();
        if v.len() > MAX_DISTRICT_LINES {
            let last = |s: &[(f64, f64)]| s.last().map_or(f64::NEG_INFINITY, |p| p.1);
            v.sort_by(|a, b| last(&b.1).total_cmp(&last(&a.1)).then(a.0.cmp(&b.0)));
            v.truncate(MAX_DISTRICT_LINES);
            v.sort_by_key(|(d, _)| *d);
        }
        let mut lines: Vec<Line> = v
            .into_iter()
            .enumerate()
            .map(|(i, (d, p))| Line::new(district_names[d].clone(), PALETTE[(i + 1) % 8], p))
            .collect();
        if with_region {
            lines.push(Line::new(
                region,
                PALETTE[0],
                points(records, None, id, lang),
            ));
        }
        lines
    };
    let largest = if district_names.len() > MAX_DISTRICT_LINES {
        if zh {
            format!("，最大的{MAX_DISTRICT_LINES}个区")
        } else {
            format!(", {MAX_DISTRICT_LINES} largest districts")
        }
    } else {
        String::new()
    };
    let unit = |id: &str| Human::of(id, zh).unit;
    let single = |id: &str, colour: usize| -> Line {
        Line::new(
            name(id, lang),
            PALETTE[colour],
            points(records, None, id, lang),
        )
    };
    let panel = |title: String, unit: String, lines: Vec<Line>, from_zero: bool| Panel {
        title,
        unit,
        lines,
        from_zero,
        y_range: None,
    };
    let panels = vec![
        panel(
            format!("{}{largest}", name("gdp", lang)),
            unit("gdp"),
            per_district("gdp", true),
            true,
        ),
        panel(
            format!("{}{largest}", name("employment", lang)),
            unit("employment"),
            per_district("employment", true),
            true,
        ),
        panel(
            format!("{}{largest}", name("residents", lang)),
            unit("residents"),
            per_district("residents", false),
            true,
        ),
        panel(
            name("unemployment_rate", lang),
            "%".into(),
            vec![single("unemployment_rate", 0)],
            true,
        ),
        panel(
            name("pendulum_index", lang),
            "%".into(),
            vec![single("pendulum_index", 0)],
            true,
        ),
        panel(
            name("commute_minutes", lang),
            lang.pick("分钟", "minutes").into(),
            vec![single("commute_minutes", 0)],
            true,
        ),
        panel(
            coupling_title(records, lang),
            "0–1".into(),
            vec![
                single("industry_subsystem", 1),
                single("city_subsystem", 2),
                single("coupling_coordination", 0),
                pendulum_share(records, lang),
            ],
            true,
        ),
        panel(
            lang.pick(
                "存量：政府债务与PPP义务",
                "Stocks: government debt and PPP obligations",
            )
            .into(),
            unit("government_debt"),
            vec![single("government_debt", 1), single("ppp_obligations", 2)],
            true,
        ),
        panel(
            lang.pick(
                "流量：财政收入与支出",
                "Flows: fiscal revenue and expenditure",
            )
            .into(),
            Human::of("fiscal_revenue", zh).unit,
            vec![single("fiscal_revenue", 3), single("fiscal_expenditure", 2)],
            true,
        ),
    ];
    let grid = Grid {
        panels,
        cols: 3,
        shared_legend: Vec::new(),
        panel_size: (800, 640),
    };
    let title = if zh {
        format!("产城模拟：{}", scenario_title(scenario, lang))
    } else {
        format!("chancheng: {}", scenario_title(scenario, lang))
    };
    let source = Source {
        scenario_hashes: vec![scenario.content_hash().to_string()],
        runs: 1,
        seed,
    };
    save(&grid, &title, &source.line(lang), stem)
}

/// The pendulum as a share (0–1) beside D: D measures how developed both subsystems are and how
/// balanced, together, so it can rise while zone workers still live elsewhere; drawn on D's axis
/// so that nobody reads D's rise as integration.
fn pendulum_share(records: &[MonthRecord], lang: Lang) -> Line {
    Line::new(
        // The catalogue's name with its unit is wider than the panel, and the legend box then
        // loses its swatches: a short name, as in the coupling figure of `compare`.
        lang.pick(
            "钟摆指数：外住比例（0–1）",
            "Pendulum: workers living elsewhere (0–1)",
        )
        .to_string(),
        PALETTE[3],
        records
            .iter()
            .filter_map(|r| {
                r.get(None, "pendulum_index")
                    .map(|v| (year_of(&r.label), v))
            })
            .collect(),
    )
}

/// D's title names the relation of the subsystems in the last month (城市滞后 / 同步 / 产业滞后).
fn coupling_title(records: &[MonthRecord], lang: Lang) -> String {
    let zh = lang.zh();
    let base = name("coupling_coordination", lang);
    match records.last().and_then(|r| {
        r.get(None, "coupling_type").map(|t| {
            (
                r.label.as_str(),
                crate::model::coupling::lag_type_name(t, zh),
            )
        })
    }) {
        Some((month, kind)) if zh => format!("{base}，{month}：{kind}"),
        Some((month, kind)) => format!("{base}; {month}: {kind}"),
        None => base,
    }
}

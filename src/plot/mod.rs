//! Figures. Text is drawn with an embedded Chinese+Latin font (WenQuanYi Micro Hei subset), so the
//! PNGs look the same on any machine, with no system font; SVGs name a font-family fallback list.

use crate::model::indicators::MonthRecord;
use plotters::prelude::*;
use plotters::style::FontStyle;
use std::path::Path;
use std::sync::Once;

/// The family name under which the embedded font is registered; in SVG it doubles as a CSS
/// fallback list for readers that lack the font.
pub const FONT: &str = "WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif";
static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/wqy-microhei-subset.ttf");
static REGISTER: Once = Once::new();

fn register_font() {
    REGISTER.call_once(|| {
        // The bytes are a valid TrueType file committed with the source.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES);
    });
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    Zh,
    En,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot draw {path}: {message}")]
pub struct PlotError {
    pub path: String,
    pub message: String,
}

/// One line of a panel: label, points (year, value).
pub struct Series {
    pub label: String,
    pub points: Vec<(f64, f64)>,
}

pub struct Panel {
    pub title: String,
    pub unit: String,
    pub series: Vec<Series>,
}

/// Colour-blind-safe palette (Okabe–Ito).
pub const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
];

fn year_of(label: &str) -> f64 {
    let (y, m) = label.split_once('-').unwrap_or(("2016", "01"));
    y.parse::<f64>().unwrap_or(2016.0) + (m.parse::<f64>().unwrap_or(1.0) - 1.0) / 12.0
}

/// A series of one indicator for one scope (`None` = region), scaled for display.
pub fn series(
    records: &[MonthRecord],
    district: Option<usize>,
    id: &str,
    scale: f64,
    label: String,
) -> Series {
    Series {
        label,
        points: records
            .iter()
            .filter_map(|r| r.get(district, id).map(|v| (year_of(&r.label), v * scale)))
            .collect(),
    }
}

/// An indicator's name with its scope (what it counts).
pub fn name(id: &str, lang: Lang) -> String {
    crate::model::indicators::label(id, lang == Lang::Zh)
}

/// Districts drawn one by one in a panel; a larger region shows its largest ones.
const MAX_DISTRICT_LINES: usize = 6;

/// The key indicators of one run on one page (3 × 2 panels).
pub fn dashboard(
    records: &[MonthRecord],
    district_ids: &[String],
    district_names: &[String],
    scenario: &str,
    lang: Lang,
    png: &Path,
    svg: &Path,
) -> Result<(), PlotError> {
    let zh = lang == Lang::Zh;
    let region = if zh { "全域" } else { "Region" };
    let zone_label = if zh { "集聚区合计" } else { "All zones" };
    // Beyond a handful of lines a panel is unreadable: a large region shows its largest districts
    // (by the final value) and the region.
    let per_district = |id: &str, scale: f64| -> Vec<Series> {
        let mut v: Vec<(usize, Series)> = (0..district_ids.len())
            .map(|d| {
                let s = series(records, Some(d), id, scale, district_names[d].clone());
                (d, s)
            })
            .collect();
        if v.len() > MAX_DISTRICT_LINES {
            let last = |s: &Series| s.points.last().map_or(f64::NEG_INFINITY, |p| p.1);
            v.sort_by(|a, b| last(&b.1).total_cmp(&last(&a.1)).then(a.0.cmp(&b.0)));
            v.truncate(MAX_DISTRICT_LINES);
            v.sort_by_key(|(d, _)| *d);
        }
        let mut v: Vec<Series> = v.into_iter().map(|(_, s)| s).collect();
        v.push(series(records, None, id, scale, region.to_string()));
        v
    };
    let largest = if district_ids.len() > MAX_DISTRICT_LINES {
        if zh {
            format!("，最大的{MAX_DISTRICT_LINES}个区")
        } else {
            format!(", {MAX_DISTRICT_LINES} largest districts")
        }
    } else {
        String::new()
    };
    let yi = 1e-8; // CNY → 亿元 (100 million)
    let panels = vec![
        Panel {
            title: format!("{}{largest}", name("gdp", lang)),
            unit: if zh {
                "亿元/年"
            } else {
                "100 million CNY/yr"
            }
            .into(),
            series: per_district("gdp", yi),
        },
        Panel {
            title: format!("{}{largest}", name("employment", lang)),
            unit: if zh { "千人" } else { "thousand workers" }.into(),
            series: per_district("employment", 1e-3),
        },
        Panel {
            title: name("unemployment_rate", lang),
            unit: "%".into(),
            series: vec![series(
                records,
                None,
                "unemployment_rate",
                100.0,
                region.into(),
            )],
        },
        Panel {
            title: name("pendulum_index", lang),
            unit: "%".into(),
            series: vec![series(
                records,
                None,
                "pendulum_index",
                100.0,
                zone_label.into(),
            )],
        },
        Panel {
            title: coupling_title(records, lang),
            unit: "D".into(),
            series: vec![
                series(
                    records,
                    None,
                    "coupling_coordination",
                    1.0,
                    if zh { "融合度D" } else { "D" }.into(),
                ),
                series(
                    records,
                    None,
                    "industry_subsystem",
                    1.0,
                    name("industry_subsystem", lang),
                ),
                series(
                    records,
                    None,
                    "city_subsystem",
                    1.0,
                    name("city_subsystem", lang),
                ),
            ],
        },
        Panel {
            title: if zh {
                "政府债务与PPP义务"
            } else {
                "Government debt and PPP obligations"
            }
            .into(),
            unit: if zh { "亿元" } else { "100 million CNY" }.into(),
            series: vec![
                series(
                    records,
                    None,
                    "government_debt",
                    yi,
                    name("government_debt", lang),
                ),
                series(
                    records,
                    None,
                    "ppp_obligations",
                    yi,
                    name("ppp_obligations", lang),
                ),
                series(
                    records,
                    None,
                    "fiscal_revenue",
                    yi,
                    name("fiscal_revenue", lang),
                ),
            ],
        },
    ];
    let title = if zh {
        format!("产城互动模拟 — 情景：{scenario}")
    } else {
        format!("chancheng — scenario: {scenario}")
    };
    draw_grid(&panels, &title, 3, png, svg)
}

/// D's title names the relation of the subsystems in the last month (城市滞后 / 同步 / 产业滞后).
fn coupling_title(records: &[MonthRecord], lang: Lang) -> String {
    let zh = lang == Lang::Zh;
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

/// Draws panels in a grid with `cols` columns, to PNG and SVG.
pub fn draw_grid(
    panels: &[Panel],
    title: &str,
    cols: usize,
    png: &Path,
    svg: &Path,
) -> Result<(), PlotError> {
    register_font();
    let rows = panels.len().div_ceil(cols);
    let size = (600 * cols as u32, 420 * rows as u32 + 70);
    for path in [png, svg] {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| PlotError {
                path: dir.display().to_string(),
                message: e.to_string(),
            })?;
        }
    }
    let err = |path: &Path| {
        let path = path.display().to_string();
        move |e: Box<dyn std::error::Error>| PlotError {
            path: path.clone(),
            message: e.to_string(),
        }
    };
    {
        let root = BitMapBackend::new(png, size).into_drawing_area();
        draw_on(&root, panels, title, cols).map_err(err(png))?;
        root.present().map_err(|e| err(png)(Box::new(e)))?;
    }
    {
        let root = SVGBackend::new(svg, size).into_drawing_area();
        draw_on(&root, panels, title, cols).map_err(err(svg))?;
        root.present().map_err(|e| err(svg)(Box::new(e)))?;
    }
    Ok(())
}

fn draw_on<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    panels: &[Panel],
    title: &str,
    cols: usize,
) -> Result<(), Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let (top, body) = root.split_vertically(70);
    top.draw_text(title, &(FONT, 30).into_font().color(&BLACK), (24, 20))?;
    let rows = panels.len().div_ceil(cols);
    let areas = body.split_evenly((rows, cols));
    for (panel, area) in panels.iter().zip(areas.iter()) {
        draw_panel(area, panel)?;
    }
    Ok(())
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    panel: &Panel,
) -> Result<(), Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    let all: Vec<(f64, f64)> = panel
        .series
        .iter()
        .flat_map(|s| s.points.iter().copied())
        .collect();
    if all.is_empty() {
        return Ok(());
    }
    let (x0, x1) = all
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (mut y0, mut y1) = all
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    y0 = y0.min(0.0);
    if y1 <= y0 {
        y1 = y0 + 1.0;
    }
    y1 += (y1 - y0) * 0.08;
    let mut chart = ChartBuilder::on(area)
        .margin(14)
        .caption(&panel.title, (FONT, 22).into_font())
        .x_label_area_size(34)
        .y_label_area_size(64)
        .build_cartesian_2d(x0..x1.max(x0 + 1.0), y0..y1)?;
    chart
        .configure_mesh()
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(210, 210, 210))
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&|x| format!("{:.0}", x))
        .y_label_formatter(&|y| format_tick(*y))
        .y_desc(&panel.unit)
        .label_style((FONT, 15).into_font())
        .axis_desc_style((FONT, 15).into_font())
        .draw()?;
    for (i, s) in panel.series.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        chart
            .draw_series(LineSeries::new(
                s.points.iter().copied(),
                color.stroke_width(2),
            ))?
            .label(&s.label)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(3))
            });
    }
    if panel.series.len() > 1 {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(200, 200, 200))
            .label_font((FONT, 14).into_font())
            .draw()?;
    }
    Ok(())
}

fn format_tick(y: f64) -> String {
    let a = y.abs();
    if a >= 100.0 || a == 0.0 {
        format!("{y:.0}")
    } else if a >= 10.0 {
        format!("{y:.1}")
    } else {
        format!("{y:.2}")
    }
}

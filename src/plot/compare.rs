//! Figures of a comparison of scenarios over replications: small multiples of the key indicators
//! (median and 90 % band), differences to the reference with 95 % intervals (forest plot), a fan
//! chart of one indicator, the coupling-coordination degree over its ten bands, and
//! cost-effectiveness.

use super::human::Human;
use super::panels::{Band, Grid, Line, Panel, y_range};
use super::{
    CAPTION_PX, DrawResult, Figure, LABEL_PX, Lang, SMALL_PX, font, format_tick, grey_font, name,
    padded_range, quantile, scenario_colour,
};
use crate::experiment::compare::{Comparison, Estimate};
use crate::model::indicators::{COUPLING_BANDS_EN, COUPLING_BANDS_ZH};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

/// The indicators of the small multiples and the forest plot.
pub const SMALL_MULTIPLES: &[&str] = &[
    "gdp",
    "employment",
    "pendulum_index",
    "zone_residents",
    "coupling_coordination",
    "debt_incl_ppp",
];

/// The scenarios' legend: label and colour, in comparison order.
pub fn scenario_legend(cmp: &Comparison, lang: Lang) -> Vec<(String, RGBColor)> {
    cmp.arms
        .iter()
        .enumerate()
        .map(|(i, a)| (a.label(lang.zh()).to_string(), scenario_colour(i)))
        .collect()
}

/// The `q` quantile of a key indicator per year over an arm's replications, in display units.
fn quantile_series(cmp: &Comparison, arm: usize, id: &str, q: f64, lang: Lang) -> Vec<(f64, f64)> {
    let human = Human::of(id, lang.zh());
    cmp.years()
        .into_iter()
        .map(|y| {
            let sample: Vec<f64> = cmp.arms[arm]
                .sample(id, y)
                .into_iter()
                .map(|v| human.scaled(v))
                .collect();
            (y as f64, quantile(&sample, q))
        })
        .collect()
}

fn band(
    cmp: &Comparison,
    arm: usize,
    id: &str,
    lo: f64,
    hi: f64,
    opacity: f64,
    lang: Lang,
) -> Band {
    let low = quantile_series(cmp, arm, id, lo, lang);
    let high = quantile_series(cmp, arm, id, hi, lang);
    Band {
        points: low
            .iter()
            .zip(&high)
            .map(|(l, h)| (l.0, l.1, h.1))
            .filter(|p| p.1.is_finite() && p.2.is_finite())
            .collect(),
        opacity,
    }
}

/// Small multiples: one panel per key indicator, a median line and a 5–95 % band per scenario,
/// all scenarios on the same axes.
pub fn small_multiples(cmp: &Comparison, lang: Lang) -> Grid {
    let panels = SMALL_MULTIPLES
        .iter()
        .map(|id| Panel {
            title: name(id, lang),
            unit: Human::of(id, lang.zh()).unit,
            lines: (0..cmp.arms.len())
                .map(|a| {
                    let mut line = Line::new(
                        cmp.arms[a].label(lang.zh()),
                        scenario_colour(a),
                        quantile_series(cmp, a, id, 0.5, lang),
                    );
                    line.bands = vec![band(cmp, a, id, 0.05, 0.95, 0.12, lang)];
                    line
                })
                .collect(),
            from_zero: !matches!(*id, "coupling_coordination" | "pendulum_index"),
            y_range: None,
        })
        .collect();
    Grid {
        panels,
        cols: 3,
        shared_legend: scenario_legend(cmp, lang),
        panel_size: (800, 640),
    }
}

/// A fan chart of one indicator: one panel per scenario with its median, 25–75 % and 5–95 %
/// bands over the replications, all panels on the same y axis.
pub fn fan(cmp: &Comparison, id: &str, lang: Lang) -> Grid {
    let mut panels: Vec<Panel> = (0..cmp.arms.len())
        .map(|a| {
            let mut line = Line::new(
                lang.pick("中位数", "median"),
                scenario_colour(a),
                quantile_series(cmp, a, id, 0.5, lang),
            );
            line.bands = vec![
                band(cmp, a, id, 0.05, 0.95, 0.15, lang),
                band(cmp, a, id, 0.25, 0.75, 0.3, lang),
            ];
            Panel {
                title: cmp.arms[a].label(lang.zh()).to_string(),
                unit: Human::of(id, lang.zh()).unit,
                lines: vec![line],
                from_zero: false,
                y_range: None,
            }
        })
        .collect();
    // One y axis for all panels.
    let ranges: Vec<(f64, f64)> = panels.iter().map(y_range).collect();
    let shared = (
        ranges.iter().map(|r| r.0).fold(f64::INFINITY, f64::min),
        ranges.iter().map(|r| r.1).fold(f64::NEG_INFINITY, f64::max),
    );
    for p in &mut panels {
        p.y_range = Some(shared);
    }
    Grid {
        panels,
        cols: 3,
        shared_legend: Vec::new(),
        panel_size: (800, 600),
    }
}

/// The coupling-coordination degree D of the zone over time, median and 5–95 % band per
/// scenario, over its ten bands shaded and named; beside it the pendulum the same way. D measures
/// how developed the two subsystems are and how balanced, together: it rises with growth even
/// while zone workers keep living elsewhere, so it is never shown without the pendulum.
pub struct CouplingBands<'a> {
    pub cmp: &'a Comparison,
    pub lang: Lang,
}

impl Figure for CouplingBands<'_> {
    fn size(&self) -> (u32, u32) {
        (2000, 1500)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (cmp, lang) = (self.cmp, self.lang);
        let whole = super::legend_strip(area, &scenario_legend(cmp, lang))?;
        let width = whole.dim_in_pixel().0;
        let (body, beside) = whole.split_horizontally(width * 64 / 100);
        let years = cmp.years();
        let (x0, x1) = (
            *years.first().unwrap_or(&2016) as f64,
            *years.last().unwrap_or(&2035) as f64,
        );
        // Show whole bands around the data (never less than four bands).
        let values: Vec<f64> = (0..cmp.arms.len())
            .flat_map(|a| {
                [0.05, 0.95].into_iter().flat_map(move |q| {
                    quantile_series(cmp, a, "coupling_coordination", q, lang)
                        .into_iter()
                        .map(|p| p.1)
                })
            })
            .collect();
        let (lo, hi) = padded_range(values.into_iter(), None);
        let mut b0 = ((lo * 10.0).floor() / 10.0).clamp(0.0, 0.9);
        let mut b1 = ((hi * 10.0).ceil() / 10.0).clamp(0.1, 1.0);
        while b1 - b0 < 0.39 {
            if b0 > 0.0 {
                b0 -= 0.1;
            }
            if b1 < 1.0 && b1 - b0 < 0.39 {
                b1 += 0.1;
            }
        }
        let mut chart = ChartBuilder::on(&body)
            .margin(20)
            .margin_right(if lang.zh() { 260 } else { 430 })
            .caption(name("coupling_coordination", lang), font(CAPTION_PX))
            .x_label_area_size(56)
            .y_label_area_size(110)
            .build_cartesian_2d(x0..x1, b0..b1)?;
        for k in 0..10 {
            let (y0, y1) = (k as f64 / 10.0, (k + 1) as f64 / 10.0);
            if y1 <= b0 + 1e-9 || y0 >= b1 - 1e-9 {
                continue;
            }
            // From a pale red (imbalance) to a pale green (coordination), light enough for lines.
            let t = k as f64 / 9.0;
            let fill = RGBColor(
                (250.0 - 40.0 * t) as u8,
                (225.0 + 25.0 * t) as u8,
                (225.0 - 5.0 * t) as u8,
            );
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x0, y0), (x1, y1)],
                fill.filled(),
            )))?;
            let names = if lang.zh() {
                COUPLING_BANDS_ZH
            } else {
                COUPLING_BANDS_EN
            };
            let label = format!("{} {:.1}–{:.1}", names[k], y0, y1);
            // Names in the margin right of the plot, clear of the lines.
            let (px, py) = chart.backend_coord(&(x1, (y0.max(b0) + y1.min(b1)) / 2.0));
            let (bx, by) = body.get_base_pixel();
            body.draw_text(
                &label,
                &grey_font(SMALL_PX).pos(plotters::style::text_anchor::Pos::new(
                    plotters::style::text_anchor::HPos::Left,
                    plotters::style::text_anchor::VPos::Center,
                )),
                (px - bx + 14, py - by),
            )?;
        }
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(RGBColor(235, 235, 235).mix(0.0))
            .bold_line_style(RGBColor(200, 200, 200).mix(0.5))
            .x_labels(8)
            .y_labels(((b1 - b0) * 10.0).round() as usize + 1)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.1}"))
            .y_desc("D (0–1)")
            .label_style(font(LABEL_PX))
            .axis_desc_style(font(LABEL_PX))
            .draw()?;
        medians_and_bands(&mut chart, cmp, "coupling_coordination", lang)?;
        pendulum_beside(cmp, lang, &beside, (x0, x1))
    }
}

/// The pendulum (share of zone workers living outside the zone, %) over time, median and 5–95 %
/// band per scenario: the right-hand panel of [`CouplingBands`].
fn pendulum_beside<DB: DrawingBackend>(
    cmp: &Comparison,
    lang: Lang,
    area: &DrawingArea<DB, Shift>,
    (x0, x1): (f64, f64),
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let id = "pendulum_index";
    let mut chart = ChartBuilder::on(area)
        .margin(20)
        .margin_right(50)
        .caption(
            lang.pick("钟摆指数（外住比例）", "Pendulum: workers living elsewhere"),
            font(CAPTION_PX),
        )
        .x_label_area_size(56)
        .y_label_area_size(90)
        .build_cartesian_2d(x0..x1, 0.0..100.0)?;
    chart
        .configure_mesh()
        .light_line_style(RGBColor(235, 235, 235).mix(0.0))
        .bold_line_style(RGBColor(200, 200, 200).mix(0.5))
        .x_labels(5)
        .y_labels(6)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .y_desc("%")
        .label_style(font(LABEL_PX))
        .axis_desc_style(font(LABEL_PX))
        .draw()?;
    medians_and_bands(&mut chart, cmp, id, lang)
}

/// Each scenario's 5–95 % band (pale) and median (bold) of `id` over time, on `chart`.
fn medians_and_bands<DB: DrawingBackend>(
    chart: &mut ChartContext<DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    cmp: &Comparison,
    id: &str,
    lang: Lang,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    for a in 0..cmp.arms.len() {
        let colour = scenario_colour(a);
        let b = band(cmp, a, id, 0.05, 0.95, 0.15, lang);
        if b.points.len() > 1 {
            chart.draw_series(std::iter::once(Polygon::new(
                b.outline(),
                colour.mix(0.15).filled(),
            )))?;
        }
        chart.draw_series(LineSeries::new(
            quantile_series(cmp, a, id, 0.5, lang)
                .into_iter()
                .filter(|p| p.1.is_finite()),
            colour.stroke_width(5),
        ))?;
    }
    Ok(())
}

/// Paired differences to the reference (scenario 0) of a key indicator in `year`, display units.
fn difference(cmp: &Comparison, arm: usize, id: &str, year: i32, lang: Lang) -> Estimate {
    let human = Human::of(id, lang.zh());
    let scaled = |a: usize| -> Vec<f64> {
        cmp.arms[a]
            .sample(id, year)
            .into_iter()
            .map(|v| human.scaled(v))
            .collect()
    };
    Estimate::paired(&scaled(arm), &scaled(0), 0.95)
}

/// The unit of a difference: percentage points for shares.
pub(super) fn diff_unit(id: &str, lang: Lang) -> String {
    let unit = Human::of(id, lang.zh()).unit;
    if unit == "%" {
        lang.pick("百分点", "pp").to_string()
    } else {
        unit
    }
}

const MARKER_SHAPES: usize = 3;

/// Draws a year's marker: circle, square or triangle.
fn marker<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    shape: usize,
    (x, y): (i32, i32),
    colour: RGBColor,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let r = 11;
    match shape % MARKER_SHAPES {
        0 => area.draw(&Circle::new((x, y), r, colour.filled()))?,
        1 => area.draw(&Rectangle::new(
            [(x - r, y - r), (x + r, y + r)],
            colour.filled(),
        ))?,
        _ => area.draw(&Polygon::new(
            vec![(x, y - r - 2), (x - r - 2, y + r), (x + r + 2, y + r)],
            colour.filled(),
        ))?,
    }
    Ok(())
}

/// Differences to the reference in chosen years with 95 % intervals, one panel per indicator,
/// one row per scenario, one marker shape per year.
pub struct Forest<'a> {
    pub cmp: &'a Comparison,
    pub years: Vec<i32>,
    pub indicators: Vec<String>,
    pub lang: Lang,
}

impl Forest<'_> {
    fn row_height(&self) -> u32 {
        36 + 26 * self.years.len() as u32
    }
    fn panel_height(&self) -> u32 {
        let rows = self.cmp.arms.len().saturating_sub(1).max(1) as u32;
        rows * self.row_height() + 150
    }
}

impl Figure for Forest<'_> {
    fn size(&self) -> (u32, u32) {
        let rows = self.indicators.len().div_ceil(2) as u32;
        (
            2400,
            rows * self.panel_height() + 70 + super::TITLE_PX + 36 + SMALL_PX + 24,
        )
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (cmp, lang) = (self.cmp, self.lang);
        let (top, body) = area.split_vertically(70);
        // The years' legend: marker shapes.
        let mut x = 30;
        top.draw_text(
            lang.pick("Δ 与95%置信区间：", "Δ with 95 % interval:"),
            &font(LABEL_PX),
            (x, 14),
        )?;
        x += top
            .estimate_text_size(
                lang.pick("Δ 与95%置信区间：", "Δ with 95 % interval:"),
                &font(LABEL_PX),
            )?
            .0 as i32
            + 30;
        for (j, y) in self.years.iter().enumerate() {
            marker(&top, j, (x, 14 + LABEL_PX as i32 / 2), RGBColor(60, 60, 60))?;
            top.draw_text(&y.to_string(), &font(LABEL_PX), (x + 22, 14))?;
            x += 140;
        }
        let rows = self.indicators.len().div_ceil(2);
        let cells = body.split_evenly((rows, 2));
        let arms: Vec<usize> = (1..cmp.arms.len()).collect();
        let n = arms.len().max(1) as f64;
        let years = &self.years;
        let spread = |j: usize| -> f64 {
            if years.len() < 2 {
                0.0
            } else {
                0.3 * (j as f64 / (years.len() - 1) as f64 - 0.5)
            }
        };
        for (id, cell) in self.indicators.iter().zip(cells.iter()) {
            let estimates: Vec<(usize, usize, Estimate)> = arms
                .iter()
                .flat_map(|&a| {
                    years
                        .iter()
                        .enumerate()
                        .map(move |(j, &y)| (a, j, difference(cmp, a, id, y, lang)))
                })
                .collect();
            let (x0, x1) = padded_range(
                estimates.iter().flat_map(|e| [e.2.low, e.2.high, e.2.mean]),
                Some(0.0),
            );
            let x0 = x0.min(-(x1 - x0) * 0.05);
            let mut chart = ChartBuilder::on(cell)
                .margin(16)
                .margin_right(40)
                .caption(
                    format!("Δ {}", name(id, lang)),
                    super::fitted_font(cell, &format!("Δ {}", name(id, lang)), CAPTION_PX),
                )
                .x_label_area_size(56)
                .y_label_area_size(super::label_area(
                    cell,
                    arms.iter()
                        .map(|&a| cmp.arms[a].label(lang.zh()).to_string()),
                    LABEL_PX,
                ))
                .build_cartesian_2d(x0..x1, -0.5..(n - 0.5))?;
            chart
                .configure_mesh()
                .disable_y_mesh()
                .y_labels(0)
                .x_labels(6)
                .light_line_style(RGBColor(240, 240, 240))
                .bold_line_style(RGBColor(215, 215, 215))
                .x_label_formatter(&|v| format_tick(*v))
                .x_desc(diff_unit(id, lang))
                .label_style(font(LABEL_PX))
                .axis_desc_style(font(LABEL_PX))
                .draw()?;
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(0.0, -0.5), (0.0, n - 0.5)],
                BLACK.stroke_width(2),
            )))?;
            let (bx, by) = cell.get_base_pixel();
            for (row, &a) in arms.iter().enumerate() {
                let y_mid = n - 1.0 - row as f64;
                let (px, py) = chart.backend_coord(&(x0, y_mid));
                cell.draw_text(
                    &super::tidy(cmp.arms[a].label(lang.zh())),
                    &font(LABEL_PX).pos(plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Right,
                        plotters::style::text_anchor::VPos::Center,
                    )),
                    (px - bx - 14, py - by),
                )?;
            }
            for (a, j, e) in &estimates {
                let row = arms.iter().position(|x| x == a).unwrap_or(0);
                let y = n - 1.0 - row as f64 - spread(*j);
                let colour = scenario_colour(*a);
                if e.low.is_finite() && e.high.is_finite() {
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(e.low, y), (e.high, y)],
                        colour.stroke_width(4),
                    )))?;
                }
                if e.mean.is_finite() {
                    let (px, py) = chart.backend_coord(&(e.mean, y));
                    marker(cell, *j, (px - bx, py - by), colour)?;
                }
            }
        }
        Ok(())
    }
}

/// Each package's change (to the reference, in `year`) in the pendulum, the zone's residents and
/// D against the change in its cumulative public cost (budget, debt and PPP), with 95 % intervals
/// both ways.
pub struct CostEffect<'a> {
    pub cmp: &'a Comparison,
    pub year: i32,
    pub lang: Lang,
}

pub const COST_EFFECT_OUTCOMES: [&str; 3] =
    ["pendulum_index", "zone_residents", "coupling_coordination"];

impl Figure for CostEffect<'_> {
    fn size(&self) -> (u32, u32) {
        (2400, 1000)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (cmp, lang) = (self.cmp, self.lang);
        let body = super::legend_strip(area, &scenario_legend(cmp, lang)[1..])?;
        let cells = body.split_evenly((1, 3));
        let cost = "public_cost_cumulative";
        let costs: Vec<Estimate> = (0..cmp.arms.len())
            .map(|a| difference(cmp, a, cost, self.year, lang))
            .collect();
        for (id, cell) in COST_EFFECT_OUTCOMES.iter().zip(cells.iter()) {
            let effects: Vec<Estimate> = (0..cmp.arms.len())
                .map(|a| difference(cmp, a, id, self.year, lang))
                .collect();
            let (x0, x1) = padded_range(
                costs[1..].iter().flat_map(|e| [e.low, e.high, e.mean]),
                Some(0.0),
            );
            let (y0, y1) = padded_range(
                effects[1..].iter().flat_map(|e| [e.low, e.high, e.mean]),
                Some(0.0),
            );
            let y0 = y0.min(-(y1 - y0) * 0.05);
            let mut chart = ChartBuilder::on(cell)
                .margin(16)
                .margin_right(40)
                .caption(
                    format!("Δ {}, {}", name(id, lang), self.year),
                    super::fitted_font(
                        cell,
                        &format!("Δ {}, {}", name(id, lang), self.year),
                        LABEL_PX,
                    ),
                )
                .x_label_area_size(90)
                .y_label_area_size(120)
                .build_cartesian_2d(x0..x1, y0..y1)?;
            chart
                .configure_mesh()
                .light_line_style(RGBColor(240, 240, 240))
                .bold_line_style(RGBColor(215, 215, 215))
                .x_labels(5)
                .y_labels(6)
                .x_label_formatter(&|v| format_tick(*v))
                .y_label_formatter(&|v| format_tick(*v))
                .x_desc(format!(
                    "{} ({})",
                    lang.pick("Δ 累计公共成本", "Δ cumulative public cost"),
                    diff_unit(cost, lang)
                ))
                .y_desc(diff_unit(id, lang))
                .label_style(font(SMALL_PX))
                .axis_desc_style(font(SMALL_PX))
                .draw()?;
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(x0, 0.0), (x1, 0.0)],
                BLACK.stroke_width(2),
            )))?;
            for a in 1..cmp.arms.len() {
                let (c, e) = (costs[a], effects[a]);
                if !(c.mean.is_finite() && e.mean.is_finite()) {
                    continue;
                }
                let colour = scenario_colour(a);
                let style = colour.stroke_width(3);
                if c.low.is_finite() && c.high.is_finite() {
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(c.low, e.mean), (c.high, e.mean)],
                        style,
                    )))?;
                }
                if e.low.is_finite() && e.high.is_finite() {
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(c.mean, e.low), (c.mean, e.high)],
                        style,
                    )))?;
                }
                chart.draw_series(std::iter::once(Circle::new(
                    (c.mean, e.mean),
                    12,
                    colour.filled(),
                )))?;
            }
        }
        Ok(())
    }
}

//! The waterfall of a package's effect, lever by lever: each lever's alone-effect stacked from
//! zero, then the interaction remainder, then the package's total with its 95 % interval.

use super::human::Human;
use super::{CAPTION_PX, DrawResult, Figure, LABEL_PX, Lang, font, format_tick, padded_range};
use crate::experiment::compare::Estimate;
use plotters::coord::Shift;
use plotters::prelude::*;

/// One indicator's decomposition, in the indicator's own units (Human scales them).
#[derive(Debug, Clone)]
pub struct WaterfallPanel {
    pub indicator: String,
    pub title: String,
    /// (lever label, alone-effect).
    pub steps: Vec<(String, Estimate)>,
    pub interaction: Estimate,
    pub total: Estimate,
}

/// Panels side by side, two to a row.
pub struct Waterfall {
    pub panels: Vec<WaterfallPanel>,
    pub lang: Lang,
}

const ROW_PX: u32 = 44;

/// One bar of the waterfall: where it starts and ends, and the interval drawn over it (the total's).
struct Bar {
    label: String,
    start: f64,
    end: f64,
    colour: RGBColor,
    interval: Option<(f64, f64)>,
}
const RISE: RGBColor = RGBColor(0, 114, 178);
const FALL: RGBColor = RGBColor(213, 94, 0);
const OTHER: RGBColor = RGBColor(150, 150, 150);
const TOTAL: RGBColor = RGBColor(40, 40, 40);

impl Waterfall {
    fn panel_height(&self) -> u32 {
        let rows = self
            .panels
            .iter()
            .map(|p| p.steps.len() + 2)
            .max()
            .unwrap_or(2) as u32;
        rows * ROW_PX + 170
    }
}

impl Figure for Waterfall {
    fn size(&self) -> (u32, u32) {
        let rows = self.panels.len().div_ceil(2).max(1) as u32;
        (
            2400,
            rows * self.panel_height() + super::TITLE_PX + 36 + super::SMALL_PX + 24,
        )
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let lang = self.lang;
        let rows = self.panels.len().div_ceil(2).max(1);
        let cells = area.split_evenly((rows, 2));
        for (panel, cell) in self.panels.iter().zip(cells.iter()) {
            let human = Human::of(&panel.indicator, lang.zh());
            let scaled = |x: f64| human.scaled(x);
            let mut bars: Vec<Bar> = Vec::new();
            let mut level = 0.0;
            for (label, e) in &panel.steps {
                let end = level + scaled(e.mean);
                let colour = if e.mean >= 0.0 { RISE } else { FALL };
                bars.push(Bar {
                    label: label.clone(),
                    start: level,
                    end,
                    colour,
                    interval: None,
                });
                level = end;
            }
            let interaction = scaled(panel.interaction.mean);
            bars.push(Bar {
                label: lang.pick("交互余项", "interaction").to_string(),
                start: level,
                end: level + interaction,
                colour: OTHER,
                interval: None,
            });
            bars.push(Bar {
                label: lang.pick("方案总效应", "package total").to_string(),
                start: 0.0,
                end: scaled(panel.total.mean),
                colour: TOTAL,
                interval: Some((scaled(panel.total.low), scaled(panel.total.high))),
            });
            let n = bars.len() as f64;
            let (x0, x1) = padded_range(
                bars.iter()
                    .flat_map(|b| [b.start, b.end])
                    .chain(
                        bars.iter()
                            .filter_map(|b| b.interval)
                            .flat_map(|(l, h)| [l, h]),
                    )
                    .filter(|x| x.is_finite()),
                Some(0.0),
            );
            let labels: Vec<String> = bars.iter().map(|b| b.label.clone()).collect();
            let mut chart = ChartBuilder::on(cell)
                .margin(16)
                .margin_right(40)
                .caption(
                    &panel.title,
                    super::fitted_font(cell, &panel.title, CAPTION_PX),
                )
                .x_label_area_size(56)
                .y_label_area_size(super::label_area(cell, labels.iter().cloned(), LABEL_PX))
                .build_cartesian_2d(x0..x1, -0.5..(n - 0.5))?;
            chart
                .configure_mesh()
                .disable_y_mesh()
                .y_labels(0)
                .x_labels(6)
                .light_line_style(RGBColor(240, 240, 240))
                .bold_line_style(RGBColor(215, 215, 215))
                .x_label_formatter(&|v| format_tick(*v))
                .x_desc(format!(
                    "Δ ({})",
                    super::compare::diff_unit(&panel.indicator, lang)
                ))
                .label_style(font(LABEL_PX))
                .axis_desc_style(font(LABEL_PX))
                .draw()?;
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(0.0, -0.5), (0.0, n - 0.5)],
                BLACK.stroke_width(2),
            )))?;
            for (i, bar) in bars.iter().enumerate() {
                let Bar {
                    label,
                    start,
                    end,
                    colour,
                    interval,
                } = bar;
                // The first lever on top.
                let y = n - 1.0 - i as f64;
                let (lo, hi) = (start.min(*end), start.max(*end));
                let fill = if interval.is_some() {
                    colour.mix(0.45).filled()
                } else {
                    colour.filled()
                };
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(lo, y - 0.32), (hi, y + 0.32)],
                    fill,
                )))?;
                if let Some((l, h)) = interval {
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(*l, y), (*h, y)],
                        BLACK.stroke_width(3),
                    )))?;
                }
                let (px, py) = chart.backend_coord(&(x0, y));
                cell.draw_text(
                    &super::tidy(label),
                    &font(LABEL_PX).pos(plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Right,
                        plotters::style::text_anchor::VPos::Center,
                    )),
                    (
                        px - cell.get_base_pixel().0 - 14,
                        py - cell.get_base_pixel().1,
                    ),
                )?;
            }
        }
        Ok(())
    }
}

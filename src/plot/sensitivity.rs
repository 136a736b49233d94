//! Figures of sensitivity analysis and scenario discovery: Sobol indices as a sorted bar chart
//! (tornado) with their intervals, Morris μ* against σ, and PRIM's coverage–density trade-off
//! with the chosen box.

use super::{
    CAPTION_PX, DrawResult, Figure, LABEL_PX, Lang, PALETTE, SMALL_PX, font, grey_font, legend_row,
    padded_range,
};
use crate::sensitivity::analyze::{MorrisIndex, SobolIndex};
use crate::sensitivity::prim::BoxStep;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Factors shown at most (the rest are the least influential).
const MAX_FACTORS: usize = 20;

/// Sobol first-order (S1) and total (ST) indices of one output, sorted by ST, with 95 %
/// bootstrap intervals. The frame's title names the output.
pub struct Tornado<'a> {
    pub indices: &'a [SobolIndex],
    pub lang: Lang,
}

impl Tornado<'_> {
    fn shown(&self) -> Vec<&SobolIndex> {
        let mut v: Vec<&SobolIndex> = self.indices.iter().collect();
        v.sort_by(|a, b| b.st.total_cmp(&a.st).then(a.factor.cmp(&b.factor)));
        v.truncate(MAX_FACTORS);
        v
    }
}

impl Figure for Tornado<'_> {
    fn size(&self) -> (u32, u32) {
        (1800, 300 + 64 * self.shown().len() as u32 + 150)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let lang = self.lang;
        let shown = self.shown();
        let legend = vec![
            (lang.pick("总效应 ST", "total ST").to_string(), PALETTE[1]),
            (
                lang.pick("一阶 S1", "first-order S1").to_string(),
                PALETTE[5],
            ),
        ];
        let (top, body) = area.split_vertically(LABEL_PX + 40);
        legend_row(&top, &legend, (30, 10))?;
        let n = shown.len().max(1) as f64;
        let hi = shown
            .iter()
            .flat_map(|s| [s.st + s.st_conf, s.s1 + s.s1_conf])
            .fold(1.0f64, f64::max)
            .min(1.5);
        let lo = shown
            .iter()
            .flat_map(|s| [s.s1 - s.s1_conf, s.st - s.st_conf])
            .fold(0.0f64, f64::min)
            .max(-0.5);
        let mut chart = ChartBuilder::on(&body)
            .margin(16)
            .margin_right(50)
            .x_label_area_size(60)
            .y_label_area_size(super::label_area(
                &body,
                shown.iter().map(|s| s.factor.clone()),
                LABEL_PX,
            ))
            .build_cartesian_2d(lo..hi, -0.5..(n - 0.5))?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(8)
            .light_line_style(RGBColor(240, 240, 240))
            .bold_line_style(RGBColor(215, 215, 215))
            .x_label_formatter(&|v| format!("{v:.1}"))
            .x_desc(lang.pick(
                "方差份额(横线：95% 自助法区间)",
                "share of variance (whiskers: 95 % bootstrap interval)",
            ))
            .label_style(font(LABEL_PX))
            .axis_desc_style(font(LABEL_PX))
            .draw()?;
        let (bx, by) = body.get_base_pixel();
        for (i, s) in shown.iter().enumerate() {
            let y = n - 1.0 - i as f64;
            for (value, conf, colour, offset) in [
                (s.st, s.st_conf, PALETTE[1], 0.17),
                (s.s1, s.s1_conf, PALETTE[5], -0.17),
            ] {
                let y0 = y + offset - 0.15;
                let y1 = y + offset + 0.15;
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y0), (value, y1)],
                    colour.filled(),
                )))?;
                if conf.is_finite() {
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(value - conf, y + offset), (value + conf, y + offset)],
                        BLACK.stroke_width(3),
                    )))?;
                }
            }
            if !(s.st.is_finite() && s.s1.is_finite()) {
                chart.draw_series(std::iter::once(Text::new(
                    lang.pick("样本太少，无法估计", "too few samples to estimate")
                        .to_string(),
                    (0.02, y),
                    grey_font(SMALL_PX).pos(Pos::new(HPos::Left, VPos::Center)),
                )))?;
            }
            let (px, py) = chart.backend_coord(&(lo, y));
            body.draw_text(
                &s.factor,
                &font(LABEL_PX).pos(Pos::new(HPos::Right, VPos::Center)),
                (px - bx - 14, py - by),
            )?;
        }
        if self.indices.len() > shown.len() {
            body.draw_text(
                &format!(
                    "{} {}",
                    self.indices.len() - shown.len(),
                    lang.pick(
                        "个影响较小的因子未画出",
                        "less influential factors not shown"
                    )
                ),
                &grey_font(SMALL_PX),
                (30, body.dim_in_pixel().1 as i32 - 30),
            )?;
        }
        Ok(())
    }
}

/// Morris screening: μ* (mean absolute elementary effect) against σ (their spread: interactions
/// or non-linearity), one labelled point per parameter.
pub struct MorrisScatter<'a> {
    pub indices: &'a [MorrisIndex],
    pub lang: Lang,
}

impl Figure for MorrisScatter<'_> {
    fn size(&self) -> (u32, u32) {
        (1800, 1400)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let lang = self.lang;
        let pts: Vec<&MorrisIndex> = self
            .indices
            .iter()
            .filter(|m| m.mu_star.is_finite() && m.sigma.is_finite())
            .collect();
        let (x0, x1) = padded_range(pts.iter().map(|m| m.mu_star), Some(0.0));
        let (y0, y1) = padded_range(pts.iter().map(|m| m.sigma), Some(0.0));
        let mut chart = ChartBuilder::on(area)
            .margin(20)
            .margin_right(60)
            .x_label_area_size(70)
            .y_label_area_size(120)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        chart
            .configure_mesh()
            .light_line_style(RGBColor(240, 240, 240))
            .bold_line_style(RGBColor(215, 215, 215))
            .x_labels(6)
            .x_label_formatter(&|v| super::human_tick(*v, lang))
            .y_label_formatter(&|v| super::human_tick(*v, lang))
            .x_desc(lang.pick(
                "μ*(平均绝对基本效应)",
                "μ* (mean absolute elementary effect)",
            ))
            .y_desc(lang.pick("σ(交互或非线性)", "σ (interaction or non-linearity)"))
            .label_style(font(LABEL_PX))
            .axis_desc_style(font(LABEL_PX))
            .draw()?;
        // Labels for the most influential points only, so that they do not pile up at the origin.
        let mut ranked: Vec<&&MorrisIndex> = pts.iter().collect();
        ranked.sort_by(|a, b| b.mu_star.total_cmp(&a.mu_star));
        let labelled: Vec<&str> = ranked
            .iter()
            .take(12)
            .map(|m| m.parameter.as_str())
            .collect();
        for m in &pts {
            chart.draw_series(std::iter::once(Circle::new(
                (m.mu_star, m.sigma),
                10,
                PALETTE[1].filled(),
            )))?;
            if m.mu_star_conf.is_finite() {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![
                        (m.mu_star - m.mu_star_conf, m.sigma),
                        (m.mu_star + m.mu_star_conf, m.sigma),
                    ],
                    PALETTE[1].stroke_width(2),
                )))?;
            }
            if labelled.contains(&m.parameter.as_str()) {
                // Right of the point in the left half, left of it in the right half: never clipped.
                let side = if m.mu_star > (x0 + x1) / 2.0 {
                    HPos::Right
                } else {
                    HPos::Left
                };
                chart.draw_series(std::iter::once(Text::new(
                    m.parameter.clone(),
                    (m.mu_star, m.sigma),
                    font(SMALL_PX).pos(Pos::new(side, VPos::Bottom)),
                )))?;
            }
        }
        Ok(())
    }
}

/// PRIM's peeling trajectory (coverage against density), the chosen box marked, and the chosen
/// box's limits on the inputs it restricts, each as a share of the input's sampled range.
pub struct PrimTradeoff<'a> {
    pub trajectory: &'a [BoxStep],
    pub chosen: Option<usize>,
    pub inputs: &'a [String],
    pub condition: &'a str,
    pub lang: Lang,
}

impl Figure for PrimTradeoff<'_> {
    fn size(&self) -> (u32, u32) {
        (2400, 1200)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let lang = self.lang;
        let (left, right) = area.split_horizontally(1100);
        let mut chart = ChartBuilder::on(&left)
            .margin(20)
            .margin_right(50)
            .caption(
                lang.pick("覆盖率与密度的权衡", "Coverage–density trade-off"),
                font(CAPTION_PX),
            )
            .x_label_area_size(70)
            .y_label_area_size(110)
            .build_cartesian_2d(0.0..1.05, 0.0..1.05)?;
        chart
            .configure_mesh()
            .light_line_style(RGBColor(240, 240, 240))
            .bold_line_style(RGBColor(215, 215, 215))
            .x_label_formatter(&|v| format!("{v:.1}"))
            .y_label_formatter(&|v| format!("{v:.1}"))
            .x_desc(lang.pick("覆盖率(框内目标情形占全部目标情形)", "coverage"))
            .y_desc(lang.pick("密度(框内目标情形占比)", "density"))
            .label_style(font(LABEL_PX))
            .axis_desc_style(font(LABEL_PX))
            .draw()?;
        chart.draw_series(LineSeries::new(
            self.trajectory.iter().map(|b| (b.coverage, b.density)),
            PALETTE[1].stroke_width(3),
        ))?;
        chart.draw_series(
            self.trajectory
                .iter()
                .map(|b| Circle::new((b.coverage, b.density), 7, PALETTE[1].filled())),
        )?;
        let chosen = self.chosen.and_then(|i| self.trajectory.get(i));
        if let Some(b) = chosen {
            chart.draw_series(std::iter::once(Circle::new(
                (b.coverage, b.density),
                18,
                PALETTE[2].stroke_width(5),
            )))?;
            chart.draw_series(std::iter::once(Text::new(
                format!(
                    "{} {:.2} / {:.2}",
                    lang.pick("所选框", "chosen box"),
                    b.coverage,
                    b.density
                ),
                // Below and left of the circle, clear of the trajectory through it.
                (b.coverage - 0.03, b.density - 0.04),
                font(LABEL_PX).pos(Pos::new(HPos::Right, VPos::Top)),
            )))?;
        }
        // The chosen box: one bar per restricted input over its sampled range.
        let Some(b) = chosen else {
            right.draw_text(
                lang.pick(
                    "没有满足最小覆盖率的框",
                    "no box meets the minimum coverage",
                ),
                &font(LABEL_PX),
                (40, 200),
            )?;
            return Ok(());
        };
        let full = &self.trajectory[0].limits;
        let rows: Vec<usize> = b.restricted.clone();
        let n = rows.len().max(1) as f64;
        let mut chart = ChartBuilder::on(&right)
            .margin(20)
            .margin_right(50)
            .caption(
                format!("{}: {}", lang.pick("所选框", "Chosen box"), self.condition),
                font(CAPTION_PX),
            )
            .x_label_area_size(70)
            .y_label_area_size(super::label_area(
                &right,
                rows.iter()
                    .map(|&k| self.inputs.get(k).cloned().unwrap_or_default()),
                LABEL_PX,
            ))
            .build_cartesian_2d(0.0..1.0, -0.5..(n - 0.5))?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .light_line_style(RGBColor(240, 240, 240))
            .bold_line_style(RGBColor(215, 215, 215))
            .x_label_formatter(&|v| format!("{v:.1}"))
            .x_desc(lang.pick(
                "在抽样范围中的位置(0 = 最小，1 = 最大)",
                "position in the sampled range (0 = low, 1 = high)",
            ))
            .label_style(font(LABEL_PX))
            .axis_desc_style(font(LABEL_PX))
            .draw()?;
        let (bx, by) = right.get_base_pixel();
        for (i, &k) in rows.iter().enumerate() {
            let y = n - 1.0 - i as f64;
            let (lo, hi) = full[k];
            let width = (hi - lo).max(1e-12);
            let (a, c) = b.limits[k];
            let (fa, fc) = ((a - lo) / width, (c - lo) / width);
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, y - 0.3), (1.0, y + 0.3)],
                RGBColor(230, 230, 230).filled(),
            )))?;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(fa, y - 0.3), (fc, y + 0.3)],
                PALETTE[3].filled(),
            )))?;
            chart.draw_series(std::iter::once(Text::new(
                format!(
                    "{} – {}",
                    super::human_tick(a, lang),
                    super::human_tick(c, lang)
                ),
                ((fa + fc) / 2.0, y),
                font(SMALL_PX).pos(Pos::new(HPos::Center, VPos::Center)),
            )))?;
            let (px, py) = chart.backend_coord(&(0.0, y));
            right.draw_text(
                self.inputs.get(k).map_or("?", String::as_str),
                &font(LABEL_PX).pos(Pos::new(HPos::Right, VPos::Center)),
                (px - bx - 14, py - by),
            )?;
        }
        Ok(())
    }
}

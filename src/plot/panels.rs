//! Time-series panels in a grid: lines with optional shaded bands, one y unit per panel, and a
//! legend shared by the whole figure or drawn in each panel.

use super::{DrawResult, Figure, font, format_tick};
use plotters::coord::Shift;
use plotters::prelude::*;

/// A shaded band around a line: (x, low, high) and its opacity.
pub struct Band {
    pub points: Vec<(f64, f64, f64)>,
    pub opacity: f64,
}

impl Band {
    /// The band's outline: along its low edge, then back along its high edge.
    pub fn outline(&self) -> Vec<(f64, f64)> {
        let mut outline: Vec<(f64, f64)> = self.points.iter().map(|p| (p.0, p.1)).collect();
        outline.extend(self.points.iter().rev().map(|p| (p.0, p.2)));
        outline
    }
}

/// One line of a panel.
pub struct Line {
    pub label: String,
    pub colour: RGBColor,
    pub points: Vec<(f64, f64)>,
    pub bands: Vec<Band>,
    pub width: u32,
}

impl Line {
    pub fn new(label: impl Into<String>, colour: RGBColor, points: Vec<(f64, f64)>) -> Line {
        Line {
            label: label.into(),
            colour,
            points,
            bands: Vec::new(),
            width: 4,
        }
    }
}

/// One panel: a title (what and where), the unit of its y axis, its lines.
pub struct Panel {
    pub title: String,
    pub unit: String,
    pub lines: Vec<Line>,
    /// Start the y axis at zero (stocks and counts) rather than at the data.
    pub from_zero: bool,
    /// A fixed y range shared with other panels.
    pub y_range: Option<(f64, f64)>,
}

/// Panels in `cols` columns; the legend is shared (one row of scenarios under the title) or
/// drawn in each panel.
pub struct Grid {
    pub panels: Vec<Panel>,
    pub cols: usize,
    pub shared_legend: Vec<(String, RGBColor)>,
    pub panel_size: (u32, u32),
}

impl Figure for Grid {
    fn size(&self) -> (u32, u32) {
        let rows = self.panels.len().div_ceil(self.cols) as u32;
        let legend = if self.shared_legend.is_empty() {
            0
        } else {
            super::LEGEND_STRIP
        };
        (
            self.panel_size.0 * self.cols as u32,
            self.panel_size.1 * rows + legend + super::TITLE_PX + 36 + super::SMALL_PX + 24,
        )
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let body = if self.shared_legend.is_empty() {
            area.clone()
        } else {
            super::legend_strip(area, &self.shared_legend)?
        };
        let rows = self.panels.len().div_ceil(self.cols);
        let cells = body.split_evenly((rows, self.cols));
        for (panel, cell) in self.panels.iter().zip(cells.iter()) {
            draw_panel(cell, panel, self.shared_legend.is_empty())?;
        }
        Ok(())
    }
}

/// The x range of all lines and bands of a panel.
fn x_range(panel: &Panel) -> (f64, f64) {
    let xs = panel.lines.iter().flat_map(|l| {
        l.points
            .iter()
            .map(|p| p.0)
            .chain(l.bands.iter().flat_map(|b| b.points.iter().map(|p| p.0)))
    });
    let (lo, hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
        (a.min(x), b.max(x))
    });
    if lo.is_finite() && hi > lo {
        (lo, hi)
    } else {
        (2016.0, 2035.0)
    }
}

/// The y range that shows every line and band of a panel.
pub fn y_range(panel: &Panel) -> (f64, f64) {
    let ys = panel.lines.iter().flat_map(|l| {
        l.points.iter().map(|p| p.1).chain(
            l.bands
                .iter()
                .flat_map(|b| b.points.iter().flat_map(|p| [p.1, p.2])),
        )
    });
    super::padded_range(ys, panel.from_zero.then_some(0.0))
}

pub fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &Panel,
    legend: bool,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (x0, x1) = x_range(panel);
    let (y0, y1) = panel.y_range.unwrap_or_else(|| y_range(panel));
    let mut chart = ChartBuilder::on(area)
        .margin_top(10)
        .margin_left(16)
        .margin_right(36)
        .margin_bottom(10)
        .caption(
            super::tidy(&panel.title),
            super::fitted_font(area, &panel.title, super::CAPTION_PX),
        )
        .x_label_area_size(50)
        .y_label_area_size(110)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    chart
        .configure_mesh()
        .light_line_style(RGBColor(238, 238, 238))
        .bold_line_style(RGBColor(215, 215, 215))
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format_tick(*y))
        .y_desc(&panel.unit)
        .label_style(font(super::LABEL_PX))
        .axis_desc_style(font(super::LABEL_PX))
        .draw()?;
    for line in &panel.lines {
        for band in &line.bands {
            if band.points.len() < 2 {
                continue;
            }
            chart.draw_series(std::iter::once(Polygon::new(
                band.outline(),
                line.colour.mix(band.opacity).filled(),
            )))?;
        }
    }
    for line in &panel.lines {
        let colour = line.colour;
        let width = line.width;
        let drawn = chart.draw_series(LineSeries::new(
            line.points.iter().copied().filter(|p| p.1.is_finite()),
            colour.stroke_width(width),
        ))?;
        if legend {
            drawn.label(super::tidy(&line.label)).legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 30, y)], colour.stroke_width(6))
            });
        }
    }
    if legend && panel.lines.len() > 1 {
        let corner = emptiest_corner(panel, (x0, x1), (y0, y1));
        chart
            .configure_series_labels()
            .position(corner)
            .margin(12)
            .legend_area_size(40)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(200, 200, 200))
            .label_font(font(super::SMALL_PX))
            .draw()?;
    }
    Ok(())
}

/// The corner of the plot with the fewest points in it, where a legend hides the least.
fn emptiest_corner(
    panel: &Panel,
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
) -> SeriesLabelPosition {
    let mut counts = [0usize; 4]; // upper left, upper right, lower left, lower right
    for p in panel.lines.iter().flat_map(|l| &l.points) {
        let fx = (p.0 - x0) / (x1 - x0).max(1e-12);
        let fy = (p.1 - y0) / (y1 - y0).max(1e-12);
        let (left, right) = (fx < 0.5, fx > 0.5);
        // The legend box covers about a third of the height from its edge.
        let (low, high) = (fy < 0.35, fy > 0.65);
        if high && left {
            counts[0] += 1;
        }
        if high && right {
            counts[1] += 1;
        }
        if low && left {
            counts[2] += 1;
        }
        if low && right {
            counts[3] += 1;
        }
    }
    let best = (0..4).min_by_key(|&i| (counts[i], i)).unwrap_or(0);
    match best {
        0 => SeriesLabelPosition::UpperLeft,
        1 => SeriesLabelPosition::UpperRight,
        2 => SeriesLabelPosition::LowerLeft,
        _ => SeriesLabelPosition::LowerRight,
    }
}

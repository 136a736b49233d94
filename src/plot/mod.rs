//! Figures. Text is drawn with an embedded Chinese+Latin font (WenQuanYi Micro Hei subset), so the
//! PNGs look the same on any machine, with no system font; SVGs name a font-family fallback list.
//!
//! Every figure is a type implementing [`Figure`]; [`save`] writes it as PNG and SVG with a title
//! and a source line (chancheng version, scenario hashes, runs, seed). One colour-blind-safe
//! palette (Okabe–Ito) serves all figures, and a scenario keeps its colour, its position in the
//! comparison, in every figure of that comparison.

pub mod attribution;
pub mod compare;
pub mod dashboard;
pub mod human;
pub mod map;
pub mod panels;
pub mod sensitivity;

pub use dashboard::dashboard;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::{Path, PathBuf};
use std::sync::Once;

/// The family name under which the embedded font is registered; in SVG it doubles as a CSS
/// fallback list for readers that lack the font.
pub const FONT: &str = "WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif";
/// The embedded font (ASCII, GB2312 level-1 hanzi, CJK punctuation), also embedded in reports.
pub static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/wqy-microhei-subset.ttf");
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

impl Lang {
    pub fn zh(self) -> bool {
        self == Lang::Zh
    }
    /// Picks the Chinese or the English text.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        if self.zh() { zh } else { en }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("cannot draw {path}: {message}")]
pub struct PlotError {
    pub path: String,
    pub message: String,
}

pub type DrawResult = Result<(), Box<dyn std::error::Error>>;

/// A figure that can draw itself on any plotters backend.
pub trait Figure {
    /// Width and height in pixels (PNG) and SVG units.
    fn size(&self) -> (u32, u32);
    /// Draws the body (everything but the title and the source line).
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static;
}

/// Where a figure's numbers come from, printed under it.
#[derive(Debug, Clone)]
pub struct Source {
    /// Content hashes of the scenarios drawn (SHA-256, hex).
    pub scenario_hashes: Vec<String>,
    pub runs: usize,
    pub seed: u64,
}

impl Source {
    pub fn line(&self, lang: Lang) -> String {
        let hashes: Vec<&str> = self
            .scenario_hashes
            .iter()
            .map(|h| h.get(..8).unwrap_or(h))
            .collect();
        let version = env!("CARGO_PKG_VERSION");
        if lang.zh() {
            format!(
                "来源：chancheng {version} 模拟；情景哈希 {}；{} 次模拟，主种子 {}",
                hashes.join(", "),
                self.runs,
                self.seed
            )
        } else {
            format!(
                "Source: chancheng {version} simulation; scenario hash {}; {} run{}, master seed {}",
                hashes.join(", "),
                self.runs,
                if self.runs == 1 { "" } else { "s" },
                self.seed
            )
        }
    }
}

/// Colour-blind-safe palette (Okabe–Ito), black first: the reference scenario is black.
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 0, 0),
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(160, 140, 20),
];

/// The colour of the scenario at `index` in a comparison (the same in every figure of it).
pub fn scenario_colour(index: usize) -> RGBColor {
    PALETTE[index % PALETTE.len()]
}

/// Text sizes in pixels, chosen so that a 2400-pixel-wide figure printed at full page width, or
/// a 1600-pixel one at half width, keeps its labels at about 7 pt or more.
pub const TITLE_PX: u32 = 44;
pub const CAPTION_PX: u32 = 34;
pub const LABEL_PX: u32 = 28;
pub const SMALL_PX: u32 = 24;

pub fn font(px: u32) -> TextStyle<'static> {
    (FONT, px).into_font().color(&BLACK)
}

pub fn grey_font(px: u32) -> TextStyle<'static> {
    (FONT, px).into_font().color(&RGBColor(90, 90, 90))
}

/// Writes `figure` with `title` and `source` to `<stem>.png` and `<stem>.svg`; returns both paths.
pub fn save(
    figure: &impl Figure,
    title: &str,
    source: &str,
    stem: &Path,
) -> Result<[PathBuf; 2], PlotError> {
    register_font();
    let png = stem.with_extension("png");
    let svg = stem.with_extension("svg");
    if let Some(dir) = png.parent() {
        std::fs::create_dir_all(dir).map_err(|e| PlotError {
            path: dir.display().to_string(),
            message: e.to_string(),
        })?;
    }
    let err = |path: &Path| {
        let path = path.display().to_string();
        move |e: Box<dyn std::error::Error>| PlotError {
            path: path.clone(),
            message: e.to_string(),
        }
    };
    let size = figure.size();
    {
        let root = BitMapBackend::new(&png, size).into_drawing_area();
        frame(&root, figure, title, source).map_err(err(&png))?;
        root.present().map_err(|e| err(&png)(Box::new(e)))?;
    }
    {
        let root = SVGBackend::new(&svg, size).into_drawing_area();
        frame(&root, figure, title, source).map_err(err(&svg))?;
        root.present().map_err(|e| err(&svg)(Box::new(e)))?;
    }
    Ok([png, svg])
}

/// Title on top, source line at the bottom, the figure's body between.
fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    figure: &impl Figure,
    title: &str,
    source: &str,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let (_, height) = root.dim_in_pixel();
    let (top, rest) = root.split_vertically(TITLE_PX + 36);
    let (body, bottom) = rest.split_vertically(height - (TITLE_PX + 36) - (SMALL_PX + 24));
    // A long title (an output's full name) shrinks to fit rather than run off the figure.
    top.draw_text(&tidy(title), &fitted_font(&top, title, TITLE_PX), (30, 18))?;
    bottom.draw_text(source, &grey_font(SMALL_PX), (30, 6))?;
    figure.draw(&body)
}

/// Draws `text` centred on `(x, y)`.
pub fn centred_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    (x, y): (i32, i32),
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    area.draw_text(
        &tidy(text),
        &style.pos(Pos::new(HPos::Center, VPos::Center)),
        (x, y),
    )?;
    Ok(())
}

/// Text as figures draw it: ASCII brackets for full-width ones, which the embedded font draws
/// with the gap of a full em beside them ("钟摆指数（外住比例）" read as "钟摆指数( 外住比例)").
pub fn tidy(text: &str) -> String {
    text.replace('（', "(").replace('）', ")")
}

/// An indicator's name with its scope, as figures draw it.
pub fn name(id: &str, lang: Lang) -> String {
    tidy(&crate::model::indicators::label(id, lang.zh()))
}

/// A tick label that reads well at its magnitude, without trailing zeros ("8", not "8.00").
pub fn format_tick(y: f64) -> String {
    let a = y.abs();
    let s = if !(1e-9..100.0).contains(&a) {
        format!("{y:.0}")
    } else if a >= 10.0 {
        format!("{y:.1}")
    } else if a >= 0.1 {
        format!("{y:.2}")
    } else {
        format!("{y:.3}")
    };
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".into() } else { s }
}

/// A tick of a quantity in its raw unit (CNY, persons), in words a reader counts in: 万 and 亿 in
/// Chinese, k, M and bn in English ("25亿", "2.5bn").
pub fn human_tick(y: f64, lang: Lang) -> String {
    let a = y.abs();
    let steps: &[(f64, &str)] = if lang.zh() {
        &[(1e8, "亿"), (1e4, "万")]
    } else {
        &[(1e9, "bn"), (1e6, "M"), (1e3, "k")]
    };
    for &(size, word) in steps {
        if a >= size {
            return format!("{}{word}", format_tick(y / size));
        }
    }
    format_tick(y)
}

/// The range of `values` (finite ones), widened by 6 % each way and to include `include`.
pub fn padded_range(values: impl Iterator<Item = f64>, include: Option<f64>) -> (f64, f64) {
    let (mut lo, mut hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if let Some(x) = include {
        lo = lo.min(x);
        hi = hi.max(x);
    }
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    if hi - lo < 1e-12 {
        let pad = if hi.abs() > 0.0 { hi.abs() * 0.1 } else { 1.0 };
        return (lo - pad, hi + pad);
    }
    let pad = (hi - lo) * 0.06;
    let lo = if include == Some(0.0) && lo >= 0.0 {
        lo
    } else {
        lo - pad
    };
    (lo, hi + pad)
}

/// The `q` quantile (0–1) of `values` by linear interpolation (NaN for none).
pub fn quantile(values: &[f64], q: f64) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let pos = q.clamp(0.0, 1.0) * (v.len() - 1) as f64;
    let (i, frac) = (pos.floor() as usize, pos.fract());
    if i + 1 < v.len() {
        v[i] * (1.0 - frac) + v[i + 1] * frac
    } else {
        v[i]
    }
}

/// A legend row of coloured swatches and labels, drawn from `(x, y)` to the right, wrapping at
/// the area's width.
pub fn legend_row<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    items: &[(String, RGBColor)],
    (x, y): (i32, i32),
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (width, _) = area.dim_in_pixel();
    let style = font(LABEL_PX);
    let (mut cx, mut cy) = (x, y);
    for (label, colour) in items {
        let label = &tidy(label);
        let (w, _) = area.estimate_text_size(label, &style)?;
        let item = 50 + w as i32 + 40;
        if cx + item > width as i32 - 10 && cx > x {
            cx = x;
            cy += LABEL_PX as i32 + 16;
        }
        area.draw(&PathElement::new(
            vec![
                (cx, cy + LABEL_PX as i32 / 2),
                (cx + 40, cy + LABEL_PX as i32 / 2),
            ],
            colour.stroke_width(6),
        ))?;
        area.draw_text(label, &style, (cx + 50, cy))?;
        cx += item;
    }
    Ok(())
}

/// The font for `text` at `px`, shrunk (to no less than 20 px) until it fits in `area`'s width
/// less a margin: long captions are never clipped.
pub fn fitted_font<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    px: u32,
) -> TextStyle<'static>
where
    DB::ErrorType: 'static,
{
    let room = area.dim_in_pixel().0.saturating_sub(40).max(1);
    let width = area
        .estimate_text_size(&tidy(text), &font(px))
        .map_or(0, |(w, _)| w);
    if width <= room {
        return font(px);
    }
    font(((px as u64 * room as u64 / width as u64) as u32).max(20))
}

/// Pixels that the widest of `labels` needs at `px`, plus a margin: the size of a label area.
pub fn label_area<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    labels: impl IntoIterator<Item = String>,
    px: u32,
) -> u32
where
    DB::ErrorType: 'static,
{
    labels
        .into_iter()
        .filter_map(|l| area.estimate_text_size(&tidy(&l), &font(px)).ok())
        .map(|(w, _)| w + 40)
        .max()
        .unwrap_or(80)
        .min(area.dim_in_pixel().0 / 2)
}

/// Height of the legend strip above a figure's body: two rows of legend at most.
pub const LEGEND_STRIP: u32 = 2 * (LABEL_PX + 16) + 10;

/// Draws `items` as a legend strip across the top of `area`; returns the area below it.
pub fn legend_strip<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    items: &[(String, RGBColor)],
) -> Result<DrawingArea<DB, Shift>, Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    let used = legend_height(area, items)?.min(LEGEND_STRIP);
    let (strip, body) = area.split_vertically(LEGEND_STRIP);
    legend_row(&strip, items, (30, (LEGEND_STRIP - used) as i32 / 2))?;
    Ok(body)
}

/// Lines that `legend_row` needs for `items` at `width` pixels.
pub fn legend_height<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    items: &[(String, RGBColor)],
) -> Result<u32, Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    let (width, _) = area.dim_in_pixel();
    let style = font(LABEL_PX);
    let (mut cx, mut lines) = (30i32, 1u32);
    for (label, _) in items {
        let (w, _) = area.estimate_text_size(&tidy(label), &style)?;
        let item = 50 + w as i32 + 40;
        if cx + item > width as i32 - 10 && cx > 30 {
            cx = 30;
            lines += 1;
        }
        cx += item;
    }
    Ok(lines * (LABEL_PX + 16) + 10)
}

#[cfg(test)]
mod tests {
    use super::{padded_range, quantile};

    #[test]
    fn quantiles_interpolate() {
        let v = [3.0, 1.0, 2.0, 4.0, f64::NAN];
        assert_eq!(quantile(&v, 0.0), 1.0);
        assert_eq!(quantile(&v, 1.0), 4.0);
        assert!((quantile(&v, 0.5) - 2.5).abs() < 1e-12);
        assert!(quantile(&[], 0.5).is_nan());
    }

    #[test]
    fn ticks_read_as_people_count() {
        use super::{Lang, format_tick, human_tick};
        assert_eq!(format_tick(8.0), "8");
        assert_eq!(format_tick(2.5), "2.5");
        assert_eq!(format_tick(0.05), "0.05");
        assert_eq!(human_tick(2.5e9, Lang::En), "2.5bn");
        assert_eq!(human_tick(2.5e9, Lang::Zh), "25亿");
        assert_eq!(human_tick(35_000.0, Lang::Zh), "3.5万");
        assert_eq!(human_tick(35_000.0, Lang::En), "35k");
        assert_eq!(human_tick(-1.2e6, Lang::En), "-1.2M");
        assert_eq!(human_tick(0.3, Lang::Zh), "0.3");
    }

    #[test]
    fn ranges_keep_zero_when_asked() {
        let (lo, hi) = padded_range([2.0, 4.0].into_iter(), Some(0.0));
        assert_eq!(lo, 0.0);
        assert!(hi > 4.0);
        let (lo, hi) = padded_range([5.0].into_iter(), None);
        assert!(lo < 5.0 && hi > 5.0);
    }
}

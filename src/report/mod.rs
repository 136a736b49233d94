//! Reports: one self-contained HTML file (figures as inline PNG, the font embedded, no external
//! URL, printable to A4) and its Markdown twin. A report is a one-page summary (the question, the
//! packages, a table of key indicators with differences and intervals, warnings, caveats),
//! then figures, then tables such as the scenario definitions.
//!
//! This module only lays out what it is given; `cli` gathers the numbers.

pub mod comparison;
pub mod sensitivity;

use crate::plot::{FONT_BYTES, Lang};
use base64::Engine as _;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// A table: header and rows of cells (plain text; `**x**` marks a cell to emphasise).
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub caption: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Small print under the table.
    pub note: String,
}

/// A figure already written as PNG (and SVG) beside the report.
#[derive(Debug, Clone)]
pub struct FigureRef {
    pub title: String,
    pub caption: String,
    pub png: PathBuf,
}

/// Everything a report shows, in order.
#[derive(Debug, Clone)]
pub struct Report {
    pub lang: Lang,
    pub title: String,
    /// The summary page: paragraphs, tables, warnings and the caveats paragraph.
    pub question: String,
    /// A titled list of what the report is about (the packages, the outputs analysed).
    pub list_heading: String,
    pub list: Vec<(String, String)>,
    pub summary_tables: Vec<Table>,
    /// Implementation warnings (`None`: the report has no such section).
    pub warnings: Option<Vec<String>>,
    pub caveats: String,
    pub figures: Vec<FigureRef>,
    /// Tables after the figures (scenario definitions, indices, boxes).
    pub appendix: Vec<Table>,
    /// Provenance line: version, scenario hashes, runs, seed.
    pub source: String,
}

fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A cell as HTML: `**x**` becomes bold.
fn cell_html(text: &str) -> String {
    match text.strip_prefix("**").and_then(|t| t.strip_suffix("**")) {
        Some(inner) => format!("<strong>{}</strong>", esc(inner)),
        None => esc(text),
    }
    .replace('\n', "<br>")
}

/// A cell as Markdown: pipes escaped.
fn cell_md(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

impl Report {
    fn words(&self) -> Words {
        if self.lang.zh() { ZH } else { EN }
    }

    /// The HTML file: everything inline, nothing fetched.
    pub fn html(&self) -> std::io::Result<String> {
        let b64 = base64::engine::general_purpose::STANDARD;
        let w = self.words();
        let mut h = String::new();
        let lang = if self.lang.zh() { "zh-CN" } else { "en" };
        let _ = write!(
            h,
            "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{}</title>\n<style>\n@font-face {{ font-family: 'WenQuanYi Micro Hei'; \
             src: url(data:font/ttf;base64,{}) format('truetype'); }}\n{CSS}</style>\n</head>\n<body>\n",
            esc(&self.title),
            b64.encode(FONT_BYTES)
        );
        let _ = write!(
            h,
            "<section class=\"summary\">\n<h1>{}</h1>\n<p class=\"source\">{}</p>\n\
             <h2>{}</h2>\n<p>{}</p>\n<h2>{}</h2>\n<ul class=\"packages\">\n",
            esc(&self.title),
            esc(&self.source),
            w.question,
            esc(&self.question),
            esc(&self.list_heading)
        );
        let colon = if self.lang.zh() { "：" } else { ": " };
        for (name, what) in &self.list {
            let _ = writeln!(
                h,
                "<li><strong>{}</strong>{colon}{}</li>",
                esc(name),
                esc(what)
            );
        }
        h.push_str("</ul>\n");
        for t in &self.summary_tables {
            table_html(&mut h, t);
        }
        if let Some(warnings) = &self.warnings {
            let _ = writeln!(h, "<h2>{}</h2>", w.warnings);
            if warnings.is_empty() {
                let _ = writeln!(h, "<p>{}</p>", w.no_warnings);
            } else {
                h.push_str("<ul class=\"warnings\">\n");
                for x in warnings {
                    let _ = writeln!(h, "<li>{}</li>", esc(x));
                }
                h.push_str("</ul>\n");
            }
        }
        let _ = write!(
            h,
            "<h2>{}</h2>\n<p class=\"caveats\">{}</p>\n</section>\n",
            w.caveats,
            esc(&self.caveats)
        );
        if !self.figures.is_empty() {
            let _ = writeln!(h, "<section class=\"figures\">\n<h2>{}</h2>", w.figures);
            for (i, f) in self.figures.iter().enumerate() {
                let png = std::fs::read(&f.png)?;
                let _ = write!(
                    h,
                    "<figure>\n<img alt=\"{}\" src=\"data:image/png;base64,{}\">\n\
                     <figcaption><strong>{} {}.</strong> {}</figcaption>\n</figure>\n",
                    esc(&f.title),
                    b64.encode(&png),
                    w.figure,
                    i + 1,
                    esc(&caption_text(&f.title, &f.caption, self.lang))
                );
            }
            h.push_str("</section>\n");
        }
        if !self.appendix.is_empty() {
            h.push_str("<section class=\"appendix\">\n");
            for t in &self.appendix {
                table_html(&mut h, t);
            }
            h.push_str("</section>\n");
        }
        h.push_str("</body>\n</html>\n");
        Ok(h)
    }

    /// The Markdown twin; figures link to the PNG files relative to `dir` (the report's folder).
    pub fn markdown(&self, dir: &Path) -> String {
        let w = self.words();
        let mut m = String::new();
        let _ = write!(
            m,
            "# {}\n\n_{}_\n\n## {}\n\n{}\n\n## {}\n\n",
            self.title, self.source, w.question, self.question, self.list_heading
        );
        let colon = if self.lang.zh() { "：" } else { ": " };
        for (name, what) in &self.list {
            let _ = writeln!(m, "- **{name}**{colon}{what}");
        }
        for t in &self.summary_tables {
            table_md(&mut m, t);
        }
        if let Some(warnings) = &self.warnings {
            let _ = write!(m, "\n## {}\n\n", w.warnings);
            if warnings.is_empty() {
                let _ = writeln!(m, "{}", w.no_warnings);
            }
            for x in warnings {
                let _ = writeln!(m, "- {x}");
            }
        }
        let _ = write!(m, "\n## {}\n\n{}\n", w.caveats, self.caveats);
        if !self.figures.is_empty() {
            let _ = write!(m, "\n## {}\n", w.figures);
            for (i, f) in self.figures.iter().enumerate() {
                let rel = f.png.strip_prefix(dir).unwrap_or(&f.png);
                let _ = write!(
                    m,
                    "\n![{}]({})\n\n**{} {}.** {}\n",
                    f.title,
                    rel.display(),
                    w.figure,
                    i + 1,
                    caption_text(&f.title, &f.caption, self.lang)
                );
            }
        }
        for t in &self.appendix {
            table_md(&mut m, t);
        }
        m
    }
}

/// A figure's title and caption as one text: the title ends as a sentence ("… final year. Sorted
/// by …", "…的 Sobol 指数。按总效应排序…") unless it already ends with punctuation.
fn caption_text(title: &str, caption: &str, lang: Lang) -> String {
    let ended = title.ends_with(['.', '。', '!', '?', '！', '？', ':', '：']);
    let stop = match (ended, lang.zh()) {
        (true, _) => "",
        (false, true) => "。",
        (false, false) => ".",
    };
    let space = if lang.zh() { "" } else { " " };
    if caption.is_empty() {
        format!("{title}{stop}")
    } else {
        format!("{title}{stop}{space}{caption}")
    }
}

fn table_html(h: &mut String, t: &Table) {
    if !t.caption.is_empty() {
        let _ = writeln!(h, "<h3>{}</h3>", esc(&t.caption));
    }
    h.push_str("<table>\n<thead><tr>");
    for c in &t.header {
        let _ = write!(h, "<th>{}</th>", esc(c));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for r in &t.rows {
        h.push_str("<tr>");
        for c in r {
            let _ = write!(h, "<td>{}</td>", cell_html(c));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
    if !t.note.is_empty() {
        let _ = writeln!(h, "<p class=\"note\">{}</p>", esc(&t.note));
    }
}

fn table_md(m: &mut String, t: &Table) {
    if !t.caption.is_empty() {
        let _ = write!(m, "\n### {}\n", t.caption);
    }
    let _ = write!(
        m,
        "\n| {} |\n|{}\n",
        t.header
            .iter()
            .map(|c| cell_md(c))
            .collect::<Vec<_>>()
            .join(" | "),
        "---|".repeat(t.header.len())
    );
    for r in &t.rows {
        let _ = writeln!(
            m,
            "| {} |",
            r.iter().map(|c| cell_md(c)).collect::<Vec<_>>().join(" | ")
        );
    }
    if !t.note.is_empty() {
        let _ = write!(m, "\n_{}_\n", t.note);
    }
}

/// Headings in the report's language.
#[derive(Clone, Copy)]
struct Words {
    question: &'static str,
    warnings: &'static str,
    no_warnings: &'static str,
    caveats: &'static str,
    figures: &'static str,
    figure: &'static str,
}

const ZH: Words = Words {
    question: "问题",
    warnings: "实施警示",
    no_warnings: "无：没有方案的资本计划因资金不足被削减超过10%，也没有公共住房存量过半空置。",
    caveats: "注意事项",
    figures: "图",
    figure: "图",
};

const EN: Words = Words {
    question: "The question",
    warnings: "Implementation warnings",
    no_warnings: "None: no package's capital plan was cut by more than 10 % for lack of funds, and no public housing stock stood more than half empty.",
    caveats: "Caveats",
    figures: "Figures",
    figure: "Figure",
};

/// Print and screen styles: A4 pages, the summary on the first page, figures never split.
const CSS: &str = "\
body { font-family: 'WenQuanYi Micro Hei', 'Noto Sans CJK SC', sans-serif; font-size: 10pt; \
line-height: 1.35; color: #111; max-width: 190mm; margin: 0 auto; padding: 8mm; }
h1 { font-size: 16pt; margin: 0 0 2mm 0; }
h2 { font-size: 11pt; margin: 3mm 0 1mm 0; border-bottom: 1px solid #999; }
h3 { font-size: 10pt; margin: 3mm 0 1mm 0; }
p { margin: 1mm 0; }
ul { margin: 1mm 0; padding-left: 5mm; }
.source, .note { color: #555; font-size: 8pt; }
.caveats { font-size: 8.5pt; }
table { border-collapse: collapse; font-size: 7pt; width: 100%; margin: 1mm 0; }
th, td { border: 1px solid #bbb; padding: 0.6mm 1.2mm; text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
th { background: #eee; }
figure { margin: 4mm 0; break-inside: avoid; page-break-inside: avoid; }
figure img { width: 100%; height: auto; }
figcaption { font-size: 8.5pt; color: #333; }
.summary { page-break-after: always; break-after: page; }
.summary ul, .summary p { font-size: 8.5pt; }
.summary h2 { margin-top: 2mm; }
.summary h1 { font-size: 15pt; }
@page { size: A4; margin: 10mm 11mm; }
@media print { body { padding: 0; max-width: none; } }
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_figure_title_ends_as_a_sentence_before_its_caption() {
        assert_eq!(
            caption_text("Sobol indices of GDP", "Sorted by ST.", Lang::En),
            "Sobol indices of GDP. Sorted by ST."
        );
        assert_eq!(
            caption_text("GDP 的 Sobol 指数", "按总效应排序。", Lang::Zh),
            "GDP 的 Sobol 指数。按总效应排序。"
        );
        assert_eq!(caption_text("Done.", "More.", Lang::En), "Done. More.");
        assert_eq!(caption_text("Map", "", Lang::En), "Map.");
    }
}

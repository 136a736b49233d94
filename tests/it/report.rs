//! Figures and reports: every figure kind renders in both languages with the embedded font alone,
//! a report is self-contained, and (ignored, run by CI) headless Chromium loads it with no failed
//! request, shows its figures and prints it to PDF.

use crate::common::{baseline_months, browser};
use chancheng::experiment::compare::{Comparison, RunDigest, replicate};
use chancheng::plot::{Lang, save};
use chancheng::report::comparison::{Choices, write_figures};
use chancheng::sensitivity::analyze::{MorrisIndex, SobolIndex};
use chancheng::sensitivity::prim::{choose, peel};
use std::path::{Path, PathBuf};
use std::process::Command;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("chancheng-report-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A PNG has text in its title strip: dark pixels where the title is drawn. Without a working
/// font the strip stays white.
fn assert_png_has_title(png: &Path) {
    let img = image::open(png)
        .unwrap_or_else(|e| panic!("{} is not a PNG: {e}", png.display()))
        .to_rgb8();
    let (w, h) = img.dimensions();
    assert!(
        w >= 1600 && h >= 600,
        "{}: {w}×{h} is too small for print",
        png.display()
    );
    let dark = (20..70)
        .flat_map(|y| (20..w.min(900)).map(move |x| (x, y)))
        .filter(|&(x, y)| img.get_pixel(x, y).0.iter().all(|&c| c < 100))
        .count();
    assert!(
        dark > 300,
        "{}: no title drawn ({dark} dark pixels)",
        png.display()
    );
}

/// Both files of a figure exist; the SVG names the font fallback list and holds the title.
fn assert_figure(paths: &[PathBuf; 2], title: &str) {
    assert_png_has_title(&paths[0]);
    let svg = std::fs::read_to_string(&paths[1]).expect("SVG written");
    assert!(
        svg.contains("WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif"),
        "{}: no font fallback list",
        paths[1].display()
    );
    let shown = chancheng::plot::tidy(title);
    assert!(
        svg.contains(&shown),
        "{}: title `{shown}` missing",
        paths[1].display()
    );
}

/// Two scenarios × 2 replications of three years: the comparison every figure draws from.
fn small_comparison() -> (Vec<chancheng::scenario::Scenario>, Comparison) {
    let r4 = chancheng::scenario::load_file(Path::new("scenarios/r4-industry-city.toml"))
        .expect("r4 loads")
        .with_overrides(&[("time.months".into(), 36.0)])
        .expect("months");
    let scenarios = vec![baseline_months(36), r4];
    let digests = scenarios
        .iter()
        .map(|s| replicate(s, 1, 2, RunDigest::of, || {}).expect("runs"))
        .collect();
    let cmp = Comparison::new(&scenarios, digests, 1);
    (scenarios, cmp)
}

#[test]
fn every_figure_kind_renders_in_both_languages_with_the_embedded_font() {
    // Nothing here may reach for a system font: point fontconfig at nothing.
    // SAFETY: set before any thread of this test draws; other tests do not read these.
    unsafe {
        std::env::set_var("FONTCONFIG_FILE", "/nonexistent/fonts.conf");
        std::env::set_var("FONTCONFIG_PATH", "/nonexistent");
    }
    let dir = temp_dir("figures");
    let (scenarios, cmp) = small_comparison();
    assert_eq!(cmp.years(), vec![2016, 2017, 2018]);
    let run = chancheng::experiment::run_single(&scenarios[0], 7, None, |_| {}).expect("run");
    let names: Vec<String> = scenarios[0]
        .spec()
        .districts
        .values()
        .map(|d| d.name_zh.clone())
        .collect();
    let sobol: Vec<SobolIndex> = ["macro", "housing", "labour"]
        .iter()
        .enumerate()
        .map(|(i, f)| SobolIndex {
            factor: f.to_string(),
            s1: 0.5 / (i + 1) as f64,
            s1_conf: 0.05,
            st: 0.6 / (i + 1) as f64,
            st_conf: 0.08,
            s2: Vec::new(),
        })
        .collect();
    let morris: Vec<MorrisIndex> = ["a.x", "b.y", "c.z"]
        .iter()
        .enumerate()
        .map(|(i, p)| MorrisIndex {
            parameter: p.to_string(),
            mu: 1.0 - i as f64,
            mu_star: 1.0 + i as f64,
            mu_star_conf: 0.2,
            sigma: 0.5 * i as f64,
            effects: 10,
        })
        .collect();
    // PRIM on a known box: cases where both inputs are high.
    let x: Vec<Vec<f64>> = (0..400)
        .map(|i| vec![(i % 20) as f64 / 19.0, (i / 20) as f64 / 19.0])
        .collect();
    let y: Vec<bool> = x.iter().map(|r| r[0] > 0.6 && r[1] > 0.5).collect();
    let trajectory = peel(&x, &y, 0.05, 0.05);
    let chosen = choose(&trajectory, 0.5);
    assert!(chosen.is_some(), "PRIM finds the box");
    let inputs = vec!["policy.a".to_string(), "policy.b".to_string()];
    for lang in [Lang::Zh, Lang::En] {
        let sub = dir.join(format!("{lang:?}"));
        let dash = chancheng::plot::dashboard(
            &run.records,
            &names,
            &scenarios[0],
            7,
            lang,
            &sub.join("dashboard"),
        )
        .expect("dashboard");
        let title = if lang == Lang::Zh {
            format!("产城模拟：{}", scenarios[0].label(true))
        } else {
            format!("chancheng: {}", scenarios[0].spec().description)
        };
        assert_figure(&dash, &title);
        let choices = Choices {
            years: vec![2017, 2018],
            fan: "pendulum_index".into(),
            map_policy: 1,
            lang,
        };
        let figures = write_figures(&cmp, &choices, &sub.join("figures")).expect("figures");
        assert_eq!(
            figures.len(),
            6,
            "small multiples, differences, fan, bands, map, cost"
        );
        for f in &figures {
            assert_figure(&[f.png.clone(), f.png.with_extension("svg")], &f.title);
        }
        let source = "test source line";
        let t = save(
            &chancheng::plot::sensitivity::Tornado {
                indices: &sobol,
                lang,
            },
            "Sobol",
            source,
            &sub.join("tornado"),
        )
        .expect("tornado");
        assert_figure(&t, "Sobol");
        let m = save(
            &chancheng::plot::sensitivity::MorrisScatter {
                indices: &morris,
                lang,
            },
            "Morris",
            source,
            &sub.join("morris"),
        )
        .expect("morris");
        assert_figure(&m, "Morris");
        let p = save(
            &chancheng::plot::sensitivity::PrimTradeoff {
                trajectory: &trajectory,
                chosen,
                inputs: &inputs,
                condition: "y > 1",
                lang,
            },
            "PRIM",
            source,
            &sub.join("prim"),
        )
        .expect("prim");
        assert_figure(&p, "PRIM");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `chancheng report` on two short scenarios; returns the output folder.
fn cli_report(name: &str, lang: &str) -> PathBuf {
    let dir = temp_dir(name);
    let out = dir.join("report");
    let status = Command::new(env!("CARGO_BIN_EXE_chancheng"))
        .args([
            "report",
            "baseline",
            "scenarios/r4-industry-city.toml",
            "--runs",
            "2",
            "--years",
            "2017,2018",
            "--set",
            "time.months=36",
            "--lang",
            lang,
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("chancheng runs");
    assert!(status.success(), "chancheng report failed");
    out
}

#[test]
fn a_report_is_self_contained_with_a_markdown_twin() {
    let out = cli_report("self-contained", "zh");
    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html");
    let md = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    // No external URL: every src and href is inline data.
    for attr in ["src=\"", "href=\"", "url("] {
        for (i, _) in html.match_indices(attr) {
            let rest = &html[i + attr.len()..];
            assert!(
                rest.starts_with("data:"),
                "external reference: {}",
                &rest[..rest.len().min(60)]
            );
        }
    }
    assert!(!html.contains("http://") && !html.contains("https://"));
    assert!(html.contains("@font-face") && html.contains("data:font/ttf;base64,"));
    assert_eq!(html.matches("data:image/png;base64,").count(), 6);
    // The summary: the question, the packages, the table with Δ in 亿元 / 万人 / pp, warnings and
    // caveats; then the scenario definitions with report IDs.
    for needle in [
        "问题",
        "R4 推进产城互动",
        "亿元",
        "万人",
        "百分点",
        "Δ",
        "实施警示",
        "注意事项",
        "R4.3",
    ] {
        assert!(html.contains(needle), "report.html lacks `{needle}`");
        assert!(md.contains(needle), "report.md lacks `{needle}`");
    }
    // The Markdown twin links the PNGs beside it.
    for (i, _) in md.match_indices("](") {
        let rest = &md[i + 2..];
        let target = &rest[..rest.find(')').expect("link ends")];
        assert!(
            out.join(target).exists(),
            "report.md links a missing {target}"
        );
    }
    let _ = std::fs::remove_dir_all(out.parent().expect("temp dir"));
}

/// Needs Debian's `chromium` (CI installs it): run with `--ignored`.
#[test]
#[ignore]
fn headless_chromium_loads_the_report_with_every_figure_and_prints_it() {
    let out = cli_report("chromium", "zh");
    let check = browser::check_page(&out.join("report.html")).expect("chromium checks the page");
    assert!(
        check.failed_requests.is_empty(),
        "failed requests: {:?}",
        check.failed_requests
    );
    assert!(
        check
            .requested_urls
            .iter()
            .all(|u| u.starts_with("file:") || u.starts_with("data:")),
        "external requests: {:?}",
        check.requested_urls
    );
    assert!(
        check.console_errors.is_empty(),
        "{:?}",
        check.console_errors
    );
    assert_eq!(check.images_total, 6, "six figures");
    assert_eq!(check.images_shown, 6, "every figure shown");
    assert_eq!(check.svg_total, 0);
    assert!(check.fonts_loaded >= 1, "the embedded font loads");
    assert!(check.title.contains("产城模拟"), "title: {}", check.title);
    assert!(check.pdf.starts_with(b"%PDF"), "a PDF");
    // Kept for a person to look at: target/report-check/report.pdf.
    let keep = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report.pdf");
    std::fs::write(&keep, &check.pdf).expect("PDF written");
    let _ = std::fs::remove_dir_all(out.parent().expect("temp dir"));
}

/// Every Chinese character that figures and reports can draw (the sources' strings, the
/// scenarios' names and labels) is in the embedded font: no boxes, no fallback to a system font.
#[test]
fn embedded_font_has_every_chinese_character_of_the_sources() {
    use ab_glyph::Font as _;
    let font = ab_glyph::FontRef::try_from_slice(chancheng::plot::FONT_BYTES).expect("a font");
    let mut files = vec![
        PathBuf::from("src"),
        PathBuf::from("scenarios"),
        PathBuf::from("assets/explorer"),
    ];
    let mut missing = std::collections::BTreeSet::new();
    while let Some(path) = files.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).expect("readable").flatten() {
                files.push(entry.path());
            }
            continue;
        }
        let wanted = path
            .extension()
            .is_some_and(|e| ["rs", "toml", "js", "html"].iter().any(|x| e == *x));
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if !wanted {
            continue;
        }
        // CJK punctuation, ideographs and full-width forms.
        let cjk = |c: char| matches!(c as u32, 0x3000..=0x303F | 0x4E00..=0x9FFF | 0xFF00..=0xFFEF);
        for c in text.chars().filter(|&c| cjk(c)) {
            if font.glyph_id(c).0 == 0 {
                missing.insert((c, path.display().to_string()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "characters missing from assets/fonts/wqy-microhei-subset.ttf (run scripts/font-subset.sh): {missing:?}"
    );
}

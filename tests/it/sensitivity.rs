//! Designs and sensitivity analysis on files, as a researcher uses them with any model: `design`
//! writes the samples, the test computes a function of known indices, `analyze` reads both.

use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_chancheng"))
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("chancheng-sa-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Runs the binary, asserting success; returns stdout.
fn ok(args: &[&str]) -> String {
    let out = bin().args(args).output().expect("the binary runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn read_rows(path: &Path) -> (Vec<String>, Vec<Vec<f64>>) {
    let mut r = csv::Reader::from_path(path).expect("csv");
    let names = r
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    let rows = r
        .records()
        .map(|rec| {
            rec.expect("row")
                .iter()
                .map(|v| v.parse().expect("number"))
                .collect()
        })
        .collect();
    (names, rows)
}

fn write_outputs(path: &Path, names: &[&str], rows: &[Vec<f64>]) {
    let mut w = csv::Writer::from_path(path).expect("csv");
    w.write_record(names).expect("header");
    for row in rows {
        w.write_record(row.iter().map(|x| format!("{x}")))
            .expect("row");
    }
    w.flush().expect("flush");
}

fn ishigami(x: &[f64]) -> f64 {
    x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
}

const PI_RANGE: &str = "dist = \"uniform\", low = -3.141592653589793, high = 3.141592653589793";

/// Sobol indices of the Ishigami function (a = 7, b = 0.1) at N = 2^14 within 0.02 of the
/// analytical values, with second order (S13 = 0.2437, the others 0) and bootstrap intervals.
#[test]
fn sobol_indices_of_the_ishigami_function() {
    let dir = temp_dir("ishigami");
    let params = dir.join("params.toml");
    std::fs::write(
        &params,
        format!(
            "[uncertainty]\nx1 = {{ {PI_RANGE} }}\nx2 = {{ {PI_RANGE} }}\nx3 = {{ {PI_RANGE} }}\n"
        ),
    )
    .expect("params");
    let samples = dir.join("samples.csv");
    let p = params.to_str().expect("path");
    let s = samples.to_str().expect("path");
    ok(&[
        "design",
        "--method",
        "saltelli",
        "--params",
        p,
        "--n",
        "16384",
        "--second-order",
        "--out",
        s,
    ]);
    let (names, rows) = read_rows(&samples);
    assert_eq!(names, ["x1", "x2", "x3"]);
    assert_eq!(rows.len(), 16384 * (2 * 3 + 2));
    let outputs = dir.join("outputs.csv");
    let y: Vec<Vec<f64>> = rows.iter().map(|x| vec![ishigami(x)]).collect();
    write_outputs(&outputs, &["y"], &y);
    let analyze = [
        "analyze",
        "--method",
        "sobol",
        "--params",
        p,
        "--samples",
        s,
        "--outputs",
        outputs.to_str().expect("path"),
        "--second-order",
    ];
    let json = ok(&[&analyze[..], &["--format", "json"]].concat());
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    let expected = [
        ("x1", 0.3139, 0.5576),
        ("x2", 0.4424, 0.4424),
        ("x3", 0.0, 0.2437),
    ];
    for (x, s1, st) in expected {
        let e = &v["y"][x];
        let got = |k: &str| e[k].as_f64().unwrap_or(f64::NAN);
        assert!((got("S1") - s1).abs() < 0.02, "{x} S1 {}", got("S1"));
        assert!((got("ST") - st).abs() < 0.02, "{x} ST {}", got("ST"));
        assert!(
            got("S1_conf") > 0.0 && got("S1_conf") < 0.05,
            "{x} S1_conf {}",
            got("S1_conf")
        );
        assert!(
            got("ST_conf") > 0.0 && got("ST_conf") < 0.05,
            "{x} ST_conf {}",
            got("ST_conf")
        );
    }
    let s13 = v["y"]["x1"]["S2"]["x3"].as_f64().unwrap_or(f64::NAN);
    let s12 = v["y"]["x1"]["S2"]["x2"].as_f64().unwrap_or(f64::NAN);
    assert!((s13 - 0.2437).abs() < 0.05, "S13 {s13}");
    assert!(s12.abs() < 0.05, "S12 {s12}");
    // The table states N beside the rows: a reader judges the intervals by N.
    let table = ok(&[&analyze[..], &["--resamples", "10"]].concat());
    assert!(
        table.contains("(131072 runs, N = 16384 base samples;"),
        "{table}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Grouped factors: with x1 and x3 in one group, its S1 is S1 + S3 + S13 = 1 − ST2 = 0.5576 and its
/// ST is 1 − S1(x2) = 0.5576; the design has N·(G+2) rows for G = 2 groups.
#[test]
fn sobol_indices_of_groups() {
    let dir = temp_dir("groups");
    let params = dir.join("params.toml");
    std::fs::write(
        &params,
        format!(
            "[uncertainty]\nx1 = {{ {PI_RANGE}, group = \"g\" }}\nx2 = {{ {PI_RANGE} }}\n\
             x3 = {{ {PI_RANGE}, group = \"g\" }}\n"
        ),
    )
    .expect("params");
    let samples = dir.join("samples.csv");
    let p = params.to_str().expect("path");
    let s = samples.to_str().expect("path");
    ok(&[
        "design", "--method", "saltelli", "--params", p, "--n", "8192", "--out", s,
    ]);
    let (_, rows) = read_rows(&samples);
    assert_eq!(rows.len(), 8192 * (2 + 2));
    let outputs = dir.join("outputs.csv");
    write_outputs(
        &outputs,
        &["y"],
        &rows.iter().map(|x| vec![ishigami(x)]).collect::<Vec<_>>(),
    );
    let json = ok(&[
        "analyze",
        "--method",
        "sobol",
        "--params",
        p,
        "--samples",
        s,
        "--outputs",
        outputs.to_str().expect("path"),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    let g = |k: &str| v["y"]["g"][k].as_f64().unwrap_or(f64::NAN);
    assert!((g("S1") - 0.5576).abs() < 0.03, "group S1 {}", g("S1"));
    assert!((g("ST") - 0.5576).abs() < 0.03, "group ST {}", g("ST"));
    let x2 = v["y"]["x2"]["ST"].as_f64().unwrap_or(f64::NAN);
    assert!((x2 - 0.4424).abs() < 0.03, "x2 ST {x2}");
    assert!(
        v["y"].get("x1").is_none(),
        "grouped parameters have no indices of their own"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Morris ranks a function of known importance: y = 8 a + 4 b + 2 b·c + 1 c + 0 d on [0, 1]
/// (μ* of a, b, c, d = 8, 5, 2, 0 per unit), and finds the interaction in σ (b and c only).
#[test]
fn morris_ranks_a_function_of_known_importance() {
    let dir = temp_dir("morris");
    let params = dir.join("params.toml");
    let unit = "dist = \"uniform\", low = 0.0, high = 1.0";
    std::fs::write(
        &params,
        format!("[uncertainty]\na = {{ {unit} }}\nb = {{ {unit} }}\nc = {{ {unit} }}\nd = {{ {unit} }}\n"),
    )
    .expect("params");
    let samples = dir.join("samples.csv");
    let p = params.to_str().expect("path");
    let s = samples.to_str().expect("path");
    ok(&[
        "design", "--method", "morris", "--params", p, "--n", "40", "--seed", "3", "--out", s,
    ]);
    let (_, rows) = read_rows(&samples);
    assert_eq!(rows.len(), 40 * 5);
    let y: Vec<Vec<f64>> = rows
        .iter()
        .map(|x| vec![8.0 * x[0] + 4.0 * x[1] + 2.0 * x[1] * x[2] + x[2]])
        .collect();
    let outputs = dir.join("outputs.csv");
    write_outputs(&outputs, &["y"], &y);
    let json = ok(&[
        "analyze",
        "--method",
        "morris",
        "--params",
        p,
        "--samples",
        s,
        "--outputs",
        outputs.to_str().expect("path"),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    let m = |x: &str, k: &str| v["y"][x][k].as_f64().unwrap_or(f64::NAN);
    assert!((m("a", "mu_star") - 8.0).abs() < 1e-9);
    assert!(m("a", "mu_star") > m("b", "mu_star"));
    assert!(m("b", "mu_star") > m("c", "mu_star"));
    assert!(m("c", "mu_star") > m("d", "mu_star"));
    assert_eq!(m("d", "mu_star"), 0.0);
    assert!(m("a", "sigma") < 1e-9 && m("b", "sigma") > 0.1 && m("c", "sigma") > 0.1);
    let table = ok(&[
        "analyze",
        "--method",
        "morris",
        "--params",
        p,
        "--samples",
        s,
        "--outputs",
        outputs.to_str().expect("path"),
    ]);
    let order: Vec<&str> = table
        .lines()
        .skip(2)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(order, ["a", "b", "c", "d"], "{table}");
    // --report: the μ*–σ figure and a report ranking `a` first.
    let report = dir.join("report");
    ok(&[
        "analyze",
        "--method",
        "morris",
        "--params",
        p,
        "--samples",
        s,
        "--outputs",
        outputs.to_str().expect("path"),
        "--report",
        report.to_str().expect("path"),
    ]);
    assert!(report.join("figures/y.png").exists() && report.join("figures/y.svg").exists());
    let md = std::fs::read_to_string(report.join("report.md")).expect("report.md");
    assert!(md.contains("- **y**: a (μ* 8."), "{md}");
    assert!(
        std::fs::read_to_string(report.join("report.html"))
            .expect("report.html")
            .contains("data:image/png;base64,")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A Latin hypercube from the command: each column's N values fall one in each of N strata of its
/// distribution; whole numbers are rounded and only they; the same seed gives the same bytes.
#[test]
fn latin_hypercube_designs_are_stratified_and_reproducible() {
    let dir = temp_dir("lhs");
    let params = dir.join("params.toml");
    std::fs::write(
        &params,
        "[uncertainty]\n\"a.b\" = { dist = \"uniform\", low = 10.0, high = 20.0 }\n\
         c = { dist = \"triangular\", low = 0.0, mode = 1.0, high = 4.0 }\n\
         n = { dist = \"uniform\", low = 0.0, high = 100.0, integer = true }\n",
    )
    .expect("params");
    let p = params.to_str().expect("path");
    let csv1 = ok(&[
        "design", "--method", "lhs", "--params", p, "--n", "50", "--seed", "7",
    ]);
    let csv2 = ok(&[
        "design", "--method", "lhs", "--params", p, "--n", "50", "--seed", "7",
    ]);
    assert_eq!(csv1, csv2);
    let file = dir.join("lhs.csv");
    std::fs::write(&file, &csv1).expect("write");
    let (names, rows) = read_rows(&file);
    assert_eq!(names, ["a.b", "c", "n"]);
    let mut strata: Vec<usize> = rows
        .iter()
        .map(|r| ((r[0] - 10.0) / 10.0 * 50.0) as usize)
        .collect();
    strata.sort_unstable();
    assert_eq!(strata, (0..50).collect::<Vec<_>>());
    // The triangular column through its CDF.
    let cdf = |x: f64| {
        if x <= 1.0 {
            x * x / 4.0
        } else {
            1.0 - (4.0 - x).powi(2) / 12.0
        }
    };
    let mut strata: Vec<usize> = rows.iter().map(|r| (cdf(r[1]) * 50.0) as usize).collect();
    strata.sort_unstable();
    assert_eq!(strata, (0..50).collect::<Vec<_>>());
    assert!(rows.iter().all(|r| r[2].fract() == 0.0));
    assert!(rows.iter().any(|r| r[0].fract() != 0.0));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A scenario file is a parameter file: its table follows what it extends (the parent's
/// parameters first, in the parent's order), and whole-number parameters say so.
#[test]
fn a_scenario_file_gives_its_inherited_parameters_in_file_order() {
    let region = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/region.toml");
    let csv = ok(&[
        "design",
        "--method",
        "mc",
        "--params",
        region.to_str().expect("path"),
        "--n",
        "3",
    ]);
    let header: Vec<&str> = csv.lines().next().expect("header").split(',').collect();
    let baseline = include_str!("../../scenarios/baseline.toml");
    let first = baseline
        .lines()
        .skip_while(|l| *l != "[uncertainty]")
        .nth(1)
        .and_then(|l| l.split('"').nth(1))
        .expect("first baseline entry");
    assert_eq!(header[0], first);
    assert!(header.contains(&"districts.suiping.land_total_ha"));
    let baseline_count = baseline
        .lines()
        .skip_while(|l| *l != "[uncertainty]")
        .filter(|l| l.starts_with('"'))
        .count();
    assert!(header.len() > baseline_count);
    let firms = header
        .iter()
        .position(|h| *h == "sectors.agri_food.initial_firms.suiping")
        .expect("firms column");
    for row in csv.lines().skip(1) {
        let v: f64 = row
            .split(',')
            .nth(firms)
            .expect("cell")
            .parse()
            .expect("number");
        assert_eq!(v.fract(), 0.0, "a number of firms is whole");
    }
}

/// Mistakes get a clear message and exit code 2: samples of other parameters, outputs of another
/// length, a design analysed with the wrong second-order flag, a constant output.
#[test]
fn analysis_of_mismatched_files_is_refused() {
    let dir = temp_dir("mismatch");
    let params = dir.join("params.toml");
    std::fs::write(
        &params,
        format!("[uncertainty]\nx1 = {{ {PI_RANGE} }}\nx2 = {{ {PI_RANGE} }}\n"),
    )
    .expect("params");
    let other = dir.join("other.toml");
    std::fs::write(
        &other,
        format!("[uncertainty]\nx1 = {{ {PI_RANGE} }}\nz = {{ {PI_RANGE} }}\n"),
    )
    .expect("params");
    let samples = dir.join("samples.csv");
    let (p, s) = (
        params.to_str().expect("path"),
        samples.to_str().expect("path"),
    );
    ok(&[
        "design",
        "--method",
        "saltelli",
        "--params",
        p,
        "--n",
        "64",
        "--second-order",
        "--out",
        s,
    ]);
    let (_, rows) = read_rows(&samples);
    let outputs = dir.join("y.csv");
    write_outputs(
        &outputs,
        &["y"],
        &rows
            .iter()
            .map(|x| vec![x[0] + x[1] * x[1]])
            .collect::<Vec<_>>(),
    );
    let constant = dir.join("c.csv");
    write_outputs(
        &constant,
        &["c"],
        &rows.iter().map(|_| vec![1.0]).collect::<Vec<_>>(),
    );
    let short = dir.join("short.csv");
    write_outputs(&short, &["y"], &[vec![1.0]]);
    let o = outputs.to_str().expect("path");
    let cases: [(Vec<&str>, &str); 4] = [
        (
            vec![
                "--params",
                other.to_str().expect("path"),
                "--samples",
                s,
                "--outputs",
                o,
                "--second-order",
            ],
            "not the parameters",
        ),
        (
            vec![
                "--params",
                p,
                "--samples",
                s,
                "--outputs",
                short.to_str().expect("path"),
                "--second-order",
            ],
            "one output row per sample",
        ),
        (
            vec!["--params", p, "--samples", s, "--outputs", o],
            "without --second-order",
        ),
        (
            vec![
                "--params",
                p,
                "--samples",
                s,
                "--outputs",
                constant.to_str().expect("path"),
                "--second-order",
            ],
            "does not vary",
        ),
    ];
    for (args, expected) in cases {
        let mut all = vec!["analyze", "--method", "sobol"];
        all.extend(args);
        let out = bin().args(&all).output().expect("runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{all:?}: {err}");
        assert!(err.contains(expected), "{all:?}: {err}");
    }
    let bad = dir.join("bad.toml");
    std::fs::write(
        &bad,
        "[uncertainty]\nx = { dist = \"uniform\", low = 2.0, high = 1.0 }\n",
    )
    .expect("bad");
    let out = bin()
        .args([
            "design",
            "--method",
            "mc",
            "--params",
            bad.to_str().expect("path"),
            "--n",
            "2",
        ])
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        err.contains("bad.toml:2") && err.contains("`x`") && err.contains("low < high"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `analyze` reads a sweep's own files: `design.csv` (a `sample` column first) and `runs.csv`
/// (outputs averaged over each sample's replications, a run that did not finish refused).
#[test]
fn analyze_reads_a_sweeps_design_and_runs() {
    let dir = temp_dir("sweepfiles");
    let params = dir.join("params.toml");
    std::fs::write(
        &params,
        format!(
            "[uncertainty]\nx1 = {{ {PI_RANGE} }}\nx2 = {{ {PI_RANGE} }}\nx3 = {{ {PI_RANGE} }}\n"
        ),
    )
    .expect("params");
    let p = params.to_str().expect("path");
    let plain = dir.join("samples.csv");
    ok(&[
        "design",
        "--method",
        "saltelli",
        "--params",
        p,
        "--n",
        "2048",
        "--out",
        plain.to_str().expect("path"),
    ]);
    let (_, rows) = read_rows(&plain);
    // As a sweep writes them: design.csv with sample numbers, runs.csv with two replications
    // whose outputs straddle the function (their mean is the function).
    let mut design = String::from("sample,x1,x2,x3\n");
    let mut runs = String::from("run,sample,replication,seed,x1,x2,x3,y,status\n");
    let mut plain_y = Vec::new();
    for (s, x) in rows.iter().enumerate() {
        design.push_str(&format!("{s},{},{},{}\n", x[0], x[1], x[2]));
        let y = ishigami(x);
        plain_y.push(vec![y]);
        for (r, dy) in [(0, 0.5), (1, -0.5)] {
            runs.push_str(&format!(
                "{},{s},{r},7,{},{},{},{},ok\n",
                2 * s + r,
                x[0],
                x[1],
                x[2],
                y + dy
            ));
        }
    }
    let design_path = dir.join("design.csv");
    let runs_path = dir.join("runs.csv");
    std::fs::write(&design_path, design).expect("design");
    std::fs::write(&runs_path, &runs).expect("runs");
    let outputs = dir.join("y.csv");
    write_outputs(&outputs, &["y"], &plain_y);
    let analyse = |samples: &Path, outputs: &Path| {
        ok(&[
            "analyze",
            "--method",
            "sobol",
            "--params",
            p,
            "--samples",
            samples.to_str().expect("path"),
            "--outputs",
            outputs.to_str().expect("path"),
            "--format",
            "json",
        ])
    };
    let from_sweep: serde_json::Value =
        serde_json::from_str(&analyse(&design_path, &runs_path)).expect("json");
    let from_plain: serde_json::Value =
        serde_json::from_str(&analyse(&plain, &outputs)).expect("json");
    for x in ["x1", "x2", "x3"] {
        for k in ["S1", "ST"] {
            let (a, b) = (
                from_sweep["y"][x][k].as_f64(),
                from_plain["y"][x][k].as_f64(),
            );
            assert!(
                a.zip(b).is_some_and(|(a, b)| (a - b).abs() < 1e-9),
                "{x} {k}: {a:?} vs {b:?}"
            );
        }
    }
    std::fs::write(&runs_path, runs.replacen(",ok\n", ",stopped: no\n", 1)).expect("runs");
    let o = bin()
        .args(["analyze", "--method", "sobol", "--params", p, "--samples"])
        .args([
            design_path.as_os_str(),
            "--outputs".as_ref(),
            runs_path.as_os_str(),
        ])
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("run 0 did not finish"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The contract of the fuzz target `analyze_files` (fuzz/fuzz_targets) on its committed seeds, in
/// every test run: any pair of CSV files gives indices or an error, never a panic.
#[test]
fn fuzz_seeds_of_the_analysis_give_indices_or_errors() {
    use chancheng::sensitivity::analyze::{morris, sobol};
    use chancheng::sensitivity::params::Parameter;
    use chancheng::sensitivity::parse_csv;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/analyze_files");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("seeds") {
        let data = std::fs::read(entry.expect("entry").path()).expect("read");
        let cut = data.iter().position(|&b| b == 0xFF).unwrap_or(data.len());
        let (samples, outputs) = (&data[..cut], data.get(cut + 1..).unwrap_or(&[]));
        n += 1;
        let (Ok(x), Ok(y)) = (parse_csv(samples, "samples"), parse_csv(outputs, "outputs")) else {
            continue;
        };
        let params: Vec<Parameter> = x
            .names
            .iter()
            .map(|name| Parameter::uniform(name, 0.0, 1.0))
            .collect();
        for k in 0..y.names.len() {
            let column: Vec<f64> = y.rows.iter().map(|r| r[k]).collect();
            let _ = sobol(&column, &x.names, false, 5, 1);
            let _ = sobol(&column, &x.names, true, 5, 1);
            let _ = morris(&params, &x.rows, &column, 5, 1);
        }
    }
    assert!(n >= 4, "{n} seeds");
}

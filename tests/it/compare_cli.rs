//! `compare` as a planner uses it: chosen years, a Markdown table in Chinese with people's units,
//! every replication with its seed (replication r of every scenario shares its seed).

use std::process::Command;

#[test]
fn compare_reports_years_in_chinese_and_every_replication_with_its_seed() {
    let dir = std::env::temp_dir().join(format!("chancheng-compare-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(
        dir.join("baseline.toml"),
        include_str!("../../scenarios/baseline.toml"),
    )
    .expect("baseline");
    std::fs::write(
        dir.join("short.toml"),
        "extends = \"baseline.toml\"\nname = \"short\"\ndescription = \"two years\"\n\
         label_zh = \"两年现状\"\n[time]\nmonths = 24\n",
    )
    .expect("short");
    std::fs::write(
        dir.join("housing.toml"),
        "extends = \"short.toml\"\nname = \"housing\"\ndescription = \"public rental\"\n\
         label_zh = \"公租房\"\n[policy.investment.zone]\npublic_rental_units_per_year = 4000.0\n",
    )
    .expect("housing");
    let out = dir.join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_chancheng"))
        .current_dir(&dir)
        .args([
            "compare",
            "short.toml",
            "housing.toml",
            "--runs",
            "3",
            "--years",
            "2016,2017",
        ])
        .args([
            "--indicators",
            "gdp,pendulum_index,employment",
            "--lang",
            "zh",
            "--quiet",
        ])
        .args(["--out", out.to_str().expect("path")])
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let md = std::fs::read_to_string(out.join("compare.md")).expect("compare.md");
    for expected in [
        "### 2016 年",
        "### 2017 年",
        "| 指标 | 单位 |",
        "两年现状（参照）",
        "公租房",
        "亿元/年",
        "万人",
        "| % |",
    ] {
        assert!(md.contains(expected), "`{expected}` missing:\n{md}");
    }
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        md,
        "the console shows the table"
    );
    let reps = std::fs::read_to_string(out.join("replications.csv")).expect("replications.csv");
    let rows: Vec<Vec<&str>> = reps
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(
        rows.len(),
        2 * 3 * 3 * 2,
        "scenarios × runs × indicators × years"
    );
    for r in &rows {
        let twin = rows
            .iter()
            .find(|o| o[0] != r[0] && o[1] == r[1] && o[3] == r[3] && o[5] == r[5])
            .expect("the other scenario's replication");
        assert_eq!(r[2], twin[2], "replication {} shares its seed", r[1]);
    }
    let seeds: std::collections::BTreeSet<&str> = rows.iter().map(|r| r[2]).collect();
    assert_eq!(seeds.len(), 3);
    let csv = std::fs::read_to_string(out.join("compare.csv")).expect("compare.csv");
    assert!(csv.starts_with("scenario,indicator,district,year,runs,mean"));
    assert!(
        csv.lines()
            .any(|l| l.starts_with("housing,pendulum_index,region,2017,3,"))
    );
    // A year outside the runs is refused before any run.
    let o = Command::new(env!("CARGO_BIN_EXE_chancheng"))
        .current_dir(&dir)
        .args([
            "compare",
            "short.toml",
            "--runs",
            "2",
            "--years",
            "2030",
            "--quiet",
        ])
        .args(["--out", dir.join("o2").to_str().expect("path")])
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("2016–2017"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--set KEY=VALUE` changes a number (or switch) without a file, validated like one.
#[test]
fn settings_on_the_command_line_change_the_scenario_or_are_refused() {
    let dir = std::env::temp_dir().join(format!("chancheng-set-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let out = dir.join("run");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_chancheng"))
            .args(["run", "--quiet", "--out", out.to_str().expect("path")])
            .args(args)
            .output()
            .expect("runs")
    };
    let o = run(&[
        "--set",
        "time.months=3",
        "--set",
        "policy.environmental_red_line=true",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let series = std::fs::read_to_string(out.join("timeseries.csv")).expect("timeseries");
    assert!(series.contains(",2016-03,") && !series.contains(",2016-04,"));
    for (args, expected) in [
        (
            vec!["--set", "labour.quit_rate=0.02"],
            "did you mean `labour.quit_rate_per_month`",
        ),
        (vec!["--set", "labour.quit_rate_per_month=7"], "[0, 1]"),
        (
            vec!["--set", "policy.environmental_red_line=2"],
            "a switch is true or false",
        ),
        (vec!["--set", "labour.quit_rate_per_month"], "KEY=VALUE"),
        (
            vec!["--set", "labour.quit_rate_per_month=fast"],
            "not a number",
        ),
    ] {
        let o = run(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `validate --format json` gives scripts every check with its target, figures and verdicts.
#[test]
fn validate_speaks_json_to_scripts() {
    let o = Command::new(env!("CARGO_BIN_EXE_chancheng"))
        .args([
            "validate",
            "--seeds",
            "2",
            "--quiet",
            "--format",
            "json",
            "--set",
            "time.months=12",
        ])
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["scenario"], "baseline");
    assert_eq!(v["seeds"].as_array().map(Vec::len), Some(2));
    let checks = v["checks"].as_array().expect("checks");
    assert!(checks.len() >= 10);
    for c in checks {
        assert_eq!(c["measured"].as_array().map(Vec::len), Some(2), "{c}");
        assert_eq!(c["target"].as_array().map(Vec::len), Some(2), "{c}");
    }
    // A 12-month run cannot measure five-year growth: null, failed, exit code 2.
    let growth = checks
        .iter()
        .find(|c| c["id"] == "zone_employment_growth_2016_2020")
        .expect("growth check");
    assert!(growth["measured"][0].is_null());
    assert_eq!(v["passed"], false);
    assert_eq!(o.status.code(), Some(2));
}

/// `compare --attribute`: a package of two levers split into alone-effects, marginal
/// contributions and the interaction remainder, which closes the sum to the total.
#[test]
fn attribute_splits_a_package_into_its_levers() {
    let dir = std::env::temp_dir().join(format!("chancheng-attribute-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let package = dir.join("package.toml");
    std::fs::write(
        &package,
        "extends = \"baseline.toml\"\nname = \"two-levers\"\n\n[policy]\napproval_months = 3.0\n\n\
         [policy.investment.zone]\npublic_rental_units_per_year = 1500.0\n",
    )
    .expect("package file");
    let out = dir.join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_chancheng"))
        .args(["compare", "--attribute"])
        .arg(&package)
        .args([
            "--runs",
            "3",
            "--set",
            "time.months=24",
            "--years",
            "2017",
            "--quiet",
        ])
        .args(["--indicators", "gdp,pendulum_index", "--report", "--out"])
        .arg(&out)
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The waterfall, and the same tables in the report.
    assert!(std::fs::metadata(out.join("figures/attribution.png")).is_ok_and(|m| m.len() > 10_000));
    let report = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    assert!(
        report.contains("interaction remainder") && report.contains("Approval time"),
        "{report}"
    );
    assert!(report.contains("attribution.png"), "{report}");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("interaction remainder") && stdout.contains("Approval time"),
        "{stdout}"
    );
    let mut rows = csv::Reader::from_path(out.join("attribution.csv")).expect("attribution.csv");
    let rows: Vec<csv::StringRecord> = rows.records().map(|r| r.expect("row")).collect();
    for id in ["gdp", "pendulum_index"] {
        let mean = |lever: &str, effect: &str| -> Vec<f64> {
            rows.iter()
                .filter(|r| &r[3] == id && &r[6] == effect && (lever.is_empty() || &r[1] == lever))
                .map(|r| r[8].parse::<f64>().expect("mean"))
                .collect()
        };
        let alone = mean("", "alone");
        assert_eq!(alone.len(), 2, "{id}: two levers");
        assert_eq!(mean("", "marginal").len(), 2);
        let (total, interaction) = (mean("", "total")[0], mean("", "interaction")[0]);
        let closes = total - alone.iter().sum::<f64>() - interaction;
        assert!(
            closes.abs() <= 1e-9 * total.abs().max(1.0),
            "{id}: {closes}"
        );
    }
    // The total equals the package's paired difference in compare.csv.
    let table = std::fs::read_to_string(out.join("compare.csv")).expect("compare.csv");
    let line = table
        .lines()
        .find(|l| l.starts_with("two-levers,gdp,"))
        .expect("gdp row");
    let diff: f64 = line
        .split(',')
        .nth(8)
        .expect("diff")
        .parse()
        .expect("number");
    let total: f64 = rows
        .iter()
        .find(|r| &r[3] == "gdp" && &r[6] == "total")
        .map(|r| r[8].parse().expect("mean"))
        .expect("total");
    assert_eq!(diff, total);
    // A package that moves no lever is refused before any run.
    let o = Command::new(env!("CARGO_BIN_EXE_chancheng"))
        .args([
            "compare",
            "--attribute",
            "scenarios/baseline.toml",
            "--quiet",
            "--out",
        ])
        .arg(dir.join("none"))
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("on no lever"));
    let _ = std::fs::remove_dir_all(&dir);
}

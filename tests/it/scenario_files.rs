//! Scenario files: inheritance, and bad files that must fail with file, line, key and what is allowed.

use chancheng::scenario::{ScenarioError, load_file, load_str};
use std::path::{Path, PathBuf};

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

/// Loads `text` as a file next to the baseline and returns its single (first) issue.
fn issue_of(text: &str) -> chancheng::scenario::ScenarioIssue {
    match load_str(text, "bad.toml", &scenarios_dir()) {
        Ok(_) => panic!("a bad file was accepted:\n{text}"),
        Err(ScenarioError::Invalid(issues)) => {
            issues.into_iter().next().expect("at least one issue")
        }
        Err(other) => panic!("unexpected error kind: {other}"),
    }
}

#[test]
fn every_shipped_scenario_loads() {
    let mut n = 0;
    for entry in std::fs::read_dir(scenarios_dir()).expect("scenarios/ exists") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "toml") {
            load_file(&path).unwrap_or_else(|e| panic!("{} does not load: {e}", path.display()));
            n += 1;
        }
    }
    assert!(n >= 1);
}

#[test]
fn child_inherits_and_overrides() {
    let text = "extends = \"baseline.toml\"\nname = \"child\"\n[policy]\nppp_share = 0.4\n[policy.investment.zone]\nroads_cny_per_year = 1.0\n";
    let child = load_str(text, "child.toml", &scenarios_dir()).expect("child loads");
    let base = load_file(&scenarios_dir().join("baseline.toml")).expect("baseline loads");
    assert_eq!(child.name(), "child");
    assert_eq!(child.spec().policy.ppp_share, 0.4);
    // A nested table is merged key by key: the override changes one item, the rest is inherited.
    let zone = &child.spec().policy.investment["zone"];
    assert_eq!(zone.roads_cny_per_year, 1.0);
    assert_eq!(
        zone.utilities_cny_per_year,
        base.spec().policy.investment["zone"].utilities_cny_per_year
    );
    assert_eq!(
        child.spec().households.children_mean,
        base.spec().households.children_mean
    );
    assert_ne!(child.content_hash(), base.content_hash());
}

#[test]
fn two_level_inheritance_resolves_relative_to_each_file() {
    let dir = std::env::temp_dir().join(format!("chancheng-inherit-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("sub")).expect("temp dir");
    std::fs::write(dir.join("mid.toml"), "extends = \"baseline.toml\"\nname = \"mid\"\n[policy]\nppp_share = 0.2\napproval_months = 3.0\n").expect("write");
    std::fs::write(
        dir.join("sub/leaf.toml"),
        "extends = \"../mid.toml\"\nname = \"leaf\"\n[policy]\nppp_share = 0.6\n",
    )
    .expect("write");
    let leaf = load_file(&dir.join("sub/leaf.toml"))
        .expect("leaf loads (baseline.toml falls back to the built-in)");
    assert_eq!(leaf.spec().policy.ppp_share, 0.6);
    assert_eq!(leaf.spec().policy.approval_months, 3.0);
    assert_eq!(leaf.sources().len(), 3);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn unknown_key_names_file_line_key_and_allowed_keys() {
    let i = issue_of("extends = \"baseline.toml\"\nname = \"x\"\n\n[policy]\nppp_shar = 0.3\n");
    assert_eq!(i.file, "bad.toml");
    assert_eq!(i.line, Some(5));
    assert_eq!(i.key, "policy.ppp_shar");
    assert!(
        i.message.contains("ppp_share"),
        "lists the allowed keys: {}",
        i.message
    );
}

#[test]
fn out_of_range_value_says_the_range() {
    let i = issue_of("extends = \"baseline.toml\"\nname = \"x\"\n[policy]\nppp_share = 1.5\n");
    assert_eq!((i.line, i.key.as_str()), (Some(4), "policy.ppp_share"));
    assert!(i.message.contains("0 ..= 1"), "{}", i.message);
}

#[test]
fn wrong_type_is_reported() {
    let i = issue_of("extends = \"baseline.toml\"\nname = \"x\"\n[policy]\nppp_share = \"lots\"\n");
    assert_eq!((i.line, i.key.as_str()), (Some(4), "policy.ppp_share"));
    assert!(i.message.contains("invalid type"), "{}", i.message);
}

#[test]
fn toml_syntax_error_has_a_line() {
    let i = issue_of("extends = \"baseline.toml\"\nname = \"x\"\n[policy\nppp_share = 0.2\n");
    assert_eq!(i.line, Some(3));
}

#[test]
fn missing_parent_is_reported() {
    let i = issue_of("extends = \"no-such-file.toml\"\nname = \"x\"\n");
    assert_eq!((i.line, i.key.as_str()), (Some(1), "extends"));
    assert!(i.message.contains("does not exist"));
}

#[test]
fn unknown_district_lists_the_districts() {
    let i = issue_of(
        "extends = \"baseline.toml\"\nname = \"x\"\n[policy.investment.moon]\nroads_cny_per_year = 1.0\n",
    );
    assert_eq!(
        (i.line, i.key.as_str()),
        (Some(3), "policy.investment.moon")
    );
    assert!(i.message.contains("zone"), "{}", i.message);
}

#[test]
fn bad_month_is_explained() {
    let i = issue_of("extends = \"baseline.toml\"\nname = \"x\"\n[time]\nstart = \"2016-1\"\n");
    assert_eq!((i.line, i.key.as_str()), (Some(4), "time.start"));
    assert!(i.message.contains("YYYY-MM"));
}

#[test]
fn bad_name_is_explained() {
    let i = issue_of("extends = \"baseline.toml\"\nname = \"my scenario/1\"\n");
    assert_eq!((i.line, i.key.as_str()), (Some(2), "name"));
}

#[test]
fn inconsistent_land_is_rejected() {
    let i = issue_of(
        "extends = \"baseline.toml\"\nname = \"x\"\n[districts.zone]\nland_total_ha = 100.0\n",
    );
    assert_eq!(
        (i.line, i.key.as_str()),
        (Some(4), "districts.zone.land_total_ha")
    );
    assert!(i.message.contains("exceeds the total"));
}

#[test]
fn cycle_is_reported() {
    let dir = std::env::temp_dir().join(format!("chancheng-cycle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("a.toml"), "extends = \"b.toml\"\nname = \"a\"\n").expect("write");
    std::fs::write(dir.join("b.toml"), "extends = \"a.toml\"\nname = \"b\"\n").expect("write");
    let err = load_file(&dir.join("a.toml")).expect_err("a cycle is an error");
    assert!(matches!(err, ScenarioError::Cycle(_)), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn unreadable_file_names_the_path() {
    let err = load_file(Path::new("/no/such/scenario.toml")).expect_err("missing file");
    assert!(err.to_string().contains("/no/such/scenario.toml"));
}

#[test]
fn an_uncertainty_key_that_names_nothing_is_rejected() {
    let issue = issue_of(
        "extends = \"baseline.toml\"\nname = \"typo\"\n[uncertainty]\n\"firms.agglomeration_elastic\" = { dist = \"uniform\", low = 0.03, high = 0.09 }\n",
    );
    assert!(issue.key.contains("firms.agglomeration_elastic"), "{issue}");
    assert!(issue.message.contains("no numeric key"), "{issue}");
    assert_eq!(issue.file, "bad.toml", "{issue}");
}

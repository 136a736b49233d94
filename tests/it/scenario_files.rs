//! Scenario files: inheritance, and bad files that must fail with file, line, key and what is allowed.

use chancheng::scenario::{
    PublicRentalEligibility, Scenario, ScenarioError, load_builtin, load_file, load_str,
};
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
    // leaf.toml → sub/mid.toml → ../root.toml (relative to sub/) → the built-in baseline.
    std::fs::write(
        dir.join("root.toml"),
        "extends = \"baseline.toml\"\nname = \"root\"\n[policy]\napproval_months = 3.0\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("sub/mid.toml"),
        "extends = \"../root.toml\"\nname = \"mid\"\n[policy]\nppp_share = 0.2\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("leaf.toml"),
        "extends = \"sub/mid.toml\"\nname = \"leaf\"\n[policy]\nppp_share = 0.6\n",
    )
    .expect("write");
    let leaf = load_file(&dir.join("leaf.toml"))
        .expect("leaf loads (baseline.toml falls back to the built-in)");
    assert_eq!(leaf.spec().policy.ppp_share, 0.6);
    assert_eq!(leaf.spec().policy.approval_months, 3.0);
    assert_eq!(leaf.sources().len(), 4);
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
    assert!(i.message.contains("[0, 1]"), "{}", i.message);
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
    assert!(i.message.contains("no such file"), "{}", i.message);
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

/// 2025-01 is month 108 of the baseline's 2016-01 start.
const JAN_2025: u32 = 108;

#[test]
fn an_untimed_scenario_has_an_empty_schedule() {
    let base = load_file(&scenarios_dir().join("baseline.toml")).expect("baseline loads");
    assert!(base.spec().policy_schedule.is_empty());
    assert_eq!(
        base.spec().policy_at(JAN_2025).ppp_share,
        base.spec().policy.ppp_share
    );
}

#[test]
fn a_timed_child_holds_the_parent_value_before_its_month_and_the_new_one_from_it() {
    let s = load_file(&scenarios_dir().join("public-housing-2025.toml")).expect("loads");
    let base = load_file(&scenarios_dir().join("baseline.toml")).expect("baseline loads");
    let spec = s.spec();
    let months: Vec<u32> = spec.policy_schedule.iter().map(|c| c.month).collect();
    assert_eq!(months, vec![JAN_2025]);
    let before = spec.policy_at(JAN_2025 - 1);
    let after = spec.policy_at(JAN_2025);
    let old = &base.spec().policy;
    assert_eq!(
        before.public_rental_rent_discount,
        old.public_rental_rent_discount
    );
    assert_eq!(
        before.public_rental_eligibility,
        old.public_rental_eligibility
    );
    assert_eq!(
        spec.policy_at(0).public_rental_rent_discount,
        old.public_rental_rent_discount
    );
    assert_eq!(
        spec.policy.public_rental_rent_discount,
        old.public_rental_rent_discount
    );
    assert_eq!(after.public_rental_rent_discount, 0.4);
    assert_eq!(
        after.public_rental_eligibility,
        PublicRentalEligibility::ZoneMigrants
    );
    assert_eq!(
        spec.policy_at(JAN_2025 + 50).public_rental_rent_discount,
        0.4
    );
    // A timed value in an investment plan; the plan's other items are inherited on both sides.
    let zone = |p: &chancheng::scenario::PolicySpec| p.investment["zone"].clone();
    let old_zone = &old.investment["zone"];
    assert_eq!(
        zone(before).public_rental_units_per_year,
        old_zone.public_rental_units_per_year
    );
    assert_eq!(zone(after).public_rental_units_per_year, 2000.0);
    assert_eq!(zone(after).roads_cny_per_year, old_zone.roads_cny_per_year);
    // Untimed keys still work; timed ones are not plain numbers.
    assert_eq!(s.number_at("policy.ppp_share"), Some(old.ppp_share));
    assert_eq!(s.number_at("policy.public_rental_rent_discount"), None);
    let shorter = s
        .with_overrides(&[("time.months".into(), 120.0)])
        .expect("override of an untimed key");
    assert_eq!(shorter.spec().policy_schedule.len(), 1);
    assert_ne!(shorter.content_hash(), s.content_hash());
    // The timed scenario differs from the untimed one and from its parent.
    let untimed = load_file(&scenarios_dir().join("public-housing.toml")).expect("loads");
    assert_ne!(s.content_hash(), untimed.content_hash());
    assert_ne!(s.content_hash(), base.content_hash());
}

#[test]
fn a_timed_key_the_parent_lacks_takes_the_default_before_its_month() {
    let text = "extends = \"region.toml\"\nname = \"x\"\n[policy.investment.suiping]\npublic_rental_units_per_year = { value = 500.0, from = \"2025-01\" }\n";
    let s = load_str(text, "x.toml", &scenarios_dir()).expect("loads");
    let item = |m: u32| s.spec().policy_at(m).investment["suiping"].public_rental_units_per_year;
    assert_eq!(item(0), 0.0);
    assert_eq!(item(JAN_2025 - 1), 0.0);
    assert_eq!(item(JAN_2025), 500.0);
    assert_eq!(
        s.spec().policy_at(JAN_2025).investment["suiping"].roads_cny_per_year,
        s.spec().policy.investment["suiping"].roads_cny_per_year
    );
}

#[test]
fn a_timed_child_continues_a_timed_parent() {
    let dir = std::env::temp_dir().join(format!("chancheng-timed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(
        dir.join("mid.toml"),
        "extends = \"baseline.toml\"\nname = \"mid\"\n[policy]\nppp_share = { value = 0.2, from = \"2020-01\" }\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("late.toml"),
        "extends = \"mid.toml\"\nname = \"late\"\n[policy]\nppp_share = { value = 0.6, from = \"2025-01\" }\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("early.toml"),
        "extends = \"mid.toml\"\nname = \"early\"\n[policy]\nppp_share = { value = 0.6, from = \"2018-01\" }\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("plain.toml"),
        "extends = \"mid.toml\"\nname = \"plain\"\n[policy]\nppp_share = 0.6\n",
    )
    .expect("write");
    let load = |f: &str| load_file(&dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
    let (late, early, plain) = (load("late.toml"), load("early.toml"), load("plain.toml"));
    let share = |s: &Scenario, m: u32| s.spec().policy_at(m).ppp_share;
    let base = load_builtin().expect("baseline").spec().policy.ppp_share;
    // 2020-01 is month 48.
    assert_eq!(
        [0, 47, 48, JAN_2025 - 1, JAN_2025].map(|m| share(&late, m)),
        [base, base, 0.2, 0.2, 0.6]
    );
    let months: Vec<u32> = late
        .spec()
        .policy_schedule
        .iter()
        .map(|c| c.month)
        .collect();
    assert_eq!(months, vec![48, JAN_2025]);
    // An earlier child month cuts the parent's timeline there.
    assert_eq!(
        [0, 23, 24, 48, JAN_2025].map(|m| share(&early, m)),
        [base, base, 0.6, 0.6, 0.6]
    );
    assert_eq!(early.spec().policy_schedule.len(), 1);
    // A plain child value replaces the whole timeline.
    assert!(plain.spec().policy_schedule.is_empty());
    assert_eq!(share(&plain, 0), 0.6);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_from_at_or_before_the_start_holds_from_the_start() {
    let timed = |from: &str| {
        format!(
            "extends = \"baseline.toml\"\nname = \"x\"\n[policy]\nppp_share = {{ value = 0.4, from = \"{from}\" }}\n"
        )
    };
    let plain = load_str(
        "extends = \"baseline.toml\"\nname = \"x\"\n[policy]\nppp_share = 0.4\n",
        "x.toml",
        &scenarios_dir(),
    )
    .expect("loads");
    for from in ["2010-06", "2016-01"] {
        let s = load_str(&timed(from), "x.toml", &scenarios_dir()).expect("loads");
        assert!(s.spec().policy_schedule.is_empty(), "{from}");
        assert_eq!(s.spec().policy.ppp_share, 0.4);
        // It means the same as the plain value, so it hashes the same.
        assert_eq!(s.content_hash(), plain.content_hash(), "{from}");
    }
    let later = load_str(&timed("2016-02"), "x.toml", &scenarios_dir()).expect("loads");
    assert_ne!(later.content_hash(), plain.content_hash());
    assert_eq!(later.spec().policy_schedule[0].month, 1);
}

#[test]
fn a_malformed_from_is_explained() {
    let i = issue_of(
        "extends = \"baseline.toml\"\nname = \"x\"\n[policy]\nppp_share = { value = 0.4, from = \"2025-1\" }\n",
    );
    assert_eq!(
        (i.line, i.key.as_str()),
        (Some(4), "policy.ppp_share"),
        "{i}"
    );
    assert_eq!(i.file, "bad.toml");
    assert!(i.message.contains("YYYY-MM"), "{i}");
    // Reported once, not also as a misplaced timed value.
    let text = "extends = \"baseline.toml\"\nname = \"x\"\n[policy]\nppp_share = { value = 0.4, from = \"2025-13\" }\n";
    match load_str(text, "bad.toml", &scenarios_dir()) {
        Err(ScenarioError::Invalid(issues)) => assert_eq!(issues.len(), 1, "{issues:?}"),
        other => panic!("expected one issue: {other:?}"),
    }
}

#[test]
fn an_extra_key_in_a_timed_value_is_rejected() {
    let i = issue_of(
        "extends = \"baseline.toml\"\nname = \"x\"\n[policy.investment.zone]\nroads_cny_per_year = { value = 1.0, from = \"2025-01\", until = \"2030-01\" }\n",
    );
    assert_eq!(
        (i.line, i.key.as_str()),
        (Some(4), "policy.investment.zone.roads_cny_per_year"),
        "{i}"
    );
    assert!(i.message.contains("`value` and `from`"), "{i}");
}

#[test]
fn a_timed_value_outside_policy_is_rejected() {
    let i = issue_of(
        "extends = \"baseline.toml\"\nname = \"x\"\n[firms]\nagglomeration_elasticity = { value = 0.1, from = \"2025-01\" }\n",
    );
    assert_eq!(
        (i.line, i.key.as_str()),
        (Some(4), "firms.agglomeration_elasticity"),
        "{i}"
    );
    assert!(i.message.contains("[policy]"), "{i}");
}

#[test]
fn an_out_of_range_timed_value_names_the_key_and_month() {
    let i = issue_of(
        "extends = \"baseline.toml\"\nname = \"x\"\n[policy]\nppp_share = { value = 2.0, from = \"2025-01\" }\n",
    );
    assert_eq!(
        (i.line, i.key.as_str()),
        (Some(4), "policy.ppp_share"),
        "{i}"
    );
    assert!(i.message.contains("[0, 1]"), "{i}");
    assert!(i.message.contains("2025-01"), "{i}");
    let i = issue_of(
        "extends = \"baseline.toml\"\nname = \"x\"\n[policy]\npublic_rental_eligibility = { value = \"everyone\", from = \"2025-01\" }\n",
    );
    assert_eq!(
        (i.line, i.key.as_str()),
        (Some(4), "policy.public_rental_eligibility"),
        "{i}"
    );
}

/// A scenario that does not load is bad input: exit code 2 (as for usage errors), not 1.
#[test]
fn a_rejected_scenario_exits_with_code_2() {
    let dir = std::env::temp_dir().join(format!("chancheng-exit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let bad = dir.join("bad.toml");
    std::fs::write(
        &bad,
        "extends = \"baseline.toml\"\nname = \"bad\"\n[policy]\nppp_share = 2.0\n",
    )
    .expect("write scenario");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_chancheng"))
        .args(["run", "--quiet", "--out"])
        .arg(dir.join("out"))
        .arg(&bad)
        .output()
        .expect("run chancheng");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("policy.ppp_share"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

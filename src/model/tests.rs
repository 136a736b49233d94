//! Mechanism tests that look inside one step: deterministic checks of levers whose aggregate
//! effect is too small to separate from run-to-run noise in the replication tests.

use super::Simulation;
use crate::scenario::{DistrictKind, Scenario, load_builtin};

fn scenario(overrides: &[(&str, f64)]) -> Scenario {
    let list: Vec<(String, f64)> = overrides.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    load_builtin()
        .expect("baseline")
        .with_overrides(&list)
        .expect("overrides")
}

/// The built-in baseline's scenario: the parameter sets of the submodel tests' hand-made worlds.
pub(crate) fn baseline_spec() -> crate::scenario::ScenarioFile {
    load_builtin().expect("baseline").spec().clone()
}

/// An operating firm of sector 0 in `district` with nothing else: for submodel tests on a
/// hand-made world.
pub(crate) fn blank_firm(district: usize) -> super::agents::Firm {
    super::agents::Firm::new(0, 0, 0, district, super::agents::FirmStatus::Operating)
}

fn zone(sim: &Simulation) -> usize {
    sim.main_cluster
}

#[test]
fn digital_and_logistics_capital_raise_productivity_and_labour_demand() {
    // Capital added after initialisation (the initial endowment is absorbed by calibration).
    let base = Simulation::new(&scenario(&[]), 3);
    let mut rich = Simulation::new(&scenario(&[]), 3);
    let z = zone(&base);
    rich.districts[z].digital += 5e9;
    rich.districts[z].logistics += 5e9;
    for si in 0..base.economy.sectors.len() {
        assert!(
            rich.productivity_multiplier(si, z, 0.0) > base.productivity_multiplier(si, z, 0.0)
        );
    }
    // Same seed, same firms: each zone firm wants more workers in the better-equipped zone.
    let fi = base
        .firms
        .iter()
        .position(|f| f.district == z && f.is_active())
        .expect("a zone firm");
    let (a, b) = (base.labour_targets(fi), rich.labour_targets(fi));
    assert!(
        b.iter().sum::<f64>() > a.iter().sum::<f64>(),
        "targets {a:?} → {b:?}"
    );
}

#[test]
fn ipo_listing_turns_equity_into_investment_of_anchors() {
    let equity = 1e9;
    let mut sim = Simulation::new(
        &scenario(&[
            ("policy.ipo_listings_per_year", 2.0),
            ("policy.ipo_equity_cny", equity),
        ]),
        5,
    );
    let before: Vec<(f64, f64)> = sim.firms.iter().map(|f| (f.capital, f.cash)).collect();
    sim.ipo_listings();
    let listed: Vec<usize> = (0..sim.firms.len())
        .filter(|&i| sim.firms[i].listed)
        .collect();
    assert_eq!(listed.len(), 2, "two anchors list in January");
    for i in listed {
        let f = &sim.firms[i];
        assert!(f.anchor);
        let gained = (f.capital - before[i].0) + (f.cash - before[i].1);
        assert!(
            (gained - equity).abs() < 1e-3 * equity,
            "the equity goes into capital and cash: {gained}"
        );
    }
}

#[test]
fn red_line_keeps_polluting_prospects_out_of_a_polluted_zone() {
    let s = scenario(&[("policy.environmental_red_line", 1.0)]);
    let mut sim = Simulation::new(&s, 9);
    let z = zone(&sim);
    sim.districts[z].pollution = 10.0 * sim.s.environment.red_line_stock;
    let pharma = sim
        .economy
        .sectors
        .iter()
        .position(|x| x.id == "pharma_chem")
        .expect("sector");
    let threshold = sim.s.environment.red_line_pollution_threshold;
    assert!(sim.economy.sectors[pharma].pollution_per_million > threshold);
    let draws = |i: u64| super::streams::Streams::new(9).open(super::streams::Draw::Prospect, i, 0);
    for i in 0..500 {
        assert_ne!(
            sim.choose_location(pharma, 20.0, &mut draws(i)),
            Some(z),
            "a polluting prospect located above the red line"
        );
    }
    // A clean sector still can.
    let clean = sim
        .economy
        .sectors
        .iter()
        .position(|x| {
            x.pollution_per_million <= threshold && x.locates_in.contains(&DistrictKind::Cluster)
        })
        .expect("clean sector");
    let chosen = (0..500)
        .filter(|&i| sim.choose_location(clean, 20.0, &mut draws(i)) == Some(z))
        .count();
    assert!(chosen > 0, "clean prospects are not blocked");
    // Without the red line, polluters do locate there.
    let mut open = Simulation::new(&scenario(&[]), 9);
    open.districts[z].pollution = 10.0 * open.s.environment.red_line_stock;
    let located = (0..500)
        .filter(|&i| open.choose_location(pharma, 20.0, &mut draws(i)) == Some(z))
        .count();
    assert!(located > 0);
}

#[test]
fn an_automation_step_replaces_jobs_at_equal_output() {
    // A subsidy and a very high wage make the upgrade pay for any firm.
    let mut sim = Simulation::new(&scenario(&[("policy.tech_upgrade_subsidy_share", 0.5)]), 11);
    let fi = (0..sim.firms.len())
        .find(|&i| {
            let f = &sim.firms[i];
            f.is_active()
                && sim.economy.sectors[f.sector].is_industry()
                && f.employees[0] >= 20
                && f.employees[0].is_multiple_of(10)
        })
        .expect("an industrial firm with a multiple of ten low-skill workers");
    let before = sim.conditions().firm_output(&sim.firms[fi]);
    let (automation, low) = (sim.firms[fi].automation, sim.firms[fi].employees[0]);
    sim.firm_world().consider_upgrade(fi, 1e6);
    let step = sim.firms[fi].automation - automation;
    assert!(step > 0.0, "the upgrade was taken");
    // The jobs the machines were bought for leave; output is what it was.
    let jobs = (f64::from(low) * step).round() as u32;
    sim.firms[fi].employees[0] -= jobs;
    let after = sim.conditions().firm_output(&sim.firms[fi]);
    assert!(
        (after / before - 1.0).abs() < 1e-9,
        "output {before} → {after} after replacing {jobs} of {low} low-skill jobs"
    );
    assert!(
        sim.accounts[crate::model::ZONE].accrued.subsidies > 0.0,
        "the budget paid the subsidy"
    );
}

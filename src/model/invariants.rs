//! The invariants of MODEL.md §6, checked after every step in debug builds and by the tests.

use super::Simulation;
use super::agents::{FirmStatus, NO_FIRM};
use super::world::Tenure;
use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub invariant: &'static str,
    pub month: String,
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invariant `{}` violated in {}: {}",
            self.invariant, self.month, self.detail
        )
    }
}

impl std::error::Error for Violation {}

/// Relative tolerance for sums of floating-point stocks.
const TOLERANCE: f64 = 1e-6;

pub fn check(sim: &Simulation) -> Result<(), Violation> {
    let month = sim.month_label(sim.month);
    let fail = |invariant: &'static str, detail: String| {
        Err(Violation {
            invariant,
            month: month.clone(),
            detail,
        })
    };

    // People: each firm's headcount equals the workers naming it; statuses sum to the stock.
    let mut headcount = vec![[0u32; 3]; sim.firms.len()];
    let (mut employed, mut unemployed, mut training) = (0usize, 0usize, 0usize);
    for w in sim.households.rows() {
        if w.employer != NO_FIRM {
            let f = w.employer as usize;
            if f >= sim.firms.len() {
                return fail(
                    "people.employer_exists",
                    format!("worker names firm {f}, which does not exist"),
                );
            }
            if sim.firms[f].status != FirmStatus::Operating {
                return fail(
                    "people.employer_operating",
                    format!(
                        "worker employed by firm {} in status {}",
                        sim.firms[f].id,
                        sim.firms[f].status.as_str()
                    ),
                );
            }
            headcount[f][w.skill as usize] += 1;
            employed += 1;
        } else if w.in_training() {
            training += 1;
        } else {
            unemployed += 1;
        }
    }
    if employed + unemployed + training != sim.households.len() {
        return fail(
            "people.status_sum",
            format!(
                "employed {employed} + unemployed {unemployed} + training {training} != {} workers",
                sim.households.len()
            ),
        );
    }
    for (i, f) in sim.firms.iter().enumerate() {
        if f.employees != headcount[i] {
            return fail(
                "people.headcount",
                format!(
                    "firm {} reports {:?} employees but {:?} workers name it",
                    f.id, f.employees, headcount[i]
                ),
            );
        }
    }

    // Housing: occupied ≤ built, by type and district.
    let mut occupied = vec![[0u32; Tenure::STOCKS]; sim.districts.len()];
    for w in sim.households.rows() {
        occupied[w.home()][w.tenure.stock()] += 1;
    }
    for (di, d) in sim.districts.iter().enumerate() {
        for s in 0..Tenure::STOCKS {
            if occupied[di][s] as f64 > d.housing[s].floor() + TOLERANCE {
                return fail(
                    "housing.occupied_le_built",
                    format!(
                        "district {}: {} households in {} housing but only {:.1} units built",
                        d.id,
                        occupied[di][s],
                        Tenure::STOCK_NAMES[s],
                        d.housing[s]
                    ),
                );
            }
        }
        // Land: reserve + serviced-free + occupied + idle = total, none negative.
        let l = &d.land;
        let sum = l.reserve + l.serviced_free + l.occupied + l.idle;
        if (sum - l.total).abs() > TOLERANCE * l.total.max(1.0) {
            return fail(
                "land.sum",
                format!(
                    "district {}: reserve {:.4} + serviced {:.4} + occupied {:.4} + idle {:.4} = {sum:.4} ha != total {:.4} ha",
                    d.id, l.reserve, l.serviced_free, l.occupied, l.idle, l.total
                ),
            );
        }
        for (name, v) in [
            ("reserve", l.reserve),
            ("serviced_free", l.serviced_free),
            ("occupied", l.occupied),
            ("idle", l.idle),
        ] {
            if v < -TOLERANCE {
                return fail(
                    "land.non_negative",
                    format!("district {}: {name} land is {v} ha", d.id),
                );
            }
        }
    }

    // Money: each account's cash identity; the guarantee fund never negative.
    for (name, gov) in ["zone account", "city budget"].iter().zip(&sim.accounts) {
        let gap = gov.cash_identity_gap();
        let f = gov.flows;
        let scale = f.cash_start.abs() + f.revenue + f.expenditure + 1.0;
        if gap.abs() > 1e-9 * scale {
            return fail(
                "money.cash_identity",
                format!(
                    "{name}: cash {:.2} != start {:.2} + revenue {:.2} − expenditure {:.2} + borrowing {:.2} − repayment {:.2} (gap {gap:.4})",
                    gov.cash, f.cash_start, f.revenue, f.expenditure, f.borrowing, f.repayment
                ),
            );
        }
        if gov.cash < -TOLERANCE * scale {
            return fail(
                "money.cash_non_negative",
                format!("{name}: cash is {:.2}", gov.cash),
            );
        }
    }
    if sim.fund.capital < 0.0 {
        return fail(
            "money.guarantee_capital",
            format!("guarantee fund capital is {:.2}", sim.fund.capital),
        );
    }

    // No NaN or infinity in the state.
    let finite = |name: &'static str, v: f64| {
        if v.is_finite() {
            Ok(())
        } else {
            fail(name, format!("value is {v}"))
        }
    };
    for gov in &sim.accounts {
        finite("finite.government_cash", gov.cash)?;
        finite("finite.government_debt", gov.debt())?;
    }
    for f in &sim.firms {
        for v in [
            f.tfp,
            f.capital,
            f.cash,
            f.debt,
            f.output,
            f.value_added,
            f.profit,
        ] {
            if !v.is_finite() {
                return fail(
                    "finite.firm",
                    format!("firm {} has a non-finite state value {v}", f.id),
                );
            }
        }
    }
    for w in sim.households.rows() {
        if !w.wage.is_finite() || !w.reservation.is_finite() {
            return fail("finite.worker", "a worker has a non-finite wage".into());
        }
    }
    for (i, p) in sim.markets.price.iter().enumerate() {
        if !p.is_finite() {
            return fail("finite.price", format!("market {i} price {p}"));
        }
    }
    for k in 0..3 {
        if !sim.wage_index[k].is_finite() || sim.wage_index[k] <= 0.0 {
            return fail(
                "finite.wage_index",
                format!("wage index of skill {k} is {}", sim.wage_index[k]),
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    //! Each invariant holds on a real run, and `check` catches a deliberate break of it.
    use super::*;
    use crate::model::agents::NO_FIRM;
    use crate::scenario::load_builtin;

    fn short_sim(months: u32) -> Simulation {
        let base = load_builtin().expect("baseline loads");
        let scenario = base
            .with_overrides(&[("time.months".into(), months as f64)])
            .expect("override");
        let mut sim = Simulation::new(&scenario, 7);
        while !sim.is_done() {
            sim.step();
            check(&sim).expect("invariants hold every month");
        }
        sim
    }

    fn violated(sim: &Simulation) -> &'static str {
        check(sim)
            .expect_err("the broken invariant is detected")
            .invariant
    }

    #[test]
    fn invariants_hold_over_three_years() {
        short_sim(36);
    }

    #[test]
    fn headcount_mismatch_is_caught() {
        let mut sim = short_sim(2);
        let i = sim
            .households
            .rows()
            .position(|w| w.employer != NO_FIRM)
            .expect("someone works");
        let f = sim.households.employer[i] as usize;
        sim.firms[f].employees[0] += 1;
        assert_eq!(violated(&sim), "people.headcount");
    }

    #[test]
    fn worker_of_closed_firm_is_caught() {
        let mut sim = short_sim(2);
        let i = sim
            .households
            .rows()
            .position(|w| w.employer != NO_FIRM)
            .expect("someone works");
        let f = sim.households.employer[i] as usize;
        sim.firms[f].status = FirmStatus::Exited;
        assert_eq!(violated(&sim), "people.employer_operating");
    }

    #[test]
    fn overfull_housing_is_caught() {
        let mut sim = short_sim(2);
        let i = sim
            .households
            .rows()
            .position(|w| w.tenure == Tenure::Dormitory)
            .expect("someone in a dormitory");
        let d = sim.households.home(i);
        sim.districts[d].housing[Tenure::Dormitory as usize] = 0.0;
        assert_eq!(violated(&sim), "housing.occupied_le_built");
    }

    #[test]
    fn land_leak_is_caught() {
        let mut sim = short_sim(2);
        sim.districts[0].land.idle += 5.0;
        assert_eq!(violated(&sim), "land.sum");
    }

    #[test]
    fn cash_identity_break_is_caught() {
        let mut sim = short_sim(2);
        sim.accounts[crate::model::CITY].cash += 1000.0;
        assert_eq!(violated(&sim), "money.cash_identity");
    }

    #[test]
    fn negative_guarantee_capital_is_caught() {
        let mut sim = short_sim(2);
        sim.fund.capital = -1.0;
        assert_eq!(violated(&sim), "money.guarantee_capital");
    }

    #[test]
    fn nan_is_caught() {
        let mut sim = short_sim(2);
        let f = sim
            .firms
            .iter()
            .position(|f| f.status == FirmStatus::Operating)
            .expect("a firm operates");
        sim.firms[f].capital = f64::NAN;
        assert_eq!(violated(&sim), "finite.firm");
    }

    #[test]
    fn guarantee_default_never_leaves_capital_negative() {
        let mut fund = crate::model::public::GuaranteeFund {
            capital: 100.0,
            outstanding: 1000.0,
            leverage: 10.0,
            ..Default::default()
        };
        let topup = fund.default_loss(1000.0, 0.3);
        assert!(fund.capital >= 0.0);
        assert!(
            (topup - 600.0).abs() < 1e-9,
            "loss 700 on capital 100 needs a 600 top-up, got {topup}"
        );
    }
}

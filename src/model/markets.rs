//! Step 1 (exogenous drivers) and the goods markets: external demand with trend and AR(1) shocks,
//! local intermediate demand from the I–O table, household demand where people live, and prices
//! p = (D/S)^(1/ε) read by firms this month.

use super::Simulation;
use super::agents::FirmStatus;
use super::detmath::DetMath;
use super::sampling;
use super::streams::Draw;
use crate::scenario::MarketScope;

impl Simulation {
    // Kept out of line: each step shows by name in a profile.
    #[inline(never)]
    pub(crate) fn exogenous_drivers(&mut self) {
        let m = self.s.macro_.clone();
        let years = self.month as f64 / 12.0;
        let growth =
            m.external_demand_growth_per_year * (1.0 - m.demand_growth_decay_per_year).dpow(years);
        self.markets.trend_level *= (1.0 + growth).dpow(1.0 / 12.0);
        if self.month > 0 {
            self.background.advance(&self.s.background, self.month);
            // The outside wage (what workers earn elsewhere) grows with national wages.
            let g = (1.0 + m.outside_wage_growth_per_year).dpow(1.0 / 12.0);
            for w in &mut self.outside_wage {
                *w *= g;
            }
            // Technical progress reaches incumbents and the ideas of future entrants alike.
            let a = (1.0 + m.tfp_growth_per_year).dpow(1.0 / 12.0);
            for f in &mut self.firms {
                f.tfp *= a;
            }
            for s in &mut self.economy.sectors {
                s.base_tfp *= a;
            }
            self.markets.technology *= a;
        }
        {
            let rho = m.demand_shock_ar1;
            // One shock per sector (all markets of a sector share it), in sector order.
            let nd = self.districts.len();
            for s in 0..self.economy.sectors.len() {
                let mut draw = self.streams.open(Draw::DemandShock, s as u64, self.month);
                let e = sampling::normal(&mut draw, 0.0, m.demand_shock_sd);
                for d in 0..=nd {
                    let i = s * (nd + 1) + d;
                    self.markets.shock[i] = rho * self.markets.shock[i] + e;
                }
            }
        }
        self.compute_market_supply_demand();
        let (eps, lo, hi) = (m.price_elasticity, m.price_min, m.price_max);
        for i in 0..self.markets.price.len() {
            let (d, s) = (self.markets.demand[i], self.markets.supply[i]);
            self.markets.price[i] = if s > 0.0 {
                (d / s).dpow(1.0 / eps).clamp(lo, hi)
            } else if d > 0.0 {
                hi
            } else {
                1.0
            };
        }
    }

    /// Last month's supply and this month's demand of every market.
    pub(crate) fn compute_market_supply_demand(&mut self) {
        let nm = self.markets.price.len();
        let nd = self.districts.len();
        let ns = self.economy.sectors.len();
        let mut supply = vec![0.0; nm];
        let mut demand = vec![0.0; nm];
        let local_share = self.s.firms.local_purchase_share;
        for f in &self.firms {
            if f.status != FirmStatus::Operating {
                continue;
            }
            supply[self.market_of(f.sector, f.district)] += f.output;
            for j in 0..ns {
                let need = self.economy.a[(j, f.sector)] * f.output * local_share;
                if need > 0.0 {
                    demand[self.market_of(j, f.district)] += need;
                }
            }
        }
        for di in 0..nd {
            for s in 0..ns {
                demand[self.market_of(s, di)] +=
                    self.prev.consumption[di] * self.economy.sectors[s].household_budget_share;
            }
        }
        // Reach saturates: half the full gain at the reference spending, never more than all of it.
        let spend = self.s.policy.rural_ecommerce_cny_per_year.max(0.0);
        let ecommerce = spend / (spend + self.s.households.ecommerce_reference_cny_per_year);
        // Demand from outside the modelled economy: for region markets, buyers outside the region
        // (trend × AR(1) shock × rural e-commerce reach); for district markets, the background
        // residents, whose spending grows with the outside wage.
        let income_growth = self.outside_wage[0] / self.s.labour.initial_wage_low_cny;
        for s in 0..ns {
            let sector = &self.economy.sectors[s];
            for d in 0..=nd {
                let i = s * (nd + 1) + d;
                if self.markets.external_base[i] <= 0.0 {
                    continue;
                }
                demand[i] += match sector.market {
                    MarketScope::Region => {
                        self.markets.external_base[i]
                            * self.markets.trend_level
                            * self.markets.shock[i].dexp()
                            * (1.0 + sector.ecommerce_gain * ecommerce)
                    }
                    MarketScope::District => self.markets.external_base[i] * income_growth,
                };
            }
        }
        self.markets.supply = supply;
        self.markets.demand = demand;
    }

    /// Aggregates of this month that next month's decisions read.
    pub(crate) fn update_previous_aggregates(&mut self) {
        let nd = self.districts.len();
        let ns = self.economy.sectors.len();
        let mut employment = vec![vec![0.0; ns]; nd];
        let mut output = vec![vec![0.0; ns]; nd];
        let mut district_workers = vec![0.0; nd];
        let mut vacancies = [0.0; 3];
        for f in &mut self.firms {
            if f.status != FirmStatus::Operating {
                f.counted_workers = 0;
                continue;
            }
            f.counted_workers = f.workers();
            let n = f.workers() as f64;
            employment[f.district][f.sector] += n;
            output[f.district][f.sector] += f.output;
            district_workers[f.district] += n;
            for (k, v) in vacancies.iter_mut().enumerate() {
                *v += f.vacancies[k] as f64;
            }
        }
        let mut unemployed = [0.0; 3];
        let mut employed = [0.0; 3];
        let mut district_unemployed = vec![0.0; nd];
        let mut consumption = vec![0.0; nd];
        let share = self.s.households.consumption_share_of_income;
        let hh = &self.households;
        for i in 0..hh.len() {
            let k = usize::from(hh.skill[i]);
            if hh.is_employed(i) {
                employed[k] += 1.0;
                consumption[hh.home(i)] += hh.wage[i] * share;
            } else if !hh.in_training(i) {
                unemployed[k] += 1.0;
                district_unemployed[hh.home(i)] += 1.0;
            }
        }
        self.prev.employment = employment;
        self.prev.output = output;
        self.prev.district_workers = district_workers;
        self.prev.district_unemployed = district_unemployed;
        self.prev.vacancies = vacancies;
        self.prev.unemployed = unemployed;
        self.prev.employed = employed;
        self.prev.consumption = consumption;
        self.update_chain_completeness();
    }
}

//! Step 1 (exogenous drivers) and the goods markets: external demand with trend and AR(1) shocks,
//! local intermediate demand from the I–O table, household demand where people live, and prices
//! p = (D/S)^(1/ε) read by firms this month.
//!
//! Submodels on explicit state: [`advance_drivers`] moves the exogenous trends (external demand,
//! background economy, outside wage, technology, demand shocks); [`supply_and_demand`] reads the
//! firms and last month's consumption through a [`DemandContext`] and writes the markets'
//! supply and demand; [`clear_prices`] sets prices from them. At the end of a month
//! [`previous_aggregates`] and [`chain_completeness`] write the [`Previous`] aggregates that the
//! next month's decisions read.

use super::agents::{Firm, FirmStatus};
use super::background::Background;
use super::detmath::DetMath;
use super::sampling;
use super::streams::{Draw, Streams};
use super::world::{Economy, Sector};
use super::{Households, Markets, Previous, Simulation};
use crate::scenario::{BackgroundSpec, MacroSpec, MarketScope};

/// Index of the market a sector sells in from a district, among `districts` districts: one
/// market per (sector, district) for district-scope sectors, one per sector (after the
/// districts') for region-scope ones.
#[inline]
pub(crate) fn market_index(
    sectors: &[Sector],
    districts: usize,
    sector: usize,
    district: usize,
) -> usize {
    match sectors[sector].market {
        MarketScope::Region => sector * (districts + 1) + districts,
        MarketScope::District => sector * (districts + 1) + district,
    }
}

/// What the exogenous drivers read.
pub(crate) struct DriverContext<'a> {
    pub macro_: &'a MacroSpec,
    pub background: &'a BackgroundSpec,
    pub streams: &'a Streams,
    pub month: u32,
    /// Districts of the region (each sector has one market per district and one regional).
    pub districts: usize,
}

/// The month's exogenous drivers: the external-demand trend, the background economy, the outside
/// wage and technical progress (after the first month), and one AR(1) demand shock per sector.
pub(crate) fn advance_drivers(
    ctx: &DriverContext,
    background: &mut Background,
    outside_wage: &mut [f64; 3],
    firms: &mut [Firm],
    economy: &mut Economy,
    markets: &mut Markets,
) {
    let m = ctx.macro_;
    let years = ctx.month as f64 / 12.0;
    let growth =
        m.external_demand_growth_per_year * (1.0 - m.demand_growth_decay_per_year).dpow(years);
    markets.trend_level *= (1.0 + growth).dpow(1.0 / 12.0);
    if ctx.month > 0 {
        background.advance(ctx.background, ctx.month);
        // The outside wage (what workers earn elsewhere) grows with national wages.
        let g = (1.0 + m.outside_wage_growth_per_year).dpow(1.0 / 12.0);
        for w in outside_wage.iter_mut() {
            *w *= g;
        }
        // Technical progress reaches incumbents and the ideas of future entrants alike.
        let a = (1.0 + m.tfp_growth_per_year).dpow(1.0 / 12.0);
        for f in firms.iter_mut() {
            f.tfp *= a;
        }
        for s in &mut economy.sectors {
            s.base_tfp *= a;
        }
        markets.technology *= a;
    }
    let rho = m.demand_shock_ar1;
    // One shock per sector (all markets of a sector share it), in sector order.
    let nd = ctx.districts;
    for s in 0..economy.sectors.len() {
        let mut draw = ctx.streams.open(Draw::DemandShock, s as u64, ctx.month);
        let e = sampling::normal(&mut draw, 0.0, m.demand_shock_sd);
        for d in 0..=nd {
            let i = s * (nd + 1) + d;
            markets.shock[i] = rho * markets.shock[i] + e;
        }
    }
}

/// Market prices from supply and demand: p = (D/S)^(1/ε) within the scenario's bounds; the upper
/// bound where there is demand and no supply, 1 where there is neither.
pub(crate) fn clear_prices(m: &MacroSpec, markets: &mut Markets) {
    let (eps, lo, hi) = (m.price_elasticity, m.price_min, m.price_max);
    for i in 0..markets.price.len() {
        let (d, s) = (markets.demand[i], markets.supply[i]);
        markets.price[i] = if s > 0.0 {
            (d / s).dpow(1.0 / eps).clamp(lo, hi)
        } else if d > 0.0 {
            hi
        } else {
            1.0
        };
    }
}

/// What the markets' supply and demand read besides the firms.
pub(crate) struct DemandContext<'a> {
    pub economy: &'a Economy,
    pub districts: usize,
    /// Share of a firm's intermediate inputs bought in its own district's markets.
    pub local_purchase_share: f64,
    /// Rural e-commerce spending, CNY a year, and the spending at which reach is half its gain.
    pub ecommerce_cny_per_year: f64,
    pub ecommerce_reference_cny_per_year: f64,
    /// Household consumption spent in each district last month.
    pub consumption: &'a [f64],
    /// Growth of background residents' income: the outside wage over its 2015 level (low skill).
    pub income_growth: f64,
}

/// Last month's supply and this month's demand of every market: output of the operating firms,
/// their local purchases of inputs, household consumption where people live, and demand from
/// outside the modelled economy.
pub(crate) fn supply_and_demand(ctx: &DemandContext, firms: &[Firm], markets: &mut Markets) {
    let nm = markets.price.len();
    let nd = ctx.districts;
    let sectors = &ctx.economy.sectors;
    let ns = sectors.len();
    let market_of = |sector: usize, district: usize| market_index(sectors, nd, sector, district);
    let mut supply = vec![0.0; nm];
    let mut demand = vec![0.0; nm];
    let local_share = ctx.local_purchase_share;
    for f in firms {
        if f.status != FirmStatus::Operating {
            continue;
        }
        supply[market_of(f.sector, f.district)] += f.output;
        for j in 0..ns {
            let need = ctx.economy.a[(j, f.sector)] * f.output * local_share;
            if need > 0.0 {
                demand[market_of(j, f.district)] += need;
            }
        }
    }
    for di in 0..nd {
        for s in 0..ns {
            demand[market_of(s, di)] += ctx.consumption[di] * sectors[s].household_budget_share;
        }
    }
    // Reach saturates: half the full gain at the reference spending, never more than all of it.
    let spend = ctx.ecommerce_cny_per_year.max(0.0);
    let ecommerce = spend / (spend + ctx.ecommerce_reference_cny_per_year);
    // Demand from outside the modelled economy: for region markets, buyers outside the region
    // (trend × AR(1) shock × rural e-commerce reach); for district markets, the background
    // residents, whose spending grows with the outside wage.
    let income_growth = ctx.income_growth;
    for (s, sector) in sectors.iter().enumerate() {
        for d in 0..=nd {
            let i = s * (nd + 1) + d;
            if markets.external_base[i] <= 0.0 {
                continue;
            }
            demand[i] += match sector.market {
                MarketScope::Region => {
                    markets.external_base[i]
                        * markets.trend_level
                        * markets.shock[i].dexp()
                        * (1.0 + sector.ecommerce_gain * ecommerce)
                }
                MarketScope::District => markets.external_base[i] * income_growth,
            };
        }
    }
    markets.supply = supply;
    markets.demand = demand;
}

/// Aggregates of this month that next month's decisions read: employment, output and workers
/// of the operating firms by district and sector (each firm's counted headcount is set, zero
/// unless operating), vacancies, the employed and unemployed by skill, the unemployed and
/// household consumption by district (`consumption_share` of wages). Households in training are
/// neither. Chain completeness is [`chain_completeness`]'s.
pub(crate) fn previous_aggregates(
    districts: usize,
    sectors: usize,
    consumption_share: f64,
    firms: &mut [Firm],
    hh: &Households,
    prev: &mut Previous,
) {
    let (nd, ns) = (districts, sectors);
    let mut employment = vec![vec![0.0; ns]; nd];
    let mut output = vec![vec![0.0; ns]; nd];
    let mut district_workers = vec![0.0; nd];
    let mut vacancies = [0.0; 3];
    for f in firms.iter_mut() {
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
    for i in 0..hh.len() {
        let k = usize::from(hh.skill[i]);
        if hh.is_employed(i) {
            employed[k] += 1.0;
            consumption[hh.home(i)] += hh.wage[i] * consumption_share;
        } else if !hh.in_training(i) {
            unemployed[k] += 1.0;
            district_unemployed[hh.home(i)] += 1.0;
        }
    }
    prev.employment = employment;
    prev.output = output;
    prev.district_workers = district_workers;
    prev.district_unemployed = district_unemployed;
    prev.vacancies = vacancies;
    prev.unemployed = unemployed;
    prev.employed = employed;
    prev.consumption = consumption;
}

/// Chain completeness of every (district, sector) from output by [district][sector]: suppliers
/// present in the district cover their share of the Leontief-weighted supply chain (presence =
/// local supply / local need).
pub(crate) fn chain_completeness(economy: &Economy, output: &[Vec<f64>], chain: &mut [Vec<f64>]) {
    let ns = economy.sectors.len();
    for (output, chain) in output.iter().zip(chain.iter_mut()) {
        let mut need = vec![0.0; ns];
        for s in 0..ns {
            for (j, n) in need.iter_mut().enumerate() {
                *n += economy.a[(j, s)] * output[s];
            }
        }
        let presence: Vec<f64> = (0..ns)
            .map(|j| {
                let supply = output[j];
                if need[j] > 0.0 {
                    (supply / need[j]).min(1.0)
                } else if supply > 0.0 {
                    1.0
                } else {
                    0.0
                }
            })
            .collect();
        for (s, c) in chain.iter_mut().enumerate() {
            *c = economy.chain_completeness(s, &presence);
        }
    }
}

// Wiring: the schedule's call of this submodel.
impl Simulation {
    /// Step 1: exogenous drivers, then the markets' supply, demand and prices.
    // Kept out of line: each step shows by name in a profile.
    #[inline(never)]
    pub(crate) fn exogenous_drivers(&mut self) {
        let ctx = DriverContext {
            macro_: &self.s.macro_,
            background: &self.s.background,
            streams: &self.streams,
            month: self.month,
            districts: self.districts.len(),
        };
        advance_drivers(
            &ctx,
            &mut self.background,
            &mut self.outside_wage,
            &mut self.firms,
            &mut self.economy,
            &mut self.markets,
        );
        self.compute_market_supply_demand();
        clear_prices(&self.s.macro_, &mut self.markets);
    }

    /// Last month's supply and this month's demand of every market ([`supply_and_demand`]).
    pub(crate) fn compute_market_supply_demand(&mut self) {
        let ctx = DemandContext {
            economy: &self.economy,
            districts: self.districts.len(),
            local_purchase_share: self.s.firms.local_purchase_share,
            ecommerce_cny_per_year: self.s.policy.rural_ecommerce_cny_per_year,
            ecommerce_reference_cny_per_year: self.s.households.ecommerce_reference_cny_per_year,
            consumption: &self.prev.consumption,
            income_growth: self.outside_wage[0] / self.s.labour.initial_wage_low_cny,
        };
        supply_and_demand(&ctx, &self.firms, &mut self.markets);
    }

    /// Aggregates of this month that next month's decisions read ([`previous_aggregates`], then
    /// [`chain_completeness`]).
    pub(crate) fn update_previous_aggregates(&mut self) {
        previous_aggregates(
            self.districts.len(),
            self.economy.sectors.len(),
            self.s.households.consumption_share_of_income,
            &mut self.firms,
            &self.households,
            &mut self.prev,
        );
        self.update_chain_completeness();
    }

    /// Chain completeness from last month's output ([`chain_completeness`]).
    pub(crate) fn update_chain_completeness(&mut self) {
        chain_completeness(&self.economy, &self.prev.output, &mut self.prev.chain);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::agents::{NO_FIRM, Origin, Worker};
    use crate::model::tests::blank_firm;
    use crate::model::world::Tenure;

    use crate::model::tests::baseline_spec as spec;

    /// Markets of the baseline's sectors over `nd` districts, all at price 1 and nothing traded.
    fn empty_markets(economy: &Economy, nd: usize) -> Markets {
        Markets::at_start(economy.sectors.len() * (nd + 1))
    }

    fn worker(district: u16, skill: u8, employer: u32, wage: f64, training_left: u8) -> Worker {
        Worker {
            key: 0,
            skill,
            origin: Origin::Migrant,
            residence: district,
            anchor: 0,
            tenure: Tenure::Market,
            employer,
            wage,
            reservation: 0.0,
            months_unemployed: 0,
            months_employed: 0,
            settled: false,
            children: 0,
            children_with: false,
            training_left,
            ordered_by: NO_FIRM,
            review_residence: false,
            waiting: Default::default(),
        }
    }

    #[test]
    fn prices_move_with_excess_demand_within_their_bounds() {
        let m = spec().macro_;
        let mut markets = Markets {
            price: vec![1.0; 5],
            supply: vec![100.0, 100.0, 0.0, 0.0, 1.0],
            demand: vec![150.0, 50.0, 10.0, 0.0, 1e12],
            ..Markets::default()
        };
        clear_prices(&m, &mut markets);
        let p = &markets.price;
        assert!(p[0] > 1.0, "excess demand raises the price: {}", p[0]);
        assert!(p[1] < 1.0, "excess supply lowers it: {}", p[1]);
        assert_eq!(p[2], m.price_max, "demand without supply: the upper bound");
        assert_eq!(p[3], 1.0, "no market at all: 1");
        assert_eq!(p[4], m.price_max, "clamped");
        assert_eq!(
            p[0],
            (1.5f64).dpow(1.0 / m.price_elasticity).min(m.price_max)
        );
    }

    #[test]
    fn supply_is_operating_output_and_demand_its_local_inputs_and_consumption() {
        let s = spec();
        let economy = Economy::from_spec(&s);
        let nd = 2;
        let mut markets = empty_markets(&economy, nd);
        // A firm of sector 0 in district 0 and one under construction (no supply, no demand).
        let mut firm = blank_firm(0);
        firm.output = 1000.0;
        let mut building = blank_firm(1);
        building.status = FirmStatus::Construction;
        building.output = 5000.0;
        let consumption = [0.0, 200.0];
        let share = 0.5;
        let ctx = DemandContext {
            economy: &economy,
            districts: nd,
            local_purchase_share: share,
            ecommerce_cny_per_year: 0.0,
            ecommerce_reference_cny_per_year: 1.0,
            consumption: &consumption,
            income_growth: 1.0,
        };
        supply_and_demand(&ctx, &[firm, building], &mut markets);
        let at = |sector, district| market_index(&economy.sectors, nd, sector, district);
        let supplied: f64 = markets.supply.iter().sum();
        assert_eq!(supplied, 1000.0);
        assert_eq!(markets.supply[at(0, 0)], 1000.0);
        for j in 0..economy.sectors.len() {
            let inputs = economy.a[(j, 0)] * 1000.0 * share;
            let households = 200.0 * economy.sectors[j].household_budget_share;
            // District-scope markets separate the districts; region-scope ones add them up.
            let expected = match economy.sectors[j].market {
                MarketScope::District => {
                    assert_eq!(markets.demand[at(j, 1)], households);
                    inputs
                }
                MarketScope::Region => inputs + households,
            };
            assert!(
                (markets.demand[at(j, 0)] - expected).abs() < 1e-9,
                "sector {j}"
            );
        }
    }

    #[test]
    fn external_demand_follows_trend_shock_and_background_income() {
        let s = spec();
        let economy = Economy::from_spec(&s);
        let nd = 1;
        let mut markets = empty_markets(&economy, nd);
        markets.external_base.iter_mut().for_each(|b| *b = 100.0);
        markets.trend_level = 1.2;
        let ctx = DemandContext {
            economy: &economy,
            districts: nd,
            local_purchase_share: 0.0,
            ecommerce_cny_per_year: 0.0,
            ecommerce_reference_cny_per_year: 1.0,
            consumption: &[0.0],
            income_growth: 1.5,
        };
        supply_and_demand(&ctx, &[], &mut markets);
        for (j, sector) in economy.sectors.iter().enumerate() {
            let i = market_index(&economy.sectors, nd, j, 0);
            let expected = match sector.market {
                MarketScope::Region => 120.0,
                MarketScope::District => 150.0,
            };
            assert!((markets.demand[i] - expected).abs() < 1e-9, "sector {j}");
        }
    }

    #[test]
    fn drivers_grow_technology_after_the_first_month_and_shocks_are_shared_by_a_sector() {
        let s = spec();
        let mut economy = Economy::from_spec(&s);
        let nd = 2;
        let streams = Streams::new(7);
        let mut markets = empty_markets(&economy, nd);
        let mut background = Background::new(&s.background);
        let mut outside = [1000.0, 2000.0, 3000.0];
        let mut firms = vec![blank_firm(0)];
        firms[0].tfp = 1.0;
        for month in 0..2 {
            let ctx = DriverContext {
                macro_: &s.macro_,
                background: &s.background,
                streams: &streams,
                month,
                districts: nd,
            };
            advance_drivers(
                &ctx,
                &mut background,
                &mut outside,
                &mut firms,
                &mut economy,
                &mut markets,
            );
            if month == 0 {
                assert_eq!(firms[0].tfp, 1.0, "no progress in the first month");
                assert_eq!(outside[0], 1000.0);
                assert_eq!(markets.technology, 1.0);
            }
        }
        assert!(s.macro_.tfp_growth_per_year > 0.0);
        assert!(firms[0].tfp > 1.0);
        assert_eq!(markets.technology, firms[0].tfp);
        assert!(outside[2] > 3000.0);
        assert!(markets.trend_level > 1.0);
        for j in 0..economy.sectors.len() {
            let shocks = &markets.shock[j * (nd + 1)..(j + 1) * (nd + 1)];
            assert!(shocks.iter().all(|x| *x == shocks[0]), "sector {j}");
            assert!(shocks[0] != 0.0);
        }
    }

    #[test]
    fn previous_aggregates_count_operating_firms_and_neither_trainees_as_unemployed() {
        let mut operating = blank_firm(1);
        operating.employees = [2, 1, 0];
        operating.vacancies = [1, 0, 3];
        operating.output = 500.0;
        let mut idle = blank_firm(0);
        idle.status = FirmStatus::Idle;
        idle.employees = [4, 0, 0];
        idle.vacancies = [9, 9, 9];
        idle.counted_workers = 4;
        let mut firms = vec![operating, idle];
        let mut hh = Households::default();
        hh.push(worker(0, 0, 0, 1000.0, 0)); // employed, lives in 0
        hh.push(worker(0, 1, NO_FIRM, 0.0, 0)); // unemployed in 0
        hh.push(worker(1, 1, NO_FIRM, 0.0, 3)); // in training: neither
        let mut prev = Previous::default();
        previous_aggregates(2, 1, 0.6, &mut firms, &hh, &mut prev);
        assert_eq!(firms[0].counted_workers, 3);
        assert_eq!(firms[1].counted_workers, 0);
        assert_eq!(prev.employment, vec![vec![0.0], vec![3.0]]);
        assert_eq!(prev.output, vec![vec![0.0], vec![500.0]]);
        assert_eq!(prev.district_workers, vec![0.0, 3.0]);
        assert_eq!(prev.vacancies, [1.0, 0.0, 3.0]);
        assert_eq!(prev.employed, [1.0, 0.0, 0.0]);
        assert_eq!(prev.unemployed, [0.0, 1.0, 0.0]);
        assert_eq!(prev.district_unemployed, vec![1.0, 0.0]);
        assert_eq!(prev.consumption, vec![600.0, 0.0]);
    }

    #[test]
    fn a_chain_is_complete_where_its_suppliers_produce_and_empty_where_none_do() {
        let economy = Economy::from_spec(&spec());
        let ns = economy.sectors.len();
        // District 0 makes a lot of everything; district 1 nothing.
        let output = vec![vec![1e9; ns], vec![0.0; ns]];
        let mut chain = vec![vec![-1.0; ns]; 2];
        chain_completeness(&economy, &output, &mut chain);
        for s in 0..ns {
            assert_eq!(chain[0][s], 1.0, "sector {s} with every supplier present");
            let linked = (0..ns).any(|j| economy.leontief[(j, s)] - f64::from(j == s) > 0.0);
            assert_eq!(chain[1][s], if linked { 0.0 } else { 1.0 }, "sector {s}");
        }
        assert!((0..ns).any(|s| chain[1][s] == 0.0));
    }
}

//! Step 2: the two public accounts collect last month's revenue, pay what they owe, and carry out
//! the scenario's capital plan — publicly financed, by PPP, or cut back when money and borrowing room
//! run out (MODEL.md §4 "Government").
//!
//! A submodel on explicit state: [`government_budget`] reads a [`BudgetContext`] (the rules, the
//! districts' public capital, the households' residence, last month's background economy) and
//! writes a [`PublicPurse`] (the two accounts, public costs, the capital ledger, the guarantee
//! fund's capital, incubators, the construction pipeline). Nothing else.

use super::costs::{CapitalLedger, Cost, PublicCosts};
use super::detmath::DetMath;
use super::public::{Asset, Delivery, Government, GuaranteeFund, PppContract, annuity_monthly};
use super::world::District;
use super::{Households, Simulation};
use crate::scenario::{
    CityBudgetSpec, DistrictKind, GovernmentSpec, InfrastructureSpec, LeverCostSpec, PolicySpec,
};

/// How far an account's capital plan has grown with its revenue: (last year's revenue / the
/// first year's)^`capital_plan_revenue_elasticity`; 1 during the first year.
fn plan_scale(g: &GovernmentSpec, gov: &Government) -> f64 {
    if gov.first_year_revenue <= 0.0 {
        return 1.0;
    }
    (gov.average_annual_revenue(12) / gov.first_year_revenue)
        .max(0.0)
        .dpow(g.capital_plan_revenue_elasticity)
}

/// Platform debt the rule still allows: a multiple of average yearly revenue, less debt.
fn debt_room(gov: &Government, limit: f64, revenue_months: u32) -> f64 {
    limit * gov.average_annual_revenue(revenue_months as usize) - gov.debt()
}

/// The zone management committee's account (管委会): the zone's taxes, land and transfers pay the
/// zone's administration, programmes and capital plan.
pub const ZONE: usize = 0;
/// The city (district) budget: the rest of the economy's taxes pay the city's services and the
/// capital plan of the non-zone districts.
pub const CITY: usize = 1;

/// The rules of one account.
struct AccountRules {
    transfers: f64,
    administration: f64,
    administration_growth: f64,
    debt_limit: f64,
    working_balance_months: f64,
}

/// The account that collects the revenue of a district of `kind` and pays its capital plan: the
/// zone's for cluster zones, the city's for the rest.
pub(crate) fn account_for(kind: DistrictKind) -> usize {
    if kind == DistrictKind::Cluster {
        ZONE
    } else {
        CITY
    }
}

/// A nominal interest rate as the real rate that 2015-price stocks pay, under `inflation` a year.
pub(crate) fn real_rate(inflation: f64, nominal: f64) -> f64 {
    (1.0 + nominal) / (1.0 + inflation) - 1.0
}

/// A public cost incurred this month, paid from `account` next month.
pub(crate) fn charge(
    accounts: &mut [Government; 2],
    costs: &mut PublicCosts,
    account: usize,
    cost: Cost,
    amount: f64,
) {
    accounts[account].accrued.subsidies += amount;
    costs.add(cost, amount);
}

/// One item of an account's capital plan: district, asset, units, cost (CNY).
type PlanItem = (usize, Asset, f64, f64);

/// What the budget reads.
pub(crate) struct BudgetContext<'a> {
    pub government: &'a GovernmentSpec,
    pub city_budget: &'a CityBudgetSpec,
    pub policy: &'a PolicySpec,
    pub lever_costs: &'a LeverCostSpec,
    pub infrastructure: &'a InfrastructureSpec,
    /// Cost of standard factory floor in the capital plan, CNY per m².
    pub factory_cost_cny_per_m2: f64,
    /// Consumer-price inflation a year (interest is paid in real terms).
    pub inflation_per_year: f64,
    /// Value added outside the modelled firms last month, CNY a year, and the share of it the
    /// city taxes.
    pub background_va: f64,
    pub background_tax_share: f64,
    /// Public capital, background residents, kinds and plans of the districts.
    pub districts: &'a [District],
    /// Where the households live (the city serves the urban ones).
    pub households: &'a Households,
    pub month: u32,
}

/// What the budget writes.
pub(crate) struct PublicPurse<'a> {
    pub accounts: &'a mut [Government; 2],
    pub costs: &'a mut PublicCosts,
    pub capital: &'a mut CapitalLedger,
    pub fund: &'a mut GuaranteeFund,
    /// Capital the budget has paid into the guarantee fund so far.
    pub guarantee_capital_paid: &'a mut f64,
    pub incubator_capital: &'a mut f64,
    pub pipeline: &'a mut Vec<Delivery>,
}

/// One month of both accounts: last month's revenue collected, mandatory spending and debt
/// service paid (by debt when cash runs out), the capital plan carried out or cut, then the
/// treasurer's rule on what is left.
pub(crate) fn government_budget(ctx: &BudgetContext, purse: &mut PublicPurse) {
    let g = ctx.government;
    let policy = ctx.policy;
    if ctx.month.is_multiple_of(12) {
        purse.accounts[ZONE].bond_quota_left = policy.special_bond_quota_cny_per_year;
        purse.accounts[ZONE].insurance_left = policy.insurance_capital_cny_per_year;
    }
    // The city taxes last month's economy outside the modelled firms.
    purse.accounts[CITY].accrued.taxes += ctx.background_va * ctx.background_tax_share / 12.0;
    let programmes = ctx.programme_costs(purse.costs);
    let years = ctx.month as f64 / 12.0;
    let mut mandatory = [0.0; 2];
    for a in [ZONE, CITY] {
        let rules = ctx.account_rules(a);
        // Revenue accrued last month; land receipts pass through the land fund.
        let accrued = std::mem::take(&mut purse.accounts[a].accrued);
        let gov = &mut purse.accounts[a];
        gov.land_fund += accrued.land_sales;
        let land_revenue = gov.land_fund / g.land_revenue_spread_months.max(1.0);
        gov.land_fund -= land_revenue;
        let revenue = accrued.taxes + land_revenue + accrued.fees + rules.transfers / 12.0;
        gov.receive(revenue);
        gov.flows.land_revenue = land_revenue;
        gov.revenue_history.push_back(revenue);
        while gov.revenue_history.len() > g.debt_rule_revenue_months.max(12) as usize {
            gov.revenue_history.pop_front();
        }
        if gov.first_year_revenue == 0.0 && gov.revenue_history.len() >= 12 {
            gov.first_year_revenue = gov.revenue_history.iter().take(12).sum();
        }
        // The new-debt quota accrues through the year, a twelfth of its share of the last 12
        // months' revenue a month, as bonds are issued in batches; what is unused lapses in
        // January. (All of it in January would spend a year's borrowing in its first months.)
        if ctx.month.is_multiple_of(12) {
            gov.new_debt_quota_left = 0.0;
        }
        gov.new_debt_quota_left += g.new_debt_quota_revenue_share * gov.annual_revenue() / 12.0;
        // Mandatory spending.
        let administration =
            rules.administration / 12.0 * (1.0 + rules.administration_growth).dpow(years);
        let public_capital: f64 = ctx
            .districts
            .iter()
            .filter(|d| account_for(d.kind) == a)
            .map(|d| d.roads + d.utilities + d.logistics + d.digital + d.innovation)
            .sum();
        let maintenance = public_capital * ctx.infrastructure.maintenance_share_per_year / 12.0;
        // Services of urban residents are the city's (schools, clinics, sanitation).
        let services = if a == CITY {
            let rural: Vec<bool> = ctx
                .districts
                .iter()
                .map(|d| d.kind == DistrictKind::Rural)
                .collect();
            let hh = ctx.households;
            let urban_households = (0..hh.len()).filter(|&i| !rural[hh.home(i)]).count() as f64;
            let background: f64 = ctx.districts.iter().map(|d| d.background_residents).sum();
            urban_households * g.service_cost_cny_per_resident_month
                + background
                    * ctx
                        .city_budget
                        .service_cost_cny_per_background_resident_month
        } else {
            0.0
        };
        let guarantee_capital = if a == ZONE {
            let top = (policy.guarantee_fund_capital_cny - *purse.guarantee_capital_paid).max(0.0);
            *purse.guarantee_capital_paid += top;
            purse.fund.capital += top;
            purse.costs.add(Cost::GuaranteeFund, top);
            top
        } else {
            0.0
        };
        if a == ZONE {
            *purse.incubator_capital += policy.incubator_cny_per_year / 12.0;
        }
        let real_platform = ctx.real_rate(g.debt_interest_per_year);
        let real_bonds = ctx.real_rate(g.bond_interest_per_year);
        let real_insurance = ctx.real_rate(policy.insurance_capital_rate_per_year);
        let gov = &mut purse.accounts[a];
        let ppp_due = gov.ppp_payments_due();
        let interest = (gov.debt_platform * real_platform
            + gov.debt_bonds * real_bonds
            + gov.debt_insurance * real_insurance)
            / 12.0;
        mandatory[a] = administration
            + maintenance
            + services
            + programmes[a]
            + accrued.subsidies
            + accrued.social
            + ppp_due
            + interest
            + guarantee_capital;
        gov.spend(mandatory[a]);
        // Principal falling due: the rolled-over part is refinanced (the debt stays), the rest
        // is repaid from cash.
        let repay_share = g.debt_repayment_share_per_year * (1.0 - g.debt_rollover_share) / 12.0;
        let repay_platform = gov.debt_platform * repay_share;
        let repay_bonds = gov.debt_bonds * repay_share;
        let repay_insurance = gov.debt_insurance * repay_share;
        gov.debt_platform -= repay_platform;
        gov.debt_bonds -= repay_bonds;
        gov.debt_insurance -= repay_insurance;
        gov.repay(repay_platform + repay_bonds + repay_insurance);
        if gov.cash < 0.0 {
            let short = -gov.cash;
            let room = debt_room(gov, rules.debt_limit, g.debt_rule_revenue_months);
            let left = gov.finance(short, room);
            gov.finance_beyond_limit(left);
        }
    }
    capital_plan(ctx, &mandatory, purse);
    // The treasurer's rule: the prepayment share of the cash above the working balance repays
    // debt, dearest first.
    for a in [ZONE, CITY] {
        let rules = ctx.account_rules(a);
        let gov = &mut purse.accounts[a];
        let working_balance = rules.working_balance_months * mandatory[a];
        let mut excess = (gov.cash - working_balance).max(0.0);
        let mut prepayable = excess * g.surplus_debt_prepayment_share;
        let mut repaid = 0.0;
        for debt in [
            &mut gov.debt_platform,
            &mut gov.debt_insurance,
            &mut gov.debt_bonds,
        ] {
            let x = prepayable.min(*debt);
            *debt -= x;
            prepayable -= x;
            repaid += x;
        }
        excess -= repaid;
        gov.repay(repaid);
        // What is left is spent (以收定支: revenue sets spending): on more of the same plan, up
        // to `surplus_plan_multiple` times it, and the rest on public services outside the
        // model's scope (salaries, pensions, culture…), so no account hoards cash.
        let items = ctx.plan_items(a, plan_scale(g, &purse.accounts[a]));
        let planned: f64 = items.iter().map(|x| x.3).sum();
        // What is left of the new-debt quota pays for more of the plan too, so the cash it
        // frees goes to current spending.
        let gov = &purse.accounts[a];
        let room = debt_room(gov, rules.debt_limit, g.debt_rule_revenue_months).max(0.0);
        let quota = gov.new_debt_quota_left.min(room);
        let extra = if planned > 0.0 {
            (excess + quota).min(planned * g.surplus_plan_multiple)
        } else {
            0.0
        };
        let gov = &mut purse.accounts[a];
        excess += gov.borrow_under_quota(extra, room);
        if extra > 0.0 && planned > 0.0 {
            gov.spend(extra);
            gov.flows.capital_spending += extra;
            purse.costs.add(Cost::CapitalPlan, extra);
            ctx.commission(&items, extra / planned, purse.pipeline);
        }
        let gov = &mut purse.accounts[a];
        let other = excess - extra.max(0.0);
        if other > 0.0 {
            gov.spend(other);
            gov.flows.other_spending = other;
        }
    }
}

/// The capital plan of each account: PPP part built by partners, public part paid now, by debt
/// within the rule, or cut.
pub(crate) fn capital_plan(ctx: &BudgetContext, mandatory: &[f64; 2], purse: &mut PublicPurse) {
    let g = ctx.government;
    let policy = ctx.policy;
    for a in [ZONE, CITY] {
        let items = ctx.plan_items(a, plan_scale(g, &purse.accounts[a]));
        let planned: f64 = items.iter().map(|x| x.3).sum();
        if planned <= 0.0 {
            continue;
        }
        let ppp_share = policy.ppp_share;
        let ppp_cost = planned * ppp_share * (1.0 - policy.ppp_efficiency_gain);
        let ppp_rate = ctx.real_rate(policy.ppp_private_cost_of_capital);
        let rules = ctx.account_rules(a);
        let gov = &mut purse.accounts[a];
        if ppp_cost > 0.0 {
            gov.ppp.push(PppContract {
                monthly_payment: annuity_monthly(ppp_cost, ppp_rate, policy.ppp_contract_years),
                months_left: (policy.ppp_contract_years * 12.0).round() as u32,
            });
        }
        let public = planned * (1.0 - ppp_share);
        let buffer = g.cash_buffer_months * mandatory[a];
        let available = (gov.cash - buffer).max(0.0);
        // Bonds under the year's new-debt quota pay for projects first, then cash, then the
        // other instruments within the debt limit.
        let room = debt_room(gov, rules.debt_limit, g.debt_rule_revenue_months);
        let by_quota = gov.borrow_under_quota(public, room);
        // (Exactly `public` when cash covers the rest, so no rounding shows as a cut.)
        let mut funded = if available >= public - by_quota {
            public
        } else {
            by_quota + available
        };
        if funded < public {
            let room = debt_room(gov, rules.debt_limit, g.debt_rule_revenue_months);
            let unfinanced = gov.finance(public - funded, room);
            funded = public - unfinanced;
        }
        gov.spend(funded);
        gov.flows.capital_spending = funded + ppp_cost;
        gov.flows.capital_cut = public - funded;
        gov.flows.capital_planned = planned;
        purse.costs.add(Cost::CapitalPlan, funded + ppp_cost);
        let public_fraction = if public > 0.0 { funded / public } else { 1.0 };
        let built_share = ppp_share + (1.0 - ppp_share) * public_fraction;
        for (_, asset, _, cost) in &items {
            purse.capital.record(*asset, *cost, cost * built_share);
        }
        ctx.commission(&items, built_share, purse.pipeline);
    }
}

impl BudgetContext<'_> {
    fn real_rate(&self, nominal: f64) -> f64 {
        real_rate(self.inflation_per_year, nominal)
    }

    fn account_rules(&self, account: usize) -> AccountRules {
        let g = self.government;
        let c = self.city_budget;
        if account == ZONE {
            AccountRules {
                transfers: g.transfers_cny_per_year,
                administration: g.administration_cny_per_year,
                administration_growth: g.administration_growth_per_year,
                debt_limit: g.debt_limit_revenue_multiple,
                working_balance_months: g.working_balance_months,
            }
        } else {
            AccountRules {
                transfers: c.transfers_cny_per_year,
                administration: c.administration_cny_per_year,
                administration_growth: c.administration_growth_per_year,
                debt_limit: c.debt_limit_revenue_multiple,
                working_balance_months: c.working_balance_months,
            }
        }
    }

    /// Running costs of the levers this month, by account (programmes with a budget line of
    /// their own and those whose cost the lever-cost table gives), added to `costs`.
    fn programme_costs(&self, costs: &mut PublicCosts) -> [f64; 2] {
        let policy = self.policy;
        let lc = self.lever_costs;
        let approval_cut = (lc.approval_reference_months - policy.approval_months).max(0.0);
        let zone = [
            (Cost::Promotion, policy.promotion_cny_per_year),
            (Cost::Incubator, policy.incubator_cny_per_year),
            (
                Cost::ApprovalCentre,
                approval_cut * lc.approval_centre_cny_per_year_per_month_cut,
            ),
            (
                Cost::BankMatching,
                if policy.bank_enterprise_matching {
                    lc.bank_matching_cny_per_year
                } else {
                    0.0
                },
            ),
        ];
        let city = [
            (
                Cost::EmploymentService,
                policy.employment_service_cny_per_year,
            ),
            (Cost::RuralEcommerce, policy.rural_ecommerce_cny_per_year),
            (
                Cost::FivePlans,
                if policy.five_plans_in_one {
                    lc.five_plans_cny_per_year
                } else {
                    0.0
                },
            ),
        ];
        let mut out = [0.0; 2];
        for (account, items) in [(ZONE, &zone[..]), (CITY, &city[..])] {
            for (cost, per_year) in items {
                costs.add(*cost, per_year / 12.0);
                out[account] += per_year / 12.0;
            }
        }
        out
    }

    /// The month's capital plan of an account: (district, asset, units, cost) per item, the
    /// scenario's plan with its infrastructure (roads, utilities, environment, logistics,
    /// digital, innovation) times `scale` ([`plan_scale`]).
    fn plan_items(&self, a: usize, scale: f64) -> Vec<PlanItem> {
        let policy = self.policy;
        let infra = self.infrastructure;
        let mut items: Vec<PlanItem> = Vec::new();
        for (di, d) in self.districts.iter().enumerate() {
            if account_for(d.kind) != a {
                continue;
            }
            let Some(plan) = policy.investment.get(&d.id) else {
                continue;
            };
            // Infrastructure grows with revenue; seats, beds, floor and housing units keep the
            // plan's physical targets.
            let per_month = |x: f64| x / 12.0;
            let scaled = |x: f64| x * scale / 12.0;
            let land_cost = self.factory_cost_cny_per_m2;
            for (asset, units, unit_cost) in [
                (Asset::Roads, scaled(plan.roads_cny_per_year), 1.0),
                (Asset::Utilities, scaled(plan.utilities_cny_per_year), 1.0),
                (
                    Asset::Environment,
                    scaled(plan.environment_cny_per_year),
                    1.0,
                ),
                (Asset::Logistics, scaled(plan.logistics_cny_per_year), 1.0),
                (Asset::Digital, scaled(plan.digital_cny_per_year), 1.0),
                (Asset::Innovation, scaled(plan.innovation_cny_per_year), 1.0),
                (
                    Asset::TrainingSeats,
                    per_month(plan.training_seats_per_year),
                    infra.training_seat_cost_cny,
                ),
                (
                    Asset::SchoolSeats,
                    per_month(plan.school_seats_per_year),
                    infra.school_seat_cost_cny,
                ),
                (
                    Asset::HospitalBeds,
                    per_month(plan.hospital_beds_per_year),
                    infra.hospital_bed_cost_cny,
                ),
                (
                    Asset::CommercialFloor,
                    per_month(plan.commercial_floor_m2_per_year),
                    infra.commercial_floor_cost_cny_per_m2,
                ),
                (
                    Asset::FactoryFloor,
                    per_month(plan.standard_factory_m2_per_year),
                    land_cost,
                ),
                (
                    Asset::PublicRental,
                    per_month(plan.public_rental_units_per_year),
                    infra.public_housing_cost_cny_per_unit,
                ),
                (
                    Asset::Resettlement,
                    per_month(plan.resettlement_units_per_year),
                    infra.public_housing_cost_cny_per_unit,
                ),
            ] {
                if units > 0.0 {
                    items.push((di, asset, units, units * unit_cost));
                }
            }
        }
        items
    }

    /// Delivers `share` of an account's plan items after the construction lag (less waste).
    fn commission(&self, items: &[PlanItem], share: f64, pipeline: &mut Vec<Delivery>) {
        let infra = self.infrastructure;
        let five = self.policy.five_plans_in_one;
        let waste = if five {
            infra.five_plans_waste_share
        } else {
            infra.planning_waste_share
        };
        let lag_cut = if five {
            infra.five_plans_lag_cut_share
        } else {
            0.0
        };
        let lag = ((infra.construction_months as f64) * (1.0 - lag_cut))
            .round()
            .max(1.0) as u32;
        for (district, asset, units, _) in items {
            let amount = match asset {
                Asset::Environment => units / infra.environment_cost_cny_per_unit_month,
                _ => *units,
            } * share
                * (1.0 - waste);
            pipeline.push(Delivery {
                month: self.month + lag,
                district: *district,
                asset: *asset,
                amount,
            });
        }
    }
}

// Wiring: the schedule's call of this submodel.
impl Simulation {
    /// Step 2 on the state it reads and writes ([`government_budget`]).
    // Kept out of line: each step shows by name in a profile.
    #[inline(never)]
    pub(crate) fn government_budget(&mut self) {
        let ctx = BudgetContext {
            government: &self.s.government,
            city_budget: &self.s.city_budget,
            policy: &self.s.policy,
            lever_costs: &self.s.lever_costs,
            infrastructure: &self.s.infrastructure,
            factory_cost_cny_per_m2: self.s.land.standard_factory_cost_cny_per_m2,
            inflation_per_year: self.s.macro_.inflation_per_year,
            background_va: self.prev.background_va,
            background_tax_share: self.s.background.tax_share,
            districts: &self.districts,
            households: &self.households,
            month: self.month,
        };
        let mut purse = PublicPurse {
            accounts: &mut self.accounts,
            costs: &mut self.costs,
            capital: &mut self.capital,
            fund: &mut self.fund,
            guarantee_capital_paid: &mut self.guarantee_capital_paid,
            incubator_capital: &mut self.incubator_capital,
            pipeline: &mut self.pipeline,
        };
        government_budget(&ctx, &mut purse);
    }

    /// The account that collects a district's revenue and pays its capital plan.
    pub(crate) fn account_of(&self, district: usize) -> usize {
        account_for(self.districts[district].kind)
    }

    /// A public cost incurred this month, paid from `account` next month ([`charge`]).
    pub(crate) fn charge(&mut self, account: usize, cost: Cost, amount: f64) {
        charge(&mut self.accounts, &mut self.costs, account, cost, amount);
    }

    /// Residents a district's services must serve: background residents plus modelled households
    /// and the children living with them.
    pub(crate) fn residents(&self) -> Vec<f64> {
        self.census().residents
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::ScenarioFile;

    fn spec() -> ScenarioFile {
        let mut s = crate::model::tests::baseline_spec();
        // No money from outside, no running costs, no programmes: the accounts hold what a
        // test gives them.
        for g in [
            &mut s.government.transfers_cny_per_year,
            &mut s.government.administration_cny_per_year,
            &mut s.city_budget.transfers_cny_per_year,
            &mut s.city_budget.administration_cny_per_year,
            &mut s.infrastructure.maintenance_share_per_year,
            &mut s.policy.promotion_cny_per_year,
            &mut s.policy.incubator_cny_per_year,
            &mut s.policy.employment_service_cny_per_year,
            &mut s.policy.rural_ecommerce_cny_per_year,
            &mut s.policy.guarantee_fund_capital_cny,
            &mut s.policy.ppp_share,
        ] {
            *g = 0.0;
        }
        s.policy.approval_months = s.lever_costs.approval_reference_months;
        s.policy.bank_enterprise_matching = false;
        s.policy.five_plans_in_one = false;
        s
    }

    /// The baseline's zone (a cluster), city and rural district, in that order.
    fn districts(s: &ScenarioFile) -> Vec<District> {
        ["zone", "city", "rural"]
            .iter()
            .map(|id| District::from_spec(id, &s.districts[*id]))
            .collect()
    }

    /// The public state a month of the budget writes.
    #[derive(Default)]
    struct Purse {
        accounts: Option<[Government; 2]>,
        costs: PublicCosts,
        capital: CapitalLedger,
        fund: GuaranteeFund,
        paid: f64,
        incubators: f64,
        pipeline: Vec<Delivery>,
    }

    impl Purse {
        fn with(zone: Government, city: Government) -> Purse {
            Purse {
                accounts: Some([zone, city]),
                ..Purse::default()
            }
        }

        /// One month of the budget on a hand-made world of the baseline's three districts and
        /// no households.
        fn budget(&mut self, s: &ScenarioFile, month: u32) {
            let ds = districts(s);
            let hh = Households::default();
            let ctx = BudgetContext {
                government: &s.government,
                city_budget: &s.city_budget,
                policy: &s.policy,
                lever_costs: &s.lever_costs,
                infrastructure: &s.infrastructure,
                factory_cost_cny_per_m2: s.land.standard_factory_cost_cny_per_m2,
                inflation_per_year: s.macro_.inflation_per_year,
                background_va: 0.0,
                background_tax_share: s.background.tax_share,
                districts: &ds,
                households: &hh,
                month,
            };
            let accounts = self.accounts.as_mut().expect("accounts");
            for gov in accounts.iter_mut() {
                gov.begin_month();
            }
            government_budget(
                &ctx,
                &mut PublicPurse {
                    accounts,
                    costs: &mut self.costs,
                    capital: &mut self.capital,
                    fund: &mut self.fund,
                    guarantee_capital_paid: &mut self.paid,
                    incubator_capital: &mut self.incubators,
                    pipeline: &mut self.pipeline,
                },
            );
        }

        fn zone(&self) -> &Government {
            &self.accounts.as_ref().expect("accounts")[ZONE]
        }
    }

    /// The zone's planned capital a month in the baseline.
    fn zone_plan(s: &ScenarioFile) -> f64 {
        let ds = districts(s);
        let hh = Households::default();
        let ctx = BudgetContext {
            government: &s.government,
            city_budget: &s.city_budget,
            policy: &s.policy,
            lever_costs: &s.lever_costs,
            infrastructure: &s.infrastructure,
            factory_cost_cny_per_m2: s.land.standard_factory_cost_cny_per_m2,
            inflation_per_year: s.macro_.inflation_per_year,
            background_va: 0.0,
            background_tax_share: 0.0,
            districts: &ds,
            households: &hh,
            month: 1,
        };
        ctx.plan_items(ZONE, 1.0).iter().map(|x| x.3).sum()
    }

    #[test]
    fn a_budget_that_can_neither_pay_nor_borrow_cuts_its_capital_plan() {
        let s = spec();
        let planned = zone_plan(&s);
        assert!(planned > 0.0, "the baseline plans capital in the zone");
        // Broke and at the debt limit (no revenue, no bond or insurance quota in month 1).
        let mut poor = Purse::with(Government::new(0.0, 1e9), Government::new(1e13, 0.0));
        poor.budget(&s, 1);
        let flows = poor.zone().flows;
        assert_eq!(flows.capital_planned, planned);
        assert!((flows.capital_cut - planned).abs() < 1e-6 * planned);
        assert_eq!(flows.capital_spending, 0.0);
        let cut: f64 = poor.capital.cut.iter().sum();
        let zone_deliveries: Vec<&Delivery> =
            poor.pipeline.iter().filter(|d| d.district == 0).collect();
        assert!(!zone_deliveries.is_empty());
        assert!(zone_deliveries.iter().all(|d| d.amount == 0.0));
        // Rich: everything is built, nothing cut, and the projects are under way.
        let mut rich = Purse::with(Government::new(1e13, 0.0), Government::new(1e13, 0.0));
        rich.budget(&s, 1);
        let flows = rich.zone().flows;
        assert_eq!(flows.capital_cut, 0.0);
        assert!(flows.capital_spending >= planned);
        assert!(cut > rich.capital.cut.iter().sum::<f64>());
        let lag = s.infrastructure.construction_months.max(1);
        assert!(
            rich.pipeline
                .iter()
                .filter(|d| d.district == 0)
                .all(|d| d.amount > 0.0 && d.month == 1 + lag)
        );
    }

    #[test]
    fn ppp_builds_the_plan_now_and_pays_for_it_later() {
        let mut s = spec();
        s.policy.ppp_share = 1.0;
        let planned = zone_plan(&s);
        let mut poor = Purse::with(Government::new(0.0, 1e9), Government::new(1e13, 0.0));
        poor.budget(&s, 1);
        let zone = poor.zone();
        assert_eq!(zone.flows.capital_cut, 0.0);
        assert_eq!(zone.ppp.len(), 1);
        let contract = zone.ppp[0];
        assert_eq!(
            contract.months_left,
            (s.policy.ppp_contract_years * 12.0).round() as u32
        );
        let payments = contract.monthly_payment * f64::from(contract.months_left);
        let cost = planned * (1.0 - s.policy.ppp_efficiency_gain);
        assert!(
            payments > cost,
            "partners are paid their capital and its cost"
        );
        assert!(
            poor.pipeline
                .iter()
                .filter(|d| d.district == 0)
                .all(|d| d.amount > 0.0)
        );
        // Next month the first availability payment is due.
        let debt_before = poor.zone().debt();
        poor.budget(&s, 2);
        assert_eq!(poor.zone().ppp[0].months_left, contract.months_left - 1);
        assert!(poor.zone().debt() > debt_before);
    }

    #[test]
    fn cash_above_the_working_balance_repays_debt_and_the_rest_is_spent() {
        let mut s = spec();
        s.government.surplus_debt_prepayment_share = 1.0;
        s.government.debt_rollover_share = 0.0;
        let mut zone = Government::new(1e12, 5e8);
        zone.debt_bonds = 2e8;
        let mut purse = Purse::with(zone, Government::new(0.0, 0.0));
        purse.budget(&s, 1);
        let zone = purse.zone();
        assert_eq!(zone.debt(), 0.0);
        assert!(zone.flows.repayment >= 7e8);
        assert!(zone.flows.other_spending > 0.0, "no account hoards cash");
        let extra = zone.flows.capital_spending - zone_plan(&s);
        assert!(extra > 0.0 && extra <= zone_plan(&s) * s.government.surplus_plan_multiple + 1e-6);
        assert!(zone.cash < 1e12 * 1e-3);
        assert!(zone.cash_identity_gap().abs() < 1e-3);
    }

    /// The status quo's rules: debt falling due is refinanced and surplus cash does not repay it
    /// early, so a rich account keeps its debt, pays its interest and spends the surplus.
    #[test]
    fn rolled_over_debt_stays_while_the_surplus_is_spent() {
        let mut s = spec();
        s.government.surplus_debt_prepayment_share = 0.0;
        s.government.debt_rollover_share = 1.0;
        let mut purse = Purse::with(Government::new(1e12, 5e8), Government::new(0.0, 0.0));
        purse.budget(&s, 1);
        let zone = purse.zone();
        assert_eq!(zone.debt(), 5e8);
        assert_eq!(zone.flows.repayment, 0.0);
        assert!(zone.flows.other_spending > 0.0, "no account hoards cash");
        assert!(zone.cash_identity_gap().abs() < 1e-3);
    }

    /// Infrastructure plans grow with the account's revenue at the scenario's elasticity, and
    /// not before a first year of revenue is known.
    #[test]
    fn capital_plans_follow_revenue() {
        let mut s = spec();
        s.government.capital_plan_revenue_elasticity = 1.0;
        let mut gov = Government::new(0.0, 0.0);
        assert_eq!(plan_scale(&s.government, &gov), 1.0);
        gov.first_year_revenue = 1.2e9;
        gov.revenue_history.extend(std::iter::repeat_n(2e8, 12));
        assert!((plan_scale(&s.government, &gov) - 2.0).abs() < 1e-12);
        s.government.capital_plan_revenue_elasticity = 0.0;
        assert_eq!(plan_scale(&s.government, &gov), 1.0);
    }

    #[test]
    fn the_year_opens_the_bond_and_insurance_quotas_and_borrowing_uses_them_first() {
        let mut s = spec();
        s.policy.special_bond_quota_cny_per_year = 1e15;
        s.policy.insurance_capital_cny_per_year = 1e15;
        let mut purse = Purse::with(Government::new(0.0, 0.0), Government::new(1e13, 0.0));
        purse.budget(&s, 12);
        let zone = purse.zone();
        assert_eq!(zone.flows.capital_cut, 0.0);
        assert!(zone.debt_bonds > 0.0);
        assert_eq!(zone.debt_platform, 0.0);
        assert_eq!(zone.debt_insurance, 0.0);
    }

    /// The status quo's new-debt quota: bonds of a share of the last year's revenue, accruing a
    /// twelfth a month, pay for the capital plan, so the cash they free goes to current spending
    /// and debt grows; an account above its debt limit issues none.
    #[test]
    fn the_new_debt_quota_pays_for_the_plan_within_the_debt_limit() {
        let mut s = spec();
        s.government.new_debt_quota_revenue_share = 0.15;
        s.government.surplus_debt_prepayment_share = 0.0;
        let with_revenue = |cash: f64, debt: f64| {
            let mut gov = Government::new(cash, debt);
            gov.revenue_history.extend(std::iter::repeat_n(1e9, 12));
            gov
        };
        let mut purse = Purse::with(with_revenue(1e12, 0.0), Government::new(0.0, 0.0));
        purse.budget(&s, 12);
        let zone = purse.zone();
        let quota = 0.15 * zone.annual_revenue() / 12.0;
        let spent = zone.flows.capital_spending;
        assert!(zone.debt_bonds > 0.0, "the quota is used");
        assert!((zone.debt_bonds - quota.min(spent)).abs() < 1e-6 * quota);
        assert!((zone.new_debt_quota_left - (quota - zone.debt_bonds)).abs() < 1e-6 * quota);
        assert_eq!(zone.flows.capital_cut, 0.0);
        assert!(
            zone.flows.other_spending >= zone.debt_bonds,
            "the cash it frees is spent"
        );
        assert!(zone.cash_identity_gap().abs() < 1e-3);
        // Above the limit (2.2 × revenue by default): no new bonds.
        let mut indebted = Purse::with(with_revenue(1e12, 1e11), Government::new(0.0, 0.0));
        indebted.budget(&s, 12);
        assert_eq!(indebted.zone().debt_bonds, 0.0);
        // Without a quota: no new debt while cash lasts.
        s.government.new_debt_quota_revenue_share = 0.0;
        let mut none = Purse::with(with_revenue(1e12, 0.0), Government::new(0.0, 0.0));
        none.budget(&s, 12);
        assert_eq!(none.zone().debt(), 0.0);
    }

    #[test]
    fn a_charge_is_paid_from_its_account_next_month_and_counted_for_its_lever() {
        let mut accounts = [Government::new(0.0, 0.0), Government::new(0.0, 0.0)];
        let mut costs = PublicCosts::default();
        charge(&mut accounts, &mut costs, CITY, Cost::Talent, 30.0);
        charge(&mut accounts, &mut costs, CITY, Cost::Talent, 12.0);
        assert_eq!(accounts[CITY].accrued.subsidies, 42.0);
        assert_eq!(accounts[ZONE].accrued.subsidies, 0.0);
        assert_eq!(costs.get(Cost::Talent), 42.0);
        assert_eq!(account_for(DistrictKind::Cluster), ZONE);
        assert_eq!(account_for(DistrictKind::Rural), CITY);
        assert!((real_rate(0.02, 0.05) - 0.03 / 1.02).abs() < 1e-15);
    }
}

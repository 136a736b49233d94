//! Step 2: the two public accounts collect last month's revenue, pay what they owe, and carry out
//! the scenario's capital plan — publicly financed, by PPP, or cut back when money and borrowing room
//! run out (MODEL.md §4 "Government").

use super::Simulation;
use super::costs::Cost;
use super::detmath::DetMath;
use super::public::{Asset, Delivery, PppContract, annuity_monthly};
use crate::scenario::DistrictKind;

/// Platform debt the rule still allows: a multiple of average yearly revenue, less debt.
fn debt_room(gov: &super::public::Government, limit: f64, revenue_months: u32) -> f64 {
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

impl Simulation {
    /// The account that collects a district's revenue and pays its capital plan.
    pub(crate) fn account_of(&self, district: usize) -> usize {
        account_for(self.districts[district].kind)
    }

    /// A public cost incurred this month, paid from `account` next month.
    pub(crate) fn charge(&mut self, account: usize, cost: Cost, amount: f64) {
        self.accounts[account].accrued.subsidies += amount;
        self.costs.add(cost, amount);
    }

    fn account_rules(&self, account: usize) -> AccountRules {
        let g = &self.s.government;
        let c = &self.s.city_budget;
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
    /// their own and those whose cost the lever-cost table gives).
    fn programme_costs(&mut self) -> [f64; 2] {
        let policy = &self.s.policy;
        let lc = &self.s.lever_costs;
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
                self.costs.add(*cost, per_year / 12.0);
                out[account] += per_year / 12.0;
            }
        }
        out
    }

    // Kept out of line: each step shows by name in a profile.
    #[inline(never)]
    pub(crate) fn government_budget(&mut self) {
        let g = self.s.government.clone();
        let policy = self.s.policy.clone();
        if self.month.is_multiple_of(12) {
            self.accounts[ZONE].bond_quota_left = policy.special_bond_quota_cny_per_year;
            self.accounts[ZONE].insurance_left = policy.insurance_capital_cny_per_year;
        }
        // The city taxes last month's economy outside the modelled firms.
        self.accounts[CITY].accrued.taxes +=
            self.prev.background_va * self.s.background.tax_share / 12.0;
        let programmes = self.programme_costs();
        let years = self.month as f64 / 12.0;
        let mut mandatory = [0.0; 2];
        for a in [ZONE, CITY] {
            let rules = self.account_rules(a);
            // Revenue accrued last month; land receipts pass through the land fund.
            let accrued = std::mem::take(&mut self.accounts[a].accrued);
            let gov = &mut self.accounts[a];
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
            // Mandatory spending.
            let administration =
                rules.administration / 12.0 * (1.0 + rules.administration_growth).dpow(years);
            let public_capital: f64 = self
                .districts
                .iter()
                .enumerate()
                .filter(|(di, _)| self.account_of(*di) == a)
                .map(|(_, d)| d.roads + d.utilities + d.logistics + d.digital + d.innovation)
                .sum();
            let maintenance =
                public_capital * self.s.infrastructure.maintenance_share_per_year / 12.0;
            // Services of urban residents are the city's (schools, clinics, sanitation).
            let services = if a == CITY {
                let rural = self.rural_districts();
                let hh = &self.households;
                let urban_households = (0..hh.len()).filter(|&i| !rural[hh.home(i)]).count() as f64;
                let background: f64 = self.districts.iter().map(|d| d.background_residents).sum();
                urban_households * g.service_cost_cny_per_resident_month
                    + background
                        * self
                            .s
                            .city_budget
                            .service_cost_cny_per_background_resident_month
            } else {
                0.0
            };
            let guarantee_capital = if a == ZONE {
                let top =
                    (policy.guarantee_fund_capital_cny - self.guarantee_capital_paid).max(0.0);
                self.guarantee_capital_paid += top;
                self.fund.capital += top;
                self.costs.add(Cost::GuaranteeFund, top);
                top
            } else {
                0.0
            };
            if a == ZONE {
                self.incubator_capital += policy.incubator_cny_per_year / 12.0;
            }
            let real_platform = self.real_rate(g.debt_interest_per_year);
            let real_bonds = self.real_rate(g.bond_interest_per_year);
            let real_insurance = self.real_rate(policy.insurance_capital_rate_per_year);
            let gov = &mut self.accounts[a];
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
            let repay_share = g.debt_repayment_share_per_year / 12.0;
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
        self.capital_plan(&mandatory);
        // The treasurer's rule: cash above the working balance repays debt, dearest first.
        for a in [ZONE, CITY] {
            let rules = self.account_rules(a);
            let gov = &mut self.accounts[a];
            let working_balance = rules.working_balance_months * mandatory[a];
            let mut excess = (gov.cash - working_balance).max(0.0);
            let mut repaid = 0.0;
            for debt in [
                &mut gov.debt_platform,
                &mut gov.debt_insurance,
                &mut gov.debt_bonds,
            ] {
                let x = excess.min(*debt);
                *debt -= x;
                excess -= x;
                repaid += x;
            }
            gov.repay(repaid);
            // What is left is spent (以收定支: revenue sets spending): on more of the same plan, up
            // to `surplus_plan_multiple` times it, and the rest on public services outside the
            // model's scope (salaries, pensions, culture…), so no account hoards cash.
            let items = self.plan_items(a);
            let planned: f64 = items.iter().map(|x| x.3).sum();
            let extra = excess.min(planned * self.s.government.surplus_plan_multiple);
            let gov = &mut self.accounts[a];
            if extra > 0.0 && planned > 0.0 {
                gov.spend(extra);
                gov.flows.capital_spending += extra;
                self.costs.add(Cost::CapitalPlan, extra);
                self.commission(&items, extra / planned);
            }
            let gov = &mut self.accounts[a];
            let other = excess - extra.max(0.0);
            if other > 0.0 {
                gov.spend(other);
                gov.flows.other_spending = other;
            }
        }
    }

    /// The capital plan of each account: PPP part built by partners, public part paid now, by
    /// debt within the rule, or cut.
    fn capital_plan(&mut self, mandatory: &[f64; 2]) {
        let g = self.s.government.clone();
        let policy = self.s.policy.clone();
        for a in [ZONE, CITY] {
            let items = self.plan_items(a);
            let planned: f64 = items.iter().map(|x| x.3).sum();
            if planned <= 0.0 {
                continue;
            }
            let ppp_share = policy.ppp_share;
            let ppp_cost = planned * ppp_share * (1.0 - policy.ppp_efficiency_gain);
            let ppp_rate = self.real_rate(policy.ppp_private_cost_of_capital);
            let rules = self.account_rules(a);
            let gov = &mut self.accounts[a];
            if ppp_cost > 0.0 {
                gov.ppp.push(PppContract {
                    monthly_payment: annuity_monthly(ppp_cost, ppp_rate, policy.ppp_contract_years),
                    months_left: (policy.ppp_contract_years * 12.0).round() as u32,
                });
            }
            let public = planned * (1.0 - ppp_share);
            let buffer = g.cash_buffer_months * mandatory[a];
            let available = (gov.cash - buffer).max(0.0);
            let mut funded = public.min(available);
            if funded < public {
                let room = debt_room(gov, rules.debt_limit, g.debt_rule_revenue_months);
                let unfinanced = gov.finance(public - funded, room);
                funded = public - unfinanced;
            }
            gov.spend(funded);
            gov.flows.capital_spending = funded + ppp_cost;
            gov.flows.capital_cut = public - funded;
            gov.flows.capital_planned = planned;
            self.costs.add(Cost::CapitalPlan, funded + ppp_cost);
            let public_fraction = if public > 0.0 { funded / public } else { 1.0 };
            let built_share = ppp_share + (1.0 - ppp_share) * public_fraction;
            for (_, asset, _, cost) in &items {
                self.capital.record(*asset, *cost, cost * built_share);
            }
            self.commission(&items, built_share);
        }
    }

    /// The month's capital plan of an account: (district, asset, units, cost) per item.
    fn plan_items(&self, a: usize) -> Vec<(usize, Asset, f64, f64)> {
        let policy = &self.s.policy;
        let infra = &self.s.infrastructure;
        let mut items: Vec<(usize, Asset, f64, f64)> = Vec::new(); // district, asset, units, cost
        for (di, d) in self.districts.iter().enumerate() {
            if self.account_of(di) != a {
                continue;
            }
            let Some(plan) = policy.investment.get(&d.id) else {
                continue;
            };
            let per_month = |x: f64| x / 12.0;
            let land_cost = self.s.land.standard_factory_cost_cny_per_m2;
            for (asset, units, unit_cost) in [
                (Asset::Roads, per_month(plan.roads_cny_per_year), 1.0),
                (
                    Asset::Utilities,
                    per_month(plan.utilities_cny_per_year),
                    1.0,
                ),
                (
                    Asset::Environment,
                    per_month(plan.environment_cny_per_year),
                    1.0,
                ),
                (
                    Asset::Logistics,
                    per_month(plan.logistics_cny_per_year),
                    1.0,
                ),
                (Asset::Digital, per_month(plan.digital_cny_per_year), 1.0),
                (
                    Asset::Innovation,
                    per_month(plan.innovation_cny_per_year),
                    1.0,
                ),
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
    fn commission(&mut self, items: &[(usize, Asset, f64, f64)], share: f64) {
        let infra = &self.s.infrastructure;
        let five = self.s.policy.five_plans_in_one;
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
            self.pipeline.push(Delivery {
                month: self.month + lag,
                district: *district,
                asset: *asset,
                amount,
            });
        }
    }

    /// Residents a district's services must serve: background residents plus modelled households
    /// and the children living with them.
    pub(crate) fn residents(&self) -> Vec<f64> {
        self.census().residents
    }

    /// Occupancy of each housing stock recounted from the households.
    pub(crate) fn recount_occupancy(&mut self) {
        let occupied = self.census().occupied;
        for (d, o) in self.districts.iter_mut().zip(occupied) {
            d.occupied = o;
        }
    }
}

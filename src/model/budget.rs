//! Step 2: the government collects last month's revenue, pays what it owes, and carries out the
//! scenario's capital plan — publicly financed, by PPP, or cut back when money and borrowing room
//! run out (MODEL.md §4 "Government").

use super::Simulation;
use super::detmath::DetMath;
use super::public::{Asset, Delivery, PppContract, annuity_monthly};
use super::world::Tenure;

impl Simulation {
    pub(crate) fn government_budget(&mut self) {
        let g = self.s.government.clone();
        let policy = self.s.policy.clone();
        if self.month.is_multiple_of(12) {
            self.gov.bond_quota_left = policy.special_bond_quota_cny_per_year;
            self.gov.insurance_left = policy.insurance_capital_cny_per_year;
        }
        // Revenue accrued last month; land receipts pass through the land fund.
        let accrued = std::mem::take(&mut self.gov.accrued);
        self.gov.land_fund += accrued.land_sales;
        let land_revenue = self.gov.land_fund / g.land_revenue_spread_months.max(1.0);
        self.gov.land_fund -= land_revenue;
        let revenue = accrued.taxes + land_revenue + accrued.fees + g.transfers_cny_per_year / 12.0;
        self.gov.receive(revenue);
        self.gov.flows.land_revenue = land_revenue;
        self.gov.revenue_history.push_back(revenue);
        while self.gov.revenue_history.len() > g.debt_rule_revenue_months.max(12) as usize {
            self.gov.revenue_history.pop_front();
        }
        // Mandatory spending.
        let years = self.month as f64 / 12.0;
        let administration = g.administration_cny_per_year / 12.0
            * (1.0 + g.administration_growth_per_year).dpow(years);
        let public_capital: f64 = self
            .districts
            .iter()
            .map(|d| d.roads + d.utilities + d.logistics + d.digital + d.innovation)
            .sum();
        let maintenance = public_capital * self.s.infrastructure.maintenance_share_per_year / 12.0;
        let urban_households = self
            .workers
            .iter()
            .filter(|w| self.districts[w.residence].kind != crate::scenario::DistrictKind::Rural)
            .count() as f64;
        let services = urban_households * g.service_cost_cny_per_resident_month;
        let programs = (policy.promotion_cny_per_year
            + policy.employment_service_cny_per_year
            + policy.rural_ecommerce_cny_per_year
            + policy.incubator_cny_per_year)
            / 12.0;
        self.incubator_capital += policy.incubator_cny_per_year / 12.0;
        let ppp_due = self.gov.ppp_payments_due();
        let interest = self.gov.debt_platform * self.real_rate(g.debt_interest_per_year) / 12.0
            + self.gov.debt_bonds * self.real_rate(g.bond_interest_per_year) / 12.0
            + self.gov.debt_insurance * self.real_rate(policy.insurance_capital_rate_per_year)
                / 12.0;
        let guarantee_capital =
            (policy.guarantee_fund_capital_cny - self.guarantee_capital_paid).max(0.0);
        self.guarantee_capital_paid += guarantee_capital;
        self.fund.capital += guarantee_capital;
        let mandatory = administration
            + maintenance
            + services
            + programs
            + accrued.subsidies
            + accrued.social
            + ppp_due
            + interest
            + guarantee_capital;
        self.gov.spend(mandatory);
        let repay_share = g.debt_repayment_share_per_year / 12.0;
        let repay_platform = self.gov.debt_platform * repay_share;
        let repay_bonds = self.gov.debt_bonds * repay_share;
        let repay_insurance = self.gov.debt_insurance * repay_share;
        self.gov.debt_platform -= repay_platform;
        self.gov.debt_bonds -= repay_bonds;
        self.gov.debt_insurance -= repay_insurance;
        self.gov
            .repay(repay_platform + repay_bonds + repay_insurance);
        let room = |gov: &super::public::Government| {
            g.debt_limit_revenue_multiple
                * gov.average_annual_revenue(g.debt_rule_revenue_months as usize)
                - gov.debt()
        };
        if self.gov.cash < 0.0 {
            let short = -self.gov.cash;
            let r = room(&self.gov);
            let left = self.gov.finance(short, r);
            self.gov.finance_beyond_limit(left);
        }
        // Capital plan: PPP part built by partners, public part paid now or cut.
        let infra = self.s.infrastructure.clone();
        let waste = if policy.five_plans_in_one {
            infra.five_plans_waste_share
        } else {
            infra.planning_waste_share
        };
        let lag_cut = if policy.five_plans_in_one {
            infra.five_plans_lag_cut_share
        } else {
            0.0
        };
        let lag = ((infra.construction_months as f64) * (1.0 - lag_cut))
            .round()
            .max(1.0) as u32;
        let mut items: Vec<(usize, Asset, f64, f64)> = Vec::new(); // district, asset, units, cost
        for (di, d) in self.districts.iter().enumerate() {
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
        let planned: f64 = items.iter().map(|x| x.3).sum();
        if planned <= 0.0 {
            return;
        }
        let ppp_share = policy.ppp_share;
        let ppp_cost = planned * ppp_share * (1.0 - policy.ppp_efficiency_gain);
        if ppp_cost > 0.0 {
            self.gov.ppp.push(PppContract {
                monthly_payment: annuity_monthly(
                    ppp_cost,
                    self.real_rate(policy.ppp_private_cost_of_capital),
                    policy.ppp_contract_years,
                ),
                months_left: (policy.ppp_contract_years * 12.0).round() as u32,
            });
        }
        let public = planned * (1.0 - ppp_share);
        let buffer = g.cash_buffer_months * mandatory;
        let available = (self.gov.cash - buffer).max(0.0);
        let mut funded = public.min(available);
        if funded < public {
            let r = room(&self.gov);
            let unfinanced = self.gov.finance(public - funded, r);
            funded = public - unfinanced;
        }
        self.gov.spend(funded);
        self.gov.flows.capital_spending = funded + ppp_cost;
        self.gov.flows.capital_cut = public - funded;
        let public_fraction = if public > 0.0 { funded / public } else { 1.0 };
        let built_share = ppp_share + (1.0 - ppp_share) * public_fraction;
        for (district, asset, units, _) in items {
            let amount = match asset {
                Asset::Environment => units / infra.environment_cost_cny_per_unit_month,
                _ => units,
            } * built_share
                * (1.0 - waste);
            self.pipeline.push(Delivery {
                month: self.month + lag,
                district,
                asset,
                amount,
            });
        }
    }

    /// Residents a district's services must serve: background residents plus modelled households
    /// and the children living with them.
    pub(crate) fn residents(&self) -> Vec<f64> {
        let mut n: Vec<f64> = self
            .districts
            .iter()
            .map(|d| d.background_residents)
            .collect();
        for w in &self.workers {
            n[w.residence] += 1.0
                + if w.children_with {
                    w.children as f64
                } else {
                    0.0
                };
        }
        n
    }

    /// Occupancy of each housing stock recounted from the households.
    pub(crate) fn recount_occupancy(&mut self) {
        for d in &mut self.districts {
            d.occupied = [0; Tenure::STOCKS];
        }
        for w in &self.workers {
            self.districts[w.residence].occupied[w.tenure.stock()] += 1;
        }
    }
}

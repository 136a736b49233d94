//! Step 4: firm entry. Prospects arrive as a Poisson stream by sector (raised by promotion and
//! chain targeting), choose a district or the outside option in a logit over expected conditions,
//! buy land or rent floor, wait through approval and construction, then start operating.

use super::agents::Firm;
use super::agents::FirmStatus;
use super::costs::Cost;
use super::detmath::DetMath;
use super::production::FirmWorld;
use super::streams::{Draw, Source, Stream, newcomer_key};
use super::world::Land;
use super::{Simulation, keyed_poisson};
use crate::scenario::{DistrictKind, Premises};

impl FirmWorld<'_> {
    // Kept out of line: each step shows by name in a profile.
    #[inline(never)]
    pub(crate) fn firm_entry(&mut self) {
        self.advance_projects();
        let ns = self.economy.sectors.len();
        let e = self.s.entry.clone();
        let policy = self.s.policy.clone();
        let promotion = (1.0 + policy.promotion_cny_per_year / e.promotion_reference_cny_per_year)
            .dpow(e.promotion_elasticity);
        let linkage = self.anchor_linkage();
        let wage_costs = self.district_wage_costs();
        for si in 0..ns {
            let base = self.economy.sectors[si].prospects_per_year / 12.0;
            let targeting =
                1.0 + policy.chain_targeting_share * e.chain_targeting_gain * linkage[si];
            let n = keyed_poisson(
                self.streams,
                Draw::ProspectCount,
                si as u64,
                self.month,
                base * promotion * targeting,
            );
            // The promotion team works the targeted share of the prospects it receives.
            let targeted = f64::from(n) * policy.chain_targeting_share;
            let cost = targeted * self.s.lever_costs.chain_targeting_cny_per_prospect;
            self.charge(super::ZONE, Cost::ChainTargeting, cost);
            for rank in 0..n {
                self.counters.prospects += 1;
                let key = newcomer_key(Source::Prospect, self.month, si as u32, rank);
                let mut draws = self.streams.open(Draw::Prospect, key, self.month);
                let scale = self.draw_scale(self.s.firms.entrant_size_min_workers, draws.unit());
                if let Some(di) = self.choose_location_given(si, scale, &mut draws, &wage_costs) {
                    self.found_firm(si, di, scale, key);
                }
            }
        }
    }

    /// Approval → construction → operating; projects abandon during approval at a monthly hazard.
    fn advance_projects(&mut self) {
        let approval = self.s.policy.approval_months;
        let construction = self.s.entry.construction_months;
        let abandon = self.s.entry.approval_abandon_per_month;
        for fi in 0..self.firms.len() {
            let firm = &self.firms[fi];
            match firm.status {
                FirmStatus::Approval => {
                    let key = firm.key;
                    if self
                        .streams
                        .open(Draw::Abandon, key, self.month)
                        .chance(abandon)
                    {
                        self.abandon_project(fi);
                    } else if self.firms[fi].status_months as f64 >= approval {
                        let firm = &mut self.firms[fi];
                        firm.status = FirmStatus::Construction;
                        firm.status_months = 0;
                    }
                }
                FirmStatus::Construction if firm.status_months >= construction => {
                    self.start_operating(fi);
                }
                _ => {}
            }
        }
    }

    fn abandon_project(&mut self, fi: usize) {
        let firm = &mut self.firms[fi];
        firm.status = FirmStatus::Exited;
        let (di, ha, floor, si) = (firm.district, firm.land_ha, firm.floor_rented, firm.sector);
        firm.land_ha = 0.0;
        firm.floor_rented = 0.0;
        let d = &mut self.districts[di];
        Land::transfer(&mut d.land.occupied, &mut d.land.serviced_free, ha);
        match self.economy.sectors[si].premises {
            Premises::IndustrialLand => {
                d.factory_floor_used = (d.factory_floor_used - floor).max(0.0)
            }
            Premises::CommercialFloor => {
                d.commercial_floor_used = (d.commercial_floor_used - floor).max(0.0)
            }
        }
        self.counters.abandoned += 1;
    }

    /// The plant opens with the capital its owners and lenders can finance (equity first).
    fn start_operating(&mut self, fi: usize) {
        let mut firm = self.firms[fi].clone();
        self.equip_at_optimum(&mut firm);
        let target = firm.capital;
        let working_cash = firm.cash;
        firm.capital = 0.0;
        firm.cash = working_cash + target * self.s.firms.entrant_equity_share;
        firm.status = FirmStatus::Operating;
        firm.status_months = 0;
        firm.born_month = self.month as i64;
        firm.anchor = firm.scale >= self.s.firms.anchor_min_workers;
        self.firms[fi] = firm;
        self.finance_investment(fi, target);
        self.counters.entries += 1;
    }

    /// Normalised I–O linkage of each sector to the sectors of present anchor firms (0..1).
    fn anchor_linkage(&self) -> Vec<f64> {
        let ns = self.economy.sectors.len();
        let mut weights = vec![0.0; ns];
        for f in self.firms.iter() {
            if f.anchor && f.is_active() && self.is_cluster(f.district) {
                weights[f.sector] += f.output;
            }
        }
        let total: f64 = weights.iter().sum();
        if total <= 0.0 {
            return vec![0.0; ns];
        }
        for w in &mut weights {
            *w /= total;
        }
        let link: Vec<f64> = (0..ns).map(|s| self.economy.linkage(s, &weights)).collect();
        let max = link.iter().cloned().fold(0.0, f64::max);
        if max > 0.0 {
            link.iter().map(|l| l / max).collect()
        } else {
            link
        }
    }

    /// Labour cost a prospect expects in each district, relative to elsewhere: the regional wage
    /// over the outside wage (sums over the three skills), times one plus the average wage
    /// premium of the district's operating firms (what a tight local market adds).
    fn district_wage_costs(&self) -> Vec<f64> {
        let regional: f64 = (0..3).map(|k| self.wage_index[k]).sum::<f64>()
            / (0..3).map(|k| self.outside_wage[k]).sum::<f64>();
        let nd = self.districts.len();
        let (mut premium, mut count) = (vec![0.0; nd], vec![0.0; nd]);
        for f in self.firms.iter() {
            if f.status == FirmStatus::Operating {
                premium[f.district] += f.wage_premium.iter().sum::<f64>() / 3.0;
                count[f.district] += 1.0;
            }
        }
        (0..nd)
            .map(|d| {
                let mean = if count[d] > 0.0 {
                    premium[d] / count[d]
                } else {
                    0.0
                };
                (regional * (1.0 + mean)).max(1e-9)
            })
            .collect()
    }

    /// Logit choice among feasible districts and the outside option; `None` = the prospect goes
    /// elsewhere. The taste shocks come from the prospect's stream, one per district in a fixed
    /// order whether or not the district is feasible.
    pub(crate) fn choose_location(
        &self,
        si: usize,
        scale: f64,
        draws: &mut Stream,
    ) -> Option<usize> {
        self.choose_location_given(si, scale, draws, &self.district_wage_costs())
    }

    /// [`Simulation::choose_location`] with the districts' wage costs given: they depend only on
    /// operating firms, which entry does not change within a month, so the entry step computes
    /// them once rather than once per prospect (that was quadratic in firms).
    fn choose_location_given(
        &self,
        si: usize,
        scale: f64,
        draws: &mut Stream,
        wage_costs: &[f64],
    ) -> Option<usize> {
        let e = &self.s.entry;
        let sector = &self.economy.sectors[si];
        let policy = &self.s.policy;
        let floor_need = scale * sector.floor_per_worker;
        let land_need = self.land_need_ha(si, scale);
        let max_commute = self.s.labour.max_commute_minutes;
        let mut best: Option<usize> = None;
        let mut best_value = e.outside_option_utility + draws.gumbel();
        for di in 0..self.districts.len() {
            let d = &self.districts[di];
            if !sector.locates_in.contains(&d.kind) {
                continue;
            }
            let feasible = match sector.premises {
                Premises::IndustrialLand => {
                    d.land.serviced_free >= land_need
                        || (scale <= self.s.land.standard_factory_max_workers
                            && d.factory_floor - d.factory_floor_used >= floor_need)
                }
                Premises::CommercialFloor => {
                    d.commercial_floor - d.commercial_floor_used >= floor_need
                }
            };
            let red_line = policy.environmental_red_line
                && d.pollution / self.s.environment.red_line_stock > 1.0
                && sector.pollution_per_million > self.s.environment.red_line_pollution_threshold;
            let taste = draws.gumbel();
            if !feasible || red_line {
                continue;
            }
            let price = self.markets.price[self.market_of(si, di)];
            let p_net = self.net_price(si, di, price);
            let profit_index = (p_net / (1.0 - sector.input_share)).max(e.profit_index_floor)
                * self.productivity_multiplier(si, di, 0.0);
            let land_price = if sector.premises == Premises::IndustrialLand
                && d.land.serviced_free >= land_need
            {
                d.land_price * (1.0 - policy.land_price_discount) / 1e6
            } else {
                0.0
            };
            let approval =
                if d.kind == DistrictKind::Cluster && sector.premises == Premises::IndustrialLand {
                    policy.approval_months
                } else {
                    0.0
                };
            let infra = (self.infrastructure_quality(d.utilities, di)
                + self.infrastructure_quality(d.logistics, di)
                + self.infrastructure_quality(d.digital, di))
                / 3.0;
            let reachable: f64 = (0..self.districts.len())
                .filter(|&o| self.travel.minutes[(o, di)] <= max_commute)
                .map(|o| self.prev.district_unemployed[o])
                .sum();
            let value = e.profit_weight * profit_index.dln()
                - e.wage_weight * wage_costs[di].dln()
                - e.land_price_weight_per_million_cny * land_price
                - e.approval_weight_per_month * approval
                + e.infrastructure_weight * infra
                + e.supplier_weight * self.prev.chain[di][si]
                + e.labour_weight * (1.0 + reachable / scale.max(1.0)).dln()
                + taste;
            if value > best_value {
                best_value = value;
                best = Some(di);
            }
        }
        best
    }

    pub(crate) fn found_firm(&mut self, si: usize, di: usize, scale: f64, key: u64) {
        let sector = self.economy.sectors[si].clone();
        let is_cluster = self.is_cluster(di);
        let status = if is_cluster && sector.premises == Premises::IndustrialLand {
            FirmStatus::Approval
        } else {
            FirmStatus::Construction
        };
        let mut firm = self.new_firm(si, di, scale, status, key);
        let floor_need = scale * sector.floor_per_worker;
        let land_need = self.land_need_ha(si, scale);
        let discount = self.s.policy.land_price_discount;
        let account = self.account_of(di);
        let d = &mut self.districts[di];
        match sector.premises {
            Premises::IndustrialLand => {
                let prefers_floor = scale <= self.s.land.standard_factory_max_workers
                    && d.factory_floor - d.factory_floor_used >= floor_need;
                if prefers_floor {
                    firm.floor_rented = floor_need;
                    d.factory_floor_used += floor_need;
                } else {
                    let ha =
                        Land::transfer(&mut d.land.serviced_free, &mut d.land.occupied, land_need);
                    firm.land_ha = ha;
                    let price = ha * d.land_price;
                    self.accounts[account].accrued.land_sales += price * (1.0 - discount);
                    self.costs.add(Cost::LandPriceDiscount, price * discount);
                    let mut draw = self.streams.open(Draw::Stalled, key, self.month);
                    if draw.chance(self.s.firms.stalled_project_share) {
                        // A land-banking project: holds the land, never builds (R3.2).
                        let d = &mut self.districts[di];
                        Land::transfer(&mut d.land.occupied, &mut d.land.idle, ha);
                        firm.status = FirmStatus::Idle;
                        firm.stalled = true;
                    }
                }
            }
            Premises::CommercialFloor => {
                firm.floor_rented = floor_need;
                d.commercial_floor_used += floor_need;
            }
        }
        self.firms.push(firm);
    }

    /// A new firm of `sector` in `district` with the productivity its scale implies, and the
    /// next id.
    pub(crate) fn new_firm(
        &mut self,
        sector: usize,
        district: usize,
        scale: f64,
        status: FirmStatus,
        key: u64,
    ) -> Firm {
        let theta =
            self.economy.sectors[sector].alpha + self.economy.sectors[sector].labour_elasticity();
        let tfp = self.economy.sectors[sector].base_tfp * scale.dpow(1.0 - theta);
        let id = *self.next_firm_id;
        *self.next_firm_id += 1;
        let mut firm = Firm::new(id, key, sector, district, status);
        firm.born_month = self.month as i64;
        firm.scale = scale;
        firm.tfp = tfp;
        firm
    }
}

/// Wiring: the schedule's call of this submodel (and what the initial state shares with it).
impl Simulation {
    /// Step 4 (`FirmWorld::firm_entry`).
    #[inline(never)]
    pub(crate) fn firm_entry(&mut self) {
        self.firm_world().firm_entry();
    }

    pub(crate) fn choose_location(
        &mut self,
        si: usize,
        scale: f64,
        draws: &mut super::streams::Stream,
    ) -> Option<usize> {
        self.firm_world().choose_location(si, scale, draws)
    }

    pub(crate) fn found_firm(&mut self, si: usize, di: usize, scale: f64, key: u64) {
        self.firm_world().found_firm(si, di, scale, key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::production::tests::Parts;
    use crate::model::{CITY, ZONE};
    use crate::scenario::DistrictKind;

    /// A sector that builds on industrial land and may locate in the city.
    fn city_industry(parts: &Parts) -> usize {
        parts
            .economy
            .sectors
            .iter()
            .position(|x| {
                x.premises == Premises::IndustrialLand && x.locates_in.contains(&DistrictKind::City)
            })
            .expect("an industrial sector that locates in the city")
    }

    /// An industrial prospect too large for a standard factory buys serviced land in the zone
    /// (the zone account books the sale) and waits for approval.
    #[test]
    fn an_industrial_prospect_in_the_zone_buys_land_and_waits_for_approval() {
        let mut parts = Parts::new();
        let zone = parts.zone;
        let scale = 2.0 * parts.s.land.standard_factory_max_workers;
        let need = parts.conditions().land_need_ha(0, scale);
        let before = parts.districts[zone].clone();
        parts.world().found_firm(0, zone, scale, 42);
        assert_eq!(parts.firms.len(), 1);
        assert_eq!(parts.next_firm_id, 1);
        let f = &parts.firms[0];
        assert_eq!(f.status, FirmStatus::Approval);
        assert_eq!((f.key, f.district, f.scale), (42, zone, scale));
        assert!(f.tfp > 0.0);
        assert!(need > 0.0 && (f.land_ha - need).abs() < 1e-12);
        assert_eq!(f.floor_rented, 0.0);
        let d = &parts.districts[zone];
        assert!((before.land.serviced_free - d.land.serviced_free - need).abs() < 1e-9);
        assert!((d.land.occupied - before.land.occupied - need).abs() < 1e-9);
        assert_eq!(d.factory_floor_used, before.factory_floor_used);
        let paid = need * d.land_price * (1.0 - parts.s.policy.land_price_discount);
        assert!((parts.accounts[ZONE].accrued.land_sales - paid).abs() < 1e-6);
        assert_eq!(parts.accounts[CITY].accrued.land_sales, 0.0);
    }

    /// A small industrial prospect rents standard-factory floor instead of buying land.
    #[test]
    fn a_small_industrial_prospect_rents_standard_factory_floor() {
        let mut parts = Parts::new();
        let zone = parts.zone;
        let scale = parts.s.land.standard_factory_max_workers / 2.0;
        let before = parts.districts[zone].clone();
        parts.world().found_firm(0, zone, scale, 7);
        let floor = scale * parts.economy.sectors[0].floor_per_worker;
        let f = &parts.firms[0];
        assert_eq!(f.status, FirmStatus::Approval);
        assert_eq!((f.land_ha, f.floor_rented), (0.0, floor));
        let d = &parts.districts[zone];
        assert_eq!(d.factory_floor_used, before.factory_floor_used + floor);
        assert_eq!(d.land.serviced_free, before.land.serviced_free);
        assert_eq!(parts.accounts[ZONE].accrued.land_sales, 0.0);
    }

    /// Outside a cluster there is no approval wait, and the land sale goes to the city budget.
    #[test]
    fn an_industrial_prospect_in_the_city_starts_in_construction() {
        let mut parts = Parts::new();
        let city = parts.city;
        let si = city_industry(&parts);
        let scale = 2.0 * parts.s.land.standard_factory_max_workers;
        let need = parts.conditions().land_need_ha(si, scale);
        let before = parts.districts[city].land.clone();
        parts.world().found_firm(si, city, scale, 3);
        let f = &parts.firms[0];
        assert_eq!(f.status, FirmStatus::Construction);
        assert!((f.land_ha - need).abs() < 1e-12);
        let land = &parts.districts[city].land;
        assert!((before.serviced_free - land.serviced_free - need).abs() < 1e-9);
        assert!(parts.accounts[CITY].accrued.land_sales > 0.0);
        assert_eq!(parts.accounts[ZONE].accrued.land_sales, 0.0);
    }

    /// Approval ends after the approval months, construction after the construction months;
    /// a project that has not waited long enough stays where it is. An opening plant is
    /// equipped and counted as an entry.
    #[test]
    fn projects_move_from_approval_to_construction_to_operating() {
        let mut parts = Parts::new();
        let zone = parts.zone;
        parts.month = 30;
        let approval = parts.s.policy.approval_months.ceil() as u32;
        let construction = parts.s.entry.construction_months;
        assert!(approval > 0 && construction > 0);
        let scale = 2.0 * parts.s.land.standard_factory_max_workers;
        for key in 0..4 {
            parts.world().found_firm(0, zone, scale, key);
        }
        parts.firms[0].status_months = approval;
        parts.firms[1].status_months = approval - 1;
        for (fi, months) in [(2, construction), (3, construction - 1)] {
            parts.firms[fi].status = FirmStatus::Construction;
            parts.firms[fi].status_months = months;
        }
        parts.world().advance_projects();
        let status: Vec<FirmStatus> = parts.firms.iter().map(|f| f.status).collect();
        assert_eq!(
            status,
            [
                FirmStatus::Construction,
                FirmStatus::Approval,
                FirmStatus::Operating,
                FirmStatus::Construction,
            ]
        );
        assert_eq!(parts.firms[0].status_months, 0);
        assert_eq!(parts.counters.entries, 1);
        let opened = &parts.firms[2];
        assert!(opened.capital > 0.0 && opened.demand_base > 0.0);
        assert_eq!(opened.born_month, 30);
        assert!(!opened.anchor, "{scale} workers are no anchor");
    }

    /// A project that gives up during approval returns its land to the serviced stock.
    #[test]
    fn an_abandoned_project_returns_its_land() {
        let mut parts = Parts::new();
        let zone = parts.zone;
        parts.s.entry.approval_abandon_per_month = 1.0;
        let before = parts.districts[zone].land.clone();
        let scale = 2.0 * parts.s.land.standard_factory_max_workers;
        parts.world().found_firm(0, zone, scale, 5);
        assert!(parts.firms[0].land_ha > 0.0);
        parts.world().advance_projects();
        assert_eq!(parts.firms[0].status, FirmStatus::Exited);
        assert_eq!(parts.firms[0].land_ha, 0.0);
        assert_eq!(parts.counters.abandoned, 1);
        let land = &parts.districts[zone].land;
        assert!((land.serviced_free - before.serviced_free).abs() < 1e-9);
        assert!((land.occupied - before.occupied).abs() < 1e-9);
    }

    /// With the outside option worthless, a prospect always locates where it can; with no land
    /// and no floor left anywhere, it goes elsewhere.
    #[test]
    fn a_prospect_goes_elsewhere_when_no_district_has_land_or_floor() {
        let mut parts = Parts::new();
        parts.s.entry.outside_option_utility = -1e9;
        let (industry, services) = (0, parts.economy.sectors.len() - 1);
        assert_eq!(
            parts.economy.sectors[services].premises,
            Premises::CommercialFloor
        );
        let streams = crate::model::streams::Streams::new(9);
        let choose = |parts: &mut Parts, si: usize, i: u64| {
            let mut draws = streams.open(Draw::Prospect, i, 0);
            parts.world().choose_location(si, 100.0, &mut draws)
        };
        for i in 0..50 {
            for si in [industry, services] {
                assert!(choose(&mut parts, si, i).is_some(), "sector {si}, draw {i}");
            }
        }
        for d in parts.districts.iter_mut() {
            d.land.serviced_free = 0.0;
            d.factory_floor_used = d.factory_floor;
            d.commercial_floor_used = d.commercial_floor;
        }
        for i in 0..50 {
            for si in [industry, services] {
                assert_eq!(choose(&mut parts, si, i), None, "sector {si}, draw {i}");
            }
        }
    }
}

//! Step 3: system-dynamics stocks advance — construction pipelines deliver, capital depreciates,
//! land is serviced (creating landless farmers), pollution accumulates and decays, travel times
//! follow road capital, market rents follow occupancy and developers start housing by pro forma.
//!
//! Submodels on explicit state: [`deliver_pipeline`] (pipeline → district stocks),
//! [`displaced_farmers`] (the newcomers serviced farmland makes), [`depreciate`],
//! [`update_pollution`] (with [`Emissions`]) and [`rents_and_developers`] (rents, developers'
//! starts and their land sales) each take `&` what they read and `&mut` what they write.

use super::Simulation;
use super::agents::{Firm, FirmStatus, Origin};
use super::budget::account_for;
use super::detmath::DetMath;
use super::public::{Asset, Delivery, Government};
use super::streams::{Draw, Source, Streams, newcomer_key};
use super::world::{District, Land, Sector, Tenure};
use crate::scenario::{DistrictKind, HousingSpec};

/// What deliveries of the pipeline read: how much land a unit of each asset takes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DeliveryRules {
    /// Housing units per ha of public housing.
    pub units_per_ha: f64,
    /// Utility capital that services one ha of reserve land, CNY.
    pub servicing_cost_cny_per_ha: f64,
    /// Floor-area ratio of standard factories (the base raised by the minimum-FAR rule).
    pub floor_area_ratio: f64,
}

/// Delivers the projects of the pipeline due by `month` into the districts' stocks (the rest
/// stays in the pipeline, in order). Returns the farmland of cluster zones that utility networks
/// serviced, ha per district: its farmers are displaced once, after all deliveries, so their
/// stream keys do not depend on how the deliveries were split.
pub(crate) fn deliver_pipeline(
    rules: &DeliveryRules,
    month: u32,
    pipeline: &mut Vec<Delivery>,
    districts: &mut [District],
) -> Vec<f64> {
    let (due, pending): (Vec<Delivery>, Vec<Delivery>) = std::mem::take(pipeline)
        .into_iter()
        .partition(|d| d.month <= month);
    *pipeline = pending;
    let units_per_ha = rules.units_per_ha;
    let servicing_cost = rules.servicing_cost_cny_per_ha;
    let far = rules.floor_area_ratio;
    let mut serviced_ha = vec![0.0; districts.len()];
    for delivery in due {
        let di = delivery.district;
        let x = delivery.amount;
        let d = &mut districts[di];
        match delivery.asset {
            Asset::Roads => d.roads += x,
            Asset::Utilities => {
                d.utilities += x;
                // Utility networks service reserve land (reserve → serviced).
                let ha = Land::transfer(
                    &mut d.land.reserve,
                    &mut d.land.serviced_free,
                    x / servicing_cost,
                );
                if d.kind == DistrictKind::Cluster {
                    serviced_ha[di] += ha;
                }
            }
            Asset::Environment => d.env_capacity += x,
            Asset::Logistics => d.logistics += x,
            Asset::Digital => d.digital += x,
            Asset::Innovation => d.innovation += x,
            Asset::TrainingSeats => d.training_seats += x,
            Asset::SchoolSeats => d.school_seats += x,
            Asset::HospitalBeds => d.hospital_beds += x,
            Asset::CommercialFloor => d.commercial_floor += x,
            Asset::FactoryFloor => {
                let ha = x / far / 10_000.0;
                Land::transfer(&mut d.land.serviced_free, &mut d.land.occupied, ha);
                d.factory_floor += x;
            }
            Asset::PublicRental | Asset::Resettlement | Asset::MarketHousing => {
                let stock = match delivery.asset {
                    Asset::PublicRental => Tenure::PublicRental,
                    Asset::Resettlement => Tenure::Resettlement,
                    _ => Tenure::Market,
                };
                if delivery.asset != Asset::MarketHousing && d.kind != DistrictKind::Rural {
                    // Public housing takes serviced land (developers bought theirs at start).
                    Land::transfer(
                        &mut d.land.serviced_free,
                        &mut d.land.occupied,
                        x / units_per_ha,
                    );
                }
                d.housing[stock as usize] += x;
            }
        }
    }
    serviced_ha
}

/// Farmland taken into the zone leaves farmers landless: they join the labour market and are
/// owed resettlement housing (R2.2, R4.4). The keys of the households `ha` serviced in
/// `district` this month displaces (`per_ha` expected per ha, the fraction drawn).
pub(crate) fn displaced_farmers(
    streams: &Streams,
    month: u32,
    district: usize,
    ha: f64,
    per_ha: f64,
) -> Vec<u64> {
    let expected = ha * per_ha;
    let mut draw = streams.open(Draw::Displacement, district as u64, month);
    let n = expected.floor() as u32 + u32::from(draw.chance(expected.fract()));
    (0..n)
        .map(|rank| newcomer_key(Source::LandlessFarmer, month, district as u32, rank))
        .collect()
}

/// A month of depreciation: public capital, treatment capacity and incubators at
/// `infrastructure` per month, housing at `housing` per month — vacant dwellings only, so
/// occupancy never exceeds the stock (occupancy must be recounted first).
pub(crate) fn depreciate(
    infrastructure: f64,
    housing: f64,
    districts: &mut [District],
    incubator_capital: &mut f64,
) {
    for d in districts.iter_mut() {
        for stock in [
            &mut d.roads,
            &mut d.utilities,
            &mut d.logistics,
            &mut d.digital,
            &mut d.innovation,
        ] {
            *stock *= 1.0 - infrastructure;
        }
        d.env_capacity *= 1.0 - infrastructure;
        for s in 0..Tenure::STOCKS {
            let loss = (d.housing[s] * housing).min(d.free_units(s) as f64);
            d.housing[s] -= loss;
        }
    }
    *incubator_capital *= 1.0 - infrastructure;
}

/// Pollution firms emit: each sector's units per million CNY of output, less as technology
/// improves.
pub(crate) struct Emissions<'a> {
    pub sectors: &'a [Sector],
    /// technology ^ `environment.intensity_technology_elasticity`: what intensities are divided by.
    pub abatement: f64,
}

impl Emissions<'_> {
    pub fn new(sectors: &[Sector], technology: f64, elasticity: f64) -> Emissions<'_> {
        Emissions {
            sectors,
            abatement: technology.dpow(elasticity),
        }
    }

    /// Pollution a firm emits in a month.
    #[inline]
    pub fn of(&self, f: &Firm) -> f64 {
        let intensity = self.sectors[f.sector].pollution_per_million / self.abatement;
        f.output / 1e6 * intensity
    }
}

/// The month's emissions of the operating firms by district, treated up to each district's
/// capacity, of which treatment removes `removal`; the rest adds to a pollution stock that decays
/// at `decay` a month.
pub(crate) fn update_pollution(
    emissions: &Emissions,
    decay: f64,
    removal: f64,
    firms: &[Firm],
    districts: &mut [District],
) {
    let mut by_district = vec![0.0; districts.len()];
    for f in firms {
        if f.status == FirmStatus::Operating {
            by_district[f.district] += emissions.of(f);
        }
    }
    for (d, e) in districts.iter_mut().zip(by_district) {
        let removed = removal * e.min(d.env_capacity);
        d.emissions = e;
        d.removed = removed;
        d.pollution = d.pollution * (1.0 - decay) + e - removed;
    }
}

/// What the housing market reads.
pub(crate) struct HousingMarket<'a> {
    pub housing: &'a HousingSpec,
    /// Price of residential land, CNY per ha (developers buy it from the district's account).
    pub residential_price: f64,
    /// Share of the construction lag that five-plans-in-one planning cuts (0 without it).
    pub lag_cut: f64,
    pub month: u32,
}

/// Market rents move with occupancy; developers start market housing when a unit's capitalised
/// rent beats its cost (construction + land) by the margin (UrbanSim-style), buying serviced land
/// from the district's account and adding the units to the pipeline.
pub(crate) fn rents_and_developers(
    ctx: &HousingMarket,
    districts: &mut [District],
    pipeline: &mut Vec<Delivery>,
    accounts: &mut [Government; 2],
) {
    let h = ctx.housing;
    let residential_price = ctx.residential_price;
    let lag = ((h.construction_months as f64) * (1.0 - ctx.lag_cut))
        .round()
        .max(1.0) as u32;
    let under_construction: Vec<f64> = (0..districts.len())
        .map(|di| {
            pipeline
                .iter()
                .filter(|p| p.district == di && p.asset == Asset::MarketHousing)
                .map(|p| p.amount)
                .sum()
        })
        .collect();
    for (di, d) in districts.iter_mut().enumerate() {
        if d.kind == DistrictKind::Rural {
            continue;
        }
        let units = d.housing[Tenure::Market as usize];
        let occupants =
            d.occupied[Tenure::Market as usize] as f64 + f64::from(d.background_market_units);
        let occupancy = if units > 0.0 { occupants / units } else { 1.0 };
        let cost = h.construction_cost_cny_per_unit + residential_price / h.units_per_ha;
        // Landlords do not let below the user cost of a unit (a floor on the rent).
        let rent_floor = cost * h.rent_floor_yield_per_year / 12.0;
        d.market_rent = (d.market_rent
            * (1.0 + h.rent_adjustment * (occupancy - h.target_occupancy)))
            .max(rent_floor);
        let value = d.market_rent * h.developer_capitalisation_months;
        let hurdle = cost * (1.0 + h.developer_margin);
        if value > hurdle && occupancy > h.target_occupancy {
            let pressure = (value / hurdle - 1.0).min(1.0);
            let wanted = h.developer_start_share_per_month * units * pressure
                - under_construction[di] * h.developer_start_share_per_month;
            if wanted <= 0.0 {
                continue;
            }
            let ha = Land::transfer(
                &mut d.land.serviced_free,
                &mut d.land.occupied,
                wanted / h.units_per_ha,
            );
            if ha > 0.0 {
                accounts[account_for(d.kind)].accrued.land_sales += ha * residential_price;
                pipeline.push(Delivery {
                    month: ctx.month + lag,
                    district: di,
                    asset: Asset::MarketHousing,
                    amount: ha * h.units_per_ha,
                });
            }
        }
    }
}

// Wiring: the schedule's call of this submodel.
impl Simulation {
    /// Step 3: the residence context is refreshed, the pipeline delivers (displacing farmers),
    /// occupancy is recounted, stocks depreciate, pollution and travel times follow, then rents
    /// and developers.
    // Kept out of line: each step shows by name in a profile.
    #[inline(never)]
    pub(crate) fn advance_stocks(&mut self) {
        // Displaced farmers choose where to live in the residence context of the month's start
        // (before deliveries); in a month without any, nothing reads it before the recount below,
        // so the households are counted only when farmland was serviced.
        let life = self.district_life();
        let rules = DeliveryRules {
            units_per_ha: self.s.housing.units_per_ha,
            servicing_cost_cny_per_ha: self.s.land.servicing_cost_cny_per_ha,
            floor_area_ratio: self
                .s
                .land
                .base_floor_area_ratio
                .max(self.s.policy.min_floor_area_ratio),
        };
        let serviced =
            deliver_pipeline(&rules, self.month, &mut self.pipeline, &mut self.districts);
        if serviced.iter().any(|&ha| ha > 0.0) {
            self.refresh_residence_context_as(&life);
        }
        self.settle_displaced_farmers(serviced);
        self.recount_and_keep_census();
        depreciate(
            self.s.infrastructure.depreciation_per_year / 12.0,
            self.s.housing.depreciation_per_year / 12.0,
            &mut self.districts,
            &mut self.incubator_capital,
        );
        let emissions = Emissions::new(
            &self.economy.sectors,
            self.markets.technology,
            self.s.environment.intensity_technology_elasticity,
        );
        update_pollution(
            &emissions,
            self.s.environment.decay_per_month,
            self.s.environment.removal_share,
            &self.firms,
            &mut self.districts,
        );
        self.travel.update(&self.districts);
        let market = HousingMarket {
            housing: &self.s.housing,
            residential_price: self.s.land.residential_price_cny_per_ha,
            lag_cut: if self.s.policy.five_plans_in_one {
                self.s.infrastructure.five_plans_lag_cut_share
            } else {
                0.0
            },
            month: self.month,
        };
        rents_and_developers(
            &market,
            &mut self.districts,
            &mut self.pipeline,
            &mut self.accounts,
        );
    }

    /// The landless farmers of the farmland serviced in each district ([`displaced_farmers`])
    /// join the households and choose where to live, district by district.
    fn settle_displaced_farmers(&mut self, serviced_ha: Vec<f64>) {
        let per_ha = self.s.households.landless_farmers_per_ha;
        for (di, ha) in serviced_ha.into_iter().enumerate() {
            if ha > 0.0 {
                for key in displaced_farmers(&self.streams, self.month, di, ha, per_ha) {
                    let w = self.new_worker(Origin::LandlessFarmer, None, key, di);
                    let i = self.households.push(w);
                    self.choose_residence(i, true);
                    self.counters.arrivals += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tests::blank_firm;
    use crate::model::{CITY, ZONE};
    use crate::scenario::ScenarioFile;

    use crate::model::tests::baseline_spec as spec;

    /// The baseline's zone (a cluster), city and rural district, in that order.
    fn districts(s: &ScenarioFile) -> Vec<District> {
        ["zone", "city", "rural"]
            .iter()
            .map(|id| District::from_spec(id, &s.districts[*id]))
            .collect()
    }

    fn delivery(month: u32, district: usize, asset: Asset, amount: f64) -> Delivery {
        Delivery {
            month,
            district,
            asset,
            amount,
        }
    }

    const RULES: DeliveryRules = DeliveryRules {
        units_per_ha: 100.0,
        servicing_cost_cny_per_ha: 1e6,
        floor_area_ratio: 1.0,
    };

    #[test]
    fn a_delivered_project_raises_its_stock_and_a_later_one_waits() {
        let s = spec();
        let mut ds = districts(&s);
        let before = ds.clone();
        let mut pipeline = vec![
            delivery(3, 1, Asset::Roads, 500.0),
            delivery(9, 1, Asset::Roads, 700.0),
            delivery(4, 1, Asset::SchoolSeats, 40.0),
            delivery(2, 1, Asset::PublicRental, 200.0),
            delivery(4, 0, Asset::FactoryFloor, 20_000.0),
        ];
        let serviced = deliver_pipeline(&RULES, 4, &mut pipeline, &mut ds);
        assert_eq!(serviced, vec![0.0; 3]);
        assert_eq!(pipeline.len(), 1);
        assert_eq!(pipeline[0].amount, 700.0);
        assert_eq!(ds[1].roads, before[1].roads + 500.0);
        assert_eq!(ds[1].school_seats, before[1].school_seats + 40.0);
        let rental = Tenure::PublicRental as usize;
        assert_eq!(ds[1].housing[rental], before[1].housing[rental] + 200.0);
        // Public housing and standard factories take serviced land: 2 ha each here.
        let moved = |d: &District, b: &District| d.land.occupied - b.land.occupied;
        assert!((moved(&ds[1], &before[1]) - 2.0).abs() < 1e-9);
        assert!((moved(&ds[0], &before[0]) - 2.0).abs() < 1e-9);
        assert_eq!(ds[0].factory_floor, before[0].factory_floor + 20_000.0);
    }

    #[test]
    fn utilities_service_reserve_land_and_only_the_zones_farmland_displaces_farmers() {
        let s = spec();
        let mut ds = districts(&s);
        let before = ds.clone();
        assert!(ds[0].land.reserve > 3.0 && ds[1].land.reserve > 3.0);
        let mut pipeline = vec![
            delivery(0, 0, Asset::Utilities, 3e6),
            delivery(0, 1, Asset::Utilities, 3e6),
        ];
        let serviced = deliver_pipeline(&RULES, 0, &mut pipeline, &mut ds);
        assert!(pipeline.is_empty());
        assert!((serviced[0] - 3.0).abs() < 1e-9);
        assert_eq!(
            serviced[1], 0.0,
            "the city's land is no farmland of the zone"
        );
        for di in 0..2 {
            let gained = ds[di].land.serviced_free - before[di].land.serviced_free;
            assert!((gained - 3.0).abs() < 1e-9);
            assert!((before[di].land.reserve - ds[di].land.reserve - 3.0).abs() < 1e-9);
        }
    }

    #[test]
    fn displaced_farmers_are_the_expected_number_with_keys_of_their_own() {
        let streams = Streams::new(1);
        let keys = displaced_farmers(&streams, 5, 0, 10.0, 2.5);
        assert_eq!(keys.len(), 25);
        let mut unique = keys.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 25);
        assert_eq!(keys, displaced_farmers(&streams, 5, 0, 10.0, 2.5));
        let other = displaced_farmers(&streams, 5, 1, 10.0, 2.5);
        assert!(other.iter().all(|k| !keys.contains(k)));
        // A fraction of a farmer is drawn: 0 or 1, about half the time.
        let ones: usize = (0..200)
            .map(|m| displaced_farmers(&streams, m, 0, 1.0, 0.5).len())
            .sum();
        assert!((60..140).contains(&ones), "{ones}");
    }

    #[test]
    fn depreciation_demolishes_only_vacant_dwellings() {
        let s = spec();
        let mut ds = districts(&s);
        let market = Tenure::Market as usize;
        ds[0].housing[market] = 100.0;
        ds[0].occupied[market] = 100;
        ds[0].background_market_units = 0;
        ds[1].housing[market] = 100.0;
        ds[1].occupied[market] = 0;
        ds[1].background_market_units = 0;
        let roads = ds[1].roads;
        let mut incubators = 1000.0;
        depreciate(0.01, 0.1, &mut ds, &mut incubators);
        assert_eq!(
            ds[0].housing[market], 100.0,
            "a full stock is not demolished"
        );
        assert!((ds[1].housing[market] - 90.0).abs() < 1e-9);
        assert!((ds[1].roads - roads * 0.99).abs() < 1e-6);
        assert!((incubators - 990.0).abs() < 1e-9);
    }

    #[test]
    fn pollution_is_what_capacity_does_not_treat_and_cleaner_technology_emits_less() {
        let s = spec();
        let economy = crate::model::world::Economy::from_spec(&s);
        let sector = (0..economy.sectors.len())
            .find(|&j| economy.sectors[j].pollution_per_million > 0.0)
            .expect("a polluting sector");
        let mut ds = districts(&s);
        let mut firm = blank_firm(0);
        firm.sector = sector;
        firm.output = 2e6;
        let mut closed = firm.clone();
        closed.status = FirmStatus::Exited;
        let e = economy.sectors[sector].pollution_per_million * 2.0;
        ds[0].env_capacity = e / 4.0;
        ds[0].pollution = 10.0;
        let emissions = Emissions::new(&economy.sectors, 1.0, 1.0);
        update_pollution(&emissions, 0.5, 0.8, &[firm.clone(), closed], &mut ds);
        assert!((ds[0].emissions - e).abs() < 1e-9);
        // A quarter of the emissions is treated, and treatment removes 80 % of that.
        assert!((ds[0].removed - e / 4.0 * 0.8).abs() < 1e-9);
        assert!((ds[0].pollution - (5.0 + e * 0.8)).abs() < 1e-9);
        assert_eq!(ds[1].emissions, 0.0);
        // However much capacity is built, what treatment leaves keeps the stock above zero: it
        // settles at (1 − removal)·E/decay.
        ds[0].env_capacity = 10.0 * e;
        for _ in 0..200 {
            update_pollution(&emissions, 0.5, 0.8, std::slice::from_ref(&firm), &mut ds);
        }
        assert!((ds[0].pollution - 0.2 * e / 0.5).abs() < 1e-9);
        let cleaner = Emissions::new(&economy.sectors, 1.1, 1.0);
        assert!(cleaner.of(&firm) < emissions.of(&firm));
    }

    #[test]
    fn rents_rise_with_occupancy_and_developers_build_where_it_pays() {
        let s = spec();
        let h = s.housing.clone();
        let mut ds = districts(&s);
        let market = Tenure::Market as usize;
        for (d, occupied) in ds.iter_mut().zip([1000, 0, 1000]) {
            d.housing[market] = 1000.0;
            d.occupied[market] = occupied;
            d.background_market_units = 0;
            d.land.serviced_free = 1000.0;
        }
        // The zone's rent is high enough for developers; the city's is not.
        let cost =
            h.construction_cost_cny_per_unit + s.land.residential_price_cny_per_ha / h.units_per_ha;
        ds[0].market_rent =
            2.0 * cost * (1.0 + h.developer_margin) / h.developer_capitalisation_months;
        ds[1].market_rent = ds[0].market_rent;
        let before = ds.clone();
        let mut accounts = [Government::new(0.0, 0.0), Government::new(0.0, 0.0)];
        let mut pipeline = Vec::new();
        let ctx = HousingMarket {
            housing: &h,
            residential_price: s.land.residential_price_cny_per_ha,
            lag_cut: 0.0,
            month: 7,
        };
        rents_and_developers(&ctx, &mut ds, &mut pipeline, &mut accounts);
        assert!(
            ds[0].market_rent > before[0].market_rent,
            "full: rent rises"
        );
        assert!(
            ds[1].market_rent < before[1].market_rent,
            "empty: rent falls"
        );
        assert_eq!(
            ds[2].market_rent, before[2].market_rent,
            "rural rents are not a market"
        );
        assert_eq!(pipeline.len(), 1, "one start, in the zone");
        let start = pipeline[0];
        assert_eq!((start.district, start.asset), (0, Asset::MarketHousing));
        assert_eq!(start.month, 7 + h.construction_months.max(1));
        let ha = before[0].land.serviced_free - ds[0].land.serviced_free;
        assert!((start.amount - ha * h.units_per_ha).abs() < 1e-6);
        assert!((accounts[ZONE].accrued.land_sales - ha * ctx.residential_price).abs() < 1e-3);
        assert_eq!(accounts[CITY].accrued.land_sales, 0.0);
        // Units under construction count against the next start.
        let mut again = ds.clone();
        let mut pipeline2 = pipeline.clone();
        rents_and_developers(&ctx, &mut again, &mut pipeline2, &mut accounts);
        assert_eq!(pipeline2.len(), 2);
        assert!(pipeline2[1].amount < start.amount);
    }
}

//! Step 3: system-dynamics stocks advance — construction pipelines deliver, capital depreciates,
//! land is serviced (creating landless farmers), pollution accumulates and decays, travel times
//! follow road capital, market rents follow occupancy and developers start housing by pro forma.

use super::Simulation;
use super::agents::{FirmStatus, Origin};
use super::public::{Asset, Delivery};
use super::streams::{Draw, Source, newcomer_key};
use super::world::{Land, Tenure};
use crate::scenario::DistrictKind;

impl Simulation {
    // Kept out of line: each step shows by name in a profile.
    #[inline(never)]
    pub(crate) fn advance_stocks(&mut self) {
        self.refresh_residence_context();
        self.deliver_pipeline();
        let infra_dep = self.s.infrastructure.depreciation_per_year / 12.0;
        let housing_dep = self.s.housing.depreciation_per_year / 12.0;
        self.recount_occupancy();
        for d in &mut self.districts {
            for stock in [
                &mut d.roads,
                &mut d.utilities,
                &mut d.logistics,
                &mut d.digital,
                &mut d.innovation,
            ] {
                *stock *= 1.0 - infra_dep;
            }
            d.env_capacity *= 1.0 - infra_dep;
            // Only vacant dwellings are demolished, so occupancy never exceeds the stock.
            for s in 0..Tenure::STOCKS {
                let loss = (d.housing[s] * housing_dep).min(d.free_units(s) as f64);
                d.housing[s] -= loss;
            }
        }
        self.incubator_capital *= 1.0 - infra_dep;
        self.update_pollution();
        self.travel.update(&self.districts);
        self.update_rents_and_developers();
    }

    fn deliver_pipeline(&mut self) {
        let now = self.month;
        let (due, pending): (Vec<Delivery>, Vec<Delivery>) = std::mem::take(&mut self.pipeline)
            .into_iter()
            .partition(|d| d.month <= now);
        self.pipeline = pending;
        let units_per_ha = self.s.housing.units_per_ha;
        let servicing_cost = self.s.land.servicing_cost_cny_per_ha;
        let far = self
            .s
            .land
            .base_floor_area_ratio
            .max(self.s.policy.min_floor_area_ratio);
        // Farmland serviced this month, per district: its farmers are displaced once, after all
        // deliveries, so their stream keys do not depend on how the deliveries were split.
        let mut serviced_ha = vec![0.0; self.districts.len()];
        for delivery in due {
            let di = delivery.district;
            let x = delivery.amount;
            let d = &mut self.districts[di];
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
        for (di, ha) in serviced_ha.into_iter().enumerate() {
            if ha > 0.0 {
                self.displace_farmers(di, ha);
            }
        }
    }

    /// Farmland taken into the zone leaves farmers landless: they join the labour market and are
    /// owed resettlement housing (R2.2, R4.4).
    fn displace_farmers(&mut self, district: usize, ha: f64) {
        let expected = ha * self.s.households.landless_farmers_per_ha;
        let mut draw = self
            .streams
            .open(Draw::Displacement, district as u64, self.month);
        let n = expected.floor() as u32 + u32::from(draw.chance(expected.fract()));
        for rank in 0..n {
            let key = newcomer_key(Source::LandlessFarmer, self.month, district as u32, rank);
            let w = self.new_worker(Origin::LandlessFarmer, None, key, district);
            let i = self.households.push(w);
            self.choose_residence(i, true);
            self.counters.arrivals += 1;
        }
    }

    fn update_pollution(&mut self) {
        let nd = self.districts.len();
        let mut emissions = vec![0.0; nd];
        for f in &self.firms {
            if f.status == FirmStatus::Operating {
                emissions[f.district] += self.emissions_of(f);
            }
        }
        let decay = self.s.environment.decay_per_month;
        for (d, e) in self.districts.iter_mut().zip(emissions) {
            let treated = e.min(d.env_capacity);
            d.emissions = e;
            d.treated = treated;
            d.pollution = d.pollution * (1.0 - decay) + e - treated;
        }
    }

    /// Market rents move with occupancy; developers start market housing when a unit's
    /// capitalised rent beats its cost (construction + land) by the margin (UrbanSim-style).
    fn update_rents_and_developers(&mut self) {
        let h = self.s.housing.clone();
        let residential_price = self.s.land.residential_price_cny_per_ha;
        let lag_cut = if self.s.policy.five_plans_in_one {
            self.s.infrastructure.five_plans_lag_cut_share
        } else {
            0.0
        };
        let lag = ((h.construction_months as f64) * (1.0 - lag_cut))
            .round()
            .max(1.0) as u32;
        let under_construction: Vec<f64> = (0..self.districts.len())
            .map(|di| {
                self.pipeline
                    .iter()
                    .filter(|p| p.district == di && p.asset == Asset::MarketHousing)
                    .map(|p| p.amount)
                    .sum()
            })
            .collect();
        for di in 0..self.districts.len() {
            let d = &mut self.districts[di];
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
                    let account = self.account_of(di);
                    self.accounts[account].accrued.land_sales += ha * residential_price;
                    self.pipeline.push(Delivery {
                        month: self.month + lag,
                        district: di,
                        asset: Asset::MarketHousing,
                        amount: ha * h.units_per_ha,
                    });
                }
            }
        }
    }
}

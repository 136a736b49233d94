//! The region's fixed structure and its system-dynamics stocks: districts (land, infrastructure,
//! housing, services, pollution), sectors with the input–output table, travel times.

use super::detmath::DetMath;
use crate::scenario::{
    DistrictKind, DistrictSpec, MarketScope, Premises, ScenarioFile, SectorGroup,
};
use nalgebra::DMatrix;

/// Housing tenures; `Owned` uses the market stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tenure {
    Market = 0,
    PublicRental = 1,
    Resettlement = 2,
    Dormitory = 3,
    RuralHome = 4,
    Owned = 5,
}

impl Tenure {
    /// Stock the tenure occupies (owners live in market units).
    pub fn stock(self) -> usize {
        match self {
            Tenure::Owned => Tenure::Market as usize,
            t => t as usize,
        }
    }
    pub const STOCKS: usize = 5;
    pub const STOCK_NAMES: [&'static str; 5] = [
        "market",
        "public_rental",
        "resettlement",
        "dormitory",
        "rural_home",
    ];
}

/// Land accounting of one district (ha): reserve + serviced-free + occupied + idle = total.
#[derive(Debug, Clone, Default)]
pub struct Land {
    pub total: f64,
    pub reserve: f64,
    pub serviced_free: f64,
    pub occupied: f64,
    pub idle: f64,
}

impl Land {
    /// Move `ha` between two land states (clamped to what the source holds); returns what moved.
    pub fn transfer(from: &mut f64, to: &mut f64, ha: f64) -> f64 {
        let moved = ha.min(*from).max(0.0);
        *from -= moved;
        *to += moved;
        moved
    }
}

#[derive(Debug, Clone)]
pub struct District {
    pub id: String,
    pub kind: DistrictKind,
    pub land: Land,
    pub land_price: f64,
    pub roads: f64,
    pub roads_initial: f64,
    pub utilities: f64,
    pub env_capacity: f64,
    pub logistics: f64,
    pub digital: f64,
    pub innovation: f64,
    pub training_seats: f64,
    pub school_seats: f64,
    pub hospital_beds: f64,
    pub commercial_floor: f64,
    pub commercial_floor_used: f64,
    pub factory_floor: f64,
    pub factory_floor_used: f64,
    /// Housing units by stock (see [`Tenure::STOCK_NAMES`]).
    pub housing: [f64; Tenure::STOCKS],
    /// Households occupying each stock, recounted every month.
    pub occupied: [u32; Tenure::STOCKS],
    pub market_rent: f64,
    /// Market units held by households outside the model (the city's background population),
    /// fixed at the start so that 2015 occupancy is at its target.
    pub background_market_units: u32,
    pub background_residents: f64,
    /// Households on the district's public rental waiting list after this month's allocation.
    pub public_rental_waiting: u32,
    pub pollution: f64,
    /// Emissions of the last month, and what treatment removed of them (pollution units).
    pub emissions: f64,
    pub removed: f64,
}

impl District {
    pub fn from_spec(id: &str, d: &DistrictSpec) -> Self {
        let reserve =
            d.land_total_ha - d.land_serviced_free_ha - d.land_occupied_ha - d.land_idle_ha;
        District {
            id: id.to_string(),
            kind: d.kind,
            land: Land {
                total: d.land_total_ha,
                reserve,
                serviced_free: d.land_serviced_free_ha,
                occupied: d.land_occupied_ha,
                idle: d.land_idle_ha,
            },
            land_price: d.industrial_land_price_cny_per_ha,
            roads: d.roads_cny,
            roads_initial: d.roads_cny,
            utilities: d.utilities_cny,
            env_capacity: 0.0,
            logistics: d.logistics_cny,
            digital: d.digital_cny,
            innovation: d.innovation_cny,
            training_seats: d.training_seats,
            school_seats: d.school_seats,
            hospital_beds: d.hospital_beds,
            commercial_floor: d.commercial_floor_m2,
            commercial_floor_used: 0.0,
            factory_floor: d.standard_factory_floor_m2,
            factory_floor_used: 0.0,
            housing: [
                d.market_housing_units,
                d.public_rental_units,
                d.resettlement_units,
                d.dormitory_units,
                d.rural_home_units,
            ],
            occupied: [0; Tenure::STOCKS],
            market_rent: d.market_rent_cny_month,
            background_market_units: 0,
            background_residents: d.background_residents,
            public_rental_waiting: 0,
            pollution: 0.0,
            emissions: 0.0,
            removed: 0.0,
        }
    }

    /// Free units of a stock (whole units only).
    pub fn free_units(&self, stock: usize) -> u32 {
        let built = self.housing[stock].floor().max(0.0) as u64;
        let background = if stock == Tenure::Market as usize {
            u64::from(self.background_market_units)
        } else {
            0
        };
        built.saturating_sub(self.occupied[stock] as u64 + background) as u32
    }
}

#[derive(Debug, Clone)]
pub struct Sector {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub group: SectorGroup,
    pub market: MarketScope,
    pub premises: Premises,
    pub locates_in: Vec<DistrictKind>,
    pub alpha: f64,
    pub beta: [f64; 3],
    /// Sum of input coefficients: intermediate inputs per yuan of output.
    pub input_share: f64,
    pub floor_per_worker: f64,
    pub pollution_per_million: f64,
    pub rd_share: f64,
    pub fixed_cost: f64,
    pub prospects_per_year: f64,
    pub household_budget_share: f64,
    pub ecommerce_gain: f64,
    /// Scale constant of productivity, backed out at initialisation (see `Simulation::new`).
    pub base_tfp: f64,
}

impl Sector {
    pub fn is_industry(&self) -> bool {
        matches!(self.group, SectorGroup::Leading | SectorGroup::Emerging)
    }
    pub fn labour_elasticity(&self) -> f64 {
        self.beta.iter().sum()
    }
}

/// Sectors, the technical-coefficient matrix A (A[j,s] = input from j per yuan of s) and its
/// Leontief inverse (I − A)⁻¹, whose off-diagonal column s weights how much of s's total supply
/// chain sector j is.
#[derive(Debug, Clone)]
pub struct Economy {
    pub sectors: Vec<Sector>,
    pub a: DMatrix<f64>,
    pub leontief: DMatrix<f64>,
}

impl Economy {
    pub fn from_spec(s: &ScenarioFile) -> Self {
        let ids: Vec<&String> = s.sectors.keys().collect();
        let n = ids.len();
        let mut a = DMatrix::zeros(n, n);
        let mut sectors = Vec::with_capacity(n);
        for (col, (id, sec)) in s.sectors.iter().enumerate() {
            for (input, coef) in &sec.inputs {
                if let Some(row) = ids.iter().position(|x| *x == input) {
                    a[(row, col)] = *coef;
                }
            }
            sectors.push(Sector {
                id: id.clone(),
                name_zh: sec.name_zh.clone(),
                name_en: sec.name_en.clone(),
                group: sec.group,
                market: sec.market,
                premises: sec.premises,
                locates_in: sec.locates_in.clone(),
                alpha: sec.capital_elasticity,
                beta: [
                    sec.labour_elasticity_low,
                    sec.labour_elasticity_mid,
                    sec.labour_elasticity_high,
                ],
                input_share: sec.inputs.values().sum(),
                floor_per_worker: sec.floor_m2_per_worker,
                pollution_per_million: sec.pollution_per_million_cny,
                rd_share: sec.rd_share_of_revenue,
                fixed_cost: sec.fixed_cost_cny_month,
                prospects_per_year: sec.entry_prospects_per_year,
                household_budget_share: sec.household_budget_share,
                ecommerce_gain: sec.ecommerce_demand_gain,
                base_tfp: 1.0,
            });
        }
        let identity = DMatrix::<f64>::identity(n, n);
        // Validation keeps every column sum of A below 0.9, so I − A is invertible.
        let leontief = (identity - &a)
            .try_inverse()
            .unwrap_or_else(|| DMatrix::identity(n, n));
        Economy {
            sectors,
            a,
            leontief,
        }
    }

    /// Chain completeness of sector `s` given which supplier sectors are present (0..1 each):
    /// the Leontief-weighted share of its indirect supply chain that is available locally.
    pub fn chain_completeness(&self, s: usize, presence: &[f64]) -> f64 {
        let mut total = 0.0;
        let mut local = 0.0;
        for (j, p) in presence.iter().enumerate() {
            let weight = self.leontief[(j, s)] - if j == s { 1.0 } else { 0.0 };
            if weight > 0.0 {
                total += weight;
                local += weight * p;
            }
        }
        if total > 0.0 { local / total } else { 1.0 }
    }

    /// How strongly sector `s` is linked (as buyer or seller) to a set of sectors with weights.
    pub fn linkage(&self, s: usize, weights: &[f64]) -> f64 {
        let mut link = 0.0;
        for (j, w) in weights.iter().enumerate() {
            if j != s {
                link += w * (self.leontief[(j, s)] + self.leontief[(s, j)]);
            }
        }
        link
    }
}

/// Travel minutes between districts; road capital shortens them.
#[derive(Debug, Clone)]
pub struct Travel {
    pub base: DMatrix<f64>,
    pub minutes: DMatrix<f64>,
    pub elasticity: f64,
    pub reference: f64,
    pub min_share: f64,
}

/// For each district, the district of `kind` nearest to it by the travel times given (ties go to
/// the first in scenario order); a district of that kind is its own nearest. Where the scenario
/// has no district of `kind`, the first district stands in.
pub fn nearest_of_kind(districts: &[District], travel: &Travel, kind: DistrictKind) -> Vec<usize> {
    let of_kind: Vec<usize> = (0..districts.len())
        .filter(|&d| districts[d].kind == kind)
        .collect();
    (0..districts.len())
        .map(|from| {
            of_kind
                .iter()
                .copied()
                .min_by(|&a, &b| {
                    travel.minutes[(from, a)]
                        .total_cmp(&travel.minutes[(from, b)])
                        .then(a.cmp(&b))
                })
                .unwrap_or(0)
        })
        .collect()
}

impl Travel {
    pub fn from_spec(s: &ScenarioFile) -> Self {
        let ids: Vec<&String> = s.districts.keys().collect();
        let n = ids.len();
        let mut base = DMatrix::zeros(n, n);
        for (from, row) in &s.travel.minutes {
            for (to, minutes) in row {
                let (Some(i), Some(j)) = (
                    ids.iter().position(|x| *x == from),
                    ids.iter().position(|x| *x == to),
                ) else {
                    continue;
                };
                base[(i, j)] = *minutes;
                base[(j, i)] = *minutes;
            }
        }
        Travel {
            minutes: base.clone(),
            base,
            elasticity: s.travel.road_elasticity,
            reference: s.travel.road_reference_cny,
            min_share: s.travel.min_share_of_base,
        }
    }

    /// Travel time on link (i, j) falls with the roads of both ends relative to today's roads:
    /// t = t₀ · ((1 + R/R_ref) / (1 + R₀/R_ref))^(−ε), floored at a share of t₀.
    pub fn update(&mut self, districts: &[District]) {
        let n = districts.len();
        for i in 0..n {
            for j in 0..n {
                let now = (districts[i].roads + districts[j].roads) / 2.0;
                let then = (districts[i].roads_initial + districts[j].roads_initial) / 2.0;
                let factor = ((1.0 + now / self.reference) / (1.0 + then / self.reference))
                    .dpow(-self.elasticity);
                self.minutes[(i, j)] = self.base[(i, j)] * factor.max(self.min_share);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each district's nearest cluster and rural district by minutes; ties go to the first.
    #[test]
    fn the_nearest_district_of_a_kind_is_found_by_minutes() {
        let spec = crate::model::tests::baseline_spec();
        let template = |kind: &str| {
            let mut d = spec.districts[kind].clone();
            d.kind = match kind {
                "zone" => DistrictKind::Cluster,
                "rural" => DistrictKind::Rural,
                _ => DistrictKind::City,
            };
            District::from_spec(kind, &d)
        };
        // Two zones, a city between them, two hinterlands.
        let districts = vec![
            template("zone"),
            template("city"),
            template("zone"),
            template("rural"),
            template("rural"),
        ];
        #[rustfmt::skip]
        let minutes = DMatrix::from_row_slice(5, 5, &[
            10.0, 30.0, 60.0, 20.0, 70.0,
            30.0, 10.0, 30.0, 40.0, 40.0,
            60.0, 30.0, 10.0, 70.0, 20.0,
            20.0, 40.0, 70.0, 15.0, 80.0,
            70.0, 40.0, 20.0, 80.0, 15.0,
        ]);
        let travel = Travel {
            base: minutes.clone(),
            minutes,
            elasticity: 0.0,
            reference: 1.0,
            min_share: 1.0,
        };
        assert_eq!(
            nearest_of_kind(&districts, &travel, DistrictKind::Cluster),
            vec![0, 0, 2, 0, 2]
        );
        assert_eq!(
            nearest_of_kind(&districts, &travel, DistrictKind::Rural),
            vec![3, 3, 4, 3, 4]
        );
    }
}

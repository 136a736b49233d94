//! The rest of the district's economy (MODEL.md §2 "background"): agriculture, construction and
//! industry outside the modelled sectors, and the public and other services of all residents, as
//! three system-dynamics stocks of value added (2015 prices) that grow at exogenous, slowing rates.
//! Services scale with the residents the district has, modelled households included, so a policy
//! that brings people into the region also brings the services they buy. Together with the
//! modelled firms they make the district's GDP as its statistical bulletin defines it.

use super::detmath::DetMath;
use crate::scenario::BackgroundSpec;

/// Value added outside the modelled firms, CNY a year at the current month's rate.
#[derive(Debug, Clone, Copy, Default)]
pub struct Background {
    /// Agriculture (第一产业).
    pub primary: f64,
    /// Construction and industry outside the modelled sectors (part of 第二产业).
    pub secondary: f64,
    /// Public and other services per resident (part of 第三产业).
    pub services_per_resident: f64,
}

impl Background {
    pub fn new(spec: &BackgroundSpec) -> Self {
        Background {
            primary: spec.primary_cny_per_year,
            secondary: spec.secondary_cny_per_year,
            services_per_resident: spec.services_cny_per_resident_year,
        }
    }

    /// Grows each stock by one month of its rate; rates slow by `growth_decay_per_year` of
    /// themselves each year, like the external demand of the modelled sectors.
    pub fn advance(&mut self, spec: &BackgroundSpec, month: u32) {
        let slowing = (1.0 - spec.growth_decay_per_year).dpow(month as f64 / 12.0);
        let step = |rate: f64| (1.0 + rate * slowing).dpow(1.0 / 12.0);
        self.primary *= step(spec.primary_growth_per_year);
        self.secondary *= step(spec.secondary_growth_per_year);
        self.services_per_resident *= step(spec.services_growth_per_year);
    }

    /// Background value added of each district, by sector (primary, secondary, tertiary):
    /// agriculture in the rural districts (all districts if there are none) and construction and
    /// other industry in proportion to residents; services per resident.
    pub fn by_district(&self, residents: &[f64], rural: &[bool]) -> Vec<[f64; 3]> {
        let total: f64 = residents.iter().sum();
        let rural_total: f64 = residents
            .iter()
            .zip(rural)
            .filter(|(_, r)| **r)
            .map(|(n, _)| n)
            .sum();
        residents
            .iter()
            .zip(rural)
            .map(|(n, is_rural)| {
                let share = if total > 0.0 { n / total } else { 0.0 };
                let farm_share = if rural_total > 0.0 {
                    if *is_rural { n / rural_total } else { 0.0 }
                } else {
                    share
                };
                [
                    self.primary * farm_share,
                    self.secondary * share,
                    self.services_per_resident * n,
                ]
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> BackgroundSpec {
        BackgroundSpec {
            primary_cny_per_year: 100.0,
            primary_growth_per_year: 0.02,
            secondary_cny_per_year: 200.0,
            secondary_growth_per_year: 0.06,
            services_cny_per_resident_year: 10.0,
            services_growth_per_year: 0.05,
            growth_decay_per_year: 0.0,
            tax_share: 0.05,
        }
    }

    #[test]
    fn a_year_of_growth_compounds_to_the_annual_rate() {
        let s = spec();
        let mut b = Background::new(&s);
        for m in 0..12 {
            b.advance(&s, m);
        }
        assert!((b.primary - 102.0).abs() < 1e-9);
        assert!((b.secondary - 212.0).abs() < 1e-9);
    }

    #[test]
    fn farming_goes_to_rural_districts_and_services_follow_residents() {
        let b = Background::new(&spec());
        let v = b.by_district(&[300.0, 100.0], &[false, true]);
        assert_eq!(v[0][0], 0.0);
        assert_eq!(v[1][0], 100.0);
        assert_eq!(v[0][1], 150.0);
        assert_eq!(v[0][2], 3000.0);
    }
}

//! The `[coupling]` block's schema: the ten sub-indicators of the coupling coordination degree
//! (the block's keys and the reference panel's columns), which subsystem each belongs to and
//! which way is better. The model computes the degree from them (`model::coupling`); the scenario
//! layer validates the block against them.

use super::{CouplingReference, CouplingSpec};

/// Which subsystem a sub-indicator belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subsystem {
    /// U₁: the industry subsystem (产业子系统).
    Industry,
    /// U₂: the city subsystem (城市子系统).
    City,
}

/// One sub-indicator: its key (the `[coupling]` key and the panel's column), subsystem, and
/// whether more is better (`positive`) or worse.
#[derive(Debug, Clone, Copy)]
pub struct Component {
    pub key: &'static str,
    pub subsystem: Subsystem,
    pub positive: bool,
}

/// The ten sub-indicators, in the order of the model's `Inputs`, of [`CouplingSpec::references`]
/// and of the reference panel's columns.
pub const COMPONENTS: [Component; 10] = [
    component("value_added_per_ha_cny_year", Subsystem::Industry, true),
    component("labour_productivity_cny_year", Subsystem::Industry, true),
    component("rd_intensity", Subsystem::Industry, true),
    component("chain_completeness", Subsystem::Industry, true),
    component("resident_worker_share", Subsystem::City, true),
    component("school_seats_per_child", Subsystem::City, true),
    component("hospital_beds_per_1000", Subsystem::City, true),
    component("commercial_m2_per_resident", Subsystem::City, true),
    component("settled_share", Subsystem::City, true),
    component("pollution_to_red_line", Subsystem::City, false),
];

const fn component(key: &'static str, subsystem: Subsystem, positive: bool) -> Component {
    Component {
        key,
        subsystem,
        positive,
    }
}

impl CouplingSpec {
    /// The reference of each component, in the order of [`COMPONENTS`].
    pub fn references(&self) -> [&CouplingReference; 10] {
        [
            &self.value_added_per_ha_cny_year,
            &self.labour_productivity_cny_year,
            &self.rd_intensity,
            &self.chain_completeness,
            &self.resident_worker_share,
            &self.school_seats_per_child,
            &self.hospital_beds_per_1000,
            &self.commercial_m2_per_resident,
            &self.settled_share,
            &self.pollution_to_red_line,
        ]
    }
}

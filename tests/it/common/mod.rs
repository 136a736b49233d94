use chancheng::scenario::{Scenario, load_builtin};

/// The baseline cut to `months` months (tests keep horizons short; the mechanisms are the same).
pub fn baseline_months(months: u32) -> Scenario {
    load_builtin()
        .expect("the built-in baseline is valid")
        .with_overrides(&[("time.months".into(), months as f64)])
        .expect("time.months can be overridden")
}
pub mod browser;

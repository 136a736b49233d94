//! Numbers for people, by the indicator's unit: money in 亿元 (Chinese) or billion CNY (English),
//! people in 万人 or thousands, shares in % with differences in percentage points; confidence
//! intervals clipped to what the indicator can be.

use crate::model::indicators::{indicator, is_count};

/// How one indicator's values are shown.
pub struct Human {
    /// The unit as the table shows it.
    pub unit: String,
    scale: f64,
    share: bool,
    count: bool,
    /// An index on [0, 1] (the coupling degree D and its subsystems), read as such, not as %.
    index: bool,
}

impl Human {
    pub fn of(id: &str, zh: bool) -> Human {
        // Families (`employment.<sector>`, `public_cost.<lever>`) take the unit of their stem.
        let unit = indicator(id)
            .or_else(|| indicator(id.split('.').next().unwrap_or(id)))
            .map_or("", |d| d.unit);
        // Counts, and money stocks and flows that cannot fall below zero.
        let count = is_count(id)
            || [
                "debt",
                "public_cost",
                "capital_planned",
                "capital_cut",
                "capital_spending",
                "fiscal_expenditure",
                "land_revenue",
                "bank_loans",
                "guaranteed_loans",
            ]
            .iter()
            .any(|p| id.starts_with(p));
        let (scale, shown, share) = match unit {
            "CNY" | "CNY/yr" => {
                if zh {
                    (
                        1e-8,
                        format!("亿元{}", if unit == "CNY/yr" { "/年" } else { "" }),
                        false,
                    )
                } else {
                    (
                        1e-9,
                        format!("bn CNY{}", if unit == "CNY/yr" { "/yr" } else { "" }),
                        false,
                    )
                }
            }
            "share" => (100.0, "%".to_string(), true),
            "workers" | "persons" | "households" | "children" | "agents" => {
                if zh {
                    (1e-4, format!("万{}", people_zh(unit)), false)
                } else {
                    (1e-3, format!("thousand {unit}"), false)
                }
            }
            other => (1.0, other.to_string(), false),
        };
        Human {
            unit: shown,
            scale,
            share,
            count,
            index: unit == "0–1",
        }
    }

    /// A value in the shown unit, as a number (figures' axes).
    pub fn scaled(&self, x: f64) -> f64 {
        x * self.scale
    }

    /// A value in the shown unit, with a precision that reads well.
    pub fn value(&self, x: f64) -> String {
        if !x.is_finite() {
            return "–".into();
        }
        let v = x * self.scale;
        let v = if v == 0.0 { 0.0 } else { v };
        if self.index {
            format!("{v:.3}")
        } else if v.abs() >= 1000.0 {
            crate::format::figure(v.round())
        } else if v.abs() >= 100.0 || self.share {
            format!("{v:.1}")
        } else {
            format!("{v:.2}")
        }
    }

    /// A difference in the shown unit (percentage points for shares), signed.
    pub fn diff(&self, x: f64) -> String {
        let s = self.value(x);
        let s = if s.starts_with('-') || s == "–" {
            s
        } else {
            format!("+{s}")
        };
        if self.share && s != "–" {
            format!("{s} pp")
        } else {
            s
        }
    }

    /// A confidence interval clipped to what the indicator can be: a share within [0, 1], a
    /// count, debt or cost not below 0.
    pub fn clip(
        &self,
        mut e: crate::experiment::compare::Estimate,
    ) -> crate::experiment::compare::Estimate {
        let (lo, hi) = if self.share || self.index {
            (0.0, 1.0)
        } else if self.count {
            (0.0, f64::INFINITY)
        } else {
            (f64::NEG_INFINITY, f64::INFINITY)
        };
        e.low = e.low.clamp(lo, hi);
        e.high = e.high.clamp(lo, hi);
        e
    }
}

fn people_zh(unit: &str) -> &'static str {
    match unit {
        "households" => "户",
        "children" => "名儿童",
        _ => "人",
    }
}

#[cfg(test)]
mod tests {
    use super::Human;

    #[test]
    fn units_read_as_a_planner_writes_them() {
        let gdp = Human::of("gdp", true);
        assert_eq!(gdp.unit, "亿元/年");
        assert_eq!(gdp.value(92_090_000_000.0), "920.9");
        assert_eq!(Human::of("gdp", false).value(92_090_000_000.0), "92.09");
        let share = Human::of("pendulum_index", true);
        assert_eq!(
            (share.unit.as_str(), share.value(0.7234).as_str()),
            ("%", "72.3")
        );
        assert_eq!(share.diff(-0.031), "-3.1 pp");
        let people = Human::of("employment", true);
        assert_eq!(
            (people.unit.as_str(), people.value(77_376.0).as_str()),
            ("万人", "7.74")
        );
        let e = crate::experiment::compare::Estimate::of(&[0.99, 1.0, 1.0], 0.95);
        let clipped = share.clip(e);
        assert!(clipped.high <= 1.0 && clipped.low <= clipped.high);
        let d = Human::of("coupling_coordination", true);
        assert_eq!(
            (d.unit.as_str(), d.value(0.5953).as_str()),
            ("0–1", "0.595")
        );
        assert_eq!(d.diff(0.0891), "+0.089");
    }
}

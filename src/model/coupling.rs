//! The industry–city coupling coordination degree (产城融合度) as the literature computes it:
//! sub-indicators min–max normalised against a fixed external reference panel, weighted by the
//! entropy method (computed once on that panel and frozen in the scenario), and combined with the
//! corrected coupling degree of 王淑佳 et al. (2021, 自然资源学报 36(3): 793–810), which
//! penalises the gap between the subsystems. Pure functions: the panel file is read elsewhere.

use super::detmath::DetMath;
use crate::scenario::{CouplingReference, CouplingSpec};
// The sub-indicators are the `[coupling]` block's schema, which the scenario layer validates.
pub use crate::scenario::coupling::{COMPONENTS, Component, Subsystem};

/// Values of the ten sub-indicators, in the order of [`COMPONENTS`].
pub type Inputs = [f64; 10];

/// Min–max normalisation against the panel's range, clipped to [0, 1]; a negative indicator is
/// reversed, so 1 is always the best end of the panel.
pub fn normalise(x: f64, min: f64, max: f64, positive: bool) -> f64 {
    let span = max - min;
    if span.is_nan() || span <= 0.0 || x.is_nan() {
        return f64::NAN;
    }
    let t = ((x - min) / span).clamp(0.0, 1.0);
    if positive { t } else { 1.0 - t }
}

/// The subsystem indices (U₁, U₂): weighted sums of normalised sub-indicators, weights
/// renormalised within each subsystem.
pub fn subsystems(inputs: &Inputs, spec: &CouplingSpec) -> (f64, f64) {
    let refs = spec.references();
    let mut sum = [0.0f64; 2];
    let mut weight = [0.0f64; 2];
    for ((component, r), x) in COMPONENTS.iter().zip(refs).zip(inputs) {
        let k = usize::from(component.subsystem == Subsystem::City);
        sum[k] += r.weight * normalise(*x, r.min, r.max, component.positive);
        weight[k] += r.weight;
    }
    let u = |k: usize| {
        if weight[k] > 0.0 {
            sum[k] / weight[k]
        } else {
            f64::NAN
        }
    };
    (u(0), u(1))
}

/// The corrected coupling degree for two subsystems (王淑佳 et al. 2021):
/// C = √[(1 − |U₁ − U₂|) · min(U₁,U₂)/max(U₁,U₂)], which is 1 only when the two are equal and
/// falls with their gap at any level (the classical 2√(U₁U₂)/(U₁+U₂) stays near 1 for any pair
/// within a factor 2).
pub fn coupling(u1: f64, u2: f64) -> f64 {
    let hi = u1.max(u2);
    if hi <= 0.0 {
        return 0.0;
    }
    ((1.0 - (u1 - u2).abs()) * (u1.min(u2) / hi))
        .max(0.0)
        .sqrt()
}

/// Coupling coordination degree D = √(C·T), T = (U₁ + U₂)/2 (equal weights of the subsystems).
pub fn coordination(u1: f64, u2: f64) -> f64 {
    (coupling(u1, u2) * (u1 + u2) / 2.0).max(0.0).sqrt()
}

/// The ten bands of D (0.1 wide), 1 = extreme imbalance … 10 = high-quality coordination.
pub fn band(d: f64) -> usize {
    ((d * 10.0).floor() as usize + 1).clamp(1, 10)
}

/// The relation of the two subsystems: −1 city lags (城市滞后, U₂ < U₁ − gap), +1 industry lags
/// (产业滞后, U₁ < U₂ − gap), 0 synchronous (同步).
pub fn lag_type(u1: f64, u2: f64, synchronous_gap: f64) -> f64 {
    if u1 - u2 > synchronous_gap {
        -1.0
    } else if u2 - u1 > synchronous_gap {
        1.0
    } else {
        0.0
    }
}

pub const LAG_TYPES_ZH: [&str; 3] = ["城市滞后型", "同步型", "产业滞后型"];
pub const LAG_TYPES_EN: [&str; 3] = ["city lags", "synchronous", "industry lags"];

/// Name of a lag type value (−1, 0, +1) in `zh` or `en`.
pub fn lag_type_name(value: f64, zh: bool) -> &'static str {
    let i = if value < -0.5 {
        0
    } else if value > 0.5 {
        2
    } else {
        1
    };
    if zh { LAG_TYPES_ZH[i] } else { LAG_TYPES_EN[i] }
}

/// Min, max and entropy-method weights of each component over a pooled panel (rows of
/// [`Inputs`]); weights sum to 1 within each subsystem. The entropy method gives more weight to
/// sub-indicators that differ more across the panel: with p_ij the share of unit i in column j's
/// normalised total, e_j = −Σ p_ij ln p_ij / ln n and w_j ∝ 1 − e_j.
pub fn entropy_references(panel: &[Inputs]) -> Result<[CouplingReference; 10], String> {
    let n = panel.len();
    if n < 2 {
        return Err(format!("the panel needs at least 2 rows, it has {n}"));
    }
    let mut out = [CouplingReference::default(); 10];
    let mut divergence = [0.0f64; 10];
    for (j, component) in COMPONENTS.iter().enumerate() {
        let column: Vec<f64> = panel.iter().map(|row| row[j]).collect();
        if let Some(bad) = column.iter().find(|x| !x.is_finite()) {
            return Err(format!("column {} holds {bad}", component.key));
        }
        let min = column.iter().copied().fold(f64::INFINITY, f64::min);
        let max = column.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if max <= min {
            return Err(format!(
                "column {} does not vary (all {min}): it cannot normalise",
                component.key
            ));
        }
        let normalised: Vec<f64> = column
            .iter()
            .map(|x| normalise(*x, min, max, component.positive))
            .collect();
        let total: f64 = normalised.iter().sum();
        let entropy = -normalised
            .iter()
            .map(|x| {
                let p = x / total;
                if p > 0.0 { p * p.dln() } else { 0.0 }
            })
            .sum::<f64>()
            / (n as f64).dln();
        divergence[j] = 1.0 - entropy;
        out[j] = CouplingReference {
            min,
            max,
            weight: 0.0,
        };
    }
    for subsystem in [Subsystem::Industry, Subsystem::City] {
        let members: Vec<usize> = (0..10)
            .filter(|j| COMPONENTS[*j].subsystem == subsystem)
            .collect();
        let total: f64 = members.iter().map(|j| divergence[*j]).sum();
        for j in members {
            out[j].weight = divergence[j] / total;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corrected_coupling_penalises_the_gap_at_any_level() {
        assert!((coupling(0.5, 0.5) - 1.0).abs() < 1e-12);
        // Classical C for (0.8, 0.4) is 0.943; the corrected one is √(0.6 · 0.5) = 0.548.
        assert!((coupling(0.8, 0.4) - (0.6f64 * 0.5).sqrt()).abs() < 1e-12);
        assert!(coordination(0.6, 0.6) > coordination(0.8, 0.4));
        assert_eq!(coordination(0.0, 0.0), 0.0);
        assert!((coordination(0.49, 0.49) - 0.7).abs() < 1e-12);
    }

    #[test]
    fn bands_and_lag_types() {
        assert_eq!(band(0.0), 1);
        assert_eq!(band(0.55), 6);
        assert_eq!(band(1.0), 10);
        assert_eq!(lag_type(0.6, 0.4, 0.1), -1.0);
        assert_eq!(lag_type(0.4, 0.6, 0.1), 1.0);
        assert_eq!(lag_type(0.45, 0.5, 0.1), 0.0);
        assert_eq!(lag_type_name(-1.0, true), "城市滞后型");
    }

    #[test]
    fn negative_indicators_are_reversed_and_clipped() {
        assert_eq!(normalise(0.5, 0.0, 1.0, false), 0.5);
        assert_eq!(normalise(3.0, 0.0, 1.5, false), 0.0);
        assert_eq!(normalise(-1.0, 0.0, 1.5, true), 0.0);
        assert!(normalise(1.0, 1.0, 1.0, true).is_nan());
    }

    #[test]
    fn entropy_weights_favour_the_column_that_varies_most() {
        // After normalisation column 0 is concentrated in one unit, column 1 is spread evenly:
        // column 0 tells the units apart more and gets more weight.
        let mut panel = vec![[1.0; 10]; 4];
        for (i, row) in panel.iter_mut().enumerate() {
            row[0] = [1.0, 2.0, 3.0, 40.0][i];
            row[1] = [10.0, 11.0, 10.5, 10.8][i];
            for (j, x) in row.iter_mut().enumerate().skip(2) {
                *x = (i + j) as f64;
            }
        }
        let refs = entropy_references(&panel).expect("valid panel");
        assert!(refs[0].weight > refs[1].weight);
        let industry: f64 = refs[..4].iter().map(|r| r.weight).sum();
        let city: f64 = refs[4..].iter().map(|r| r.weight).sum();
        assert!((industry - 1.0).abs() < 1e-12 && (city - 1.0).abs() < 1e-12);
        assert_eq!((refs[0].min, refs[0].max), (1.0, 40.0));
        assert!(entropy_references(&panel[..1]).is_err());
    }
}

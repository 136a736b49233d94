//! Random variates built on the deterministic maths of [`super::detmath`], so that a draw is the
//! same on every machine (`rand_distr`'s samplers call the system maths library).

use super::detmath::{DetMath, ln_gamma};
use super::streams::Stream;

/// A standard normal variate (Marsaglia's polar method: two uniforms, a logarithm and a square
/// root; rejects ≈ 21 % of pairs).
pub fn standard_normal(rng: &mut Stream) -> f64 {
    loop {
        let u = 2.0 * rng.unit() - 1.0;
        let v = 2.0 * rng.unit() - 1.0;
        let s = u * u + v * v;
        if s > 0.0 && s < 1.0 {
            return u * (-2.0 * s.dln() / s).sqrt();
        }
    }
}

/// A normal variate of mean `mean` and standard deviation `sd`.
pub fn normal(rng: &mut Stream, mean: f64, sd: f64) -> f64 {
    mean + sd * standard_normal(rng)
}

/// A Poisson variate of mean `lambda` (0 for λ ≤ 0 or not finite): multiplication of uniforms
/// (Knuth) below λ = 10, Hörmann's transformed rejection (PTRS, 1993) above.
pub fn poisson(rng: &mut Stream, lambda: f64) -> u64 {
    if lambda <= 0.0 || !lambda.is_finite() {
        return 0;
    }
    if lambda < 10.0 {
        let limit = (-lambda).dexp();
        let mut k = 0u64;
        let mut product = rng.unit();
        while product > limit {
            k += 1;
            product *= rng.unit();
        }
        return k;
    }
    let slam = lambda.sqrt();
    let loglam = lambda.dln();
    let b = 0.931 + 2.53 * slam;
    let a = -0.059 + 0.02483 * b;
    let inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
    let vr = 0.9277 - 3.6224 / (b - 2.0);
    loop {
        let u = rng.unit() - 0.5;
        let v = rng.unit();
        let us = 0.5 - u.abs();
        let k = ((2.0 * a / us + b) * u + lambda + 0.43).floor();
        if us >= 0.07 && v <= vr {
            return k as u64;
        }
        if k < 0.0 || (us < 0.013 && v > us) {
            continue;
        }
        if v.dln() + inv_alpha.dln() - (a / (us * us) + b).dln()
            <= -lambda + k * loglam - ln_gamma(k + 1.0)
        {
            return k as u64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::streams::{Draw, Streams};

    fn moments(sample: &[f64]) -> (f64, f64) {
        let n = sample.len() as f64;
        let mean = sample.iter().sum::<f64>() / n;
        let var = sample.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
        (mean, var)
    }

    #[test]
    fn normal_has_its_mean_variance_and_tails() {
        let streams = Streams::new(4);
        let n = 200_000;
        let sample: Vec<f64> = (0..n)
            .map(|i| normal(&mut streams.open(Draw::Innovation, i, 0), 1.5, 2.0))
            .collect();
        let (mean, var) = moments(&sample);
        assert!((mean - 1.5).abs() < 0.02, "mean {mean}");
        assert!((var - 4.0).abs() < 0.06, "variance {var}");
        // P(Z > 1.96) = 0.025 and P(Z > 3) = 0.00135.
        let above =
            |z: f64| sample.iter().filter(|x| (**x - 1.5) / 2.0 > z).count() as f64 / n as f64;
        assert!(
            (above(1.96) - 0.025).abs() < 0.002,
            "upper 2.5 % tail {}",
            above(1.96)
        );
        assert!(
            (above(3.0) - 0.00135).abs() < 0.0004,
            "upper 3σ tail {}",
            above(3.0)
        );
    }

    #[test]
    fn poisson_has_its_mean_and_variance_on_both_branches() {
        let streams = Streams::new(9);
        for &lambda in &[0.7, 3.0, 9.9, 10.0, 37.5, 420.0] {
            let n = 100_000;
            let sample: Vec<f64> = (0..n)
                .map(|i| poisson(&mut streams.open(Draw::ArrivalCount, i, 0), lambda) as f64)
                .collect();
            let (mean, var) = moments(&sample);
            let tol = 4.0 * (lambda / n as f64).sqrt();
            assert!((mean - lambda).abs() < tol, "λ {lambda}: mean {mean}");
            assert!(
                (var / lambda - 1.0).abs() < 0.03,
                "λ {lambda}: variance {var}"
            );
            // A tail quantile: P(X ≤ 0) = e^-λ where it is measurable.
            if lambda < 5.0 {
                let zeros = sample.iter().filter(|x| **x == 0.0).count() as f64 / n as f64;
                assert!(
                    (zeros - (-lambda).dexp()).abs() < 0.005,
                    "λ {lambda}: P(0) {zeros}"
                );
            }
        }
    }

    #[test]
    fn poisson_is_zero_for_degenerate_means() {
        let mut r = Streams::new(1).open(Draw::ArrivalCount, 0, 0);
        assert_eq!(poisson(&mut r, 0.0), 0);
        assert_eq!(poisson(&mut r, -3.0), 0);
        assert_eq!(poisson(&mut r, f64::NAN), 0);
    }
}

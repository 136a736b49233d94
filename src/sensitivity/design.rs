//! Designs: rows of parameter values, one column per parameter in the file's order.
//!
//! - `mc`: N independent uniform draws per parameter, through each distribution;
//! - `lhs`: a Latin hypercube, each parameter's N values one in each of N equal-probability strata;
//! - `saltelli`: Saltelli's scheme on a Sobol sequence of dimension 2D (matrices A, B), N base
//!   samples, rows in SALib's order: for each base sample A, then A with factor f's columns from B
//!   for every factor f, (with second order: B with factor f's columns from A), then B —
//!   N·(F+2) or N·(2F+2) rows for F factors (groups, or single parameters);
//! - `morris`: N trajectories of D+1 rows on a grid of `levels` levels (Morris 1991), each row
//!   moving one parameter by Δ = levels / (2 (levels − 1)) of its quantile range.

use super::params::{Factors, Parameter};
use rand::RngExt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    MonteCarlo,
    LatinHypercube,
    Saltelli { second_order: bool },
    Morris { levels: u32 },
}

/// Why a design cannot be made.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct DesignError(pub String);

/// Rows of quantiles in [0, 1] (before the distributions are applied).
pub fn unit_design(
    params: &[Parameter],
    method: Method,
    n: usize,
    seed: u64,
) -> Result<Vec<Vec<f64>>, DesignError> {
    let d = params.len();
    if n == 0 {
        return Err(DesignError("--n must be at least 1".into()));
    }
    let mut rng = super::rng(seed);
    Ok(match method {
        Method::MonteCarlo => (0..n)
            .map(|_| (0..d).map(|_| rng.random::<f64>()).collect())
            .collect(),
        Method::LatinHypercube => {
            let mut rows = vec![vec![0.0; d]; n];
            for j in 0..d {
                let mut strata: Vec<usize> = (0..n).collect();
                shuffle(&mut strata, &mut rng);
                for (i, row) in rows.iter_mut().enumerate() {
                    row[j] = (strata[i] as f64 + rng.random::<f64>()) / n as f64;
                }
            }
            rows
        }
        Method::Saltelli { second_order } => saltelli(params, n, second_order)?,
        Method::Morris { levels } => morris(d, n, levels, &mut rng)?,
    })
}

/// The design in parameter values (each column through its distribution, whole numbers rounded).
pub fn design(
    params: &[Parameter],
    method: Method,
    n: usize,
    seed: u64,
) -> Result<Vec<Vec<f64>>, DesignError> {
    let unit = unit_design(params, method, n, seed)?;
    Ok(unit
        .into_iter()
        .map(|row| {
            row.iter()
                .zip(params)
                .map(|(u, p)| p.value_at(*u))
                .collect()
        })
        .collect())
}

/// Rows of a Saltelli design per base sample: F + 2, or 2F + 2 with second order.
pub fn saltelli_step(factors: usize, second_order: bool) -> usize {
    if second_order {
        2 * factors + 2
    } else {
        factors + 2
    }
}

fn saltelli(
    params: &[Parameter],
    n: usize,
    second_order: bool,
) -> Result<Vec<Vec<f64>>, DesignError> {
    use sobol::Sobol;
    use sobol::params::JoeKuoD6;
    let d = params.len();
    let factors = Factors::of(params);
    let source = JoeKuoD6::standard();
    if 2 * d > 21_201 {
        return Err(DesignError(format!(
            "a Saltelli design needs a Sobol sequence of dimension 2 × {d}; at most 21,201 are known"
        )));
    }
    // The first points of a Sobol sequence (from the origin) are skipped, as SALib does.
    let skip = n.next_power_of_two();
    let points = Sobol::<f64>::new(2 * d, &source).skip(skip).take(n);
    let step = saltelli_step(factors.len(), second_order);
    let mut rows = Vec::with_capacity(n * step);
    for point in points {
        let (a, b) = point.split_at(d);
        rows.push(a.to_vec());
        for members in &factors.members {
            let mut ab = a.to_vec();
            for &j in members {
                ab[j] = b[j];
            }
            rows.push(ab);
        }
        if second_order {
            for members in &factors.members {
                let mut ba = b.to_vec();
                for &j in members {
                    ba[j] = a[j];
                }
                rows.push(ba);
            }
        }
        rows.push(b.to_vec());
    }
    if rows.len() != n * step {
        return Err(DesignError(format!(
            "the Sobol sequence ran out after {} base samples",
            rows.len() / step
        )));
    }
    Ok(rows)
}

fn morris(
    d: usize,
    r: usize,
    levels: u32,
    rng: &mut rand::rngs::Xoshiro256PlusPlus,
) -> Result<Vec<Vec<f64>>, DesignError> {
    if levels < 2 || !levels.is_multiple_of(2) {
        return Err(DesignError(format!(
            "--levels must be an even number ≥ 2, got {levels}"
        )));
    }
    let p = f64::from(levels);
    let delta = p / (2.0 * (p - 1.0));
    // Start levels from which a move of Δ up stays inside [0, 1].
    let starts = (levels / 2) as usize;
    let mut rows = Vec::with_capacity(r * (d + 1));
    for _ in 0..r {
        let mut x: Vec<f64> = (0..d)
            .map(|_| rng.random_range(0..starts) as f64 / (p - 1.0))
            .collect();
        // A parameter that moves down starts Δ higher.
        let up: Vec<bool> = (0..d).map(|_| rng.random::<bool>()).collect();
        for j in 0..d {
            if !up[j] {
                x[j] += delta;
            }
        }
        let mut order: Vec<usize> = (0..d).collect();
        shuffle(&mut order, rng);
        rows.push(x.clone());
        for &j in &order {
            x[j] += if up[j] { delta } else { -delta };
            rows.push(x.clone());
        }
    }
    Ok(rows)
}

/// Fisher–Yates, from the design's own stream.
fn shuffle<T>(items: &mut [T], rng: &mut rand::rngs::Xoshiro256PlusPlus) {
    for i in (1..items.len()).rev() {
        let j = rng.random_range(0..=i);
        items.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Dist, UncertainSpec};

    fn params(groups: &[Option<&str>]) -> Vec<Parameter> {
        groups
            .iter()
            .enumerate()
            .map(|(i, g)| Parameter {
                name: format!("x{i}"),
                spec: UncertainSpec {
                    dist: Dist::Uniform,
                    low: 0.0,
                    mode: None,
                    high: 1.0,
                    integer: false,
                    group: g.map(str::to_string),
                },
            })
            .collect()
    }

    #[test]
    fn latin_hypercube_puts_one_value_in_each_stratum() {
        let n = 37;
        let rows = unit_design(&params(&[None; 4]), Method::LatinHypercube, n, 5).unwrap();
        for j in 0..4 {
            let mut strata: Vec<usize> = rows.iter().map(|r| (r[j] * n as f64) as usize).collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..n).collect::<Vec<_>>(), "column {j}");
        }
    }

    #[test]
    fn saltelli_rows_follow_salibs_order() {
        let p = params(&[None, Some("g"), Some("g")]);
        let rows = unit_design(&p, Method::Saltelli { second_order: true }, 8, 0).unwrap();
        // Two factors: x0 and the group g = {x1, x2}; 2·2 + 2 rows per base sample.
        assert_eq!(rows.len(), 8 * 6);
        for base in rows.chunks(6) {
            let (a, ab0, ab1, ba0, ba1, b) =
                (&base[0], &base[1], &base[2], &base[3], &base[4], &base[5]);
            assert_eq!(ab0, &vec![b[0], a[1], a[2]]);
            assert_eq!(ab1, &vec![a[0], b[1], b[2]]);
            assert_eq!(ba0, &vec![a[0], b[1], b[2]]);
            assert_eq!(ba1, &vec![b[0], a[1], a[2]]);
        }
    }

    #[test]
    fn morris_trajectories_move_one_parameter_by_delta() {
        let rows = unit_design(&params(&[None; 5]), Method::Morris { levels: 4 }, 10, 3).unwrap();
        assert_eq!(rows.len(), 10 * 6);
        for t in rows.chunks(6) {
            let mut moved = Vec::new();
            for k in 1..6 {
                let changed: Vec<usize> = (0..5).filter(|&j| t[k][j] != t[k - 1][j]).collect();
                assert_eq!(changed.len(), 1);
                let j = changed[0];
                assert!(((t[k][j] - t[k - 1][j]).abs() - 2.0 / 3.0).abs() < 1e-12);
                assert!(t[k].iter().all(|x| (0.0..=1.0).contains(x)));
                moved.push(j);
            }
            moved.sort_unstable();
            assert_eq!(moved, vec![0, 1, 2, 3, 4]);
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_design() {
        let p = params(&[None; 3]);
        for m in [
            Method::MonteCarlo,
            Method::LatinHypercube,
            Method::Morris { levels: 4 },
        ] {
            assert_eq!(
                unit_design(&p, m, 20, 9).unwrap(),
                unit_design(&p, m, 20, 9).unwrap()
            );
            assert_ne!(
                unit_design(&p, m, 20, 9).unwrap(),
                unit_design(&p, m, 20, 10).unwrap()
            );
        }
    }
}

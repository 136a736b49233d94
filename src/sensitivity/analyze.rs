//! Sensitivity indices from a design's outputs.
//!
//! Sobol (on a Saltelli design): first-order S1 by Saltelli et al. (2010), total ST by Jansen
//! (1999), second-order S2 by Saltelli (2002), on outputs standardised as SALib does; 95 %
//! intervals from a bootstrap over the base samples (1.96 × the standard deviation of the
//! resampled estimates). Morris: elementary effects per parameter in quantile units, μ, μ* and σ,
//! with a bootstrap interval for μ*.

use super::design::saltelli_step;
use super::params::Parameter;
use rand::RngExt;

/// z of a two-sided 95 % interval.
const Z95: f64 = 1.959_963_984_540_054;

/// Why an analysis cannot be made.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct AnalyzeError(pub String);

/// The indices of one output, by either method.
pub enum Indices {
    Sobol(Vec<SobolIndex>),
    Morris(Vec<MorrisIndex>),
}

/// Sobol indices of one factor (a parameter or a group).
#[derive(Debug, Clone, PartialEq)]
pub struct SobolIndex {
    pub factor: String,
    pub s1: f64,
    pub s1_conf: f64,
    pub st: f64,
    pub st_conf: f64,
    /// Second-order indices with each other factor (empty without second order).
    pub s2: Vec<(String, f64, f64)>,
}

/// The matrices of a Saltelli design's outputs, by base sample.
struct Saltelli {
    a: Vec<f64>,
    b: Vec<f64>,
    ab: Vec<Vec<f64>>,
    ba: Vec<Vec<f64>>,
}

/// Sobol indices of one output for `factors` (names in design order).
pub fn sobol(
    y: &[f64],
    factors: &[String],
    second_order: bool,
    resamples: usize,
    seed: u64,
) -> Result<Vec<SobolIndex>, AnalyzeError> {
    let f = factors.len();
    let step = saltelli_step(f, second_order);
    if y.is_empty() || !y.len().is_multiple_of(step) {
        return Err(AnalyzeError(format!(
            "{} outputs is not a whole number of base samples of {step} rows ({f} factors{}): \
             was the design made with the same parameters and --second-order?",
            y.len(),
            if second_order { ", second order" } else { "" }
        )));
    }
    let n = y.len() / step;
    let mean = y.iter().sum::<f64>() / y.len() as f64;
    let sd = (y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / y.len() as f64).sqrt();
    if sd.is_nan() || sd <= 0.0 {
        return Err(AnalyzeError(
            "the output does not vary over the design: no variance to apportion".into(),
        ));
    }
    let z: Vec<f64> = y.iter().map(|v| (v - mean) / sd).collect();
    let mut m = Saltelli {
        a: Vec::with_capacity(n),
        b: Vec::with_capacity(n),
        ab: vec![Vec::with_capacity(n); f],
        ba: vec![Vec::with_capacity(n); f],
    };
    for base in z.chunks(step) {
        m.a.push(base[0]);
        for k in 0..f {
            m.ab[k].push(base[1 + k]);
            if second_order {
                m.ba[k].push(base[1 + f + k]);
            }
        }
        m.b.push(base[step - 1]);
    }
    let all: Vec<usize> = (0..n).collect();
    let point = estimates(&m, &all, second_order);
    let mut rng = super::rng(seed);
    let boots: Vec<Estimates> = (0..resamples)
        .map(|_| {
            let idx: Vec<usize> = (0..n).map(|_| rng.random_range(0..n)).collect();
            estimates(&m, &idx, second_order)
        })
        .collect();
    let conf = |get: &dyn Fn(&Estimates) -> f64| {
        let v: Vec<f64> = boots.iter().map(get).collect();
        Z95 * sample_sd(&v)
    };
    Ok((0..f)
        .map(|k| SobolIndex {
            factor: factors[k].clone(),
            s1: point.s1[k],
            s1_conf: conf(&|e| e.s1[k]),
            st: point.st[k],
            st_conf: conf(&|e| e.st[k]),
            s2: if second_order {
                (0..f)
                    .filter(|&l| l != k)
                    .map(|l| {
                        let (i, j) = (k.min(l), k.max(l));
                        (factors[l].clone(), point.s2[i][j], conf(&|e| e.s2[i][j]))
                    })
                    .collect()
            } else {
                Vec::new()
            },
        })
        .collect())
}

struct Estimates {
    s1: Vec<f64>,
    st: Vec<f64>,
    /// Upper triangle: `s2[j][k]` for j < k.
    s2: Vec<Vec<f64>>,
}

fn estimates(m: &Saltelli, idx: &[usize], second_order: bool) -> Estimates {
    let f = m.ab.len();
    let n = idx.len() as f64;
    let pooled: Vec<f64> = idx
        .iter()
        .map(|&i| m.a[i])
        .chain(idx.iter().map(|&i| m.b[i]))
        .collect();
    let var = population_var(&pooled);
    let s1: Vec<f64> = (0..f)
        .map(|k| {
            idx.iter()
                .map(|&i| m.b[i] * (m.ab[k][i] - m.a[i]))
                .sum::<f64>()
                / n
                / var
        })
        .collect();
    let st: Vec<f64> = (0..f)
        .map(|k| {
            0.5 * idx
                .iter()
                .map(|&i| (m.a[i] - m.ab[k][i]).powi(2))
                .sum::<f64>()
                / n
                / var
        })
        .collect();
    let mut s2 = vec![vec![f64::NAN; f]; f];
    if second_order {
        for j in 0..f {
            for k in j + 1..f {
                let v = idx
                    .iter()
                    .map(|&i| m.ba[j][i] * m.ab[k][i] - m.a[i] * m.b[i])
                    .sum::<f64>()
                    / n
                    / var;
                s2[j][k] = v - s1[j] - s1[k];
            }
        }
    }
    Estimates { s1, st, s2 }
}

fn population_var(v: &[f64]) -> f64 {
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / v.len() as f64
}

fn sample_sd(v: &[f64]) -> f64 {
    if v.len() < 2 {
        return f64::NAN;
    }
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt()
}

/// Morris measures of one parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct MorrisIndex {
    pub parameter: String,
    pub mu: f64,
    pub mu_star: f64,
    pub mu_star_conf: f64,
    pub sigma: f64,
    /// Elementary effects measured (a step that rounding of a whole number cancelled has none).
    pub effects: usize,
}

/// Morris measures of one output from a Morris design's rows `x` (parameter values) and outputs.
pub fn morris(
    params: &[Parameter],
    x: &[Vec<f64>],
    y: &[f64],
    resamples: usize,
    seed: u64,
) -> Result<Vec<MorrisIndex>, AnalyzeError> {
    let d = params.len();
    if x.len() != y.len() || x.iter().any(|row| row.len() != d) {
        return Err(AnalyzeError(format!(
            "{} rows of samples of {d} parameters for {} outputs: one output per sample, one value per parameter",
            x.len(),
            y.len()
        )));
    }
    if x.is_empty() || !x.len().is_multiple_of(d + 1) {
        return Err(AnalyzeError(format!(
            "{} rows is not a whole number of Morris trajectories of {} rows",
            x.len(),
            d + 1
        )));
    }
    let mut effects: Vec<Vec<f64>> = vec![Vec::new(); d];
    for (t, rows) in x.chunks(d + 1).enumerate() {
        let units: Vec<Vec<f64>> = rows
            .iter()
            .map(|row| row.iter().zip(params).map(|(v, p)| p.unit_of(*v)).collect())
            .collect();
        for k in 1..=d {
            let changed: Vec<usize> = (0..d).filter(|&j| units[k][j] != units[k - 1][j]).collect();
            let row = t * (d + 1) + k;
            match changed.as_slice() {
                [] => {}
                [j] => {
                    let delta = units[k][*j] - units[k - 1][*j];
                    effects[*j].push((y[row] - y[row - 1]) / delta);
                }
                _ => {
                    return Err(AnalyzeError(format!(
                        "rows {} and {} (data rows, from 1) differ in {} parameters: not a Morris trajectory",
                        row,
                        row + 1,
                        changed.len()
                    )));
                }
            }
        }
    }
    let mut rng = super::rng(seed);
    Ok(params
        .iter()
        .zip(effects)
        .map(|(p, ee)| {
            let n = ee.len();
            let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
            let abs: Vec<f64> = ee.iter().map(|e| e.abs()).collect();
            let boots: Vec<f64> = if n == 0 {
                Vec::new()
            } else {
                (0..resamples)
                    .map(|_| {
                        let s: f64 = (0..n).map(|_| abs[rng.random_range(0..n)]).sum();
                        s / n as f64
                    })
                    .collect()
            };
            MorrisIndex {
                parameter: p.name.clone(),
                mu: mean(&ee),
                mu_star: mean(&abs),
                mu_star_conf: Z95 * sample_sd(&boots),
                sigma: sample_sd(&ee),
                effects: n,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A linear function: S1 = ST = the share of variance of each term, no interactions.
    #[test]
    fn sobol_of_a_linear_function_is_its_variance_shares() {
        use crate::sensitivity::design::{Method, design};
        use crate::sensitivity::params::Parameter;
        let p: Vec<Parameter> = (0..3)
            .map(|i| Parameter::uniform(&format!("x{i}"), 0.0, 1.0))
            .collect();
        let x = design(&p, Method::Saltelli { second_order: true }, 4096, 0).unwrap();
        let y: Vec<f64> = x.iter().map(|r| 3.0 * r[0] + 2.0 * r[1] + r[2]).collect();
        let names: Vec<String> = p.iter().map(|q| q.name.clone()).collect();
        let s = sobol(&y, &names, true, 50, 1).unwrap();
        let shares = [9.0 / 14.0, 4.0 / 14.0, 1.0 / 14.0];
        for (i, share) in shares.iter().enumerate() {
            assert!((s[i].s1 - share).abs() < 0.01, "{:?}", s[i]);
            assert!((s[i].st - share).abs() < 0.01, "{:?}", s[i]);
            assert!(s[i].s2.iter().all(|(_, v, _)| v.abs() < 0.01), "{:?}", s[i]);
            assert!(s[i].s1_conf > 0.0 && s[i].s1_conf < 0.05);
        }
    }
}

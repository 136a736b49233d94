//! PRIM scenario discovery (Friedman & Fisher 1999, as the EMA Workbench uses it): boxes of the
//! input space where a condition on the outputs holds, found by peeling. Each step removes the
//! share `alpha` of the remaining points from one side of one input — the peel that leaves the
//! highest density of cases of interest — until the box holds less than `min_mass` of all points.
//! The trajectory trades coverage (share of all cases of interest inside the box) for density
//! (share of the box's points that are cases of interest).

/// One box of the peeling trajectory.
#[derive(Debug, Clone, PartialEq)]
pub struct BoxStep {
    /// Lower and upper limit of each input (the data's range where not restricted).
    pub limits: Vec<(f64, f64)>,
    /// Inputs the box restricts.
    pub restricted: Vec<usize>,
    pub points: usize,
    pub mass: f64,
    pub coverage: f64,
    pub density: f64,
}

/// The peeling trajectory over `x` (one row per point) for the cases `y`; the first step is the
/// whole data.
pub fn peel(x: &[Vec<f64>], y: &[bool], alpha: f64, min_mass: f64) -> Vec<BoxStep> {
    let n = x.len();
    let d = x.first().map_or(0, Vec::len);
    let cases = y.iter().filter(|&&b| b).count();
    let full: Vec<(f64, f64)> = (0..d)
        .map(|j| {
            x.iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), r| {
                    (lo.min(r[j]), hi.max(r[j]))
                })
        })
        .collect();
    let mut inside: Vec<usize> = (0..n).collect();
    let mut limits = full.clone();
    let step = |inside: &[usize], limits: &[(f64, f64)]| {
        let hits = inside.iter().filter(|&&i| y[i]).count();
        BoxStep {
            limits: limits.to_vec(),
            restricted: (0..d).filter(|&j| limits[j] != full[j]).collect(),
            points: inside.len(),
            mass: inside.len() as f64 / n.max(1) as f64,
            coverage: if cases == 0 {
                0.0
            } else {
                hits as f64 / cases as f64
            },
            density: if inside.is_empty() {
                0.0
            } else {
                hits as f64 / inside.len() as f64
            },
        }
    };
    let mut trajectory = vec![step(&inside, &limits)];
    while !inside.is_empty() {
        // The best peel: (density, points kept, input, side, cut).
        let mut best: Option<(f64, usize, usize, bool, f64)> = None;
        for j in 0..d {
            let mut values: Vec<f64> = inside.iter().map(|&i| x[i][j]).collect();
            values.sort_by(f64::total_cmp);
            let k = ((alpha * values.len() as f64).ceil() as usize).clamp(1, values.len());
            for low_side in [true, false] {
                // Keep points strictly beyond the alpha-quantile on the peeled side.
                let cut = if low_side {
                    values[k - 1]
                } else {
                    values[values.len() - k]
                };
                let keep = |v: f64| if low_side { v > cut } else { v < cut };
                let kept: Vec<usize> = inside.iter().copied().filter(|&i| keep(x[i][j])).collect();
                if kept.is_empty() || kept.len() == inside.len() {
                    continue;
                }
                let density = kept.iter().filter(|&&i| y[i]).count() as f64 / kept.len() as f64;
                let better = best
                    .is_none_or(|(bd, bn, ..)| density > bd || (density == bd && kept.len() > bn));
                if better {
                    best = Some((density, kept.len(), j, low_side, cut));
                }
            }
        }
        let Some((_, kept_len, j, low_side, cut)) = best else {
            break;
        };
        if (kept_len as f64) / (n as f64) < min_mass {
            break;
        }
        inside.retain(|&i| {
            if low_side {
                x[i][j] > cut
            } else {
                x[i][j] < cut
            }
        });
        // The limit is the nearest remaining value (what the box holds).
        let remaining = inside.iter().map(|&i| x[i][j]);
        if low_side {
            limits[j].0 = remaining.fold(f64::INFINITY, f64::min);
        } else {
            limits[j].1 = remaining.fold(f64::NEG_INFINITY, f64::max);
        }
        trajectory.push(step(&inside, &limits));
    }
    trajectory
}

/// The box to report: the densest step whose coverage is at least `min_coverage`, the earliest
/// (largest) of equally dense ones.
pub fn choose(trajectory: &[BoxStep], min_coverage: f64) -> Option<usize> {
    trajectory
        .iter()
        .enumerate()
        .filter(|(_, s)| s.coverage >= min_coverage)
        .fold(None, |best: Option<usize>, (i, s)| match best {
            Some(b) if trajectory[b].density >= s.density => best,
            _ => Some(i),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    /// Cases where x0 > 0.7 and x1 < 0.3, among four uniform inputs: the densest box restricts
    /// x0 and x1 near those limits and holds almost only cases.
    #[test]
    fn peeling_finds_the_box_of_a_known_rule() {
        let mut rng = crate::sensitivity::rng(4);
        let x: Vec<Vec<f64>> = (0..4000)
            .map(|_| (0..4).map(|_| rng.random::<f64>()).collect())
            .collect();
        let y: Vec<bool> = x.iter().map(|r| r[0] > 0.7 && r[1] < 0.3).collect();
        let t = peel(&x, &y, 0.05, 0.05);
        assert!((t[0].coverage - 1.0).abs() < 1e-12 && t[0].mass == 1.0);
        let best = &t[choose(&t, 0.8).expect("a box")];
        assert!(best.density > 0.9, "{best:?}");
        assert!((best.limits[0].0 - 0.7).abs() < 0.05, "{best:?}");
        assert!((best.limits[1].1 - 0.3).abs() < 0.05, "{best:?}");
        assert!(best.restricted.contains(&0) && best.restricted.contains(&1));
        assert!(t.windows(2).all(|w| w[1].points < w[0].points));
    }
}

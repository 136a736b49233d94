//! The district map: districts placed by their travel times (classical multidimensional scaling
//! of the start's road minutes, so nearer in time is nearer on paper), residents as discs, jobs
//! as squares, and commuting flows from home to work as arrows whose width is the number of
//! commuters: the pendulum made visible. The reference scenario is drawn beside a policy.

use super::human::Human;
use super::{DrawResult, Figure, LABEL_PX, Lang, SMALL_PX, centred_text, font, grey_font};
use crate::experiment::compare::Comparison;
use crate::scenario::DistrictKind;
use nalgebra::DMatrix;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Places districts in the plane so that distances approximate travel minutes (Torgerson's
/// classical scaling on the symmetrised matrix). Returns one (x, y) per district.
pub fn layout(minutes: &DMatrix<f64>) -> Vec<(f64, f64)> {
    let n = minutes.nrows();
    if n == 0 {
        return Vec::new();
    }
    if n == 1 {
        return vec![(0.0, 0.0)];
    }
    let sym = (minutes + minutes.transpose()) * 0.5;
    let sq = sym.map(|d| d * d);
    let j = DMatrix::<f64>::identity(n, n) - DMatrix::<f64>::from_element(n, n, 1.0 / n as f64);
    let b = &j * sq * &j * -0.5;
    let eig = b.symmetric_eigen();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &c| {
        eig.eigenvalues[c]
            .total_cmp(&eig.eigenvalues[a])
            .then(a.cmp(&c))
    });
    let axis = |k: usize| -> Vec<f64> {
        let Some(&i) = order.get(k) else {
            return vec![0.0; n];
        };
        let scale = eig.eigenvalues[i].max(0.0).sqrt();
        let v = eig.eigenvectors.column(i);
        // A fixed orientation: the first district on the non-negative side of every axis.
        let sign = if v[0] < 0.0 { -1.0 } else { 1.0 };
        (0..n).map(|r| sign * v[r] * scale).collect()
    };
    let (x, y) = (axis(0), axis(1));
    (0..n).map(|i| (x[i], y[i])).collect()
}

/// Pushes apart points closer than `gap` pixels (districts that travel times put on top of one
/// another, such as a county seat and its hinterland) while keeping them inside `(w, h)` less a
/// margin. Deterministic: a fixed number of sweeps in index order.
fn spread(mut p: Vec<(f64, f64)>, gap: f64, (w, h): (f64, f64)) -> Vec<(f64, f64)> {
    let n = p.len();
    for _ in 0..200 {
        let mut moved = false;
        for i in 0..n {
            for j in i + 1..n {
                let (dx, dy) = (p[j].0 - p[i].0, p[j].1 - p[i].1);
                let d = (dx * dx + dy * dy).sqrt();
                if d >= gap {
                    continue;
                }
                // Coincident points part along a direction fixed by their indices.
                let (ux, uy) = if d > 1e-6 {
                    (dx / d, dy / d)
                } else {
                    let a = (i * 7 + j * 13) as f64;
                    (a.cos(), a.sin())
                };
                let push = (gap - d) / 2.0;
                p[i] = (p[i].0 - ux * push, p[i].1 - uy * push);
                p[j] = (p[j].0 + ux * push, p[j].1 + uy * push);
                moved = true;
            }
        }
        for q in &mut p {
            q.0 = q.0.clamp(120.0, w - 120.0);
            q.1 = q.1.clamp(110.0, h - 90.0);
        }
        if !moved {
            break;
        }
    }
    p
}

/// Two maps side by side: the reference and `policy` in `year`.
pub struct DistrictMap<'a> {
    pub cmp: &'a Comparison,
    pub policy: usize,
    pub year: i32,
    pub lang: Lang,
}

/// Mean over replications of a district table of `year` (`[year][district]`).
fn mean_by_district(cmp: &Comparison, arm: usize, year: i32, jobs: bool) -> Vec<f64> {
    let nd = cmp.district_ids.len();
    let mut sum = vec![0.0; nd];
    let mut count = 0.0f64;
    for run in &cmp.arms[arm].runs {
        if let Some(j) = run.years.iter().position(|&y| y == year) {
            let table = if jobs { &run.jobs } else { &run.residents };
            for (s, v) in sum.iter_mut().zip(&table[j]) {
                *s += v;
            }
            count += 1.0;
        }
    }
    sum.iter().map(|s| s / count.max(1.0)).collect()
}

/// Mean commuting flows of `year` over replications.
fn mean_flows(cmp: &Comparison, arm: usize, year: i32) -> DMatrix<f64> {
    let nd = cmp.district_ids.len();
    let mut sum = DMatrix::zeros(nd, nd);
    let mut count = 0.0f64;
    for run in &cmp.arms[arm].runs {
        if let Some((_, m)) = run.commuting.iter().find(|(y, _)| *y == year) {
            sum += m;
            count += 1.0;
        }
    }
    sum / count.max(1.0)
}

fn kind_colour(kind: DistrictKind) -> RGBColor {
    match kind {
        DistrictKind::Cluster => RGBColor(230, 159, 0),
        DistrictKind::City => RGBColor(86, 180, 233),
        DistrictKind::Rural => RGBColor(0, 158, 115),
    }
}

impl Figure for DistrictMap<'_> {
    fn size(&self) -> (u32, u32) {
        (2400, 1400)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (cmp, lang) = (self.cmp, self.lang);
        let (body, key) = area.split_vertically(area.dim_in_pixel().1 - 110);
        let halves = body.split_evenly((1, 2));
        let positions = layout(&cmp.base_travel_minutes);
        // Common scales for both maps, so that sizes compare across them.
        let residents: Vec<Vec<f64>> = [0, self.policy]
            .iter()
            .map(|&a| mean_by_district(cmp, a, self.year, false))
            .collect();
        let jobs: Vec<Vec<f64>> = [0, self.policy]
            .iter()
            .map(|&a| mean_by_district(cmp, a, self.year, true))
            .collect();
        let flows: Vec<DMatrix<f64>> = [0, self.policy]
            .iter()
            .map(|&a| mean_flows(cmp, a, self.year))
            .collect();
        let biggest = residents
            .iter()
            .chain(&jobs)
            .flatten()
            .fold(1.0f64, |m, v| m.max(*v));
        let biggest_flow = flows
            .iter()
            .flat_map(|m| {
                let n = m.nrows();
                (0..n).flat_map(move |i| (0..n).filter(move |&j| j != i).map(move |j| m[(i, j)]))
            })
            .fold(1.0f64, f64::max);
        let people = Human::of("residents", lang.zh());
        for (side, half) in halves.iter().enumerate() {
            let arm = if side == 0 { 0 } else { self.policy };
            let (w, h) = half.dim_in_pixel();
            centred_text(
                half,
                &format!(
                    "{}{}",
                    cmp.arms[arm].label(lang.zh()),
                    if side == 0 {
                        lang.pick("(参照)", " (reference)")
                    } else {
                        ""
                    }
                ),
                &font(super::CAPTION_PX),
                (w as i32 / 2, 30),
            )?;
            let margin = 200.0;
            // Many districts: smaller shapes, names only, so that the map stays readable.
            let many = cmp.district_ids.len() > 6;
            let max_radius = if many { 55.0 } else { 110.0 };
            let (xs, ys): (Vec<f64>, Vec<f64>) = positions.iter().copied().unzip();
            let span = |v: &[f64]| {
                let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                (lo, (hi - lo).max(1e-9))
            };
            let ((x0, xw), (y0, yh)) = (span(&xs), span(&ys));
            let scale = ((w as f64 - 2.0 * margin) / xw).min((h as f64 - 2.0 * margin - 40.0) / yh);
            let cx = w as f64 / 2.0;
            let cy = h as f64 / 2.0 + 20.0;
            let placed: Vec<(f64, f64)> = positions
                .iter()
                .map(|&(x, y)| {
                    (
                        cx + (x - x0 - xw / 2.0) * scale,
                        cy + (y - y0 - yh / 2.0) * scale,
                    )
                })
                .collect();
            let pixel: Vec<(i32, i32)> = spread(
                placed,
                if many { 3.2 } else { 2.2 } * max_radius,
                (w as f64, h as f64),
            )
            .into_iter()
            .map(|(x, y)| (x as i32, y as i32))
            .collect();
            let radius = |v: f64| (max_radius * (v / biggest).sqrt()).max(6.0);
            // Flows first, under the districts; thin ones (under 2 % of the largest, 5 % with many
            // districts) are left out, and with many districts only the large ones are numbered.
            let (thin, numbered) = if many { (0.05, 0.25) } else { (0.02, 0.0) };
            let m = &flows[side];
            let n = m.nrows();
            for i in 0..n {
                for j in 0..n {
                    let f = m[(i, j)];
                    if i == j || f < thin * biggest_flow {
                        continue;
                    }
                    let width = 4.0 + max_radius * 0.42 * f / biggest_flow;
                    let (a, b) = (pixel[i], pixel[j]);
                    let (dx, dy) = ((b.0 - a.0) as f64, (b.1 - a.1) as f64);
                    let len = (dx * dx + dy * dy).sqrt().max(1.0);
                    let (ux, uy) = (dx / len, dy / len);
                    // Two-way flows run side by side (offset to the right of travel).
                    let off = width / 2.0 + 4.0;
                    let (ox, oy) = (-uy * off, ux * off);
                    let from = radius(residents[side][i]).max(30.0);
                    let start = (a.0 as f64 + ox + ux * from, a.1 as f64 + oy + uy * from);
                    let tip = (
                        b.0 as f64 + ox - ux * radius(residents[side][j]).max(30.0),
                        b.1 as f64 + oy - uy * radius(residents[side][j]).max(30.0),
                    );
                    let head = (width * 1.2).max(26.0);
                    let base = (tip.0 - ux * head, tip.1 - uy * head);
                    let colour = RGBColor(213, 94, 0).mix(0.75);
                    half.draw(&PathElement::new(
                        vec![
                            (start.0 as i32, start.1 as i32),
                            (base.0 as i32, base.1 as i32),
                        ],
                        colour.stroke_width(width as u32),
                    ))?;
                    let hw = width / 2.0 + head * 0.45;
                    half.draw(&Polygon::new(
                        vec![
                            (tip.0 as i32, tip.1 as i32),
                            ((base.0 - uy * hw) as i32, (base.1 + ux * hw) as i32),
                            ((base.0 + uy * hw) as i32, (base.1 - ux * hw) as i32),
                        ],
                        colour.filled(),
                    ))?;
                    if f < numbered * biggest_flow {
                        continue;
                    }
                    let label = people.value(f);
                    // Beside the arrow, on its own side.
                    let out = width / 2.0 + 30.0;
                    let mid = (
                        ((start.0 + base.0) / 2.0 - uy * out) as i32,
                        ((start.1 + base.1) / 2.0 + ux * out) as i32,
                    );
                    centred_text(half, &label, &grey_font(SMALL_PX), mid)?;
                }
            }
            for (d, &(px, py)) in pixel.iter().enumerate() {
                let r = radius(residents[side][d]) as i32;
                half.draw(&Circle::new(
                    (px, py),
                    r,
                    kind_colour(cmp.district_kinds[d]).mix(0.45).filled(),
                ))?;
                half.draw(&Circle::new(
                    (px, py),
                    r,
                    kind_colour(cmp.district_kinds[d]).stroke_width(3),
                ))?;
                let s = (radius(jobs[side][d]) * 0.886) as i32; // a square of the disc's area
                half.draw(&Rectangle::new(
                    [(px - s, py - s), (px + s, py + s)],
                    BLACK.stroke_width(3),
                ))?;
                let names = if lang.zh() {
                    &cmp.district_names_zh
                } else {
                    &cmp.district_names_en
                };
                let below = py + r.max(s) + if many { 14 } else { 22 };
                if many {
                    centred_text(half, &names[d], &font(SMALL_PX - 4), (px, below))?;
                    continue;
                }
                centred_text(half, &names[d], &font(LABEL_PX), (px, below))?;
                centred_text(
                    half,
                    &format!(
                        "{} {} · {} {}",
                        lang.pick("居住", "live"),
                        people.value(residents[side][d]),
                        lang.pick("就业", "work"),
                        people.value(jobs[side][d]),
                    ),
                    &grey_font(SMALL_PX),
                    (px, below + LABEL_PX as i32 + 4),
                )?;
            }
        }
        // The key.
        let unit = &people.unit;
        let many = cmp.district_ids.len() > 6;
        let thin_pct = if many { 5 } else { 2 };
        let lines = if lang.zh() {
            [
                format!(
                    "{}年，各次模拟平均。圆：常住人口；方框：模型企业就业；箭头：从居住地到工作地的通勤人数({unit})，宽度与人数成正比。",
                    self.year
                ),
                format!(
                    "少于最大流{thin_pct}%的未画。各区位置按起始时的道路通行时间排布(多维标度)，越近表示通行时间越短{}。",
                    if many {
                        "；重叠的区略为分开"
                    } else {
                        ""
                    }
                ),
            ]
        } else {
            [
                format!(
                    "{}, mean over runs. Disc: residents; square: jobs in modelled firms; arrow: commuters from home to work district ({unit}), width proportional.",
                    self.year
                ),
                format!(
                    "Flows under {thin_pct} % of the largest are left out. Districts are placed by road travel time at the start (multidimensional scaling): nearer means quicker{}.",
                    if many {
                        "; overlapping districts are moved slightly apart"
                    } else {
                        ""
                    }
                ),
            ]
        };
        for (i, line) in lines.iter().enumerate() {
            key.draw_text(
                &super::tidy(line),
                &grey_font(SMALL_PX),
                (30, 10 + i as i32 * (SMALL_PX as i32 + 12)),
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::layout;
    use nalgebra::DMatrix;

    #[test]
    fn scaling_recovers_distances_of_points_in_a_plane() {
        let pts = [(0.0, 0.0), (30.0, 0.0), (0.0, 40.0), (25.0, 25.0)];
        let d = DMatrix::from_fn(4, 4, |i, j| {
            let (a, b): ((f64, f64), (f64, f64)) = (pts[i], pts[j]);
            ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
        });
        let xy = layout(&d);
        for i in 0..4 {
            for j in 0..4 {
                let got = ((xy[i].0 - xy[j].0).powi(2) + (xy[i].1 - xy[j].1).powi(2)).sqrt();
                assert!(
                    (got - d[(i, j)]).abs() < 1e-6,
                    "{i}-{j}: {got} vs {}",
                    d[(i, j)]
                );
            }
        }
    }
}

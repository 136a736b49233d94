//! Step 6: the labour market. Wages follow tightness; firms lay off and workers quit; then a
//! search process on the agents: each searcher samples a few vacancies of its skill, ranks them
//! by income net of commuting cost, and takes the best acceptable one if it is still open.
//! Cost is O(searchers × samples + vacancies).
//!
//! A submodel on explicit state: [`labour_market`] reads a [`LabourContext`] and last month's
//! [`Tightness`], and writes the wage index, the firms' headcounts, vacancies and premiums, and
//! the households' jobs. Nothing else.

use super::Households;
use super::agents::{Firm, FirmStatus, NO_FIRM};
use super::streams::{Draw, Stream, Streams};
use crate::scenario::LabourSpec;
use nalgebra::DMatrix;
use rand::Rng as _;

/// What the labour market reads of the world in a month.
pub(crate) struct LabourContext<'a> {
    pub labour: &'a LabourSpec,
    /// Wage premium rules of the firms: step up when a position stays open, monthly decay, cap.
    pub premium_step: f64,
    pub premium_decay: f64,
    pub premium_cap: f64,
    /// Share of the high-skill wage the budget adds in cluster zones (R2.5).
    pub talent_topup: f64,
    /// Vacancies a searcher samples (its fraction is drawn): the base, employment services and
    /// the digital infrastructure's reach.
    pub samples: f64,
    pub is_cluster: &'a [bool],
    /// Travel minutes between districts (home → work).
    pub minutes: &'a DMatrix<f64>,
    /// The cluster zone nearest to each district: the labour market a household looks to after
    /// working there.
    pub nearest_cluster: &'a [usize],
    pub outside_wage: [f64; 3],
    /// Rooms a searcher without a job may move into to take work beyond the commuting radius
    /// (`None`: nobody moves for a job; `labour.relocate_for_work`).
    pub rooms: Option<RoomsForWork>,
    pub streams: &'a Streams,
    pub month: u32,
}

/// The rooms open this month to a worker who moves to take a job beyond the commuting radius:
/// free market flats of each non-rural district, free dormitory beds (in the workplace's own
/// district only), and what each costs a month in the terms of the residence choice (rent, the
/// dormitory's disamenity, the moving cost spread as it is there). A relocating hire takes the
/// cheapest room within reach of its workplace (rent plus commuting cost), so that the month's
/// moves never outnumber the rooms.
#[derive(Debug, Clone)]
pub(crate) struct RoomsForWork {
    /// Free market flats and dormitory beds by district (zero in rural districts).
    pub free: Vec<[u32; 2]>,
    /// Monthly cost of a flat and of a bed by district.
    pub cost: Vec<[f64; 2]>,
}

/// A room a relocating hire takes: district and [`FLAT`] or [`BED`].
type Room = (usize, usize);

/// Index of the market flat and the dormitory bed in [`RoomsForWork`].
const FLAT: usize = 0;
const BED: usize = 1;

impl RoomsForWork {
    /// The cheapest free room within reach of `workplace` and its monthly cost with commuting:
    /// `(district, FLAT or BED, cost)`.
    fn cheapest(&self, ctx: &LabourContext, workplace: usize) -> Option<(usize, usize, f64)> {
        let mut best: Option<(usize, usize, f64)> = None;
        for (d, free) in self.free.iter().enumerate() {
            let minutes = ctx.minutes[(d, workplace)];
            if minutes > ctx.labour.max_commute_minutes {
                continue;
            }
            for kind in [FLAT, BED] {
                if free[kind] == 0 || (kind == BED && d != workplace) {
                    continue;
                }
                let cost = self.cost[d][kind] + ctx.commute_cost(d, workplace);
                if best.is_none_or(|(_, _, c)| cost < c) {
                    best = Some((d, kind, cost));
                }
            }
        }
        best
    }
}

/// Last month's labour-market aggregates that set this month's wage movement, by skill.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Tightness {
    pub vacancies: [f64; 3],
    pub unemployed: [f64; 3],
    pub employed: [f64; 3],
}

/// What one month of the labour market did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct LabourOutcome {
    pub hires: u32,
    /// Hires that move the worker to a room within reach of a job beyond the radius.
    pub relocations: u32,
    pub searchers: u32,
    /// Positions still open after matching.
    pub unfilled_vacancies: u32,
}

impl LabourContext<'_> {
    /// Wage a firm offers a worker of `skill`: the regional index plus the firm's premium.
    #[inline]
    pub fn offered_wage(wage_index: &[f64; 3], firm: &Firm, skill: usize) -> f64 {
        wage_index[skill] * (1.0 + firm.wage_premium[skill])
    }

    /// Monthly income from a firm: its wage plus the talent top-up paid to high-skill workers in
    /// cluster zones.
    #[inline]
    fn income(&self, wage_index: &[f64; 3], firm: &Firm, skill: usize) -> f64 {
        let wage = Self::offered_wage(wage_index, firm, skill);
        if skill == 2 && self.is_cluster[firm.district] {
            wage * (1.0 + self.talent_topup)
        } else {
            wage
        }
    }

    #[inline]
    fn commute_cost(&self, from: usize, to: usize) -> f64 {
        self.minutes[(from, to)] * self.labour.commute_value_cny_per_minute_month
    }
}

/// One month of the labour market: wages, premiums, separations, search and matching.
pub(crate) fn labour_market(
    ctx: &LabourContext,
    last: &Tightness,
    wage_index: &mut [f64; 3],
    firms: &mut [Firm],
    hh: &mut Households,
) -> LabourOutcome {
    let l = ctx.labour;
    // Wages: each skill's index closes part of its gap to the outside wage and moves with last
    // month's tightness (vacancies vs unemployed).
    for k in 0..3 {
        let tight = (last.vacancies[k] - last.unemployed[k]) / (last.employed[k] + 1.0);
        let w = &mut wage_index[k];
        *w += l.outside_wage_pull_per_month * (ctx.outside_wage[k] - *w);
        let bound = l.wage_tightness_bound;
        *w *= 1.0 + l.wage_tightness_response * tight.clamp(-bound, bound);
    }
    // Premiums decay; unfilled positions (below) push them up again.
    for f in firms.iter_mut() {
        if f.status == FirmStatus::Operating {
            for p in &mut f.wage_premium {
                *p = (*p - ctx.premium_decay).max(0.0);
            }
        }
    }
    separations(ctx, wage_index, firms, hh);
    // Vacancy lists by skill: one entry per open position.
    let mut open: Vec<[u32; 3]> = firms
        .iter()
        .map(|f| if f.is_active() { f.vacancies } else { [0; 3] })
        .collect();
    let mut lists: [Vec<u32>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    for (fi, v) in open.iter().enumerate() {
        for k in 0..3 {
            lists[k].extend(std::iter::repeat_n(fi as u32, v[k] as usize));
        }
    }
    let searchers = search_queue(ctx, hh);
    let mut rooms = ctx.rooms.clone();
    let mut hires = 0u32;
    let mut relocations = 0u32;
    for (i, mut draws) in searchers
        .iter()
        .map(|&(_, i, ref s)| (i as usize, s.clone()))
    {
        let k = usize::from(hh.skill[i]);
        if lists[k].is_empty() {
            continue;
        }
        let n = ctx.samples.floor() as usize + usize::from(draws.chance(ctx.samples.fract()));
        let residence = hh.home(i);
        let current = hh.employer[i];
        let current_net = if current != NO_FIRM {
            let firm = &firms[current as usize];
            ctx.income(wage_index, firm, k) - ctx.commute_cost(residence, firm.district)
        } else {
            hh.reservation[i]
        };
        // The best sampled job, and the room it needs if it lies beyond the commuting radius.
        let mut best: Option<(u32, f64, Option<Room>)> = None;
        for _ in 0..n {
            let fi = lists[k][draws.index(lists[k].len())];
            if open[fi as usize][k] == 0 || fi == current {
                continue;
            }
            let firm = &firms[fi as usize];
            let income = ctx.income(wage_index, firm, k);
            let (net, room) = if ctx.minutes[(residence, firm.district)] <= l.max_commute_minutes {
                (income - ctx.commute_cost(residence, firm.district), None)
            } else {
                // Beyond reach: only a searcher without a job moves for it, into a free room.
                let room = match &rooms {
                    Some(r) if current == NO_FIRM => r.cheapest(ctx, firm.district),
                    _ => None,
                };
                let Some((d, kind, cost)) = room else {
                    continue;
                };
                (income - cost, Some((d, kind)))
            };
            if best.is_none_or(|(_, b, _)| net > b) {
                best = Some((fi, net, room));
            }
        }
        let Some((fi, net, room)) = best else {
            continue;
        };
        if net < current_net {
            continue;
        }
        if let (Some((d, kind)), Some(r)) = (room, rooms.as_mut()) {
            r.free[d][kind] -= 1;
            relocations += 1;
        }
        open[fi as usize][k] -= 1;
        if current != NO_FIRM {
            firms[current as usize].employees[k] -= 1;
        }
        hire(hh, firms, wage_index, ctx.nearest_cluster, i, fi as usize);
        hires += 1;
    }
    // Unfilled positions push the firm's wage premium up for next month.
    let mut unfilled = 0;
    for (f, v) in firms.iter_mut().zip(&open) {
        if !f.is_active() {
            continue;
        }
        for k in 0..3 {
            if v[k] > 0 {
                f.wage_premium[k] = (f.wage_premium[k] + ctx.premium_step).min(ctx.premium_cap);
            }
        }
        f.vacancies = *v;
        unfilled += v.iter().sum::<u32>();
    }
    LabourOutcome {
        hires,
        relocations,
        searchers: searchers.len() as u32,
        unfilled_vacancies: unfilled,
    }
}

/// Lay-offs (each firm's probability by skill) and quits, from each employed worker's own stream.
fn separations(
    ctx: &LabourContext,
    wage_index: &[f64; 3],
    firms: &mut [Firm],
    hh: &mut Households,
) {
    let l = ctx.labour;
    for i in 0..hh.len() {
        let e = hh.employer[i];
        if e == NO_FIRM {
            continue;
        }
        let k = usize::from(hh.skill[i]);
        let firm = &mut firms[e as usize];
        let mut draws = ctx.streams.open(Draw::Separation, hh.key[i], ctx.month);
        let laid_off = draws.chance(firm.layoff_prob[k]);
        let quits = draws.chance(l.quit_rate_per_month) && !laid_off;
        if laid_off || quits {
            firm.employees[k] -= 1;
            hh.employer[i] = NO_FIRM;
            hh.wage[i] = 0.0;
            hh.months_unemployed[i] = 0;
            hh.months_employed[i] = 0;
            hh.reservation[i] = wage_index[k] * l.reservation_wage_share_of_market;
            hh.review_residence[i] = true;
        }
    }
}

/// The searchers of the month in queue order, each with its search stream after the draw that
/// decided whether it searches: the unemployed (not in training) and a share of the employed.
/// The order is a random key per household and month (its place does not move when others join
/// or leave the queue), ties broken by the household's key.
fn search_queue(ctx: &LabourContext, hh: &Households) -> Vec<(u64, u64, Stream)> {
    let mut queue: Vec<(u64, u64, Stream)> = Vec::new();
    for i in 0..hh.len() {
        if hh.in_training(i) {
            continue;
        }
        let key = hh.key[i];
        let mut draws = ctx.streams.open(Draw::Search, key, ctx.month);
        let looks = draws.chance(ctx.labour.on_the_job_search_share);
        if !hh.is_employed(i) || looks {
            let order = ctx
                .streams
                .open(Draw::SearchOrder, key, ctx.month)
                .next_u64();
            queue.push((order, i as u64, draws));
        }
    }
    // Sorting by (order draw, household key) as the queue always has; the key is looked up only
    // on a tie of the 64-bit draws.
    queue.sort_unstable_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| hh.key[a.1 as usize].cmp(&hh.key[b.1 as usize]))
    });
    queue
}

/// Household `i` takes a job at firm `fi` (its old employer, if any, has already let it go): the
/// firm's headcount, the offered wage, and the cluster zone it will look to from now on.
pub(crate) fn hire(
    hh: &mut Households,
    firms: &mut [Firm],
    wage_index: &[f64; 3],
    nearest_cluster: &[usize],
    i: usize,
    fi: usize,
) {
    let k = usize::from(hh.skill[i]);
    let firm = &mut firms[fi];
    firm.employees[k] += 1;
    hh.wage[i] = LabourContext::offered_wage(wage_index, firm, k);
    hh.anchor[i] = nearest_cluster[firm.district] as u16;
    let moved_job = hh.employer[i] != NO_FIRM;
    hh.employer[i] = fi as u32;
    hh.months_unemployed[i] = 0;
    if !moved_job {
        hh.months_employed[i] = 0;
    }
    hh.review_residence[i] = true;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::agents::{Origin, Worker};
    use crate::model::world::Tenure;

    /// Two districts 10 minutes apart, district 1 a cluster zone.
    struct World {
        labour: LabourSpec,
        minutes: DMatrix<f64>,
        is_cluster: Vec<bool>,
        nearest_cluster: Vec<usize>,
        streams: Streams,
    }

    fn world() -> World {
        let labour = crate::scenario::load_builtin()
            .expect("baseline")
            .spec()
            .labour
            .clone();
        World {
            labour,
            minutes: DMatrix::from_row_slice(2, 2, &[5.0, 10.0, 10.0, 5.0]),
            is_cluster: vec![false, true],
            nearest_cluster: vec![1, 1],
            streams: Streams::new(9),
        }
    }

    fn ctx(w: &World) -> LabourContext<'_> {
        LabourContext {
            labour: &w.labour,
            premium_step: 0.01,
            premium_decay: 0.001,
            premium_cap: 0.3,
            talent_topup: 0.0,
            samples: 4.0,
            is_cluster: &w.is_cluster,
            minutes: &w.minutes,
            nearest_cluster: &w.nearest_cluster,
            outside_wage: [3000.0, 4500.0, 8000.0],
            rooms: None,
            streams: &w.streams,
            month: 3,
        }
    }

    fn firm(district: usize, vacancies: [u32; 3], premium: f64) -> Firm {
        let mut f = crate::model::tests::blank_firm(district);
        f.vacancies = vacancies;
        f.wage_premium = [premium; 3];
        f
    }

    fn searcher(key: u64, skill: u8) -> Worker {
        Worker {
            key,
            skill,
            origin: Origin::Migrant,
            residence: 0,
            anchor: 1,
            tenure: Tenure::RuralHome,
            employer: NO_FIRM,
            wage: 0.0,
            reservation: 1000.0,
            months_unemployed: 4,
            months_employed: 0,
            settled: false,
            children: 0,
            children_with: false,
            training_left: 0,
            ordered_by: NO_FIRM,
            review_residence: false,
            waiting: Default::default(),
        }
    }

    /// Three unemployed low-skill workers, one firm with two low-skill openings: exactly two are
    /// hired, the headcount matches the households that name the firm, and nobody in training
    /// searches.
    #[test]
    fn openings_are_filled_once_and_headcounts_follow() {
        let w = world();
        let mut firms = vec![firm(1, [2, 0, 0], 0.1)];
        let mut hh = Households::default();
        for key in 0..3 {
            hh.push(searcher(key, 0));
        }
        let mut trainee = searcher(99, 0);
        trainee.training_left = 3;
        hh.push(trainee);
        let mut wages = [3000.0, 4500.0, 8000.0];
        let out = labour_market(
            &ctx(&w),
            &Tightness::default(),
            &mut wages,
            &mut firms,
            &mut hh,
        );
        assert_eq!(out.searchers, 3);
        assert_eq!(out.hires, 2);
        assert_eq!(out.unfilled_vacancies, 0);
        assert_eq!(firms[0].employees, [2, 0, 0]);
        let hired: Vec<usize> = (0..hh.len()).filter(|&i| hh.employer[i] == 0).collect();
        assert_eq!(hired.len(), 2);
        assert!(!hired.contains(&3), "the trainee does not search");
        for &i in &hired {
            assert!(hh.wage[i] > 3000.0, "the premium is paid: {}", hh.wage[i]);
            assert!(hh.review_residence[i]);
            assert_eq!(hh.anchor[i], 1);
        }
    }

    /// A job beyond the commuting limit is never taken, and an unfilled opening raises the
    /// firm's premium for next month.
    #[test]
    fn jobs_out_of_reach_stay_open_and_raise_the_premium() {
        let mut w = world();
        w.minutes[(0, 1)] = w.labour.max_commute_minutes + 1.0;
        let mut firms = vec![firm(1, [1, 0, 0], 0.1)];
        let mut hh = Households::default();
        hh.push(searcher(1, 0));
        let mut wages = [3000.0, 4500.0, 8000.0];
        let out = labour_market(
            &ctx(&w),
            &Tightness::default(),
            &mut wages,
            &mut firms,
            &mut hh,
        );
        assert_eq!(out.hires, 0);
        assert_eq!(out.unfilled_vacancies, 1);
        assert!((firms[0].wage_premium[0] - (0.1 - 0.001 + 0.01)).abs() < 1e-12);
    }

    /// Beyond the commuting limit, searchers without a job move for work while rooms last: one
    /// free dormitory bed in the zone lets one of two take a job there (the other opening stays
    /// open), and an employed searcher never moves for a job.
    #[test]
    fn searchers_without_a_job_move_for_work_while_rooms_last() {
        let mut w = world();
        w.labour.on_the_job_search_share = 1.0;
        w.minutes[(0, 1)] = w.labour.max_commute_minutes + 1.0;
        w.minutes[(1, 0)] = w.labour.max_commute_minutes + 1.0;
        // District 0's own firm employs the third household.
        let mut firms = vec![firm(1, [3, 0, 0], 0.1), firm(0, [0, 0, 0], 0.0)];
        let mut hh = Households::default();
        for key in 0..2 {
            hh.push(searcher(key, 0));
        }
        let mut employed = searcher(2, 0);
        employed.employer = 1;
        employed.wage = 1500.0;
        hh.push(employed);
        firms[1].employees = [1, 0, 0];
        let mut ctx = ctx(&w);
        ctx.rooms = Some(RoomsForWork {
            free: vec![[0, 0], [0, 1]],
            cost: vec![[0.0, 0.0], [900.0, 400.0]],
        });
        let mut wages = [3000.0, 4500.0, 8000.0];
        let out = labour_market(&ctx, &Tightness::default(), &mut wages, &mut firms, &mut hh);
        assert_eq!(out.searchers, 3);
        assert_eq!((out.hires, out.relocations), (1, 1));
        assert_eq!(out.unfilled_vacancies, 2);
        assert_eq!(
            hh.employer[2], 1,
            "the employed searcher stays where it works"
        );
        let moved: Vec<usize> = (0..2).filter(|&i| hh.employer[i] == 0).collect();
        assert_eq!(moved.len(), 1);
        assert!(
            hh.review_residence[moved[0]],
            "the mover reviews its residence"
        );
        // Without rooms nobody moves.
        let mut firms = vec![firm(1, [3, 0, 0], 0.1)];
        let mut hh = Households::default();
        hh.push(searcher(0, 0));
        ctx.rooms = Some(RoomsForWork {
            free: vec![[0, 0], [0, 0]],
            cost: vec![[0.0, 0.0], [900.0, 400.0]],
        });
        let out = labour_market(&ctx, &Tightness::default(), &mut wages, &mut firms, &mut hh);
        assert_eq!((out.hires, out.relocations), (0, 0));
    }

    /// A tight market (more vacancies than unemployed) raises the wage index, a slack one lowers it.
    #[test]
    fn wages_follow_tightness() {
        let w = world();
        let mut hh = Households::default();
        let mut firms: Vec<Firm> = Vec::new();
        let run = |tightness: Tightness, hh: &mut Households, firms: &mut Vec<Firm>| {
            let mut wages = [3000.0, 4500.0, 8000.0];
            labour_market(&ctx(&w), &tightness, &mut wages, firms, hh);
            wages
        };
        let tight = Tightness {
            vacancies: [500.0; 3],
            unemployed: [10.0; 3],
            employed: [1000.0; 3],
        };
        let slack = Tightness {
            vacancies: [10.0; 3],
            unemployed: [500.0; 3],
            employed: [1000.0; 3],
        };
        let (up, down) = (
            run(tight, &mut hh, &mut firms),
            run(slack, &mut hh, &mut firms),
        );
        for k in 0..3 {
            assert!(up[k] > down[k], "skill {k}: {} vs {}", up[k], down[k]);
        }
    }
}

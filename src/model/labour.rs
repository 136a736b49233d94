//! Step 6: the labour market. Wages follow tightness; firms lay off and workers quit; then a
//! search process on the agents: each searcher samples a few vacancies of its skill, ranks them
//! by income net of commuting cost, and takes the best acceptable one if it is still open.
//! Cost is O(searchers × samples + vacancies).

use super::Simulation;
use super::agents::{FirmStatus, NO_FIRM};
use super::streams::Draw;

impl Simulation {
    /// Monthly income a worker of `skill` gets from a firm: wage plus the talent top-up paid by
    /// the budget to high-skill workers in cluster zones (R2.5).
    pub(crate) fn income_from(&self, fi: usize, skill: usize) -> f64 {
        let firm = &self.firms[fi];
        let wage = self.firm_wage(firm, skill);
        if skill == 2 && self.is_cluster(firm.district) {
            wage * (1.0 + self.s.policy.talent_salary_topup_share)
        } else {
            wage
        }
    }

    pub(crate) fn commute_cost(&self, from: usize, to: usize) -> f64 {
        self.travel.minutes[(from, to)] * self.s.labour.commute_value_cny_per_minute_month
    }

    // Kept out of line: each step shows by name in a profile.
    #[inline(never)]
    pub(crate) fn labour_market(&mut self) {
        let l = self.s.labour.clone();
        // Wages: each skill's index closes part of its gap to the outside wage and moves with
        // last month's tightness (vacancies vs unemployed).
        for k in 0..3 {
            let tight =
                (self.prev.vacancies[k] - self.prev.unemployed[k]) / (self.prev.employed[k] + 1.0);
            let w = &mut self.wage_index[k];
            *w += l.outside_wage_pull_per_month * (self.outside_wage[k] - *w);
            let bound = l.wage_tightness_bound;
            *w *= 1.0 + l.wage_tightness_response * tight.clamp(-bound, bound);
        }
        // Premiums decay; unfilled positions (below) push them up again.
        let step = self.s.firms.wage_premium_step;
        let decay = self.s.firms.wage_premium_decay_per_month;
        let cap = self.s.firms.wage_premium_max;
        for f in &mut self.firms {
            if f.status != FirmStatus::Operating {
                continue;
            }
            for k in 0..3 {
                f.wage_premium[k] = (f.wage_premium[k] - decay).max(0.0);
            }
        }
        // Lay-offs and quits.
        for i in 0..self.workers.len() {
            let e = self.workers[i].employer;
            if e == NO_FIRM {
                continue;
            }
            let k = self.workers[i].skill as usize;
            let fi = e as usize;
            let p = self.firms[fi].layoff_prob[k];
            let mut draws = self
                .streams
                .open(Draw::Separation, self.workers[i].key, self.month);
            let laid_off = draws.chance(p);
            let quits = draws.chance(l.quit_rate_per_month) && !laid_off;
            if laid_off || quits {
                self.firms[fi].employees[k] -= 1;
                let w = &mut self.workers[i];
                w.employer = NO_FIRM;
                w.wage = 0.0;
                w.months_unemployed = 0;
                w.months_employed = 0;
                w.reservation = self.wage_index[k] * l.reservation_wage_share_of_market;
                w.review_residence = true;
            }
        }
        // Vacancy lists by skill: one entry per open position.
        let mut open: Vec<[u32; 3]> = self
            .firms
            .iter()
            .map(|f| if f.is_active() { f.vacancies } else { [0; 3] })
            .collect();
        let mut lists: [Vec<u32>; 3] = [Vec::new(), Vec::new(), Vec::new()];
        for (fi, v) in open.iter().enumerate() {
            for k in 0..3 {
                for _ in 0..v[k] {
                    lists[k].push(fi as u32);
                }
            }
        }
        // Searchers: the unemployed (not in training) and a share of the employed.
        // Each searcher's draws (whether to search on the job, then the vacancies sampled) come
        // from its own stream of the month; the queue order from another (see `shuffle`).
        let mut searchers: Vec<usize> = Vec::new();
        for i in 0..self.workers.len() {
            let w = &self.workers[i];
            if w.in_training() {
                continue;
            }
            let looks = self
                .streams
                .open(Draw::Search, w.key, self.month)
                .chance(l.on_the_job_search_share);
            if !w.is_employed() || looks {
                searchers.push(i);
            }
        }
        self.shuffle(&mut searchers, Draw::SearchOrder);
        let services = self.s.policy.employment_service_cny_per_year
            / l.employment_service_reference_cny_per_year;
        let extra = l.employment_service_extra_samples * services / (1.0 + services);
        let digital_q = {
            let cluster = self.main_cluster;
            self.infrastructure_quality(self.districts[cluster].digital, cluster)
        };
        let samples_f = l.vacancies_sampled as f64 + extra + digital_q;
        let mut hires = 0u32;
        for &i in &searchers {
            let k = self.workers[i].skill as usize;
            if lists[k].is_empty() {
                continue;
            }
            let mut draws = self
                .streams
                .open(Draw::Search, self.workers[i].key, self.month);
            let _on_the_job = draws.unit();
            let n = samples_f.floor() as usize + usize::from(draws.chance(samples_f.fract()));
            let residence = self.workers[i].home();
            let current = self.workers[i].employer;
            let current_net = if current != NO_FIRM {
                self.income_from(current as usize, k)
                    - self.commute_cost(residence, self.firms[current as usize].district)
            } else {
                self.workers[i].reservation
            };
            let mut best: Option<(u32, f64)> = None;
            for _ in 0..n {
                let fi = lists[k][draws.index(lists[k].len())];
                if open[fi as usize][k] == 0 || fi == current {
                    continue;
                }
                let district = self.firms[fi as usize].district;
                if self.travel.minutes[(residence, district)] > l.max_commute_minutes {
                    continue;
                }
                let net = self.income_from(fi as usize, k) - self.commute_cost(residence, district);
                if best.is_none_or(|(_, b)| net > b) {
                    best = Some((fi, net));
                }
            }
            let Some((fi, net)) = best else { continue };
            if net < current_net {
                continue;
            }
            open[fi as usize][k] -= 1;
            if current != NO_FIRM {
                self.firms[current as usize].employees[k] -= 1;
            }
            self.hire(i, fi as usize);
            hires += 1;
        }
        // Unfilled positions push the firm's wage premium up for next month.
        for (fi, v) in open.iter().enumerate() {
            let f = &mut self.firms[fi];
            if !f.is_active() {
                continue;
            }
            for k in 0..3 {
                if v[k] > 0 {
                    f.wage_premium[k] = (f.wage_premium[k] + step).min(cap);
                }
            }
            f.vacancies = *v;
            self.counters.unfilled_vacancies += v.iter().sum::<u32>();
        }
        self.counters.hires += hires;
        self.prev.hires = hires as f64;
        self.prev.searchers = searchers.len() as f64;
    }

    pub(crate) fn hire(&mut self, i: usize, fi: usize) {
        let k = self.workers[i].skill as usize;
        self.firms[fi].employees[k] += 1;
        let wage = self.firm_wage(&self.firms[fi], k);
        let anchor = self.nearest_cluster[self.firms[fi].district] as u16;
        let w = &mut self.workers[i];
        w.anchor = anchor;
        let moved_job = w.employer != NO_FIRM;
        w.employer = fi as u32;
        w.wage = wage;
        w.months_unemployed = 0;
        if !moved_job {
            w.months_employed = 0;
        }
        w.review_residence = true;
    }
}

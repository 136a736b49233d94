//! Step 7: households. Wages and spells, training, settlement (市民化), leaving, arrivals from the
//! rural reserve, the migrant pool and the city, residence and tenure choice, and where the
//! children live (MODEL.md §4 "Households", "Families and schools").

use super::Simulation;
use super::agents::{NO_FIRM, Origin};
use super::budget::{CITY, ZONE};
use super::costs::Cost;
use super::detmath::DetMath;
use super::streams::{Draw, Source, newcomer_key};
use super::world::Tenure;
use crate::scenario::{DistrictKind, PublicRentalEligibility};

impl Simulation {
    // Kept out of line: each step shows by name in a profile.
    #[inline(never)]
    pub(crate) fn households(&mut self) {
        let h = self.s.households.clone();
        let policy = self.s.policy.clone();
        self.recount_occupancy();
        self.refresh_residence_context();
        // Spells, wages, the budget's talent top-ups.
        let mut talent_topups = 0.0;
        for i in 0..self.workers.len() {
            let e = self.workers[i].employer;
            if e != NO_FIRM {
                let k = self.workers[i].skill as usize;
                let wage = self.firm_wage(&self.firms[e as usize], k);
                if k == 2 && self.is_cluster(self.firms[e as usize].district) {
                    talent_topups += wage * policy.talent_salary_topup_share;
                }
                let w = &mut self.workers[i];
                w.wage = wage;
                w.months_employed += 1;
            } else if !self.workers[i].in_training() {
                let w = &mut self.workers[i];
                w.months_unemployed += 1;
                w.reservation *= 1.0 - self.s.labour.reservation_decay_per_month;
            }
        }
        self.charge(ZONE, Cost::Talent, talent_topups);
        self.counters.talent_subsidy += talent_topups;
        self.training();
        self.settlement();
        self.departures();
        self.arrivals();
        // Residence review: after a change of job, or now and then.
        for i in 0..self.workers.len() {
            let review = self.workers[i].review_residence
                || self
                    .streams
                    .open(Draw::ResidenceReview, self.workers[i].key, self.month)
                    .chance(h.residence_review_share_per_month);
            if review {
                self.choose_residence(i, false);
            }
        }
        self.place_children();
        // One pass for the settled migrants' social security and the mean wage below.
        let (mut settled_covered, mut wage_sum, mut employed) = (0.0, 0.0, 0.0);
        for w in &self.workers {
            if w.settled && w.origin.is_migrant_like() {
                settled_covered += 1.0;
            }
            if w.is_employed() {
                wage_sum += w.wage;
                employed += 1.0;
            }
        }
        let social = settled_covered
            * policy.social_security_coverage
            * self.s.government.social_security_cny_per_settled_month;
        self.accounts[CITY].accrued.social += social;
        self.costs.add(Cost::SocialSecurity, social);
        // Perceived expected income of a newcomer, with a perception delay.
        let jf = if self.prev.searchers > 0.0 {
            self.prev.hires / self.prev.searchers
        } else {
            0.0
        };
        let avg_wage = if employed > 0.0 {
            wage_sum / employed
        } else {
            self.wage_index[0]
        };
        // Relative to the outside wage: what counts is how the region compares with elsewhere.
        let expected = jf * avg_wage / self.outside_wage[0] * self.s.labour.initial_wage_low_cny;
        self.pools.job_finding_rate = jf;
        if self.pools.perceived_income <= 0.0 {
            self.pools.perceived_income = expected;
            self.pools.reference_income = expected.max(1.0);
        } else {
            self.pools.perceived_income +=
                (expected - self.pools.perceived_income) / h.attractiveness_delay_months;
        }
    }

    fn training(&mut self) {
        let h = self.s.households.clone();
        let cost = self.s.government.training_cost_cny_per_seat_month;
        let nd = self.districts.len();
        let mut in_training = vec![0.0; nd];
        for w in &self.workers {
            if w.in_training() {
                in_training[w.home().min(nd - 1)] += 1.0;
            }
        }
        let cluster = self.main_cluster;
        let seats: f64 = self.districts.iter().map(|d| d.training_seats).sum();
        let mut used: f64 = in_training.iter().sum();
        self.charge(ZONE, Cost::VocationalTraining, used * cost);
        // Order lists: firms with open positions one skill up take trainees (R2.5, R3.3).
        let ordering: [Vec<usize>; 3] = std::array::from_fn(|k| {
            (0..self.firms.len())
                .filter(|&f| self.firms[f].is_active() && self.firms[f].vacancies[k] > 0)
                .collect()
        });
        for i in 0..self.workers.len() {
            let w = &self.workers[i];
            // Draws: success (or enrolment), whether the course is ordered, which firm orders it.
            // The stream is keyed, so opening it only where a draw is taken changes nothing.
            let draws = |sim: &Self| {
                sim.streams
                    .open(Draw::Training, sim.workers[i].key, sim.month)
            };
            if w.in_training() {
                let w = &mut self.workers[i];
                w.training_left -= 1;
                if w.training_left == 0 {
                    self.counters.trained += 1;
                    if draws(self).chance(h.training_success_share) {
                        let w = &mut self.workers[i];
                        w.skill = (w.skill + 1).min(2);
                        let ordered = w.ordered_by;
                        w.ordered_by = NO_FIRM;
                        if ordered != NO_FIRM && self.firms[ordered as usize].is_active() {
                            self.hire(i, ordered as usize);
                        }
                    }
                    self.workers[i].ordered_by = NO_FIRM;
                }
            } else if !w.is_employed()
                && w.skill < 2
                && used + 1.0 <= seats
                && self.travel.minutes[(w.home(), cluster)] <= self.s.labour.max_commute_minutes
                && let mut draws = draws(self)
                && draws.chance(h.training_enrol_rate_per_month)
            {
                let next = w.skill as usize + 1;
                used += 1.0;
                let ordered_draw = draws.chance(self.s.policy.order_training_share);
                let ordered = if !ordering[next].is_empty() && ordered_draw {
                    ordering[next][draws.index(ordering[next].len())] as u32
                } else {
                    NO_FIRM
                };
                if ordered != NO_FIRM {
                    let cost = self.s.lever_costs.order_training_cny_per_trainee;
                    self.charge(ZONE, Cost::OrderTraining, cost);
                }
                let w = &mut self.workers[i];
                w.training_left = h.training_months as u8;
                w.ordered_by = ordered;
            }
        }
    }

    /// Rural-origin households with a stable job and a non-rural, non-dormitory home settle as
    /// citizens at a monthly rate; settled renters become owners.
    fn settlement(&mut self) {
        let h = &self.s.households;
        let policy = &self.s.policy;
        let needed = (h.settlement_months_employed as f64
            * (1.0 - policy.citizenisation_months_cut))
            .round() as u32;
        let rate = (h.settlement_rate_per_month
            * (1.0 + h.social_security_settlement_gain * policy.social_security_coverage))
            .clamp(0.0, 1.0);
        for i in 0..self.workers.len() {
            let w = &self.workers[i];
            if w.settled
                || !w.is_employed()
                || u32::from(w.months_employed) < needed
                || self.districts[w.home()].kind == DistrictKind::Rural
                || w.tenure == Tenure::Dormitory
            {
                continue;
            }
            if self
                .streams
                .open(Draw::Settlement, w.key, self.month)
                .chance(rate)
            {
                let w = &mut self.workers[i];
                w.settled = true;
                if w.tenure == Tenure::Market {
                    w.tenure = Tenure::Owned;
                }
            }
        }
    }

    fn departures(&mut self) {
        let h = self.s.households.clone();
        let retire = self.s.labour.retirement_rate_per_year / 12.0;
        let coverage_cut =
            1.0 - h.social_security_leave_cut * self.s.policy.social_security_coverage;
        let mut i = self.workers.len();
        while i > 0 {
            i -= 1;
            let w = &self.workers[i];
            let mut p = retire;
            if !w.is_employed()
                && !w.in_training()
                && u32::from(w.months_unemployed) >= h.unemployed_leave_after_months
            {
                p += h.unemployed_leave_rate_per_month;
            }
            let left_behind = w.children > 0
                && !w.children_with
                && self.districts[w.home()].kind != DistrictKind::Rural;
            if left_behind && w.origin != Origin::LocalUrban {
                p += h.left_behind_children_leave_rate_per_month;
            }
            if w.settled && w.origin.is_migrant_like() {
                p *= coverage_cut;
            }
            if !self
                .streams
                .open(Draw::Departure, w.key, self.month)
                .chance(p)
            {
                continue;
            }
            let w = self.workers.swap_remove(i);
            if w.employer != NO_FIRM {
                self.firms[w.employer as usize].employees[w.skill as usize] -= 1;
            }
            self.districts[w.home()].occupied[w.tenure.stock()] -= 1;
            match w.origin {
                Origin::Migrant => self.pools.migrant_pool += 1.0,
                Origin::LocalRural | Origin::LandlessFarmer => {
                    self.pools.rural_reserve[self.nearest_rural[w.anchor()]] += 1.0
                }
                Origin::LocalUrban => {}
            }
            self.counters.departures += 1;
        }
    }

    fn arrivals(&mut self) {
        let h = self.s.households.clone();
        let policy = self.s.policy.clone();
        let ratio = if self.pools.reference_income > 0.0 {
            self.pools.perceived_income / self.pools.reference_income
        } else {
            1.0
        };
        let pull = ratio.max(0.0).dpow(h.income_elasticity_of_migration);
        // Each rural district's villages send their own people; the first rural district keeps
        // the stream and keys a single-hinterland scenario always had.
        let mut rural_arrivals: Vec<(usize, u32)> = Vec::new();
        let any_rural = self.districts.iter().any(|d| d.kind == DistrictKind::Rural);
        for d in 0..self.districts.len() {
            // Without rural districts the reserve is held by the first district.
            let holds_reserve = if any_rural {
                self.districts[d].kind == DistrictKind::Rural
            } else {
                d == 0
            };
            if !holds_reserve {
                continue;
            }
            let nth = rural_arrivals.len() as u64;
            let reserve = &mut self.pools.rural_reserve[d];
            *reserve *= 1.0 + h.rural_reserve_growth_per_year / 12.0;
            let lambda = *reserve * h.rural_entry_rate_per_month * pull;
            let n = self.poisson(
                Draw::ArrivalCount,
                Source::RuralArrival as u64 | (nth << 32),
                lambda,
            );
            let reserve = &mut self.pools.rural_reserve[d];
            let n = n.min(reserve.max(0.0) as u32);
            *reserve -= n as f64;
            rural_arrivals.push((d, n));
        }
        // Talents weigh the top-up and the settling-in grant into their expected income.
        let high_wage = self.wage_index[2];
        let talent_income = high_wage * (1.0 + policy.talent_salary_topup_share)
            + policy.talent_settling_grant_cny / h.talent_grant_amortisation_months;
        let talent_pull = (talent_income / high_wage).dpow(h.income_elasticity_of_migration);
        let base = self.pools.migrant_pool * h.migrant_entry_rate_per_month * pull;
        let shares = h.skill_share_migrant;
        let migrant_sources = [Source::MigrantLow, Source::MigrantMid, Source::MigrantHigh];
        let migrants: [u32; 3] = [
            self.poisson(
                Draw::ArrivalCount,
                migrant_sources[0] as u64,
                base * shares[0],
            ),
            self.poisson(
                Draw::ArrivalCount,
                migrant_sources[1] as u64,
                base * shares[1],
            ),
            self.poisson(
                Draw::ArrivalCount,
                migrant_sources[2] as u64,
                base * shares[2] * talent_pull,
            ),
        ];
        let city = self.poisson(
            Draw::ArrivalCount,
            Source::CityArrival as u64,
            h.city_entrants_per_year / 12.0,
        );
        // Each newcomer's key is fixed by its source and rank this month (streams.rs).
        let month = self.month;
        let mut newcomers: Vec<(Origin, Option<u8>, u64, usize)> = Vec::new();
        for (nth, &(d, n)) in rural_arrivals.iter().enumerate() {
            newcomers.extend((0..n).map(|r| {
                let key = newcomer_key(Source::RuralArrival, month, nth as u32, r);
                (Origin::LocalRural, None, key, d)
            }));
        }
        let main = self.main_cluster;
        for (k, n) in migrants.iter().enumerate() {
            newcomers.extend((0..*n).map(|r| {
                let key = newcomer_key(migrant_sources[k], month, 0, r);
                (Origin::Migrant, Some(k as u8), key, main)
            }));
        }
        let city_district = self.first_district_of(DistrictKind::City);
        newcomers.extend((0..city).map(|r| {
            (
                Origin::LocalUrban,
                None,
                newcomer_key(Source::CityArrival, month, 0, r),
                city_district,
            )
        }));
        for (origin, skill, key, from) in newcomers {
            if origin == Origin::Migrant {
                if self.pools.migrant_pool < 1.0 {
                    continue;
                }
                self.pools.migrant_pool -= 1.0;
            }
            let w = self.new_worker(origin, skill, key, from);
            let skill = w.skill;
            if origin == Origin::Migrant && skill == 2 {
                let grant = policy.talent_settling_grant_cny;
                self.charge(ZONE, Cost::Talent, grant);
            }
            self.workers.push(w);
            let i = self.workers.len() - 1;
            self.choose_residence(i, true);
            self.counters.arrivals += 1;
            if skill == 2 {
                self.counters.arrivals_high_skill += 1;
            }
        }
    }

    /// Amenity value of each district for households (CNY/month): hospital beds per 1,000,
    /// commercial floor per resident, pollution.
    fn amenities(&self, residents: &[f64]) -> Vec<f64> {
        let h = &self.s.households;
        self.districts
            .iter()
            .zip(residents.iter().copied())
            .map(|(d, n)| {
                let n = n.max(1.0);
                h.amenity_hospital_cny_per_bed_per_1000 * d.hospital_beds / (n / 1000.0)
                    + h.amenity_shops_cny_per_m2_per_capita * d.commercial_floor / n
                    - h.amenity_pollution_cny * d.pollution / self.s.environment.red_line_stock
            })
            .collect()
    }

    /// Residents (households and the children living with them, plus background residents) and
    /// school seats free for modelled children, per district, in one pass over the households.
    pub(crate) fn residents_and_free_seats(&self) -> (Vec<f64>, Vec<f64>) {
        let background: Vec<f64> = self
            .districts
            .iter()
            .map(|d| d.background_residents)
            .collect();
        let seats: Vec<f64> = self.districts.iter().map(|d| d.school_seats).collect();
        count_residents_and_free_seats(
            &self.workers,
            &background,
            &seats,
            &self.rural_districts(),
            self.s.households.background_children_per_resident,
        )
    }

    /// School seats free for modelled children in each district.
    fn free_school_seats(&self) -> Vec<f64> {
        self.residents_and_free_seats().1
    }

    fn public_rental_eligible(&self, i: usize) -> bool {
        let w = &self.workers[i];
        let talent = w.skill == 2
            && (self.s.policy.talent_housing
                || self.s.policy.public_rental_eligibility == PublicRentalEligibility::TalentsOnly);
        let zone_job =
            w.employer != NO_FIRM && self.is_cluster(self.firms[w.employer as usize].district);
        talent
            || match self.s.policy.public_rental_eligibility {
                PublicRentalEligibility::TalentsOnly => false,
                PublicRentalEligibility::ZoneMigrants => zone_job && w.origin.is_migrant_like(),
                PublicRentalEligibility::ZoneWorkers => zone_job,
            }
    }

    /// Residence and tenure choice: utility = −rent − commuting cost + amenities + children's
    /// schooling − moving cost, over feasible (district, tenure) pairs with free units; logit.
    /// `is_new`: the household holds no unit yet (arrival or initialisation).
    pub(crate) fn choose_residence(&mut self, i: usize, is_new: bool) {
        let Some((di, tenure)) = self.best_residence(i, is_new) else {
            // Nowhere free within reach: stay put (or, if new, take a rural room anyway).
            if is_new {
                let rural = self.first_district_of(DistrictKind::Rural);
                self.workers[i].residence = rural as u16;
                self.workers[i].tenure = Tenure::RuralHome;
                self.districts[rural].occupied[Tenure::RuralHome as usize] += 1;
            }
            self.workers[i].review_residence = false;
            return;
        };
        let (residence, stock) = (self.workers[i].home(), self.workers[i].tenure.stock());
        if !is_new {
            let old = &mut self.districts[residence].occupied[stock];
            *old = old.saturating_sub(1);
        }
        self.districts[di].occupied[tenure.stock()] += 1;
        let wm = &mut self.workers[i];
        if wm.home() != di {
            wm.children_with = false;
        }
        wm.residence = di as u16;
        wm.tenure = tenure;
        wm.review_residence = false;
    }

    /// The (district, tenure) a household picks: the feasible option of highest utility plus its
    /// taste shock, or `None` if nothing is free within reach. Options are visited in a fixed
    /// order and the best kept as they come (no list is built: this runs for every household
    /// that reviews its residence, every month).
    fn best_residence(&self, i: usize, is_new: bool) -> Option<(usize, Tenure)> {
        let h = &self.s.households;
        let hs = &self.s.housing;
        let w = &self.workers[i];
        let workplace = if w.employer != NO_FIRM {
            self.firms[w.employer as usize].district
        } else {
            w.anchor()
        };
        let eligible_public = self.public_rental_eligible(i);
        // One taste shock per (district, tenure) slot, whichever options are open, so that a
        // household's tastes do not shift when a policy adds or removes an option.
        let scale = h.residence_choice_scale_cny;
        let stream_month = self.month * 2 + u32::from(is_new);
        let draws = self.streams.open(Draw::Residence, w.key, stream_month);
        let mut best: Option<(usize, Tenure)> = None;
        let mut best_value = f64::NEG_INFINITY;
        for di in 0..self.districts.len() {
            let d = &self.districts[di];
            let minutes = self.travel.minutes[(di, workplace)];
            if (is_new || w.home() != di) && minutes > self.s.labour.max_commute_minutes {
                continue;
            }
            let base = self.amenity_cache[di] - self.commute_cost(di, workplace);
            // At most five tenures per district, in a fixed order.
            let mut candidates = [(Tenure::RuralHome, 0.0); 5];
            let mut n = 0;
            let mut add = |tenure: Tenure, rent: f64| {
                candidates[n] = (tenure, rent);
                n += 1;
            };
            if d.kind == DistrictKind::Rural {
                let rent = if w.origin == Origin::LocalRural {
                    0.0
                } else {
                    hs.rural_rent_cny_month
                };
                add(Tenure::RuralHome, rent);
            } else {
                let market = if w.settled {
                    Tenure::Owned
                } else {
                    Tenure::Market
                };
                let own_factor = if w.settled {
                    hs.ownership_cost_share
                } else {
                    1.0
                };
                add(market, d.market_rent * own_factor);
                if eligible_public {
                    add(
                        Tenure::PublicRental,
                        d.market_rent * (1.0 - self.s.policy.public_rental_rent_discount),
                    );
                }
                if w.origin == Origin::LandlessFarmer {
                    add(Tenure::Resettlement, hs.resettlement_rent_cny_month);
                }
                if w.employer != NO_FIRM && workplace == di {
                    add(Tenure::Dormitory, hs.dormitory_rent_cny_month);
                }
            }
            for &(tenure, rent) in &candidates[..n] {
                let current = !is_new
                    && w.home() == di
                    && (w.tenure == tenure || w.tenure.stock() == tenure.stock());
                if !current && d.free_units(tenure.stock()) == 0 {
                    continue;
                }
                let rural_home = d.kind == DistrictKind::Rural
                    && w.origin != Origin::Migrant
                    && w.origin != Origin::LocalUrban;
                let schooled = w.children > 0
                    && (rural_home
                        || (tenure != Tenure::Dormitory
                            && self.seats_cache[di] >= w.children as f64));
                let mut u = base - rent
                    + if schooled {
                        h.amenity_school_cny * w.children as f64
                    } else {
                        0.0
                    };
                if tenure == Tenure::Dormitory {
                    u += h.dormitory_amenity_cny;
                }
                if !current && !is_new {
                    u -= h.moving_cost_cny;
                }
                let slot = (di * 6 + tenure as usize) as u64;
                let value = u + scale * super::streams::gumbel_of(draws.at(slot));
                if value > best_value {
                    best_value = value;
                    best = Some((di, tenure));
                }
            }
        }
        best
    }

    /// Amenities and free school seats as households see them this month (computed once a month,
    /// so each residence choice costs O(districts), not O(households)).
    pub(crate) fn refresh_residence_context(&mut self) {
        let (residents, seats) = self.residents_and_free_seats();
        self.amenity_cache = self.amenities(&residents);
        self.seats_cache = seats;
    }

    /// Children live with the household where it lives if it is a rural home or a school seat is
    /// free (those already placed keep theirs); otherwise they are left behind in the village.
    pub(crate) fn place_children(&mut self) {
        let mut free = self.free_school_seats();
        for i in 0..self.workers.len() {
            let w = &self.workers[i];
            if w.children == 0 {
                continue;
            }
            let d = &self.districts[w.home()];
            let rural_home = d.kind == DistrictKind::Rural;
            let with = if rural_home {
                w.origin != Origin::Migrant && w.origin != Origin::LocalUrban
            } else if w.tenure == Tenure::Dormitory {
                false
            } else if w.children_with {
                true
            } else if free[w.home()] >= w.children as f64 {
                free[w.home()] -= w.children as f64;
                true
            } else {
                false
            };
            if !with && w.children_with && !rural_home {
                free[w.home()] += w.children as f64;
            }
            self.workers[i].children_with = with;
        }
    }
}

/// The surplus rural labour of each district at the start: the scenario's reserve shared among
/// the rural districts in proportion to their village homes (all of it in the first rural
/// district if none has any), zero elsewhere.
pub(crate) fn rural_reserve_by_district(
    s: &crate::scenario::ScenarioFile,
    districts: &[super::world::District],
) -> Vec<f64> {
    let total = s.households.rural_reserve_workers;
    let homes = |d: &super::world::District| {
        if d.kind == DistrictKind::Rural {
            d.housing[Tenure::RuralHome as usize]
        } else {
            0.0
        }
    };
    let all_homes: f64 = districts.iter().map(homes).sum();
    let mut reserve: Vec<f64> = if all_homes > 0.0 {
        districts
            .iter()
            .map(|d| total * (homes(d) / all_homes))
            .collect()
    } else {
        vec![0.0; districts.len()]
    };
    if all_homes <= 0.0 {
        let first = districts
            .iter()
            .position(|d| d.kind == DistrictKind::Rural)
            .unwrap_or(0);
        reserve[first] = total;
    }
    reserve
}

/// Residents of each district (households, the children living with them, background residents)
/// and the school seats free for modelled children (seats less those of background children and
/// of modelled children living with their parents outside rural districts), in one pass.
///
/// A submodel on explicit state: it reads the households and three per-district inputs and
/// nothing else, so a test can give it a hand-made world.
pub(crate) fn count_residents_and_free_seats(
    workers: &[super::agents::Worker],
    background_residents: &[f64],
    school_seats: &[f64],
    rural: &[bool],
    background_children_per_resident: f64,
) -> (Vec<f64>, Vec<f64>) {
    let mut residents = background_residents.to_vec();
    let mut free: Vec<f64> = school_seats
        .iter()
        .zip(background_residents)
        .map(|(seats, people)| seats - people * background_children_per_resident)
        .collect();
    for w in workers {
        let r = w.home();
        residents[r] += 1.0
            + if w.children_with {
                w.children as f64
            } else {
                0.0
            };
        if w.children_with && !rural[r] {
            free[r] -= w.children as f64;
        }
    }
    (residents, free)
}

#[cfg(test)]
mod tests {
    use super::count_residents_and_free_seats;
    use crate::model::agents::{NO_FIRM, Origin, Worker};
    use crate::model::world::Tenure;

    fn household(district: u16, children: u8, with: bool) -> Worker {
        Worker {
            key: 0,
            skill: 0,
            origin: Origin::Migrant,
            residence: district,
            anchor: 0,
            tenure: Tenure::Market,
            employer: NO_FIRM,
            wage: 0.0,
            reservation: 0.0,
            months_unemployed: 0,
            months_employed: 0,
            settled: false,
            children,
            children_with: with,
            training_left: 0,
            ordered_by: NO_FIRM,
            review_residence: false,
        }
    }

    /// The reserve is shared by village homes: a second hinterland with half the homes of the
    /// first holds a third of it; with one hinterland, all of it (the baseline's number, exactly).
    #[test]
    fn the_rural_reserve_is_shared_by_village_homes() {
        use super::rural_reserve_by_district;
        use crate::model::world::District;
        let mut spec = crate::scenario::load_builtin()
            .expect("baseline")
            .spec()
            .clone();
        let build = |spec: &crate::scenario::ScenarioFile| -> Vec<District> {
            spec.districts
                .iter()
                .map(|(id, d)| District::from_spec(id, d))
                .collect()
        };
        let total = spec.households.rural_reserve_workers;
        let one = rural_reserve_by_district(&spec, &build(&spec));
        let rural = spec
            .districts
            .keys()
            .position(|k| k == "rural")
            .expect("rural");
        assert_eq!(one[rural], total);
        assert_eq!(one.iter().sum::<f64>(), total);
        let mut second = spec.districts["rural"].clone();
        second.rural_home_units /= 2.0;
        spec.districts.insert("rural_b".into(), second);
        let two = rural_reserve_by_district(&spec, &build(&spec));
        let b = spec
            .districts
            .keys()
            .position(|k| k == "rural_b")
            .expect("rural_b");
        let rural = spec
            .districts
            .keys()
            .position(|k| k == "rural")
            .expect("rural");
        assert!((two[rural] - total * 2.0 / 3.0).abs() < 1e-6, "{two:?}");
        assert!((two[b] - total / 3.0).abs() < 1e-6, "{two:?}");
        assert_eq!(two.iter().filter(|&&x| x > 0.0).count(), 2);
    }

    #[test]
    fn residents_and_seats_count_who_lives_where() {
        // District 0 urban, 1 rural; 100 and 10 background residents, 0.1 children each.
        let workers = [
            household(0, 2, true),  // two children at school in district 0
            household(0, 1, false), // one child left behind: lives elsewhere
            household(1, 3, true),  // rural: village school, no modelled seat
        ];
        let (residents, free) = count_residents_and_free_seats(
            &workers,
            &[100.0, 10.0],
            &[50.0, 5.0],
            &[false, true],
            0.1,
        );
        assert_eq!(residents, vec![100.0 + 3.0 + 1.0, 10.0 + 4.0]);
        assert_eq!(free, vec![50.0 - 10.0 - 2.0, 5.0 - 1.0]);
    }
}

//! Step 7: households. Wages and spells, training, settlement (市民化), leaving, arrivals from the
//! rural reserve, the migrant pool and the city, residence and tenure choice, and where the
//! children live (MODEL.md §4 "Households", "Families and schools").

use super::agents::{Firm, NO_FIRM, Origin, Waiting, Worker};
use super::budget::{CITY, ZONE};
use super::costs::Cost;
use super::detmath::DetMath;
use super::labour::{LabourContext, hire};
use super::streams::Streams;
use super::streams::{Draw, Source, newcomer_key};
use super::world::District;
use super::world::Tenure;
use super::{Households, Pools, Simulation, keyed_poisson};
use crate::scenario::{DistrictKind, PublicRentalEligibility};
use crate::scenario::{HouseholdSpec, HousingSpec, PolicySpec, ScenarioFile};
use nalgebra::DMatrix;

/// Counts of one pass over the households: the occupancy of every housing stock, residents
/// (households, the children living with them, background residents), school seats free for
/// modelled children (seats less those of background children and of modelled children living
/// with their parents outside rural districts), and households in training, per district.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Census {
    pub occupied: Vec<[u32; Tenure::STOCKS]>,
    pub residents: Vec<f64>,
    pub free_seats: Vec<f64>,
    pub in_training: Vec<f64>,
}

/// The [`Census`] of the households, in one pass.
///
/// A submodel on explicit state: it reads the households and three per-district inputs and
/// nothing else, so a test can give it a hand-made world.
pub(crate) fn census(
    hh: &Households,
    background_residents: &[f64],
    school_seats: &[f64],
    rural: &[bool],
    background_children_per_resident: f64,
) -> Census {
    let nd = background_residents.len();
    let mut occupied = vec![[0u32; Tenure::STOCKS]; nd];
    let mut residents = background_residents.to_vec();
    let mut free_seats: Vec<f64> = school_seats
        .iter()
        .zip(background_residents)
        .map(|(seats, people)| seats - people * background_children_per_resident)
        .collect();
    let mut in_training = vec![0.0; nd];
    for i in 0..hh.len() {
        let r = hh.home(i);
        occupied[r][hh.tenure[i].stock()] += 1;
        let with = hh.children_with[i];
        let children = f64::from(hh.children[i]);
        residents[r] += 1.0 + if with { children } else { 0.0 };
        if with && !rural[r] {
            free_seats[r] -= children;
        }
        if hh.in_training(i) {
            in_training[r.min(nd - 1)] += 1.0;
        }
    }
    Census {
        occupied,
        residents,
        free_seats,
        in_training,
    }
}

/// What the monthly round of spells, training and settlement reads.
pub(crate) struct SpellContext<'a> {
    pub streams: &'a Streams,
    pub month: u32,
    pub is_cluster: &'a [bool],
    pub rural: &'a [bool],
    pub minutes: &'a DMatrix<f64>,
    pub nearest_cluster: &'a [usize],
    /// The cluster zone with the most 2015 employment: trainees must live within reach of it.
    pub main_cluster: usize,
    pub max_commute_minutes: f64,
    pub talent_topup: f64,
    pub reservation_decay: f64,
    pub training_success: f64,
    pub training_enrol: f64,
    pub training_months: u8,
    pub training_seats: f64,
    pub order_training_share: f64,
    /// Active firms with open positions of each skill: who orders a course one skill up.
    pub ordering: &'a [Vec<usize>; 3],
    pub settlement_months: u32,
    pub settlement_rate: f64,
}

/// What the round of spells, training and settlement did.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct SpellOutcome {
    /// Talent top-ups the budget owes this month (CNY).
    pub talent_topups: f64,
    /// Courses that ended this month.
    pub trained: u32,
    /// New courses ordered by a firm (each costs the order-training fee).
    pub ordered_courses: u32,
}

/// One pass over the households: wages and spells, then training (courses end, with a hire by
/// the firm that ordered it; the unemployed enrol while seats last), then settlement (市民化).
/// `in_training` is the number of trainees at the start of the month.
pub(crate) fn spells_training_settlement(
    ctx: &SpellContext,
    in_training: f64,
    wage_index: &[f64; 3],
    firms: &mut [Firm],
    hh: &mut Households,
) -> SpellOutcome {
    let mut out = SpellOutcome::default();
    let mut used = in_training;
    for i in 0..hh.len() {
        // Spells and wages.
        let e = hh.employer[i];
        if e != NO_FIRM {
            let k = usize::from(hh.skill[i]);
            let firm = &firms[e as usize];
            let wage = LabourContext::offered_wage(wage_index, firm, k);
            if k == 2 && ctx.is_cluster[firm.district] {
                out.talent_topups += wage * ctx.talent_topup;
            }
            hh.wage[i] = wage;
            hh.months_employed[i] += 1;
        } else if !hh.in_training(i) {
            hh.months_unemployed[i] += 1;
            hh.reservation[i] *= 1.0 - ctx.reservation_decay;
        }
        // Training. Draws: success (or enrolment), whether the course is ordered, which firm
        // orders it; the stream is keyed, so opening it only where a draw is taken changes nothing.
        let draws = || ctx.streams.open(Draw::Training, hh.key[i], ctx.month);
        if hh.in_training(i) {
            hh.training_left[i] -= 1;
            if hh.training_left[i] == 0 {
                out.trained += 1;
                if draws().chance(ctx.training_success) {
                    hh.skill[i] = (hh.skill[i] + 1).min(2);
                    let ordered = hh.ordered_by[i];
                    hh.ordered_by[i] = NO_FIRM;
                    if ordered != NO_FIRM && firms[ordered as usize].is_active() {
                        hire(
                            hh,
                            firms,
                            wage_index,
                            ctx.nearest_cluster,
                            i,
                            ordered as usize,
                        );
                    }
                }
                hh.ordered_by[i] = NO_FIRM;
            }
        } else if !hh.is_employed(i)
            && hh.skill[i] < 2
            && used + 1.0 <= ctx.training_seats
            && ctx.minutes[(hh.home(i), ctx.main_cluster)] <= ctx.max_commute_minutes
            && let mut draws = draws()
            && draws.chance(ctx.training_enrol)
        {
            let next = usize::from(hh.skill[i]) + 1;
            used += 1.0;
            let ordered_draw = draws.chance(ctx.order_training_share);
            let ordered = if !ctx.ordering[next].is_empty() && ordered_draw {
                ctx.ordering[next][draws.index(ctx.ordering[next].len())] as u32
            } else {
                NO_FIRM
            };
            if ordered != NO_FIRM {
                out.ordered_courses += 1;
            }
            hh.training_left[i] = ctx.training_months;
            hh.ordered_by[i] = ordered;
        }
        // Settlement: rural-origin households with a stable job and a non-rural,
        // non-dormitory home settle as citizens at a monthly rate; settled renters become owners.
        if !hh.settled[i]
            && hh.is_employed(i)
            && u32::from(hh.months_employed[i]) >= ctx.settlement_months
            && !ctx.rural[hh.home(i)]
            && hh.tenure[i] != Tenure::Dormitory
            && ctx
                .streams
                .open(Draw::Settlement, hh.key[i], ctx.month)
                .chance(ctx.settlement_rate)
        {
            hh.settled[i] = true;
            if hh.tenure[i] == Tenure::Market {
                hh.tenure[i] = Tenure::Owned;
            }
        }
    }
    out
}

/// Who leaves the labour market this month (retirement, long unemployment, children left
/// behind; less with social security for settled migrants), visited from the last household to
/// the first and removed as `Vec::swap_remove` does. Returns the leavers in that order.
pub(crate) fn departures(
    h: &HouseholdSpec,
    retire: f64,
    coverage_cut: f64,
    rural: &[bool],
    streams: &Streams,
    month: u32,
    hh: &mut Households,
) -> Vec<Worker> {
    let mut leavers = Vec::new();
    let mut i = hh.len();
    while i > 0 {
        i -= 1;
        let mut p = retire;
        if !hh.is_employed(i)
            && !hh.in_training(i)
            && u32::from(hh.months_unemployed[i]) >= h.unemployed_leave_after_months
        {
            p += h.unemployed_leave_rate_per_month;
        }
        let left_behind = hh.children[i] > 0 && !hh.children_with[i] && !rural[hh.home(i)];
        if left_behind && hh.origin[i] != Origin::LocalUrban {
            p += h.left_behind_children_leave_rate_per_month;
        }
        if hh.settled[i] && hh.origin[i].is_migrant_like() {
            p *= coverage_cut;
        }
        if streams.open(Draw::Departure, hh.key[i], month).chance(p) {
            leavers.push(hh.swap_remove(i));
        }
    }
    leavers
}

/// What a household's residence choice reads besides the districts' housing and the firms.
pub(crate) struct ResidenceContext<'a> {
    pub households: &'a HouseholdSpec,
    pub housing: &'a HousingSpec,
    pub policy: &'a PolicySpec,
    pub max_commute_minutes: f64,
    pub commute_value: f64,
    pub minutes: &'a DMatrix<f64>,
    /// Amenity value of each district this month (CNY/month).
    pub amenity: &'a [f64],
    /// School seats free for modelled children in each district at the start of the month.
    pub free_seats: &'a [f64],
    /// Where a newcomer with nowhere free within reach takes a room.
    pub fallback_rural: usize,
    /// Who public rental admits under `as_allocated` eligibility, in this month's wages.
    pub public_rental: PublicRentalRules,
    pub streams: &'a Streams,
    pub month: u32,
}

/// The limits of public rental allocation (`as_allocated` eligibility), with the income limit in
/// this month's CNY.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PublicRentalRules {
    /// An urban household earning less (nothing, out of work) is low-income.
    pub income_limit_cny: f64,
    /// A skilled worker is a new employee up to this many months in a job.
    pub new_employee_months: u16,
    /// A migrant worker with social insurance qualifies from this many months in a job.
    pub migrant_months_employed: u16,
    /// Share of migrant workers whose employer pays their social insurance.
    pub migrant_insured_share: f64,
}

impl PublicRentalRules {
    /// The scenario's rules, with the income limit on `mid_wage` (this month's mid-skill wage).
    pub(crate) fn new(h: &HousingSpec, mid_wage: f64) -> Self {
        let months = |m: u32| u16::try_from(m).unwrap_or(u16::MAX);
        PublicRentalRules {
            income_limit_cny: h.public_rental_income_limit_share * mid_wage,
            new_employee_months: months(h.public_rental_new_employee_months),
            migrant_months_employed: months(h.public_rental_migrant_months_employed),
            migrant_insured_share: h.migrant_insured_share,
        }
    }
}

impl<'a> ResidenceContext<'a> {
    /// The context of the scenario's rules and this month's caches (built where the districts,
    /// firms and households are borrowed apart, so it takes the parts, not the simulation).
    pub(crate) fn new(
        s: &'a ScenarioFile,
        minutes: &'a DMatrix<f64>,
        amenity: &'a [f64],
        free_seats: &'a [f64],
        fallback_rural: usize,
        streams: &'a Streams,
        month: u32,
    ) -> Self {
        ResidenceContext {
            public_rental: PublicRentalRules::new(&s.housing, s.labour.initial_wage_mid_cny),
            households: &s.households,
            housing: &s.housing,
            policy: &s.policy,
            max_commute_minutes: s.labour.max_commute_minutes,
            commute_value: s.labour.commute_value_cny_per_minute_month,
            minutes,
            amenity,
            free_seats,
            fallback_rural,
            streams,
            month,
        }
    }
}

impl ResidenceContext<'_> {
    /// The public rental income limit on this month's mid-skill wage (not the 2015 one).
    pub(crate) fn with_mid_wage(mut self, housing: &HousingSpec, mid_wage: f64) -> Self {
        self.public_rental = PublicRentalRules::new(housing, mid_wage);
        self
    }
}

/// The first district of `kind` (the first city district if there is none; the first district
/// if there is no city either).
pub(crate) fn first_of_kind(districts: &[District], kind: DistrictKind) -> usize {
    districts
        .iter()
        .position(|d| d.kind == kind)
        .or_else(|| districts.iter().position(|d| d.kind == DistrictKind::City))
        .unwrap_or(0)
}

/// Whether household `i` may rent public rental housing under the policy: talents always (the
/// talent-housing lever puts them first in line, see [`allocate_public_rental`]); under
/// `as_allocated` and wider rules, those the allocation rules admit; under the zone rules, also
/// the zone's rural-origin workers or all its workers.
fn public_rental_eligible(
    ctx: &ResidenceContext,
    firms: &[Firm],
    districts: &[District],
    hh: &Households,
    i: usize,
) -> bool {
    use PublicRentalEligibility as Rule;
    let rule = ctx.policy.public_rental_eligibility;
    if hh.skill[i] == 2 {
        return true;
    }
    if rule == Rule::TalentsOnly {
        return false;
    }
    let zone_job = hh.employer[i] != NO_FIRM
        && districts[firms[hh.employer[i] as usize].district].kind == DistrictKind::Cluster;
    match rule {
        Rule::ZoneWorkers if zone_job => true,
        Rule::ZoneMigrants if zone_job && hh.origin[i].is_migrant_like() => true,
        _ => admitted_as_allocated(ctx, hh, i),
    }
}

/// The allocation rules of Henan's cities (公租房 for 城镇中低收入住房困难家庭, 新就业无房职工 and
/// 外来务工人员): no home owned, and a low-income urban household, a skilled new employee, or a
/// migrant worker with a stable job whose employer pays social insurance (one draw per household
/// for its whole life: insured or not).
fn admitted_as_allocated(ctx: &ResidenceContext, hh: &Households, i: usize) -> bool {
    if hh.tenure[i] == Tenure::Owned {
        return false;
    }
    let r = &ctx.public_rental;
    let employed = hh.is_employed(i);
    let new_employee =
        employed && hh.skill[i] >= 1 && hh.months_employed[i] <= r.new_employee_months;
    match hh.origin[i] {
        Origin::LocalUrban => new_employee || !employed || hh.wage[i] < r.income_limit_cny,
        _ => {
            new_employee
                || employed
                    && hh.months_employed[i] >= r.migrant_months_employed
                    && ctx
                        .streams
                        .open(Draw::Insured, hh.key[i], 0)
                        .chance(r.migrant_insured_share)
        }
    }
}

/// Public rental waiting lists, served at the start of the month's residence review: applicants
/// in order of application (talents first where the talent-housing lever is on) take the units
/// free in the district they applied for, if they are still eligible (otherwise they leave the
/// list) and the district is still within reach of their work. Sets each district's list
/// length to those still waiting.
pub(crate) fn allocate_public_rental(
    ctx: &ResidenceContext,
    firms: &[Firm],
    districts: &mut [District],
    hh: &mut Households,
) {
    let public = Tenure::PublicRental.stock();
    let mut applicants: Vec<(bool, u32, u64, usize)> = (0..hh.len())
        .filter(|&i| hh.waiting[i].is_waiting())
        .map(|i| {
            let first = ctx.policy.talent_housing && hh.skill[i] == 2;
            (!first, hh.waiting[i].since(), hh.key[i], i)
        })
        .collect();
    applicants.sort_unstable();
    for d in districts.iter_mut() {
        d.public_rental_waiting = 0;
    }
    for &(_, _, _, i) in &applicants {
        let di = hh.waiting[i].district();
        if !public_rental_eligible(ctx, firms, districts, hh, i) {
            hh.waiting[i] = Waiting::NONE;
            continue;
        }
        let workplace = if hh.is_employed(i) {
            firms[hh.employer[i] as usize].district
        } else {
            usize::from(hh.anchor[i])
        };
        if ctx.minutes[(di, workplace)] > ctx.max_commute_minutes {
            hh.waiting[i] = Waiting::NONE;
        } else if districts[di].free_units(public) > 0 {
            move_household(districts, hh, i, di, Tenure::PublicRental, false);
            hh.waiting[i] = Waiting::NONE;
        } else {
            districts[di].public_rental_waiting += 1;
        }
    }
}

/// Moves household `i` into a unit of `tenure` in district `di`, with the districts' occupancy
/// (a new household holds no unit to leave). Children stay behind when the district changes.
fn move_household(
    districts: &mut [District],
    hh: &mut Households,
    i: usize,
    di: usize,
    tenure: Tenure,
    is_new: bool,
) {
    if !is_new {
        let old = &mut districts[hh.home(i)].occupied[hh.tenure[i].stock()];
        *old = old.saturating_sub(1);
    }
    districts[di].occupied[tenure.stock()] += 1;
    if hh.home(i) != di {
        hh.children_with[i] = false;
    }
    hh.residence[i] = di as u16;
    hh.tenure[i] = tenure;
}

/// Residence and tenure choice: utility = −rent − commuting cost + amenities + children's
/// schooling − moving cost, over feasible (district, tenure) pairs with free units; logit.
/// `is_new`: the household holds no unit yet (arrival or initialisation). Moves the household
/// and the districts' occupancy with it.
pub(crate) fn choose_residence(
    ctx: &ResidenceContext,
    firms: &[Firm],
    districts: &mut [District],
    hh: &mut Households,
    i: usize,
    is_new: bool,
) {
    let choice = best_residence(ctx, firms, districts, hh, i, is_new);
    hh.waiting[i] = match choice.wait_for {
        Some(di) if hh.waiting[i].is_waiting() && hh.waiting[i].district() == di => hh.waiting[i],
        Some(di) => Waiting::new(ctx.month, di),
        None => Waiting::NONE,
    };
    let Some((di, tenure)) = choice.best else {
        // Nowhere free within reach: stay put (or, if new, take a rural room anyway); a worker
        // living beyond reach of its job looks again next month.
        if is_new {
            let rural = ctx.fallback_rural;
            hh.residence[i] = rural as u16;
            hh.tenure[i] = Tenure::RuralHome;
            districts[rural].occupied[Tenure::RuralHome as usize] += 1;
        }
        let employer = hh.employer[i];
        hh.review_residence[i] = employer != NO_FIRM
            && ctx.minutes[(hh.home(i), firms[employer as usize].district)]
                > ctx.max_commute_minutes;
        return;
    };
    if tenure == Tenure::PublicRental {
        hh.waiting[i] = Waiting::NONE;
    }
    move_household(districts, hh, i, di, tenure, is_new);
    hh.review_residence[i] = false;
}

/// What a household's residence review decides: where it lives (`None`: nothing free within
/// reach) and the district whose public rental waiting list it is on, if a public rental unit
/// there would beat every option open now.
struct ResidenceChoice {
    best: Option<(usize, Tenure)>,
    wait_for: Option<usize>,
}

/// The (district, tenure) a household picks: the feasible option of highest utility plus its
/// taste shock, or `None` if nothing is free within reach; and the public rental it would wait
/// for, valued the same way, where the district's units are all let or others wait before it.
/// Options are visited in a fixed order and the best kept as they come (no list is built: this
/// runs for every household that reviews its residence, every month).
fn best_residence(
    ctx: &ResidenceContext,
    firms: &[Firm],
    districts: &[District],
    hh: &Households,
    i: usize,
    is_new: bool,
) -> ResidenceChoice {
    let h = ctx.households;
    let hs = ctx.housing;
    let w = hh.row(i);
    let workplace = if w.employer != NO_FIRM {
        firms[w.employer as usize].district
    } else {
        w.anchor()
    };
    let eligible_public = public_rental_eligible(ctx, firms, districts, hh, i);
    // One taste shock per (district, tenure) slot, whichever options are open, so that a
    // household's tastes do not shift when a policy adds or removes an option.
    let scale = h.residence_choice_scale_cny;
    let stream_month = ctx.month * 2 + u32::from(is_new);
    let draws = ctx.streams.open(Draw::Residence, w.key, stream_month);
    let mut best: Option<(usize, Tenure)> = None;
    let mut best_value = f64::NEG_INFINITY;
    let mut wait_for: Option<usize> = None;
    let mut wait_value = f64::NEG_INFINITY;
    for (di, d) in districts.iter().enumerate() {
        let minutes = ctx.minutes[(di, workplace)];
        // Beyond reach the current home stays an option only for a household without a job:
        // a worker who moved for a job, or whose commute grew too long, moves within reach.
        let keeps_home = !is_new && w.home() == di && w.employer == NO_FIRM;
        if !keeps_home && minutes > ctx.max_commute_minutes {
            continue;
        }
        let base = ctx.amenity[di] - minutes * ctx.commute_value;
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
                    d.market_rent * (1.0 - ctx.policy.public_rental_rent_discount),
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
            let full = d.free_units(tenure.stock()) == 0;
            // Public rental is let from the waiting list: a unit is open only when nobody waits.
            let wait =
                tenure == Tenure::PublicRental && !current && (full || d.public_rental_waiting > 0);
            if !current && full && !wait {
                continue;
            }
            let rural_home = d.kind == DistrictKind::Rural
                && w.origin != Origin::Migrant
                && w.origin != Origin::LocalUrban;
            let schooled = w.children > 0
                && (rural_home
                    || (tenure != Tenure::Dormitory && ctx.free_seats[di] >= w.children as f64));
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
            if wait {
                if value > wait_value {
                    wait_value = value;
                    wait_for = Some(di);
                }
            } else if value > best_value {
                best_value = value;
                best = Some((di, tenure));
            }
        }
    }
    ResidenceChoice {
        best,
        wait_for: wait_for.filter(|_| wait_value > best_value),
    }
}

/// Shares of the three skill levels among households of `origin`.
pub(crate) fn skill_shares(h: &HouseholdSpec, origin: Origin) -> [f64; 3] {
    match origin {
        Origin::LocalUrban => h.skill_share_city,
        Origin::LocalRural | Origin::LandlessFarmer => h.skill_share_rural,
        Origin::Migrant => h.skill_share_migrant,
    }
}

/// What a newcomer household is born with: the household rules, the wages its reservation wage
/// starts from, and where its village and its labour market are.
pub(crate) struct Newcomers<'a> {
    pub households: &'a HouseholdSpec,
    pub reservation_share: f64,
    pub wage_index: [f64; 3],
    /// For each district, the rural district nearest to it: where its households' villages are.
    pub nearest_rural: &'a [usize],
    /// For each district, the cluster zone nearest to it.
    pub nearest_cluster: &'a [usize],
    /// Where urban locals live when they enter.
    pub city: usize,
    pub streams: &'a Streams,
}

impl Newcomers<'_> {
    /// Skill level of a household of `origin`, from a uniform draw `u`.
    fn skill(&self, origin: Origin, u: f64) -> u8 {
        let shares = skill_shares(self.households, origin);
        if u < shares[0] {
            0
        } else if u < shares[0] + shares[1] {
            1
        } else {
            2
        }
    }

    /// A new household agent living at its origin (rural home, city flat or — for migrants — no
    /// place yet: residence is chosen right after). `from` is the district it comes from or was
    /// hired in: its village is the rural district nearest to it, and without a job it looks for
    /// work in the cluster zone nearest to it. Its skill (unless given) and children come from
    /// its own birth stream.
    pub(crate) fn household(
        &self,
        origin: Origin,
        skill: Option<u8>,
        key: u64,
        from: usize,
    ) -> Worker {
        let mut birth = self.streams.open(Draw::Birth, key, 0);
        let skill_draw = birth.unit();
        let skill = skill.unwrap_or_else(|| self.skill(origin, skill_draw));
        let village = self.nearest_rural[from];
        let (residence, tenure) = match origin {
            Origin::LocalUrban => (self.city, Tenure::Market),
            _ => (village, Tenure::RuralHome),
        };
        let children = super::sampling::poisson(&mut birth, self.households.children_mean)
            .min(u64::from(self.households.max_children)) as u8;
        let reservation = self.wage_index[usize::from(skill)] * self.reservation_share;
        Worker {
            key,
            skill,
            origin,
            residence: residence as u16,
            anchor: self.nearest_cluster[from] as u16,
            tenure,
            employer: NO_FIRM,
            wage: 0.0,
            reservation,
            months_unemployed: 0,
            months_employed: 0,
            settled: origin == Origin::LocalUrban,
            children,
            children_with: false,
            training_left: 0,
            ordered_by: NO_FIRM,
            review_residence: true,
            waiting: Default::default(),
        }
    }
}

/// What the month's arrivals read: the household rules and policy, which districts are rural
/// (their villages hold the reserve), the high-skill wage talents compare with, and where
/// migrants and city entrants first arrive.
pub(crate) struct ArrivalContext<'a> {
    pub households: &'a HouseholdSpec,
    pub policy: &'a PolicySpec,
    pub rural: &'a [bool],
    pub high_wage: f64,
    pub main_cluster: usize,
    pub city: usize,
    pub streams: &'a Streams,
    pub month: u32,
}

/// A household arriving this month: origin, skill if its source fixes it, stream key, and the
/// district it comes from.
pub(crate) type Newcomer = (Origin, Option<u8>, u64, usize);

/// The month's newcomers from the villages' reserve (taken from it), the migrant pool and the
/// city, in the order they arrive; each count a Poisson draw of its own stream, each rate pulled
/// by the perceived income (talents also by their top-up and grant).
pub(crate) fn draw_arrivals(ctx: &ArrivalContext, pools: &mut Pools) -> Vec<Newcomer> {
    let ratio = if pools.reference_income > 0.0 {
        pools.perceived_income / pools.reference_income
    } else {
        1.0
    };
    let pull = ratio
        .max(0.0)
        .dpow(ctx.households.income_elasticity_of_migration);
    // Each rural district's villages send their own people; the first rural district keeps
    // the stream and keys a single-hinterland scenario always had.
    let mut rural_arrivals: Vec<(usize, u32)> = Vec::new();
    let any_rural = ctx.rural.iter().any(|&r| r);
    for d in 0..ctx.rural.len() {
        // Without rural districts the reserve is held by the first district.
        let holds_reserve = if any_rural { ctx.rural[d] } else { d == 0 };
        if !holds_reserve {
            continue;
        }
        let nth = rural_arrivals.len() as u64;
        let reserve = &mut pools.rural_reserve[d];
        *reserve *= 1.0 + ctx.households.rural_reserve_growth_per_year / 12.0;
        let lambda = *reserve * ctx.households.rural_entry_rate_per_month * pull;
        let n = keyed_poisson(
            ctx.streams,
            Draw::ArrivalCount,
            Source::RuralArrival as u64 | (nth << 32),
            ctx.month,
            lambda,
        );
        let reserve = &mut pools.rural_reserve[d];
        let n = n.min(reserve.max(0.0) as u32);
        *reserve -= n as f64;
        rural_arrivals.push((d, n));
    }
    // Talents weigh the top-up and the settling-in grant into their expected income.
    let high_wage = ctx.high_wage;
    let talent_income = high_wage * (1.0 + ctx.policy.talent_salary_topup_share)
        + ctx.policy.talent_settling_grant_cny / ctx.households.talent_grant_amortisation_months;
    let talent_pull =
        (talent_income / high_wage).dpow(ctx.households.income_elasticity_of_migration);
    let base = pools.migrant_pool * ctx.households.migrant_entry_rate_per_month * pull;
    let shares = ctx.households.skill_share_migrant;
    let migrant_sources = [Source::MigrantLow, Source::MigrantMid, Source::MigrantHigh];
    let migrants: [u32; 3] = [
        keyed_poisson(
            ctx.streams,
            Draw::ArrivalCount,
            migrant_sources[0] as u64,
            ctx.month,
            base * shares[0],
        ),
        keyed_poisson(
            ctx.streams,
            Draw::ArrivalCount,
            migrant_sources[1] as u64,
            ctx.month,
            base * shares[1],
        ),
        keyed_poisson(
            ctx.streams,
            Draw::ArrivalCount,
            migrant_sources[2] as u64,
            ctx.month,
            base * shares[2] * talent_pull,
        ),
    ];
    let city = keyed_poisson(
        ctx.streams,
        Draw::ArrivalCount,
        Source::CityArrival as u64,
        ctx.month,
        ctx.households.city_entrants_per_year / 12.0,
    );
    // Each newcomer's key is fixed by its source and rank this month (streams.rs).
    let month = ctx.month;
    let mut newcomers: Vec<(Origin, Option<u8>, u64, usize)> = Vec::new();
    for (nth, &(d, n)) in rural_arrivals.iter().enumerate() {
        newcomers.extend((0..n).map(|r| {
            let key = newcomer_key(Source::RuralArrival, month, nth as u32, r);
            (Origin::LocalRural, None, key, d)
        }));
    }
    let main = ctx.main_cluster;
    for (k, n) in migrants.iter().enumerate() {
        newcomers.extend((0..*n).map(|r| {
            let key = newcomer_key(migrant_sources[k], month, 0, r);
            (Origin::Migrant, Some(k as u8), key, main)
        }));
    }
    let city_district = ctx.city;
    newcomers.extend((0..city).map(|r| {
        (
            Origin::LocalUrban,
            None,
            newcomer_key(Source::CityArrival, month, 0, r),
            city_district,
        )
    }));
    newcomers
}

/// Residence review after a change of job, or now and then (each household's own draw), in
/// household order, after the public rental waiting lists are served: each choice sees the
/// units the ones before it took. `free` starts as the
/// school seats less those of background children; returns it less the seats of the modelled
/// children living with their parents after the review (counted in the same pass).
pub(crate) fn review_residences(
    ctx: &ResidenceContext,
    share: f64,
    rural: &[bool],
    mut free: Vec<f64>,
    firms: &[Firm],
    districts: &mut [District],
    hh: &mut Households,
) -> Vec<f64> {
    allocate_public_rental(ctx, firms, districts, hh);
    for i in 0..hh.len() {
        let review = hh.review_residence[i]
            || ctx
                .streams
                .open(Draw::ResidenceReview, hh.key[i], ctx.month)
                .chance(share);
        if review {
            choose_residence(ctx, firms, districts, hh, i, false);
        }
        let r = hh.home(i);
        if hh.children_with[i] && !rural[r] {
            free[r] -= f64::from(hh.children[i]);
        }
    }
    free
}

/// What a newcomer sees of the labour market: last month's hires and searchers, the low-skill
/// wage here and elsewhere, and how long the news takes to travel.
pub(crate) struct LabourMarketSeen {
    pub hires: f64,
    pub searchers: f64,
    pub low_wage_index: f64,
    pub outside_low_wage: f64,
    pub initial_low_wage: f64,
    pub delay_months: f64,
}

/// The perceived expected income of a newcomer (job-finding rate × mean wage, relative to the
/// outside wage), exponentially smoothed with a perception delay; the first month sets the
/// reference arrivals respond to.
pub(crate) fn update_perceived_income(
    market: &LabourMarketSeen,
    count: &EarningsCount,
    pools: &mut Pools,
) {
    let jf = if market.searchers > 0.0 {
        market.hires / market.searchers
    } else {
        0.0
    };
    let avg_wage = if count.employed > 0.0 {
        count.wage_sum / count.employed
    } else {
        market.low_wage_index
    };
    // Relative to the outside wage: what counts is how the region compares with elsewhere.
    let expected = jf * avg_wage / market.outside_low_wage * market.initial_low_wage;
    pools.job_finding_rate = jf;
    if pools.perceived_income <= 0.0 {
        pools.perceived_income = expected;
        pools.reference_income = expected.max(1.0);
    } else {
        pools.perceived_income += (expected - pools.perceived_income) / market.delay_months;
    }
}

/// What households value in a district besides housing and jobs, and what the census starts
/// from: background residents, school seats, hospital beds, shops, pollution.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct DistrictLife {
    pub background_residents: f64,
    pub school_seats: f64,
    pub hospital_beds: f64,
    pub commercial_floor: f64,
    pub pollution: f64,
}

/// Amenity value of each district for households (CNY/month): hospital beds per 1,000,
/// commercial floor per resident, pollution against the red line.
pub(crate) fn amenities(
    h: &HouseholdSpec,
    red_line_stock: f64,
    life: &[DistrictLife],
    residents: &[f64],
) -> Vec<f64> {
    life.iter()
        .zip(residents.iter().copied())
        .map(|(d, n)| {
            let n = n.max(1.0);
            h.amenity_hospital_cny_per_bed_per_1000 * d.hospital_beds / (n / 1000.0)
                + h.amenity_shops_cny_per_m2_per_capita * d.commercial_floor / n
                - h.amenity_pollution_cny * d.pollution / red_line_stock
        })
        .collect()
}

impl Simulation {
    /// The [`Census`] of the households now.
    pub(crate) fn census(&self) -> Census {
        self.census_with(&self.district_life())
    }

    /// The [`Census`] of the households now, counted from the districts as `life` describes them.
    fn census_with(&self, life: &[DistrictLife]) -> Census {
        let background: Vec<f64> = life.iter().map(|d| d.background_residents).collect();
        let seats: Vec<f64> = life.iter().map(|d| d.school_seats).collect();
        census(
            &self.households,
            &background,
            &seats,
            &self.rural_districts(),
            self.s.households.background_children_per_resident,
        )
    }

    /// Occupancy recounted from the households, and the amenities and free school seats
    /// households see this month (computed once a month, so each residence choice costs
    /// O(districts), not O(households)). Returns the census.
    pub(crate) fn refresh_residence_context(&mut self) -> Census {
        let life = self.district_life();
        self.refresh_residence_context_as(&life)
    }

    /// [`Simulation::refresh_residence_context`] with the districts as `life` describes them
    /// (as they were before this month's deliveries, in step 3).
    pub(crate) fn refresh_residence_context_as(&mut self, life: &[DistrictLife]) -> Census {
        let census = self.census_with(life);
        self.use_census_as(census, life)
    }

    /// Occupancy recounted after the stocks step, the census kept: nothing the households live
    /// by (home, tenure, children, training) changes between step 3 and step 7, so step 7 starts
    /// from it instead of counting again.
    pub(crate) fn recount_and_keep_census(&mut self) {
        let census = self.census();
        for (d, occupied) in self.districts.iter_mut().zip(&census.occupied) {
            d.occupied = *occupied;
        }
        self.census_after_stocks = Some(census);
    }

    /// The residence context (occupancy, amenities, free seats) from a census of the households.
    fn use_census(&mut self, census: Census) -> Census {
        let life = self.district_life();
        self.use_census_as(census, &life)
    }

    fn use_census_as(&mut self, census: Census, life: &[DistrictLife]) -> Census {
        for (d, occupied) in self.districts.iter_mut().zip(&census.occupied) {
            d.occupied = *occupied;
        }
        self.amenity_cache = amenities(
            &self.s.households,
            self.s.environment.red_line_stock,
            life,
            &census.residents,
        );
        self.seats_cache.clone_from(&census.free_seats);
        census
    }

    /// Step 7 on the households (`spells_training_settlement`, `departures`, arrivals, residence
    /// review, children and schools).
    // Kept out of line: each step shows by name in a profile.
    #[inline(never)]
    pub(crate) fn household_step(&mut self) {
        let census = match self.census_after_stocks.take() {
            Some(kept) => {
                debug_assert!(kept == self.census(), "the households changed since step 3");
                self.use_census(kept)
            }
            None => self.refresh_residence_context(),
        };
        let nd = self.districts.len();
        let h = &self.s.households;
        let policy = &self.s.policy;
        let is_cluster: Vec<bool> = (0..nd).map(|d| self.is_cluster(d)).collect();
        let rural = self.rural_districts();
        let cost = self.s.government.training_cost_cny_per_seat_month;
        let used: f64 = census.in_training.iter().sum();
        // Order lists: firms with open positions one skill up take trainees (R2.5, R3.3).
        let ordering: [Vec<usize>; 3] = std::array::from_fn(|k| {
            (0..self.firms.len())
                .filter(|&f| self.firms[f].is_active() && self.firms[f].vacancies[k] > 0)
                .collect()
        });
        let ctx = SpellContext {
            streams: &self.streams,
            month: self.month,
            is_cluster: &is_cluster,
            rural: &rural,
            minutes: &self.travel.minutes,
            nearest_cluster: &self.nearest_cluster,
            main_cluster: self.main_cluster,
            max_commute_minutes: self.s.labour.max_commute_minutes,
            talent_topup: policy.talent_salary_topup_share,
            reservation_decay: self.s.labour.reservation_decay_per_month,
            training_success: h.training_success_share,
            training_enrol: h.training_enrol_rate_per_month,
            training_months: h.training_months as u8,
            training_seats: self.districts.iter().map(|d| d.training_seats).sum(),
            order_training_share: policy.order_training_share,
            ordering: &ordering,
            settlement_months: (h.settlement_months_employed as f64
                * (1.0 - policy.citizenisation_months_cut))
                .round() as u32,
            settlement_rate: (h.settlement_rate_per_month
                * (1.0 + h.social_security_settlement_gain * policy.social_security_coverage))
                .clamp(0.0, 1.0),
        };
        let spells = spells_training_settlement(
            &ctx,
            used,
            &self.wage_index,
            &mut self.firms,
            &mut self.households,
        );
        // Charges in the order the budget has always booked them: top-ups, seats, orders.
        self.charge(ZONE, Cost::Talent, spells.talent_topups);
        self.counters.talent_subsidy += spells.talent_topups;
        self.charge(ZONE, Cost::VocationalTraining, used * cost);
        let order_fee = self.s.lever_costs.order_training_cny_per_trainee;
        for _ in 0..spells.ordered_courses {
            self.charge(ZONE, Cost::OrderTraining, order_fee);
        }
        self.counters.trained += spells.trained;
        self.departures(&rural);
        self.arrivals();
        let free = self.review_residences_now();
        let count = place_children(&mut self.households, free, &rural);
        self.social_security_and_perceived_income(count);
    }

    fn departures(&mut self, rural: &[bool]) {
        let h = &self.s.households;
        let retire = self.s.labour.retirement_rate_per_year / 12.0;
        let coverage_cut =
            1.0 - h.social_security_leave_cut * self.s.policy.social_security_coverage;
        let leavers = departures(
            h,
            retire,
            coverage_cut,
            rural,
            &self.streams,
            self.month,
            &mut self.households,
        );
        for w in leavers {
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

    /// Residence review after a change of job, or now and then; returns the school seats free
    /// for modelled children after it, counted in the same pass.
    pub(crate) fn review_residences_now(&mut self) -> Vec<f64> {
        let share = self.s.households.residence_review_share_per_month;
        let rural = self.rural_districts();
        let bg = self.s.households.background_children_per_resident;
        let seats: Vec<f64> = self
            .districts
            .iter()
            .map(|d| d.school_seats - d.background_residents * bg)
            .collect();
        let ctx = ResidenceContext::new(
            &self.s,
            &self.travel.minutes,
            &self.amenity_cache,
            &self.seats_cache,
            first_of_kind(&self.districts, DistrictKind::Rural),
            &self.streams,
            self.month,
        )
        .with_mid_wage(&self.s.housing, self.wage_index[1]);
        review_residences(
            &ctx,
            share,
            &rural,
            seats,
            &self.firms,
            &mut self.districts,
            &mut self.households,
        )
    }

    /// The settled migrants' social security (booked to the city budget) and the newcomers'
    /// perceived income, from the counts of the children's pass.
    fn social_security_and_perceived_income(&mut self, count: EarningsCount) {
        let social = count.settled_migrants
            * self.s.policy.social_security_coverage
            * self.s.government.social_security_cny_per_settled_month;
        self.accounts[CITY].accrued.social += social;
        self.costs.add(Cost::SocialSecurity, social);
        let market = LabourMarketSeen {
            hires: self.prev.hires,
            searchers: self.prev.searchers,
            low_wage_index: self.wage_index[0],
            outside_low_wage: self.outside_wage[0],
            initial_low_wage: self.s.labour.initial_wage_low_cny,
            delay_months: self.s.households.attractiveness_delay_months,
        };
        update_perceived_income(&market, &count, &mut self.pools);
    }

    fn arrivals(&mut self) {
        let rural = self.rural_districts();
        let ctx = ArrivalContext {
            households: &self.s.households,
            policy: &self.s.policy,
            rural: &rural,
            high_wage: self.wage_index[2],
            main_cluster: self.main_cluster,
            city: self.first_district_of(DistrictKind::City),
            streams: &self.streams,
            month: self.month,
        };
        let newcomers = draw_arrivals(&ctx, &mut self.pools);
        let grant = self.s.policy.talent_settling_grant_cny;
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
                self.charge(ZONE, Cost::Talent, grant);
            }
            let i = self.households.push(w);
            self.choose_residence(i, true);
            self.counters.arrivals += 1;
            if skill == 2 {
                self.counters.arrivals_high_skill += 1;
            }
        }
    }

    /// What households value in each district now ([`DistrictLife`]).
    pub(crate) fn district_life(&self) -> Vec<DistrictLife> {
        self.districts
            .iter()
            .map(|d| DistrictLife {
                background_residents: d.background_residents,
                school_seats: d.school_seats,
                hospital_beds: d.hospital_beds,
                commercial_floor: d.commercial_floor,
                pollution: d.pollution,
            })
            .collect()
    }

    /// Residence choice of household `i` on the state of the simulation ([`choose_residence`]).
    pub(crate) fn choose_residence(&mut self, i: usize, is_new: bool) {
        let ctx = ResidenceContext::new(
            &self.s,
            &self.travel.minutes,
            &self.amenity_cache,
            &self.seats_cache,
            first_of_kind(&self.districts, DistrictKind::Rural),
            &self.streams,
            self.month,
        )
        .with_mid_wage(&self.s.housing, self.wage_index[1]);
        choose_residence(
            &ctx,
            &self.firms,
            &mut self.districts,
            &mut self.households,
            i,
            is_new,
        );
    }

    /// Children live with the household where it lives if it is a rural home or a school seat is
    /// free (those already placed keep theirs); otherwise they are left behind in the village.
    pub(crate) fn place_children(&mut self) {
        let free = self.census().free_seats;
        let rural = self.rural_districts();
        place_children(&mut self.households, free, &rural);
    }
}

/// Settled migrants and the wages of the employed, counted in the pass that places children.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct EarningsCount {
    /// Settled households of rural origin (social security is paid for them).
    pub settled_migrants: f64,
    pub wage_sum: f64,
    pub employed: f64,
}

/// Children live with the household where it lives if it is a rural home or a school seat is
/// free (`free`: seats free for modelled children now; those already placed keep theirs);
/// otherwise they are left behind in the village. The same pass counts the settled migrants and
/// the wages of the employed (the order of the sums is the households' order).
pub(crate) fn place_children(
    hh: &mut Households,
    mut free: Vec<f64>,
    rural: &[bool],
) -> EarningsCount {
    let mut count = EarningsCount::default();
    for i in 0..hh.len() {
        if hh.settled[i] && hh.origin[i].is_migrant_like() {
            count.settled_migrants += 1.0;
        }
        if hh.is_employed(i) {
            count.wage_sum += hh.wage[i];
            count.employed += 1.0;
        }
        let children = hh.children[i];
        if children == 0 {
            continue;
        }
        let home = hh.home(i);
        let rural_home = rural[home];
        let with = if rural_home {
            hh.origin[i] != Origin::Migrant && hh.origin[i] != Origin::LocalUrban
        } else if hh.tenure[i] == Tenure::Dormitory {
            false
        } else if hh.children_with[i] {
            true
        } else if free[home] >= f64::from(children) {
            free[home] -= f64::from(children);
            true
        } else {
            false
        };
        if !with && hh.children_with[i] && !rural_home {
            free[home] += f64::from(children);
        }
        hh.children_with[i] = with;
    }
    count
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

#[cfg(test)]
mod tests {
    use super::census;
    use crate::model::Households;
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
            waiting: Default::default(),
        }
    }

    /// The reserve is shared by village homes: a second hinterland with half the homes of the
    /// first holds a third of it; with one hinterland, all of it (the baseline's number, exactly).
    #[test]
    fn the_rural_reserve_is_shared_by_village_homes() {
        use super::rural_reserve_by_district;
        use crate::model::world::District;
        let mut spec = crate::model::tests::baseline_spec();
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

    /// Three households on a hand-made world of two districts (0 a cluster zone, 1 rural) and one
    /// firm in district 0 that orders mid-skill courses.
    struct World {
        minutes: nalgebra::DMatrix<f64>,
        streams: crate::model::streams::Streams,
        ordering: [Vec<usize>; 3],
    }

    fn spell_context(w: &World, seats: f64, success: f64) -> super::SpellContext<'_> {
        super::SpellContext {
            streams: &w.streams,
            month: 5,
            is_cluster: &[true, false],
            rural: &[false, true],
            minutes: &w.minutes,
            nearest_cluster: &[0, 0],
            main_cluster: 0,
            max_commute_minutes: 60.0,
            talent_topup: 0.1,
            reservation_decay: 0.05,
            training_success: success,
            training_enrol: 1.0,
            training_months: 6,
            training_seats: seats,
            order_training_share: 0.0,
            ordering: &w.ordering,
            settlement_months: 12,
            settlement_rate: 1.0,
        }
    }

    fn world() -> World {
        World {
            minutes: nalgebra::DMatrix::from_row_slice(2, 2, &[5.0, 30.0, 30.0, 5.0]),
            streams: crate::model::streams::Streams::new(4),
            ordering: [vec![], vec![0], vec![]],
        }
    }

    /// Wages and spells move, a talent's top-up is owed, the unemployed enrol while seats last,
    /// a long-employed household settles and becomes an owner, and a course that ends with
    /// success (ordered by the firm) raises the skill and hires the trainee.
    #[test]
    fn spells_training_and_settlement_on_a_hand_made_world() {
        use super::spells_training_settlement;
        let w = world();
        let mut firms = vec![crate::model::tests::blank_firm(0)];
        firms[0].employees = [0, 0, 1];
        let mut hh = Households::default();
        let mut talent = household(0, 0, false);
        talent.skill = 2;
        talent.employer = 0;
        talent.months_employed = 30;
        hh.push(talent);
        let mut jobless = household(0, 0, false);
        jobless.reservation = 1000.0;
        hh.push(jobless);
        hh.push(jobless);
        let mut trainee = household(0, 0, false);
        trainee.training_left = 1;
        trainee.ordered_by = 0;
        hh.push(trainee);
        let wages = [3000.0, 4500.0, 8000.0];
        // One trainee now, two seats: one of the two unemployed gets the free seat.
        let out = spells_training_settlement(
            &spell_context(&w, 2.0, 1.0),
            1.0,
            &wages,
            &mut firms,
            &mut hh,
        );
        assert_eq!(hh.wage[0], 8000.0);
        assert_eq!(hh.months_employed[0], 31);
        assert!((out.talent_topups - 800.0).abs() < 1e-9);
        assert!(hh.settled[0] && hh.tenure[0] == Tenure::Owned);
        assert_eq!(hh.months_unemployed[1], 1);
        assert!((hh.reservation[1] - 950.0).abs() < 1e-9);
        assert_eq!(
            (hh.training_left[1], hh.training_left[2]),
            (6, 0),
            "the first unemployed takes the last seat"
        );
        assert_eq!(out.trained, 1);
        assert_eq!(
            (hh.skill[3], hh.employer[3]),
            (1, 0),
            "the trainee is hired up a skill"
        );
        assert_eq!(firms[0].employees, [0, 1, 1]);
        assert_eq!(out.ordered_courses, 0);
    }

    /// Nobody leaves at probability zero; everybody at certain retirement, and the leavers come
    /// back as rows from the last household to the first.
    #[test]
    fn departures_remove_the_leavers_and_return_them() {
        use super::departures;
        let spec = crate::scenario::load_builtin()
            .expect("baseline")
            .spec()
            .households
            .clone();
        let streams = crate::model::streams::Streams::new(1);
        let mut hh = Households::default();
        for key in 0..5 {
            let mut w = household(0, 0, false);
            w.key = key;
            w.employer = 0;
            hh.push(w);
        }
        let none = departures(&spec, 0.0, 1.0, &[false, true], &streams, 3, &mut hh);
        assert!(none.is_empty());
        assert_eq!(hh.len(), 5);
        let all = departures(&spec, 1.0, 1.0, &[false, true], &streams, 3, &mut hh);
        assert_eq!(
            all.iter().map(|w| w.key).collect::<Vec<_>>(),
            vec![4, 3, 2, 1, 0]
        );
        assert!(hh.is_empty());
    }

    /// The baseline's three districts (zone, city, rural) with hand-set housing: 40 minutes
    /// between zone and city, 60 to the villages.
    fn housing_world() -> (
        crate::scenario::ScenarioFile,
        Vec<crate::model::world::District>,
    ) {
        let spec = crate::model::tests::baseline_spec();
        let mut districts: Vec<crate::model::world::District> = spec
            .districts
            .iter()
            .map(|(id, d)| crate::model::world::District::from_spec(id, d))
            .collect();
        for d in &mut districts {
            d.housing = [0.0; Tenure::STOCKS];
            d.occupied = [0; Tenure::STOCKS];
            d.background_market_units = 0;
            d.market_rent = 800.0;
        }
        (spec, districts)
    }

    /// A zone worker living in the villages moves to a free market flat in the zone (its commute
    /// is costly), the occupancy follows; with the zone full it stays where it is.
    #[test]
    fn a_zone_worker_moves_next_to_the_job_while_flats_are_free() {
        use super::{ResidenceContext, choose_residence};
        let (spec, mut districts) = housing_world();
        let ids: Vec<&String> = spec.districts.keys().collect();
        let at = |id: &str| ids.iter().position(|k| *k == id).expect("district");
        let (zone, rural) = (at("zone"), at("rural"));
        let mut minutes = nalgebra::DMatrix::from_element(3, 3, 40.0);
        for d in 0..3 {
            minutes[(d, d)] = 5.0;
            minutes[(d, rural)] = 60.0;
            minutes[(rural, d)] = 60.0;
        }
        minutes[(rural, rural)] = 5.0;
        let streams = crate::model::streams::Streams::new(3);
        let mut policy = spec.policy.clone();
        policy.public_rental_eligibility = crate::scenario::PublicRentalEligibility::TalentsOnly;
        let ctx = ResidenceContext {
            households: &spec.households,
            housing: &spec.housing,
            policy: &policy,
            max_commute_minutes: 90.0,
            commute_value: 200.0,
            minutes: &minutes,
            amenity: &[0.0; 3],
            free_seats: &[0.0; 3],
            fallback_rural: rural,
            public_rental: super::PublicRentalRules::new(&spec.housing, 4000.0),
            streams: &streams,
            month: 1,
        };
        let firms = vec![crate::model::tests::blank_firm(zone)];
        let mut hh = Households::default();
        let mut w = household(rural as u16, 0, false);
        w.tenure = Tenure::RuralHome;
        w.employer = 0;
        w.origin = Origin::LocalRural;
        hh.push(w);
        districts[rural].housing[Tenure::RuralHome as usize] = 10.0;
        districts[rural].occupied[Tenure::RuralHome as usize] = 1;
        // The zone is full: nowhere better is free, the household stays.
        choose_residence(&ctx, &firms, &mut districts, &mut hh, 0, false);
        assert_eq!(hh.home(0), rural);
        // Ten flats free in the zone: 55 minutes less commuting at 200 CNY a minute outweighs
        // rent, moving cost and taste.
        districts[zone].housing[Tenure::Market as usize] = 10.0;
        choose_residence(&ctx, &firms, &mut districts, &mut hh, 0, false);
        assert_eq!((hh.home(0), hh.tenure[0]), (zone, Tenure::Market));
        assert_eq!(districts[zone].occupied[Tenure::Market as usize], 1);
        assert_eq!(districts[rural].occupied[Tenure::RuralHome as usize], 0);
        assert!(!hh.review_residence[0]);
    }

    /// A worker whose home lies beyond reach of its job (it moved for the job) cannot keep that
    /// home, however cheap: with nothing free within reach it stays and looks again next month;
    /// with a flat free in the zone it moves there. Without a job the same home is kept.
    #[test]
    fn a_worker_beyond_reach_of_its_job_moves_within_reach() {
        use super::{ResidenceContext, choose_residence};
        let (spec, mut districts) = housing_world();
        let ids: Vec<&String> = spec.districts.keys().collect();
        let at = |id: &str| ids.iter().position(|k| *k == id).expect("district");
        let (zone, rural) = (at("zone"), at("rural"));
        let mut minutes = nalgebra::DMatrix::from_element(3, 3, 40.0);
        for d in 0..3 {
            minutes[(d, d)] = 5.0;
            minutes[(d, rural)] = 70.0;
            minutes[(rural, d)] = 70.0;
        }
        minutes[(rural, rural)] = 5.0;
        let streams = crate::model::streams::Streams::new(3);
        let mut policy = spec.policy.clone();
        policy.public_rental_eligibility = crate::scenario::PublicRentalEligibility::TalentsOnly;
        // Commuting is cheap here: only the radius can make the village home go.
        let ctx = ResidenceContext {
            households: &spec.households,
            housing: &spec.housing,
            policy: &policy,
            max_commute_minutes: 60.0,
            commute_value: 1.0,
            minutes: &minutes,
            amenity: &[0.0; 3],
            free_seats: &[0.0; 3],
            fallback_rural: rural,
            public_rental: super::PublicRentalRules::new(&spec.housing, 4000.0),
            streams: &streams,
            month: 1,
        };
        let firms = vec![crate::model::tests::blank_firm(zone)];
        let mut hh = Households::default();
        let mut w = household(rural as u16, 0, false);
        w.tenure = Tenure::RuralHome;
        w.origin = Origin::LocalRural;
        hh.push(w);
        districts[rural].housing[Tenure::RuralHome as usize] = 10.0;
        districts[rural].occupied[Tenure::RuralHome as usize] = 1;
        districts[zone].housing[Tenure::Market as usize] = 10.0;
        // Without a job the village home stays (its anchor, the zone, is beyond reach).
        hh.employer[0] = NO_FIRM;
        choose_residence(&ctx, &firms, &mut districts, &mut hh, 0, false);
        assert_eq!(hh.home(0), rural);
        // Employed in the zone with the zone full: it stays and looks again next month.
        hh.employer[0] = 0;
        districts[zone].housing[Tenure::Market as usize] = 0.0;
        choose_residence(&ctx, &firms, &mut districts, &mut hh, 0, false);
        assert_eq!(hh.home(0), rural);
        assert!(hh.review_residence[0]);
        // A flat frees in the zone: it moves, though the village home costs nothing.
        districts[zone].housing[Tenure::Market as usize] = 10.0;
        choose_residence(&ctx, &firms, &mut districts, &mut hh, 0, false);
        assert_eq!((hh.home(0), hh.tenure[0]), (zone, Tenure::Market));
        assert!(!hh.review_residence[0]);
    }

    /// Public rental is let from the waiting list: with the zone's one unit let, an eligible
    /// talent whose best option is that unit applies and stays in its village; when the unit
    /// frees, the earliest applicant still eligible takes it, an owner leaves the list, and the
    /// later applicants keep waiting (the district counts them).
    #[test]
    fn public_rental_is_let_from_the_waiting_list_in_order_of_application() {
        use super::{ResidenceContext, allocate_public_rental, choose_residence};
        use crate::model::agents::Waiting;
        let (spec, mut districts) = housing_world();
        let ids: Vec<&String> = spec.districts.keys().collect();
        let at = |id: &str| ids.iter().position(|k| *k == id).expect("district");
        let (zone, rural) = (at("zone"), at("rural"));
        let mut minutes = nalgebra::DMatrix::from_element(3, 3, 40.0);
        for d in 0..3 {
            minutes[(d, d)] = 5.0;
        }
        let streams = crate::model::streams::Streams::new(3);
        let mut policy = spec.policy.clone();
        policy.public_rental_eligibility = crate::scenario::PublicRentalEligibility::AsAllocated;
        let ctx = ResidenceContext {
            households: &spec.households,
            housing: &spec.housing,
            policy: &policy,
            max_commute_minutes: 90.0,
            commute_value: 200.0,
            minutes: &minutes,
            amenity: &[0.0; 3],
            free_seats: &[0.0; 3],
            fallback_rural: rural,
            public_rental: super::PublicRentalRules::new(&spec.housing, 4000.0),
            streams: &streams,
            month: 5,
        };
        let firms = vec![crate::model::tests::blank_firm(zone)];
        let public = Tenure::PublicRental as usize;
        districts[zone].housing[public] = 1.0;
        districts[rural].housing[Tenure::RuralHome as usize] = 10.0;
        let mut hh = Households::default();
        // 0: the tenant of the zone's one unit.
        let mut tenant = household(zone as u16, 0, false);
        tenant.tenure = Tenure::PublicRental;
        tenant.skill = 2;
        hh.push(tenant);
        // 1, 2: low-income urban locals (out of work) who applied in months 3 and 2;
        // 3: an owner who applied in month 1 (no longer eligible).
        for (key, since, tenure) in [
            (1, 3, Tenure::Market),
            (2, 2, Tenure::Market),
            (3, 1, Tenure::Owned),
        ] {
            let mut w = household(rural as u16, 0, false);
            w.key = key;
            w.origin = Origin::LocalUrban;
            w.tenure = tenure;
            w.waiting = Waiting::new(since, zone);
            hh.push(w);
        }
        // 4: a talent working in the zone and living in a village an hour away.
        let mut talent = household(rural as u16, 0, false);
        talent.key = 4;
        talent.skill = 2;
        talent.employer = 0;
        talent.tenure = Tenure::RuralHome;
        hh.push(talent);
        districts[zone].occupied[public] = 1;
        districts[rural].occupied[Tenure::RuralHome as usize] = 1;
        districts[rural].occupied[Tenure::Market as usize] = 2;
        districts[rural].occupied[Tenure::Owned.stock()] += 1;

        choose_residence(&ctx, &firms, &mut districts, &mut hh, 4, false);
        assert_eq!(hh.home(4), rural, "nothing free: the talent stays");
        assert_eq!(hh.waiting[4], Waiting::new(5, zone), "and applies");

        allocate_public_rental(&ctx, &firms, &mut districts, &mut hh);
        assert_eq!(districts[zone].public_rental_waiting, 3);
        assert!(!hh.waiting[3].is_waiting(), "the owner leaves the list");

        // The tenant leaves: the earliest eligible applicant (month 2) moves in.
        districts[zone].occupied[public] = 0;
        allocate_public_rental(&ctx, &firms, &mut districts, &mut hh);
        assert_eq!((hh.home(2), hh.tenure[2]), (zone, Tenure::PublicRental));
        assert!(!hh.waiting[2].is_waiting());
        assert_eq!(districts[zone].occupied[public], 1);
        assert_eq!(districts[zone].public_rental_waiting, 2);
        assert!(hh.waiting[1].is_waiting() && hh.waiting[4].is_waiting());
    }

    /// A newcomer lives at its origin (villagers and migrants in the village nearest to where
    /// they come from, urban locals in the city as citizens), looks to the nearest zone for work,
    /// keeps a skill its source fixes, and asks the reservation share of its skill's wage.
    #[test]
    fn newcomers_start_where_they_come_from() {
        let spec = crate::model::tests::baseline_spec();
        let streams = crate::model::streams::Streams::new(2);
        let born = super::Newcomers {
            households: &spec.households,
            reservation_share: 0.5,
            wage_index: [3000.0, 4000.0, 8000.0],
            nearest_rural: &[2, 2, 2],
            nearest_cluster: &[0, 0, 0],
            city: 1,
            streams: &streams,
        };
        let migrant = born.household(Origin::Migrant, Some(2), 77, 0);
        assert_eq!((migrant.home(), migrant.tenure), (2, Tenure::RuralHome));
        assert_eq!((migrant.skill, migrant.anchor()), (2, 0));
        assert_eq!(migrant.reservation, 4000.0);
        assert!(!migrant.settled && migrant.review_residence);
        let local = born.household(Origin::LocalUrban, None, 78, 1);
        assert_eq!((local.home(), local.tenure), (1, Tenure::Market));
        assert!(local.settled);
        // The same key gives the same household: traits come from its own birth stream.
        let again = born.household(Origin::LocalUrban, None, 78, 1);
        assert_eq!((again.skill, again.children), (local.skill, local.children));
    }

    /// Nobody arrives from empty pools; a large migrant pool sends migrants of every skill, the
    /// villages' newcomers are taken from their reserve.
    #[test]
    fn arrivals_come_from_the_pools() {
        let spec = crate::model::tests::baseline_spec();
        let mut h = spec.households.clone();
        h.city_entrants_per_year = 0.0;
        let streams = crate::model::streams::Streams::new(5);
        let ctx = super::ArrivalContext {
            households: &h,
            policy: &spec.policy,
            rural: &[false, true],
            high_wage: 8000.0,
            main_cluster: 0,
            city: 0,
            streams: &streams,
            month: 4,
        };
        let mut pools = crate::model::Pools {
            rural_reserve: vec![0.0, 0.0],
            migrant_pool: 0.0,
            perceived_income: 1.0,
            job_finding_rate: 0.5,
            reference_income: 1.0,
        };
        assert!(super::draw_arrivals(&ctx, &mut pools).is_empty());
        pools.migrant_pool = 1e6;
        pools.rural_reserve[1] = 1e6;
        let newcomers = super::draw_arrivals(&ctx, &mut pools);
        let migrants: Vec<_> = newcomers
            .iter()
            .filter(|n| n.0 == Origin::Migrant)
            .collect();
        let villagers = newcomers
            .iter()
            .filter(|n| n.0 == Origin::LocalRural)
            .count();
        assert!(villagers > 0 && !migrants.is_empty(), "{newcomers:?}");
        for k in 0..3u8 {
            assert!(
                migrants.iter().any(|n| n.1 == Some(k)),
                "skill {k} among the migrants"
            );
        }
        assert!(
            newcomers
                .iter()
                .filter(|n| n.0 == Origin::LocalRural)
                .all(|n| n.3 == 1)
        );
        let grown = 1e6 * (1.0 + h.rural_reserve_growth_per_year / 12.0);
        assert_eq!(pools.rural_reserve[1], grown - villagers as f64);
    }

    /// The first month sets the reference; later months move the perceived income a
    /// delay-th of the way to what a newcomer would now expect.
    #[test]
    fn perceived_income_follows_the_market_with_a_delay() {
        use super::{EarningsCount, LabourMarketSeen, update_perceived_income};
        let mut pools = crate::model::Pools::default();
        let market = LabourMarketSeen {
            hires: 50.0,
            searchers: 100.0,
            low_wage_index: 3000.0,
            outside_low_wage: 3000.0,
            initial_low_wage: 3000.0,
            delay_months: 4.0,
        };
        let count = EarningsCount {
            settled_migrants: 0.0,
            wage_sum: 8000.0,
            employed: 2.0,
        };
        update_perceived_income(&market, &count, &mut pools);
        assert_eq!(pools.job_finding_rate, 0.5);
        assert_eq!(
            (pools.perceived_income, pools.reference_income),
            (2000.0, 2000.0)
        );
        let better = EarningsCount {
            wage_sum: 16000.0,
            ..count
        };
        update_perceived_income(&market, &better, &mut pools);
        assert_eq!(pools.perceived_income, 2000.0 + (4000.0 - 2000.0) / 4.0);
        assert_eq!(pools.reference_income, 2000.0);
    }

    #[test]
    fn the_census_counts_who_lives_where() {
        // District 0 urban, 1 rural; 100 and 10 background residents, 0.1 children each.
        let mut hh = Households::default();
        hh.push(household(0, 2, true)); // two children at school in district 0
        hh.push(household(0, 1, false)); // one child left behind: lives elsewhere
        hh.push(household(1, 3, true)); // rural: village school, no modelled seat
        let mut trainee = household(1, 0, false);
        trainee.training_left = 2;
        trainee.tenure = Tenure::RuralHome;
        hh.push(trainee);
        let c = census(&hh, &[100.0, 10.0], &[50.0, 5.0], &[false, true], 0.1);
        assert_eq!(c.residents, vec![100.0 + 3.0 + 1.0, 10.0 + 4.0 + 1.0]);
        assert_eq!(c.free_seats, vec![50.0 - 10.0 - 2.0, 5.0 - 1.0]);
        assert_eq!(c.in_training, vec![0.0, 1.0]);
        assert_eq!(c.occupied[0][Tenure::Market as usize], 2);
        assert_eq!(c.occupied[1][Tenure::Market as usize], 1);
        assert_eq!(c.occupied[1][Tenure::RuralHome as usize], 1);
    }
}

//! The simulation: state, initialisation and the fixed monthly schedule (MODEL.md §3).
//!
//! The model knows nothing of files, threads or plots: it takes a validated [`Scenario`] and a
//! seed, and hands back indicators month by month and firm microdata on request.

// Results must be the same bytes on every machine: no system maths library here (clippy.toml;
// use `detmath::DetMath`).
#![deny(clippy::disallowed_methods)]

pub mod agents;
pub mod background;
mod budget;
pub mod costs;
pub mod coupling;
pub mod detmath;
mod entry;
pub mod households;
pub mod indicators;
pub mod invariants;
mod labour;
mod markets;
mod people;
mod production;
pub mod public;
pub mod sampling;
mod stocks;
pub mod streams;
#[cfg(test)]
mod tests;
pub mod world;

use crate::scenario::{DistrictKind, Premises, Scenario, ScenarioFile};
use agents::{Firm, FirmStatus, Origin, Worker};
pub use budget::{CITY, ZONE};
use detmath::DetMath;
pub use households::Households;
use indicators::MonthRecord;
use people::rural_reserve_by_district;
use public::{Delivery, Government, GuaranteeFund};
use rand::Rng as _;
use streams::{Draw, Source, Stream, Streams, newcomer_key};
use world::{District, Economy, Tenure, Travel, nearest_of_kind};

/// A Poisson count from its own stream of `month` (`entity` names what is counted).
pub(crate) fn keyed_poisson(
    streams: &Streams,
    draw: Draw,
    entity: u64,
    month: u32,
    lambda: f64,
) -> u32 {
    if lambda <= 0.0 || !lambda.is_finite() {
        return 0;
    }
    let mut stream = streams.open(draw, entity, month);
    sampling::poisson(&mut stream, lambda).min(u64::from(u32::MAX)) as u32
}

/// Firm microdata as written to `firms.csv`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FirmRecord {
    pub id: u32,
    pub sector: String,
    pub district: String,
    pub status: &'static str,
    pub employees: u32,
    pub employees_low: u32,
    pub employees_mid: u32,
    pub employees_high: u32,
    /// Gross output, CNY per month.
    pub output: f64,
    /// Value added per worker, CNY per year.
    pub value_added_per_worker: f64,
    /// Firm productivity A (TFP, including innovation and shocks).
    pub productivity: f64,
    pub capital: f64,
    pub land_ha: f64,
    pub age_months: u32,
    pub anchor: bool,
    pub high_tech: bool,
    pub patents: u32,
    pub automation: f64,
    /// log Y − α·log K − Σβ·log(L+1): productivity as an econometrician would measure it
    /// (includes the agglomeration and infrastructure multiplier).
    pub measured_tfp: f64,
    /// Same-sector employment in the firm's district that its last production saw (the
    /// agglomeration measure; includes the firm itself).
    pub same_sector_employment: f64,
    /// The same without the firm's own workers as they were counted in it (for the agglomeration
    /// regression).
    pub others_same_sector_employment: f64,
    /// Profit of the last month, CNY.
    pub profit: f64,
    pub cash: f64,
    pub months_of_losses: u32,
}

/// Labour outside the zone's labour market, as SD stocks until people enter it.
#[derive(Debug, Clone, Default)]
pub struct Pools {
    /// Surplus rural labour per district (zero outside rural districts): each county's villages
    /// send their own people to the labour market.
    pub rural_reserve: Vec<f64>,
    pub migrant_pool: f64,
    /// Perceived expected income of a newcomer (job-finding rate × wage), exponentially smoothed.
    pub perceived_income: f64,
    pub job_finding_rate: f64,
    /// The perceived income of the first month: arrivals respond to its ratio to this level.
    pub reference_income: f64,
}

/// Markets: one per (sector, district) for district-scope sectors and one per sector for the
/// region-scope ones. Index with [`Simulation::market_of`].
#[derive(Debug, Clone, Default)]
pub struct Markets {
    pub price: Vec<f64>,
    pub supply: Vec<f64>,
    pub demand: Vec<f64>,
    pub external_base: Vec<f64>,
    pub shock: Vec<f64>,
    pub trend_level: f64,
    /// Technology level from exogenous TFP growth (1 at the start): cleaner production comes with it.
    pub technology: f64,
}

impl Markets {
    /// `count` markets at the 2015 price of 1 with nothing traded, trend and technology at 1.
    pub(crate) fn at_start(count: usize) -> Markets {
        Markets {
            price: vec![1.0; count],
            supply: vec![0.0; count],
            demand: vec![0.0; count],
            external_base: vec![0.0; count],
            shock: vec![0.0; count],
            trend_level: 1.0,
            technology: 1.0,
        }
    }
}

/// Aggregates of the previous month that this month's decisions read (so that agent order does
/// not matter beyond what the seed fixes).
#[derive(Debug, Clone, Default)]
pub struct Previous {
    /// Employment by [district][sector].
    pub employment: Vec<Vec<f64>>,
    /// Output by [district][sector].
    pub output: Vec<Vec<f64>>,
    /// Chain completeness by [district][sector].
    pub chain: Vec<Vec<f64>>,
    /// Workers employed in each district.
    pub district_workers: Vec<f64>,
    /// Unemployed searchers living in each district.
    pub district_unemployed: Vec<f64>,
    pub vacancies: [f64; 3],
    pub unemployed: [f64; 3],
    pub employed: [f64; 3],
    pub hires: f64,
    pub searchers: f64,
    /// Household consumption spent in each district.
    pub consumption: Vec<f64>,
    /// Value added outside the modelled firms, CNY a year (the city budget taxes it).
    pub background_va: f64,
}

/// Events counted during one month.
#[derive(Debug, Clone, Default)]
pub struct MonthCounters {
    pub entries: u32,
    pub exits: u32,
    pub prospects: u32,
    pub abandoned: u32,
    pub hires: u32,
    /// Hires that moved the worker within reach of a job beyond the commuting radius.
    pub relocations: u32,
    pub arrivals: u32,
    pub arrivals_high_skill: u32,
    /// Positions still open after this month's matching.
    pub unfilled_vacancies: u32,
    pub departures: u32,
    pub trained: u32,
    pub rd_subsidy: f64,
    pub interest_subsidy: f64,
    pub talent_subsidy: f64,
    pub land_reclaimed: f64,
    /// Investment firms wanted but could not finance (credit rationing), CNY.
    pub credit_gap: f64,
}

#[derive(Clone)]
pub struct Simulation {
    s: ScenarioFile,
    districts: Vec<District>,
    economy: Economy,
    travel: Travel,
    firms: Vec<Firm>,
    /// The worker households, in columns.
    households: Households,
    /// The zone account and the city budget ([`budget::ZONE`], [`budget::CITY`]).
    accounts: [Government; 2],
    costs: costs::PublicCosts,
    capital: costs::CapitalLedger,
    /// The district's economy outside the modelled firms.
    background: background::Background,
    fund: GuaranteeFund,
    pools: Pools,
    markets: Markets,
    wage_index: [f64; 3],
    outside_wage: [f64; 3],
    month: u32,
    /// Every random draw comes from a stream keyed by (seed, mechanism, entity, month).
    streams: Streams,
    pipeline: Vec<Delivery>,
    /// Idle land of closed plants, per district: (month it became idle, ha).
    idle_pool: Vec<Vec<(u32, f64)>>,
    prev: Previous,
    counters: MonthCounters,
    incubator_capital: f64,
    /// Capital the budget has paid into the guarantee fund so far (a larger fund set from a
    /// later month is topped up then).
    guarantee_capital_paid: f64,
    /// The cluster zone with the most 2015 employment: where the unemployed look for work first.
    main_cluster: usize,
    /// For each district, the cluster zone nearest to it (2015 minutes): the labour market a
    /// household from there looks to when it has no job.
    nearest_cluster: Vec<usize>,
    /// For each district, the rural district nearest to it: where its rural households' villages are.
    nearest_rural: Vec<usize>,
    amenity_cache: Vec<f64>,
    /// The households' census taken at the end of step 3, for step 7 (see
    /// `Simulation::recount_and_keep_census`).
    census_after_stocks: Option<people::Census>,
    seats_cache: Vec<f64>,
    peak_firms: usize,
    peak_workers: usize,
    /// The layout of the monthly records (`indicators::observe` follows it from month to month).
    record_layout: Option<std::sync::Arc<indicators::RecordLayout>>,
    next_firm_id: u32,
    year0: i32,
    month0: u32,
}

impl Simulation {
    /// Builds the 2015 initial state of a scenario. Random draws come only from `seed`.
    pub fn new(scenario: &Scenario, seed: u64) -> Simulation {
        let s = scenario.spec().clone();
        let (year0, month0) = crate::scenario::parse_year_month(&s.time.start).unwrap_or((2016, 1));
        let districts: Vec<District> = s
            .districts
            .iter()
            .map(|(id, d)| District::from_spec(id, d))
            .collect();
        let economy = Economy::from_spec(&s);
        let mut travel = Travel::from_spec(&s);
        travel.update(&districts);
        let nd = districts.len();
        let ns = economy.sectors.len();
        let wage_index = [
            s.labour.initial_wage_low_cny,
            s.labour.initial_wage_mid_cny,
            s.labour.initial_wage_high_cny,
        ];
        let mut sim = Simulation {
            accounts: [
                Government::new(s.government.initial_cash_cny, s.government.initial_debt_cny),
                Government::new(
                    s.city_budget.initial_cash_cny,
                    s.city_budget.initial_debt_cny,
                ),
            ],
            costs: costs::PublicCosts::default(),
            capital: costs::CapitalLedger::default(),
            background: background::Background::new(&s.background),
            fund: GuaranteeFund {
                leverage: s.policy.guarantee_leverage,
                ..GuaranteeFund::default()
            },
            pools: Pools {
                rural_reserve: rural_reserve_by_district(&s, &districts),
                migrant_pool: s.households.migrant_pool_workers,
                perceived_income: 0.0,
                job_finding_rate: 0.0,
                reference_income: 0.0,
            },
            markets: Markets::default(),
            wage_index,
            outside_wage: wage_index,
            month: 0,
            streams: Streams::new(seed),
            pipeline: Vec::new(),
            idle_pool: vec![Vec::new(); nd],
            prev: Previous {
                employment: vec![vec![0.0; ns]; nd],
                output: vec![vec![0.0; ns]; nd],
                chain: vec![vec![0.0; ns]; nd],
                district_workers: vec![0.0; nd],
                district_unemployed: vec![0.0; nd],
                consumption: vec![0.0; nd],
                ..Previous::default()
            },
            counters: MonthCounters::default(),
            incubator_capital: 0.0,
            guarantee_capital_paid: 0.0,
            main_cluster: 0,
            nearest_cluster: nearest_of_kind(&districts, &travel, DistrictKind::Cluster),
            nearest_rural: nearest_of_kind(&districts, &travel, DistrictKind::Rural),
            amenity_cache: vec![0.0; nd],
            census_after_stocks: None,
            seats_cache: vec![0.0; nd],
            peak_firms: 0,
            peak_workers: 0,
            record_layout: None,
            next_firm_id: 0,
            year0,
            month0,
            districts,
            economy,
            travel,
            firms: Vec::new(),
            households: Households::default(),
            s,
        };
        sim.initialise();
        sim
    }

    pub fn month(&self) -> u32 {
        self.month
    }
    pub fn months_total(&self) -> u32 {
        self.s.time.months
    }
    pub fn is_done(&self) -> bool {
        self.month >= self.s.time.months
    }
    pub fn firms(&self) -> &[Firm] {
        &self.firms
    }
    pub fn households(&self) -> &Households {
        &self.households
    }
    pub fn districts(&self) -> &[District] {
        &self.districts
    }
    pub fn economy(&self) -> &Economy {
        &self.economy
    }
    /// The zone account ([`budget::ZONE`]) or the city budget ([`budget::CITY`]).
    pub fn account(&self, account: usize) -> &Government {
        &self.accounts[account]
    }
    pub fn guarantee_fund(&self) -> &GuaranteeFund {
        &self.fund
    }
    pub fn peak_firms(&self) -> usize {
        self.peak_firms
    }
    pub fn peak_workers(&self) -> usize {
        self.peak_workers
    }
    /// Whether each district is rural (no school seats for modelled children, village homes).
    pub(crate) fn rural_districts(&self) -> Vec<bool> {
        self.districts
            .iter()
            .map(|d| d.kind == crate::scenario::DistrictKind::Rural)
            .collect()
    }

    /// Worker agents now.
    pub fn worker_count(&self) -> usize {
        self.households.len()
    }

    /// One month of the labour market alone (wages, separations, search and matching) on the
    /// current state, returning the number of searchers: for benchmarks of the submodel, which
    /// otherwise runs only inside [`Simulation::step`].
    #[doc(hidden)]
    pub fn labour_market_alone(&mut self) -> usize {
        self.labour_market();
        self.prev.searchers as usize
    }

    /// One pass of residence review (the households' monthly step from the review on) on the
    /// current state, returning the households: for the submodel's benchmark.
    #[doc(hidden)]
    pub fn residence_review_alone(&mut self) -> usize {
        self.refresh_residence_context();
        self.review_residences_now();
        self.households.len()
    }

    /// Production, accounts and investment of every firm (step 5) on the current state,
    /// returning the operating firms: for the submodel's benchmark.
    #[doc(hidden)]
    pub fn production_alone(&mut self) -> usize {
        self.production_and_investment();
        self.firms.iter().filter(|f| f.is_active()).count()
    }

    /// Firm entry (step 4) on the current state, returning the firms holding premises: for the
    /// submodel's benchmark.
    #[doc(hidden)]
    pub fn entry_alone(&mut self) -> usize {
        self.firm_entry();
        self.firms.iter().filter(|f| f.holds_premises()).count()
    }

    /// The flats and dormitory beds free this month, and their monthly cost in the terms of the
    /// residence choice (rent, the dormitory's disamenity, the moving cost), for workers who
    /// move to take a job beyond the commuting radius.
    fn rooms_for_work(&self) -> labour::RoomsForWork {
        let h = &self.s.households;
        let bed_cost = self.s.housing.dormitory_rent_cny_month - h.dormitory_amenity_cny;
        let (free, cost) = self
            .districts
            .iter()
            .map(|d| {
                if d.kind == DistrictKind::Rural {
                    ([0, 0], [0.0, 0.0])
                } else {
                    (
                        [
                            d.free_units(Tenure::Market.stock()),
                            d.free_units(Tenure::Dormitory.stock()),
                        ],
                        [
                            d.market_rent + h.moving_cost_cny,
                            bed_cost + h.moving_cost_cny,
                        ],
                    )
                }
            })
            .unzip();
        labour::RoomsForWork { free, cost }
    }

    /// Step 6 on the state it reads and writes (`labour::labour_market`).
    #[inline(never)]
    fn labour_market(&mut self) {
        let l = &self.s.labour;
        let services = self.s.policy.employment_service_cny_per_year
            / l.employment_service_reference_cny_per_year;
        let extra = l.employment_service_extra_samples * services / (1.0 + services);
        let cluster = self.main_cluster;
        let digital_q = self.infrastructure_quality(self.districts[cluster].digital, cluster);
        let is_cluster: Vec<bool> = (0..self.districts.len())
            .map(|d| self.is_cluster(d))
            .collect();
        let ctx = labour::LabourContext {
            labour: &self.s.labour,
            premium_step: self.s.firms.wage_premium_step,
            premium_decay: self.s.firms.wage_premium_decay_per_month,
            premium_cap: self.s.firms.wage_premium_max,
            talent_topup: self.s.policy.talent_salary_topup_share,
            samples: l.vacancies_sampled as f64 + extra + digital_q,
            is_cluster: &is_cluster,
            minutes: &self.travel.minutes,
            nearest_cluster: &self.nearest_cluster,
            outside_wage: self.outside_wage,
            rooms: l.relocate_for_work.then(|| self.rooms_for_work()),
            streams: &self.streams,
            month: self.month,
        };
        let tightness = labour::Tightness {
            vacancies: self.prev.vacancies,
            unemployed: self.prev.unemployed,
            employed: self.prev.employed,
        };
        let out = labour::labour_market(
            &ctx,
            &tightness,
            &mut self.wage_index,
            &mut self.firms,
            &mut self.households,
        );
        self.counters.unfilled_vacancies += out.unfilled_vacancies;
        self.counters.hires += out.hires;
        self.counters.relocations += out.relocations;
        self.prev.hires = f64::from(out.hires);
        self.prev.searchers = f64::from(out.searchers);
    }

    /// Label of the month about to be simulated (or last simulated, after the end), `YYYY-MM`.
    pub fn month_label(&self, month: u32) -> String {
        let total = self.month0 - 1 + month;
        format!(
            "{:04}-{:02}",
            self.year0 + (total / 12) as i32,
            total % 12 + 1
        )
    }

    /// Microdata of every firm that holds land or floor (prospects in approval and construction,
    /// operating and idle firms), in id order.
    pub fn firm_records(&self) -> Vec<FirmRecord> {
        self.firms
            .iter()
            .filter(|f| f.holds_premises())
            .map(|f| FirmRecord {
                id: f.id,
                sector: self.economy.sectors[f.sector].id.clone(),
                district: self.districts[f.district].id.clone(),
                status: f.status.as_str(),
                employees: f.workers(),
                employees_low: f.employees[0],
                employees_mid: f.employees[1],
                employees_high: f.employees[2],
                output: f.output,
                value_added_per_worker: if f.workers() > 0 {
                    f.value_added * 12.0 / f.workers() as f64
                } else {
                    0.0
                },
                productivity: f.tfp,
                capital: f.capital,
                land_ha: f.land_ha,
                age_months: f.age_months(self.month),
                anchor: f.anchor,
                high_tech: f.high_tech,
                patents: f.patents,
                automation: f.automation,
                measured_tfp: self.measured_tfp(f),
                same_sector_employment: f.output_cluster_employment,
                others_same_sector_employment: (f.output_cluster_employment
                    - f64::from(f.output_own_cluster_workers))
                .max(0.0),
                profit: f.profit,
                cash: f.cash,
                months_of_losses: f.loss_months,
            })
            .collect()
    }

    /// Employed workers by district of residence (rows) and district of their employer
    /// (columns): the commuting flows, in persons (one agent is one worker).
    pub fn commuting_flows(&self) -> nalgebra::DMatrix<f64> {
        let n = self.districts.len();
        let mut flows = nalgebra::DMatrix::zeros(n, n);
        let hh = &self.households;
        for i in 0..hh.len() {
            if hh.employer[i] != agents::NO_FIRM {
                flows[(hh.home(i), self.firms[hh.employer[i] as usize].district)] += 1.0;
            }
        }
        flows
    }

    /// Travel minutes between districts at the start (free-flow roads), the geometry a map of the
    /// region is drawn from.
    pub fn base_travel_minutes(&self) -> &nalgebra::DMatrix<f64> {
        &self.travel.base
    }

    /// Advances one month through the fixed schedule and returns its indicators.
    pub fn step(&mut self) -> MonthRecord {
        self.streams.set_month(self.month);
        self.counters = MonthCounters::default();
        self.apply_policy_changes();
        for gov in &mut self.accounts {
            gov.begin_month();
        }
        self.exogenous_drivers(); // 1
        self.government_budget(); // 2
        self.advance_stocks(); // 3
        self.firm_entry(); // 4
        self.production_and_investment(); // 5
        self.labour_market(); // 6: wages, separations, search and matching
        self.household_step(); // 7
        self.exit_and_land(); // 8
        let record = self.observe(); // 9
        #[cfg(debug_assertions)]
        if let Err(violation) = invariants::check(self) {
            panic!("{violation}");
        }
        self.peak_firms = self
            .peak_firms
            .max(self.firms.iter().filter(|f| f.holds_premises()).count());
        self.peak_workers = self.peak_workers.max(self.households.len());
        self.month += 1;
        record
    }

    /// A policy given with a start month takes effect at the start of that month (levers phased
    /// in by the scenario's `{ value, from }` entries).
    fn apply_policy_changes(&mut self) {
        let month = self.month;
        if let Some(change) = self.s.policy_schedule.iter().find(|c| c.month == month) {
            self.s.policy = change.policy.clone();
            self.fund.leverage = self.s.policy.guarantee_leverage;
        }
    }

    fn initialise(&mut self) {
        let nd = self.districts.len();
        let ns = self.economy.sectors.len();
        self.markets = Markets::at_start(ns * (nd + 1));
        // 1. Initial firms with their scale; 2015 same-sector employment ≈ Σ scale.
        let mut planned: Vec<(usize, usize, f64)> = Vec::new();
        let mut draws: Vec<Stream> = Vec::new();
        let sector_ids: Vec<String> = self.economy.sectors.iter().map(|x| x.id.clone()).collect();
        let district_ids: Vec<String> = self.districts.iter().map(|d| d.id.clone()).collect();
        for (si, sid) in sector_ids.iter().enumerate() {
            let initial = self.s.sectors[sid].initial_firms.clone();
            for (district, count) in &initial {
                let Some(di) = district_ids.iter().position(|d| d == district) else {
                    continue;
                };
                for _ in 0..*count {
                    let key = newcomer_key(Source::InitialFirm, 0, 0, planned.len() as u32);
                    let mut draw = self.streams.open(Draw::InitialFirm, key, 0);
                    let z = self.draw_scale(self.s.firms.size_min_workers, draw.unit());
                    planned.push((si, di, z));
                    draws.push(draw);
                }
            }
        }
        for &(si, di, z) in &planned {
            self.prev.employment[di][si] += z;
            self.prev.district_workers[di] += z;
        }
        self.main_cluster = (0..nd)
            .filter(|&d| self.is_cluster(d))
            .max_by(|&a, &b| {
                self.prev.district_workers[a]
                    .total_cmp(&self.prev.district_workers[b])
                    .then(b.cmp(&a))
            })
            .unwrap_or(0);
        // 2. Chain completeness from who is present, then productivity backed out so that a firm
        //    at its sector's average conditions employs `scale` workers at 2015 wages and prices.
        for si in 0..ns {
            for di in 0..nd {
                self.prev.output[di][si] = self.prev.employment[di][si];
            }
        }
        self.update_chain_completeness();
        for si in 0..ns {
            let (mut weight, mut m_sum, mut c_sum) = (0.0, 0.0, 0.0);
            for di in 0..nd {
                let e = self.prev.employment[di][si];
                if e > 0.0 {
                    weight += e;
                    m_sum += e * self.productivity_multiplier(si, di, 0.0);
                    c_sum += e * self.prev.chain[di][si];
                }
            }
            let (m, c) = if weight > 0.0 {
                (m_sum / weight, c_sum / weight)
            } else {
                (1.0, 0.0)
            };
            self.economy.sectors[si].base_tfp = self.calibrate_tfp(si, m, c);
        }
        // 3. Create the firms at their long-run optimum.
        let occupied_total: Vec<f64> = self.districts.iter().map(|d| d.land.occupied).collect();
        let mut land_scale_sum = vec![0.0; nd];
        for &(si, di, z) in &planned {
            if self.economy.sectors[si].premises == Premises::IndustrialLand {
                land_scale_sum[di] += z;
            }
        }
        for (i, &(si, di, z)) in planned.iter().enumerate() {
            let age = draws[i].index(self.s.firms.initial_age_max_months as usize) as u32;
            let key = newcomer_key(Source::InitialFirm, 0, 0, i as u32);
            let mut firm = self.new_firm(si, di, z, FirmStatus::Operating, key);
            firm.tfp *= self.own_size_correction(si, di, z);
            firm.born_month = -(age as i64);
            self.equip_at_optimum(&mut firm);
            match self.economy.sectors[si].premises {
                Premises::IndustrialLand => {
                    // The 2015 occupied land is divided among the 2015 firms by scale.
                    firm.land_ha = occupied_total[di] * z / land_scale_sum[di].max(1e-9);
                }
                Premises::CommercialFloor => {
                    let floor = z * self.economy.sectors[si].floor_per_worker;
                    firm.floor_rented = floor;
                    self.districts[di].commercial_floor_used += floor;
                }
            }
            firm.anchor = z >= self.s.firms.anchor_min_workers;
            self.firms.push(firm);
        }
        for d in 0..nd {
            let idle = self.districts[d].land.idle;
            if idle > 0.0 {
                self.idle_pool[d].push((0, idle));
            }
        }
        // 4. Workers filling the firms, plus the unemployed.
        self.create_initial_workers();
        // 5. Supply and demand at 2015 prices: demand from outside the modelled economy (other
        //    regions; background residents) is backed out so that every 2015 market clears at p = 1.
        self.update_previous_aggregates();
        self.compute_market_supply_demand();
        for m in 0..self.markets.price.len() {
            let gap = self.markets.supply[m] - self.markets.demand[m];
            self.markets.external_base[m] = gap.max(0.0);
        }
        // 6. A start without transients: market housing held by the background population, the
        //    projects already under way, and a fiscal history of ordinary months.
        self.settle_background_housing();
        self.seed_project_pipeline();
        let probe = self.probe_ordinary_month();
        self.seed_fiscal_history(&probe);
        self.seed_environment(&probe);
        self.fund.capital = 0.0;
        self.peak_firms = self.firms.len();
        self.peak_workers = self.households.len();
    }

    /// Market units beyond what modelled households occupy at the target occupancy are held by
    /// the district's background households: 2015 rents start in equilibrium.
    fn settle_background_housing(&mut self) {
        let target = self.s.housing.target_occupancy;
        for d in &mut self.districts {
            let units = d.housing[Tenure::Market as usize];
            let wanted = (units * target).floor() - f64::from(d.occupied[Tenure::Market as usize]);
            d.background_market_units = wanted.max(0.0) as u32;
        }
    }

    /// Projects in approval or construction at the start: the entry process of the months before
    /// 2016 at 2015 conditions, each project as far along as its founding month implies (the
    /// city's zones had 182 projects of ≥ 100 million CNY under way in 2014, MODEL.md §7).
    fn seed_project_pipeline(&mut self) {
        // History happened under the root scenario's policy, whatever the package changes later.
        let scenario_policy = self.s.policy.clone();
        if let Some(history) = self.s.history_policy.clone() {
            self.s.policy = history;
        }
        self.seed_projects_under_current_policy();
        self.s.policy = scenario_policy;
    }

    fn seed_projects_under_current_policy(&mut self) {
        let approval = self.s.policy.approval_months.ceil().max(0.0) as u32;
        let construction = self.s.entry.construction_months;
        let lead = approval + construction;
        let promotion = (1.0
            + self.s.policy.promotion_cny_per_year / self.s.entry.promotion_reference_cny_per_year)
            .dpow(self.s.entry.promotion_elasticity);
        let spread = self.s.government.land_revenue_spread_months.max(1.0);
        for lag in (1..=lead).rev() {
            for si in 0..self.economy.sectors.len() {
                let lambda = self.economy.sectors[si].prospects_per_year / 12.0 * promotion;
                let entity = (u64::from(lag) << 8) | si as u64;
                let n = self.poisson(Draw::InitialProject, entity, lambda);
                for rank in 0..n {
                    let key = newcomer_key(Source::InitialProject, lag, si as u32, rank);
                    let mut draws = self.streams.open(Draw::Prospect, key, 0);
                    let scale =
                        self.draw_scale(self.s.firms.entrant_size_min_workers, draws.unit());
                    let Some(di) = self.choose_location(si, scale, &mut draws) else {
                        continue;
                    };
                    // Projects abandoned in approval since then are not under way any more.
                    let survival = (1.0 - self.s.entry.approval_abandon_per_month)
                        .dpowi(lag.min(approval) as i32);
                    if self.is_cluster(di) && !draws.chance(survival) {
                        continue;
                    }
                    let account = self.account_of(di);
                    let paid_before = self.accounts[account].accrued.land_sales;
                    let fi = self.firms.len();
                    self.found_firm(si, di, scale, key);
                    // Land paid `lag` months ago: what the land fund has not yet paid out.
                    let gov = &mut self.accounts[account];
                    let paid = gov.accrued.land_sales - paid_before;
                    gov.accrued.land_sales = paid_before;
                    gov.land_fund += paid * (1.0 - 1.0 / spread).dpowi(lag as i32);
                    let firm = &mut self.firms[fi];
                    match firm.status {
                        FirmStatus::Approval if lag >= approval => {
                            firm.status = FirmStatus::Construction;
                            firm.status_months = lag - approval;
                        }
                        FirmStatus::Approval | FirmStatus::Construction => firm.status_months = lag,
                        _ => {}
                    }
                    if firm.status == FirmStatus::Construction && firm.status_months >= construction
                    {
                        firm.status_months = construction.saturating_sub(1);
                    }
                }
            }
        }
    }

    /// The 2015 state's production and accounts for one month, on a copy: what an ordinary
    /// month before the start looked like (random draws are keyed, so the copy takes none from
    /// the run).
    fn probe_ordinary_month(&self) -> Simulation {
        let mut probe = self.clone();
        for gov in &mut probe.accounts {
            gov.accrued = public::Accrued::default();
        }
        probe.production_and_investment();
        probe
    }

    /// Treatment capacity that removes the scenario's share of each district's 2015 emissions (at
    /// most all of them treated), and the pollution stock at the steady state of what is left (no
    /// switch-on years later).
    fn seed_environment(&mut self, probe: &Simulation) {
        let mut emissions = vec![0.0; self.districts.len()];
        for f in &probe.firms {
            if f.status == FirmStatus::Operating {
                emissions[f.district] += self.emissions_of(f);
            }
        }
        let decay = self.s.environment.decay_per_month.max(1e-9);
        let removal = self.s.environment.removal_share;
        for (d, e) in self.districts.iter_mut().zip(emissions) {
            let share = self.s.districts[&d.id].environment_treatment_share;
            d.env_capacity = (share / removal).min(1.0) * e;
            d.pollution = (e - removal * d.env_capacity) / decay;
        }
    }

    /// Revenue of the months before the start as an ordinary month of the 2015 state would bring
    /// (taxes and fees of the 2015 firms, transfers, the land fund's payout), so the debt rule
    /// and the first month's budget see a history, not an empty account.
    fn seed_fiscal_history(&mut self, probe: &Simulation) {
        let g = &self.s.government;
        let months = g.debt_rule_revenue_months.max(12) as usize;
        let transfers = [
            g.transfers_cny_per_year,
            self.s.city_budget.transfers_cny_per_year,
        ];
        let residents = self.residents();
        let rural: Vec<bool> = self
            .districts
            .iter()
            .map(|d| d.kind == crate::scenario::DistrictKind::Rural)
            .collect();
        self.prev.background_va = self
            .background
            .by_district(&residents, &rural)
            .iter()
            .map(|v| v.iter().sum::<f64>())
            .sum();
        let background_taxes = self.prev.background_va * self.s.background.tax_share / 12.0;
        for a in [ZONE, CITY] {
            let accrued = probe.accounts[a].accrued;
            let gov = &mut self.accounts[a];
            let land = gov.land_fund / g.land_revenue_spread_months.max(1.0);
            let background = if a == CITY { background_taxes } else { 0.0 };
            let monthly = accrued.taxes + accrued.fees + land + transfers[a] / 12.0 + background;
            gov.revenue_history = std::iter::repeat_n(monthly, months).collect();
            // The first month collects what the 2015 state accrued in December (revenue only:
            // the probe's subsidies include month 0's own January events).
            gov.accrued.taxes += accrued.taxes;
            gov.accrued.fees += accrued.fees;
        }
    }

    pub(crate) fn new_firm(
        &mut self,
        sector: usize,
        district: usize,
        scale: f64,
        status: FirmStatus,
        key: u64,
    ) -> Firm {
        self.firm_world()
            .new_firm(sector, district, scale, status, key)
    }

    fn create_initial_workers(&mut self) {
        let shares = [
            self.s.households.initial_origin_shares[0],
            self.s.households.initial_origin_shares[1],
            self.s.households.initial_origin_shares[2],
            self.s.households.initial_origin_shares[3],
        ];
        let origins = [
            Origin::LocalUrban,
            Origin::LocalRural,
            Origin::LandlessFarmer,
            Origin::Migrant,
        ];
        let mut idx = Vec::new();
        for fi in 0..self.firms.len() {
            let targets = self.labour_targets(fi);
            for (k, target) in targets.iter().enumerate() {
                let n = target.round().max(0.0) as u32;
                for _ in 0..n {
                    idx.push((fi, k));
                }
            }
        }
        let employed = idx.len() as f64;
        let u = self.s.labour.initial_unemployment_rate;
        let unemployed = (employed * u / (1.0 - u)).round() as usize;
        let origin_given_skill = |sim: &Self, k: usize, draw: f64| -> Origin {
            let w: Vec<f64> = origins
                .iter()
                .zip(shares)
                .map(|(o, share)| share * sim.skill_shares(*o)[k])
                .collect();
            let total: f64 = w.iter().sum();
            let mut acc = 0.0;
            for (i, wi) in w.iter().enumerate() {
                acc += wi / total;
                if draw < acc {
                    return origins[i];
                }
            }
            origins[3]
        };
        for (j, (fi, k)) in idx.into_iter().enumerate() {
            let key = newcomer_key(Source::InitialWorker, 0, 0, j as u32);
            let mut draw = self.streams.open(Draw::InitialWorker, key, 0);
            let origin = origin_given_skill(self, k, draw.unit());
            let mut w = self.new_worker(origin, Some(k as u8), key, self.firms[fi].district);
            w.employer = fi as u32;
            w.wage = self.firm_wage(&self.firms[fi], k);
            w.months_employed =
                draw.index(self.s.households.initial_months_employed_max as usize) as u16;
            self.firms[fi].employees[k] += 1;
            self.households.push(w);
        }
        for j in 0..unemployed {
            let key = newcomer_key(Source::InitialWorker, 0, 1, j as u32);
            let o = {
                let draw = self.streams.open(Draw::InitialWorker, key, 0).unit();
                let mut acc = 0.0;
                let mut chosen = origins[3];
                for (i, share) in shares.iter().enumerate() {
                    acc += share;
                    if draw < acc {
                        chosen = origins[i];
                        break;
                    }
                }
                chosen
            };
            let w = self.new_worker(o, None, key, self.main_cluster);
            self.households.push(w);
        }
        // Initial residence: every household chooses once, in random order.
        let mut order: Vec<usize> = (0..self.households.len()).collect();
        self.shuffle(&mut order, Draw::InitialOrder);
        for d in &mut self.districts {
            d.occupied = [0; Tenure::STOCKS];
        }
        self.refresh_residence_context();
        // Nobody holds a unit yet: every household's choice below is its first.
        for d in &mut self.districts {
            d.occupied = [0; Tenure::STOCKS];
        }
        for i in order {
            self.choose_residence(i, true);
        }
        let months_needed = self.s.households.settlement_months_employed;
        for i in 0..self.households.len() {
            // Urban locals are citizens already; others have settled if long employed and housed
            // in the city or zone (the monthly settlement rule, applied to the 2015 stock).
            let hh = &mut self.households;
            let housed = matches!(
                hh.tenure[i],
                Tenure::Market | Tenure::PublicRental | Tenure::Resettlement
            );
            hh.settled[i] = hh.origin[i] == Origin::LocalUrban
                || (u32::from(hh.months_employed[i]) >= months_needed && housed);
            if hh.settled[i] && hh.tenure[i] == Tenure::Market && hh.origin[i] != Origin::LocalUrban
            {
                hh.tenure[i] = Tenure::Owned;
            }
        }
        self.place_children();
    }

    pub(crate) fn skill_shares(&self, origin: Origin) -> [f64; 3] {
        people::skill_shares(&self.s.households, origin)
    }

    /// What a newcomer household is born with ([`people::Newcomers`]).
    pub(crate) fn newcomers(&self) -> people::Newcomers<'_> {
        people::Newcomers {
            households: &self.s.households,
            reservation_share: self.s.labour.reservation_wage_share_of_market,
            wage_index: self.wage_index,
            nearest_rural: &self.nearest_rural,
            nearest_cluster: &self.nearest_cluster,
            city: self.first_district_of(DistrictKind::City),
            streams: &self.streams,
        }
    }

    /// A new household agent ([`people::Newcomers::household`]).
    pub(crate) fn new_worker(
        &self,
        origin: Origin,
        skill: Option<u8>,
        key: u64,
        from: usize,
    ) -> Worker {
        self.newcomers().household(origin, skill, key, from)
    }

    pub(crate) fn first_district_of(&self, kind: crate::scenario::DistrictKind) -> usize {
        people::first_of_kind(&self.districts, kind)
    }

    /// Puts worker indices in a random order that depends only on each worker's key and the
    /// month: a household's place in the queue does not move when others join or leave it.
    pub(crate) fn shuffle(&self, items: &mut [usize], draw: Draw) {
        let month = self.month;
        items.sort_by_cached_key(|&i| {
            let key = self.households.key[i];
            (self.streams.open(draw, key, month).next_u64(), key)
        });
    }

    /// A Poisson count from its own stream (`entity` names what is counted).
    pub(crate) fn poisson(&self, draw: Draw, entity: u64, lambda: f64) -> u32 {
        keyed_poisson(&self.streams, draw, entity, self.month, lambda)
    }

    /// Pollution a firm emits in a month: its sector's units per million CNY of output, less as
    /// technology improves (`environment.intensity_technology_elasticity`).
    pub(crate) fn emissions_of(&self, f: &Firm) -> f64 {
        stocks::Emissions::new(
            &self.economy.sectors,
            self.markets.technology,
            self.s.environment.intensity_technology_elasticity,
        )
        .of(f)
    }

    pub(crate) fn is_cluster(&self, district: usize) -> bool {
        self.districts[district].kind == crate::scenario::DistrictKind::Cluster
    }
}

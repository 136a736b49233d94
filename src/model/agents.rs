//! The two agent types: firms and worker households. Plain data; behaviour lives in the submodels.

use super::world::Tenure;

/// Lifecycle of a firm. Prospects that have not chosen a district are not agents yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirmStatus {
    Approval,
    Construction,
    Operating,
    Idle,
    Exited,
}

impl FirmStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FirmStatus::Approval => "approval",
            FirmStatus::Construction => "construction",
            FirmStatus::Operating => "operating",
            FirmStatus::Idle => "idle",
            FirmStatus::Exited => "exited",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Firm {
    pub id: u32,
    /// Key of the firm's random streams ([`super::streams::newcomer_key`]): fixed by when and
    /// how the prospect arrived, not by how many firms came before it.
    pub key: u64,
    pub sector: usize,
    pub district: usize,
    pub status: FirmStatus,
    /// Months spent in the current status.
    pub status_months: u32,
    /// Month the firm started operating (negative: before the simulation).
    pub born_month: i64,
    /// Scale of the entrepreneur's idea (Lucas span of control): long-run workers at 2015 prices.
    pub scale: f64,
    /// Firm productivity A·z^(1−θ), moved by shocks, innovation and upgrading.
    pub tfp: f64,
    pub capital: f64,
    pub land_ha: f64,
    /// Floor rented in standard factories (industrial) or commercial buildings (services), m².
    pub floor_rented: f64,
    pub employees: [u32; 3],
    pub vacancies: [u32; 3],
    /// Probability this month that an employee of each skill is laid off.
    pub layoff_prob: [f64; 3],
    pub wage_premium: [f64; 3],
    pub automation: f64,
    pub cash: f64,
    pub debt: f64,
    pub guaranteed_debt: f64,
    pub patents: u32,
    pub high_tech: bool,
    pub anchor: bool,
    pub listed: bool,
    /// Equity raised from outside shareholders at listing, CNY: they are paid dividends on it.
    pub outside_equity: f64,
    pub stalled: bool,
    pub loss_months: u32,
    pub output: f64,
    /// Capital and workers that produced `output` (for productivity measurement).
    pub output_capital: f64,
    pub output_employees: [u32; 3],
    /// Same-sector employment in the district that the production of `output` saw.
    pub output_cluster_employment: f64,
    /// This firm's own workers inside `output_cluster_employment` (so the other firms' part of the
    /// cluster can be measured without mixing in this month's hires).
    pub output_own_cluster_workers: u32,
    /// Workers this firm contributed to last month's cluster aggregates (`Previous::employment`).
    pub counted_workers: u32,
    pub value_added: f64,
    pub profit: f64,
    pub rd_spend: f64,
    /// Output at which the firm's value added per unit equals its market's (its demand base; set
    /// at the optimum when it starts, so prices start at the market's).
    pub demand_base: f64,
    /// Effective R&D stock (CNY) and its reference at start-up: productivity moves with
    /// (stock / reference)^elasticity.
    pub rd_stock: f64,
    pub rd_reference: f64,
}

impl Firm {
    /// A firm with nothing yet: no capital, land, workers, money or history.
    pub fn new(id: u32, key: u64, sector: usize, district: usize, status: FirmStatus) -> Firm {
        Firm {
            id,
            key,
            sector,
            district,
            status,
            status_months: 0,
            born_month: 0,
            scale: 0.0,
            tfp: 0.0,
            capital: 0.0,
            land_ha: 0.0,
            floor_rented: 0.0,
            employees: [0; 3],
            vacancies: [0; 3],
            layoff_prob: [0.0; 3],
            wage_premium: [0.0; 3],
            automation: 0.0,
            cash: 0.0,
            debt: 0.0,
            guaranteed_debt: 0.0,
            patents: 0,
            high_tech: false,
            anchor: false,
            listed: false,
            outside_equity: 0.0,
            stalled: false,
            loss_months: 0,
            output: 0.0,
            output_capital: 0.0,
            output_employees: [0; 3],
            output_cluster_employment: 0.0,
            output_own_cluster_workers: 0,
            counted_workers: 0,
            value_added: 0.0,
            profit: 0.0,
            rd_spend: 0.0,
            demand_base: 0.0,
            rd_stock: 0.0,
            rd_reference: 0.0,
        }
    }

    pub fn age_months(&self, month: u32) -> u32 {
        (month as i64 - self.born_month).max(0) as u32
    }
    pub fn workers(&self) -> u32 {
        self.employees.iter().sum()
    }
    pub fn is_active(&self) -> bool {
        self.status == FirmStatus::Operating
    }
    /// Holding land or floor: everything between land purchase and exit.
    pub fn holds_premises(&self) -> bool {
        self.status != FirmStatus::Exited
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    LocalUrban,
    LocalRural,
    LandlessFarmer,
    Migrant,
}

impl Origin {
    /// Rural-origin people who are not yet citizens of the city (the 市民化 target group).
    pub fn is_migrant_like(self) -> bool {
        matches!(
            self,
            Origin::Migrant | Origin::LandlessFarmer | Origin::LocalRural
        )
    }
}

pub const NO_FIRM: u32 = u32::MAX;

#[derive(Debug, Clone, Copy)]
pub struct Worker {
    /// Key of the household's random streams ([`super::streams::newcomer_key`]).
    pub key: u64,
    pub skill: u8,
    pub origin: Origin,
    /// District index (u16, as `anchor`: the record stays at 56 bytes, see
    /// `tests::worker_record_is_compact`; scenarios have at most `MAX_DISTRICTS` districts).
    pub residence: u16,
    /// The cluster zone whose labour market the household looks to when it has no job: the one
    /// nearest to where it came from, then to where it last worked.
    pub anchor: u16,
    pub tenure: Tenure,
    pub employer: u32,
    pub wage: f64,
    pub reservation: f64,
    pub months_unemployed: u16,
    pub months_employed: u16,
    pub settled: bool,
    pub children: u8,
    pub children_with: bool,
    /// Months of training left (0 = not in training; a course lasts at most 60).
    pub training_left: u8,
    /// Firm that ordered the course (order-based training), or [`NO_FIRM`].
    pub ordered_by: u32,
    /// Set when something happened that makes the household reconsider where it lives.
    pub review_residence: bool,
    /// Its place on a public rental waiting list (轮候), if it applied and waits.
    pub waiting: Waiting,
}

/// A household's entry on a district's public rental waiting list: the month it applied and
/// the district, packed in 4 bytes (months below 2²⁴, districts below 256, as
/// `MAX_DISTRICTS` allows). Lists are served first come, first served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Waiting(u32);

impl Waiting {
    /// Not on any list.
    pub const NONE: Waiting = Waiting(0);

    /// Applied in `month` for a unit in `district`.
    pub fn new(month: u32, district: usize) -> Waiting {
        debug_assert!(district < 256 && month < (1 << 24) - 1);
        Waiting(((month + 1) << 8) | district as u32)
    }

    pub fn is_waiting(self) -> bool {
        self.0 != 0
    }

    /// The month of application (meaningful only while waiting).
    pub fn since(self) -> u32 {
        (self.0 >> 8).saturating_sub(1)
    }

    /// The district whose list it is on (meaningful only while waiting).
    pub fn district(self) -> usize {
        (self.0 & 0xff) as usize
    }
}

impl Worker {
    /// The district the household lives in.
    #[inline]
    pub fn home(&self) -> usize {
        self.residence as usize
    }
    /// The cluster zone the household looks to for work when it has none.
    #[inline]
    pub fn anchor(&self) -> usize {
        self.anchor as usize
    }
    pub fn is_employed(&self) -> bool {
        self.employer != NO_FIRM
    }
    pub fn in_training(&self) -> bool {
        self.training_left > 0
    }
}

#[cfg(test)]
mod tests {
    /// Every monthly pass streams the workers: each byte of the record costs time at scale.
    #[test]
    fn worker_record_is_compact() {
        assert!(std::mem::size_of::<super::Worker>() <= 56);
    }

    #[test]
    fn a_waiting_entry_keeps_its_month_and_district() {
        use super::Waiting;
        assert!(!Waiting::NONE.is_waiting());
        let w = Waiting::new(0, 0);
        assert!(w.is_waiting() && w.since() == 0 && w.district() == 0);
        let w = Waiting::new(250, 254);
        assert_eq!((w.since(), w.district()), (250, 254));
    }
}

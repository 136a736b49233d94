//! A public account (cash, debt by instrument, PPP obligations; the zone's and the city's) and the credit-guarantee fund.
//! Every change of cash goes through [`Government::receive`], [`Government::spend`],
//! [`Government::borrow`] or [`Government::repay`], so the monthly cash identity can be checked.

use super::detmath::DetMath;
use std::collections::VecDeque;

/// What government cash did this month.
#[derive(Debug, Clone, Copy, Default)]
pub struct Flows {
    pub cash_start: f64,
    pub revenue: f64,
    pub expenditure: f64,
    pub borrowing: f64,
    pub repayment: f64,
    pub capital_spending: f64,
    pub capital_cut: f64,
    pub capital_planned: f64,
    /// Surplus spent on public services outside the model's scope.
    pub other_spending: f64,
    pub land_revenue: f64,
}

/// Revenue and spending incurred during a month, settled in cash at the start of the next.
#[derive(Debug, Clone, Copy, Default)]
pub struct Accrued {
    pub taxes: f64,
    pub land_sales: f64,
    pub fees: f64,
    pub subsidies: f64,
    pub social: f64,
}

#[derive(Debug, Clone, Copy)]
pub struct PppContract {
    pub monthly_payment: f64,
    pub months_left: u32,
}

#[derive(Debug, Clone)]
pub struct Government {
    pub cash: f64,
    pub debt_platform: f64,
    pub debt_bonds: f64,
    pub debt_insurance: f64,
    pub ppp: Vec<PppContract>,
    pub accrued: Accrued,
    pub flows: Flows,
    /// Monthly revenue of the last months (as many as the debt rule averages over).
    pub revenue_history: VecDeque<f64>,
    pub expenditure_history: VecDeque<f64>,
    /// Land-sale receipts not yet paid into the budget (a land fund, not cash).
    pub land_fund: f64,
    pub bond_quota_left: f64,
    pub insurance_left: f64,
    /// What is left of this year's new-debt quota (新增债务限额): government bonds the account may
    /// issue for its capital plan, accruing monthly as a share of its revenue, lapsing in January.
    pub new_debt_quota_left: f64,
    /// Revenue of the account's first year (CNY): what its capital plan's growth is measured
    /// from (0 until the first year is over).
    pub first_year_revenue: f64,
}

impl Government {
    pub fn new(cash: f64, debt: f64) -> Self {
        Government {
            cash,
            debt_platform: debt,
            debt_bonds: 0.0,
            debt_insurance: 0.0,
            ppp: Vec::new(),
            accrued: Accrued::default(),
            flows: Flows::default(),
            revenue_history: VecDeque::new(),
            expenditure_history: VecDeque::new(),
            land_fund: 0.0,
            bond_quota_left: 0.0,
            insurance_left: 0.0,
            new_debt_quota_left: 0.0,
            first_year_revenue: 0.0,
        }
    }

    pub fn debt(&self) -> f64 {
        self.debt_platform + self.debt_bonds + self.debt_insurance
    }

    /// Remaining availability payments owed to PPP partners (undiscounted).
    pub fn ppp_obligations(&self) -> f64 {
        self.ppp
            .iter()
            .map(|c| c.monthly_payment * c.months_left as f64)
            .sum()
    }

    /// Revenue over the last 12 months (annualised while fewer months are known).
    pub fn annual_revenue(&self) -> f64 {
        self.average_annual_revenue(12)
    }

    /// Average yearly revenue over the last `months` months (annualised while fewer are known):
    /// what the debt rule reads.
    pub fn average_annual_revenue(&self, months: usize) -> f64 {
        let n = self.revenue_history.len();
        let last = self.revenue_history.range(n.saturating_sub(months)..);
        let count = last.len();
        if count == 0 {
            return 0.0;
        }
        last.sum::<f64>() * 12.0 / count as f64
    }

    /// Expenditure over the last 12 months (annualised while fewer months are known).
    pub fn annual_expenditure(&self) -> f64 {
        trailing_year(&self.expenditure_history)
    }

    /// Records this month's expenditure (called once the month's spending is done).
    pub fn close_month(&mut self) {
        self.expenditure_history.push_back(self.flows.expenditure);
        if self.expenditure_history.len() > 12 {
            self.expenditure_history.pop_front();
        }
    }

    pub fn begin_month(&mut self) {
        self.flows = Flows {
            cash_start: self.cash,
            ..Flows::default()
        };
    }

    pub fn receive(&mut self, amount: f64) {
        self.cash += amount;
        self.flows.revenue += amount;
    }

    pub fn spend(&mut self, amount: f64) {
        self.cash -= amount;
        self.flows.expenditure += amount;
    }

    pub fn borrow(&mut self, amount: f64) {
        self.cash += amount;
        self.flows.borrowing += amount;
    }

    pub fn repay(&mut self, amount: f64) {
        self.cash -= amount;
        self.flows.repayment += amount;
    }

    /// Borrow `need` yuan: special bonds first, then insurance capital, then platform debt up to
    /// `platform_room`; returns what could not be borrowed within the limit.
    pub fn finance(&mut self, need: f64, platform_room: f64) -> f64 {
        let mut need = need.max(0.0);
        let bonds = need.min(self.bond_quota_left);
        self.bond_quota_left -= bonds;
        self.debt_bonds += bonds;
        need -= bonds;
        let insurance = need.min(self.insurance_left);
        self.insurance_left -= insurance;
        self.debt_insurance += insurance;
        need -= insurance;
        let platform = need.min(platform_room.max(0.0));
        self.debt_platform += platform;
        need -= platform;
        self.borrow(bonds + insurance + platform);
        need
    }

    /// Issue government bonds under this year's new-debt quota for up to `need` yuan of capital
    /// spending, within `room` under the debt limit; returns what was borrowed.
    pub fn borrow_under_quota(&mut self, need: f64, room: f64) -> f64 {
        let x = need.min(self.new_debt_quota_left).min(room).max(0.0);
        self.new_debt_quota_left -= x;
        self.debt_bonds += x;
        self.borrow(x);
        x
    }

    /// Mandatory spending beyond every limit is still paid, by platform debt (arrears become debt).
    pub fn finance_beyond_limit(&mut self, need: f64) {
        if need > 0.0 {
            self.debt_platform += need;
            self.borrow(need);
        }
    }

    /// Pays this month's PPP availability payments and ages the contracts.
    pub fn ppp_payments_due(&mut self) -> f64 {
        let mut due = 0.0;
        for c in &mut self.ppp {
            if c.months_left > 0 {
                due += c.monthly_payment;
                c.months_left -= 1;
            }
        }
        self.ppp.retain(|c| c.months_left > 0);
        due
    }

    /// The monthly cash identity: cash = start + revenue − expenditure + borrowing − repayment.
    pub fn cash_identity_gap(&self) -> f64 {
        let f = &self.flows;
        self.cash - (f.cash_start + f.revenue - f.expenditure + f.borrowing - f.repayment)
    }
}

fn trailing_year(history: &VecDeque<f64>) -> f64 {
    if history.is_empty() {
        return 0.0;
    }
    history.iter().sum::<f64>() * 12.0 / history.len() as f64
}

/// Monthly annuity payment for `principal` over `years` at `rate` per year.
pub fn annuity_monthly(principal: f64, rate_per_year: f64, years: f64) -> f64 {
    let n = (years * 12.0).max(1.0);
    let r = rate_per_year / 12.0;
    if r <= 0.0 {
        principal / n
    } else {
        principal * r / (1.0 - (1.0 + r).dpow(-n))
    }
}

/// The credit-guarantee company (R2.5, R3.1): backs loans banks refuse, up to a multiple of its
/// capital, and loses capital when guaranteed borrowers default.
#[derive(Debug, Clone, Default)]
pub struct GuaranteeFund {
    pub capital: f64,
    pub outstanding: f64,
    pub leverage: f64,
    pub cumulative_losses: f64,
    /// Capital the government had to inject because losses exceeded it.
    pub cumulative_topups: f64,
}

impl GuaranteeFund {
    pub fn room(&self) -> f64 {
        (self.capital * self.leverage - self.outstanding).max(0.0)
    }

    /// Books a default: returns the government top-up needed to keep capital at zero or above.
    pub fn default_loss(&mut self, guaranteed: f64, recovery: f64) -> f64 {
        self.outstanding = (self.outstanding - guaranteed).max(0.0);
        let loss = guaranteed * (1.0 - recovery);
        self.cumulative_losses += loss;
        self.capital -= loss;
        if self.capital < 0.0 {
            let topup = -self.capital;
            self.capital = 0.0;
            self.cumulative_topups += topup;
            topup
        } else {
            0.0
        }
    }
}

/// Public capital under construction, delivered to a district's stock when done.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Asset {
    Roads,
    Utilities,
    Environment,
    Logistics,
    Digital,
    Innovation,
    TrainingSeats,
    SchoolSeats,
    HospitalBeds,
    CommercialFloor,
    FactoryFloor,
    PublicRental,
    Resettlement,
    MarketHousing,
}

#[derive(Debug, Clone, Copy)]
pub struct Delivery {
    pub month: u32,
    pub district: usize,
    pub asset: Asset,
    /// In the asset's own unit: CNY of capital, seats, beds, m², units.
    pub amount: f64,
}

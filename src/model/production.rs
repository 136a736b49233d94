//! Firms: production with agglomeration and chain completeness, accounts and taxes, labour demand,
//! investment under a credit constraint, technical upgrading, R&D and innovation; idling, exit and
//! the land rules (MODEL.md §4 "Production", "Investment and finance", "Innovation", "Land").

use super::agents::Firm;
use super::agents::{FirmStatus, NO_FIRM};
use super::budget::{CITY, ZONE};
use super::costs::Cost;
use super::costs::PublicCosts;
use super::detmath::DetMath;
use super::public::{Government, GuaranteeFund};
use super::sampling;
use super::streams::Draw;
use super::streams::Streams;
use super::world::Land;
use super::world::{District, Economy, Travel};
use super::{Households, Markets, MonthCounters, Previous, Simulation};
use crate::scenario::ScenarioFile;
use crate::scenario::{Premises, SectorGroup};

/// What a firm's decisions read of the world: the scenario, the economy, the districts' stocks,
/// last month's aggregates, the markets and the wage index. A read-only view of the state, so
/// that production, entry, exit and the initial state compute a firm's productivity, prices,
/// targets and optimum from explicit inputs.
#[derive(Clone, Copy)]
pub(crate) struct FirmConditions<'a> {
    pub s: &'a ScenarioFile,
    pub economy: &'a Economy,
    pub districts: &'a [District],
    pub prev: &'a Previous,
    pub markets: &'a Markets,
    pub wage_index: &'a [f64; 3],
}

impl FirmConditions<'_> {
    /// Agglomeration (same-sector employment of *other* firms in the district, last month) times
    /// infrastructure: M = ((E − own + 1)/E_ref)^γ · Π(1 + gₖ qₖ). External economies come from
    /// the neighbours (as the literature estimates them), not from the firm's own size.
    pub(crate) fn productivity_multiplier(&self, si: usize, di: usize, own: f64) -> f64 {
        self.agglomeration_multiplier(si, di, own) * self.infrastructure_multiplier(di)
    }

    pub(crate) fn agglomeration_multiplier(&self, si: usize, di: usize, own: f64) -> f64 {
        let f = &self.s.firms;
        let others = (self.prev.employment[di][si] - own).max(0.0);
        ((others + 1.0) / f.agglomeration_reference_workers).dpow(f.agglomeration_elasticity)
    }

    /// Productivity factor that puts a 2015 firm of `own` workers at the optimum its sector's
    /// calibration assumed, although it does not count itself among its neighbours.
    pub(crate) fn own_size_correction(&self, si: usize, di: usize, own: f64) -> f64 {
        self.agglomeration_multiplier(si, di, 0.0) / self.agglomeration_multiplier(si, di, own)
    }

    /// Quality of a capital stock for the district's workers: q = K / (K + h·workers) ∈ [0, 1).
    pub(crate) fn infrastructure_quality(&self, capital: f64, di: usize) -> f64 {
        let h = self.s.firms.infrastructure_half_saturation_cny_per_worker;
        let workers = self.prev.district_workers[di].max(1.0);
        capital / (capital + h * workers)
    }

    pub(crate) fn infrastructure_multiplier(&self, di: usize) -> f64 {
        let f = &self.s.firms;
        let d = &self.districts[di];
        (1.0 + f.logistics_productivity_gain * self.infrastructure_quality(d.logistics, di))
            * (1.0 + f.digital_productivity_gain * self.infrastructure_quality(d.digital, di))
            * (1.0 + f.utility_productivity_gain * self.infrastructure_quality(d.utilities, di))
    }

    /// Price net of intermediate inputs: inputs bought inside a complete chain are cheaper.
    pub(crate) fn net_price(&self, si: usize, di: usize, price: f64) -> f64 {
        let sector = &self.economy.sectors[si];
        let chain = self.prev.chain[di][si];
        price - sector.input_share * (1.0 - self.s.firms.local_input_cost_saving * chain)
    }

    /// Automation moves that share of the low-skill elasticity to capital: machines do the work,
    /// returns to scale stay the same.
    pub(crate) fn effective_betas(&self, si: usize, automation: f64) -> [f64; 3] {
        let b = self.economy.sectors[si].beta;
        [b[0] * (1.0 - automation), b[1], b[2]]
    }

    /// Productivity as measured from output and inputs (see `FirmRecord::measured_tfp`).
    pub(crate) fn measured_tfp(&self, firm: &super::agents::Firm) -> f64 {
        if firm.output <= 0.0 || firm.output_capital <= 0.0 {
            return f64::NAN;
        }
        let beta = self.effective_betas(firm.sector, firm.automation);
        let alpha = self.effective_alpha(firm.sector, firm.automation);
        let mut v = firm.output.dln() - alpha * firm.output_capital.max(1.0).dln();
        for k in 0..3 {
            v -= beta[k]
                * (firm.output_employees[k] as f64 + self.s.firms.labour_offset_workers).dln();
        }
        v
    }

    pub(crate) fn effective_alpha(&self, si: usize, automation: f64) -> f64 {
        let s = &self.economy.sectors[si];
        s.alpha + s.beta[0] * automation
    }

    /// Backs out the productivity constant of a sector so that a firm of the calibration scale,
    /// at the sector's average multiplier `m` and chain completeness `c`, is at its long-run
    /// optimum with that many workers at 2015 wages and a price of 1.
    pub(crate) fn calibrate_tfp(&self, si: usize, m: f64, c: f64) -> f64 {
        let sector = &self.economy.sectors[si];
        let z = self.s.firms.calibration_scale_workers;
        let p_net = (1.0 - sector.input_share * (1.0 - self.s.firms.local_input_cost_saving * c))
            .max(self.s.firms.net_price_floor);
        let beta = sector.beta;
        let rho = self.marginal_revenue_share();
        let inv: f64 = (0..3).map(|k| beta[k] / self.wage_index[k]).sum();
        // Σ_k (ρ·β_k·p·Y/w_k − 1) = z: the three skills' +1 offsets add up to 3.
        let offsets = 3.0 * self.s.firms.labour_offset_workers;
        let y = (z + offsets) / (rho * p_net * inv);
        let rate = self.loan_rate();
        let u = (rate + self.s.firms.capital_depreciation_per_year) / 12.0;
        let k = rho * sector.alpha * p_net * y / u;
        let mut denom = m * k.dpow(sector.alpha);
        for j in 0..3 {
            denom *= (rho * beta[j] * p_net * y / self.wage_index[j]).dpow(beta[j]);
        }
        let theta = sector.alpha + sector.labour_elasticity();
        y / denom / z.dpow(1.0 - theta)
    }

    /// Gives a firm the capital of its long-run optimum for its scale (initial firms, entrants).
    pub(crate) fn equip_at_optimum(&self, firm: &mut super::agents::Firm) {
        let si = firm.sector;
        let sector = &self.economy.sectors[si];
        let p = self.markets.price[self.market_of(si, firm.district)];
        let p_net = self
            .net_price(si, firm.district, p)
            .max(self.s.firms.net_price_floor);
        let inv: f64 = (0..3)
            .map(|k| sector.beta[k] / self.firm_wage(firm, k))
            .sum();
        let rho = self.marginal_revenue_share();
        let offsets = 3.0 * self.s.firms.labour_offset_workers;
        let y = (firm.scale + offsets) / (rho * p_net * inv);
        firm.capital = rho * sector.alpha * p_net * y / self.user_cost(firm);
        firm.output = y;
        firm.demand_base = y;
        firm.cash = y * self.s.firms.initial_cash_months_of_revenue;
        // R&D stock at the steady state of the firm's start-up spending (its reference), with the
        // high-skill share its optimum implies (it has no workers yet).
        let quality =
            self.infrastructure_quality(self.districts[firm.district].innovation, firm.district);
        let weights: Vec<f64> = (0..3)
            .map(|k| sector.beta[k] / self.firm_wage(firm, k))
            .collect();
        let high_share = weights[2] / weights.iter().sum::<f64>().max(1e-12);
        let monthly = sector.rd_share * p * y * self.rd_effectiveness(high_share, quality);
        let stock = monthly / (self.s.firms.rd_depreciation_per_year / 12.0);
        firm.rd_stock = stock;
        firm.rd_reference = stock;
    }

    /// ρ = 1 − 1/σ: marginal revenue per unit of value added under monopolistic competition.
    pub(crate) fn marginal_revenue_share(&self) -> f64 {
        1.0 - 1.0 / self.s.firms.demand_elasticity
    }

    /// How much effective R&D a yuan buys: more with high-skill workers and a better innovation
    /// platform (R1.3, R2.5).
    pub(crate) fn rd_effectiveness(&self, high_share: f64, platform_quality: f64) -> f64 {
        let fp = &self.s.firms;
        (1.0 + fp.high_skill_innovation_gain * high_share)
            * (1.0 + fp.platform_innovation_gain * platform_quality)
    }

    /// Productivity from the firm's R&D stock relative to its start-up reference.
    pub(crate) fn rd_productivity(&self, firm: &super::agents::Firm) -> f64 {
        if firm.rd_reference > 0.0 && firm.rd_stock > 0.0 {
            (firm.rd_stock / firm.rd_reference).dpow(self.s.firms.rd_stock_elasticity)
        } else {
            1.0
        }
    }

    /// Value added per unit of a firm's output: its market's net price moved along the firm's
    /// own demand curve, p_net·(y / demand base)^(−1/σ).
    pub(crate) fn firm_net_price(&self, firm: &super::agents::Firm, y: f64) -> f64 {
        let p = self.markets.price[self.market_of(firm.sector, firm.district)];
        let p_net = self.net_price(firm.sector, firm.district, p);
        if p_net <= 0.0 || firm.demand_base <= 0.0 || y <= 0.0 {
            return p_net;
        }
        p_net * (y / firm.demand_base).dpow(-1.0 / self.s.firms.demand_elasticity)
    }

    /// Short-run labour demand by skill at the firm's capital and wages, along its demand curve
    /// (value added p_net·b^(1/σ)·y^ρ with ρ = 1 − 1/σ):
    /// Y* = [T·M·K^α·Π(ρβₖp_net·b^(1/σ)/wₖ)^βₖ]^(1/(1−ρΣβ)), Lₖ = ρβₖ·p_net·b^(1/σ)·Y*^ρ/wₖ − 1.
    pub(crate) fn labour_targets(&self, firm: &Firm) -> [f64; 3] {
        let si = firm.sector;
        let p = self.markets.price[self.market_of(si, firm.district)];
        let p_net = self.net_price(si, firm.district, p);
        if p_net <= 0.0 {
            return [0.0; 3];
        }
        let beta = self.effective_betas(si, firm.automation);
        let b: f64 = beta.iter().sum();
        let m = self.productivity_multiplier(si, firm.district, f64::from(firm.counted_workers));
        let rho = self.marginal_revenue_share();
        let demand = firm
            .demand_base
            .max(1.0)
            .dpow(1.0 / self.s.firms.demand_elasticity);
        let value = rho * p_net * demand;
        let mut base = firm.tfp
            * self.rd_productivity(firm)
            * m
            * firm
                .capital
                .max(1.0)
                .dpow(self.effective_alpha(si, firm.automation));
        let wages: [f64; 3] = std::array::from_fn(|k| self.firm_wage(firm, k));
        for k in 0..3 {
            base *= (beta[k] * value / wages[k]).dpow(beta[k]);
        }
        let y = base.dpow(1.0 / (1.0 - rho * b));
        let y_rho = y.dpow(rho);
        let offset = self.s.firms.labour_offset_workers;
        std::array::from_fn(|k| (beta[k] * value * y_rho / wages[k] - offset).max(0.0))
    }

    /// Output with the workers the firm has: Y = T·M·K^α·Π(Lₖ+1)^βₖ (the +1 lets a firm without a
    /// worker of one skill still produce); zero without any worker.
    pub(crate) fn firm_output(&self, firm: &Firm) -> f64 {
        if firm.workers() == 0 {
            return 0.0;
        }
        let si = firm.sector;
        let beta = self.effective_betas(si, firm.automation);
        let m = self.productivity_multiplier(si, firm.district, f64::from(firm.counted_workers));
        let mut y = firm.tfp
            * self.rd_productivity(firm)
            * m
            * firm
                .capital
                .max(1.0)
                .dpow(self.effective_alpha(si, firm.automation));
        for k in 0..3 {
            y *= (firm.employees[k] as f64 + self.s.firms.labour_offset_workers).dpow(beta[k]);
        }
        y
    }

    /// Index of the market a sector sells in from a district.
    pub(crate) fn market_of(&self, sector: usize, district: usize) -> usize {
        let nd = self.districts.len();
        match self.economy.sectors[sector].market {
            crate::scenario::MarketScope::Region => sector * (nd + 1) + nd,
            crate::scenario::MarketScope::District => sector * (nd + 1) + district,
        }
    }

    /// A nominal interest rate as the real rate that 2015-price stocks pay: every CNY amount of
    /// the model is in 2015 prices (ODD §7.12), so debt is eroded by inflation.
    pub(crate) fn real_rate(&self, nominal: f64) -> f64 {
        (1.0 + nominal) / (1.0 + self.s.macro_.inflation_per_year) - 1.0
    }

    /// The real rate on a firm's bank loans (benchmark + SME spread).
    pub(crate) fn loan_rate(&self) -> f64 {
        self.real_rate(
            self.s.macro_.interest_rate_per_year + self.s.finance.loan_rate_premium_per_year,
        )
    }

    /// Firm-level user cost of capital per month (interest + depreciation).
    pub(crate) fn user_cost(&self, firm: &Firm) -> f64 {
        let mut rate = self.loan_rate();
        if firm.anchor {
            rate -= self.s.policy.interest_subsidy_per_year;
        }
        (rate.max(0.0) + self.s.firms.capital_depreciation_per_year) / 12.0
    }

    /// Land a new project needs, in ha: floor / FAR, FAR raised by the minimum-FAR rule.
    pub(crate) fn land_need_ha(&self, sector: usize, workers: f64) -> f64 {
        let far = self
            .s
            .land
            .base_floor_area_ratio
            .max(self.s.policy.min_floor_area_ratio);
        workers * self.economy.sectors[sector].floor_per_worker / far / 10_000.0
            * (1.0 + self.s.entry.land_buffer_share)
    }

    /// Firm scale from a Pareto law truncated to the scenario's maximum (heavy-tailed sizes), by
    /// inverse transform of the uniform draw `u`.
    pub(crate) fn draw_scale(&self, min: f64, u: f64) -> f64 {
        let shape = self.s.firms.size_pareto_shape;
        let max = self.s.firms.size_max_workers.max(min);
        let tail = (min / max).dpow(shape);
        min * (1.0 - u * (1.0 - tail)).dpow(-1.0 / shape)
    }

    /// Wages a firm offers: the regional index plus the firm's premium.
    pub(crate) fn firm_wage(&self, firm: &Firm, skill: usize) -> f64 {
        self.wage_index[skill] * (1.0 + firm.wage_premium[skill])
    }
}

/// The firm-decision helpers on the simulation's state (each builds the view and asks it).
impl Simulation {
    pub(crate) fn equip_at_optimum(&self, firm: &mut Firm) {
        self.conditions().equip_at_optimum(firm)
    }

    /// The read-only view of what firms decide on.
    pub(crate) fn conditions(&self) -> FirmConditions<'_> {
        FirmConditions {
            s: &self.s,
            economy: &self.economy,
            districts: &self.districts,
            prev: &self.prev,
            markets: &self.markets,
            wage_index: &self.wage_index,
        }
    }

    pub(crate) fn productivity_multiplier(&self, si: usize, di: usize, own: f64) -> f64 {
        self.conditions().productivity_multiplier(si, di, own)
    }

    pub(crate) fn own_size_correction(&self, si: usize, di: usize, own: f64) -> f64 {
        self.conditions().own_size_correction(si, di, own)
    }

    pub(crate) fn infrastructure_quality(&self, capital: f64, di: usize) -> f64 {
        self.conditions().infrastructure_quality(capital, di)
    }

    pub(crate) fn measured_tfp(&self, firm: &super::agents::Firm) -> f64 {
        self.conditions().measured_tfp(firm)
    }

    pub(crate) fn calibrate_tfp(&self, si: usize, m: f64, c: f64) -> f64 {
        self.conditions().calibrate_tfp(si, m, c)
    }

    pub(crate) fn labour_targets(&self, fi: usize) -> [f64; 3] {
        self.conditions().labour_targets(&self.firms[fi])
    }

    pub(crate) fn draw_scale(&self, min: f64, u: f64) -> f64 {
        self.conditions().draw_scale(min, u)
    }

    pub(crate) fn firm_wage(&self, firm: &Firm, skill: usize) -> f64 {
        self.conditions().firm_wage(firm, skill)
    }
}

/// What the firm submodels (entry, production and investment, exit and the land rules) read and
/// write. They read the scenario, the economy, last month's aggregates, the markets, the wages,
/// the travel times and the month's random streams; they write the firms (and the next firm
/// id), the districts' land and floor, the public accounts and costs, the guarantee fund, the
/// pool of idle land, the month's counters, and (when a plant closes) the jobs of its workers.
pub(crate) struct FirmWorld<'a> {
    pub s: &'a ScenarioFile,
    pub economy: &'a Economy,
    pub prev: &'a Previous,
    pub markets: &'a Markets,
    pub wage_index: &'a [f64; 3],
    pub travel: &'a Travel,
    pub outside_wage: [f64; 3],
    pub streams: &'a Streams,
    pub month: u32,
    pub incubator_capital: f64,
    pub next_firm_id: &'a mut u32,
    pub firms: &'a mut Vec<Firm>,
    pub districts: &'a mut [District],
    pub accounts: &'a mut [Government; 2],
    pub costs: &'a mut PublicCosts,
    pub fund: &'a mut GuaranteeFund,
    pub counters: &'a mut MonthCounters,
    pub idle_pool: &'a mut [Vec<(u32, f64)>],
    pub households: &'a mut Households,
}

impl FirmWorld<'_> {
    /// The read-only view of what firms decide on, as the state stands now.
    pub(crate) fn draw_scale(&self, min: f64, u: f64) -> f64 {
        self.conditions().draw_scale(min, u)
    }

    pub(crate) fn equip_at_optimum(&self, firm: &mut Firm) {
        self.conditions().equip_at_optimum(firm)
    }

    pub(crate) fn productivity_multiplier(&self, si: usize, di: usize, own: f64) -> f64 {
        self.conditions().productivity_multiplier(si, di, own)
    }

    pub(crate) fn conditions(&self) -> FirmConditions<'_> {
        FirmConditions {
            s: self.s,
            economy: self.economy,
            districts: self.districts,
            prev: self.prev,
            markets: self.markets,
            wage_index: self.wage_index,
        }
    }

    pub(crate) fn is_cluster(&self, district: usize) -> bool {
        self.districts[district].kind == crate::scenario::DistrictKind::Cluster
    }

    /// The zone account for cluster districts, the city budget elsewhere.
    pub(crate) fn account_of(&self, district: usize) -> usize {
        if self.is_cluster(district) {
            ZONE
        } else {
            CITY
        }
    }

    /// A public cost incurred this month, paid from `account` next month.
    pub(crate) fn charge(&mut self, account: usize, cost: Cost, amount: f64) {
        self.accounts[account].accrued.subsidies += amount;
        self.costs.add(cost, amount);
    }

    pub(crate) fn infrastructure_quality(&self, capital: f64, di: usize) -> f64 {
        self.conditions().infrastructure_quality(capital, di)
    }

    pub(crate) fn net_price(&self, si: usize, di: usize, price: f64) -> f64 {
        self.conditions().net_price(si, di, price)
    }

    pub(crate) fn effective_betas(&self, si: usize, automation: f64) -> [f64; 3] {
        self.conditions().effective_betas(si, automation)
    }

    pub(crate) fn effective_alpha(&self, si: usize, automation: f64) -> f64 {
        self.conditions().effective_alpha(si, automation)
    }

    pub(crate) fn marginal_revenue_share(&self) -> f64 {
        self.conditions().marginal_revenue_share()
    }

    pub(crate) fn rd_effectiveness(&self, high_share: f64, platform_quality: f64) -> f64 {
        self.conditions()
            .rd_effectiveness(high_share, platform_quality)
    }

    pub(crate) fn firm_net_price(&self, firm: &super::agents::Firm, y: f64) -> f64 {
        self.conditions().firm_net_price(firm, y)
    }

    pub(crate) fn market_of(&self, sector: usize, district: usize) -> usize {
        self.conditions().market_of(sector, district)
    }

    pub(crate) fn loan_rate(&self) -> f64 {
        self.conditions().loan_rate()
    }

    pub(crate) fn user_cost(&self, firm: &Firm) -> f64 {
        self.conditions().user_cost(firm)
    }

    pub(crate) fn land_need_ha(&self, sector: usize, workers: f64) -> f64 {
        self.conditions().land_need_ha(sector, workers)
    }

    pub(crate) fn firm_wage(&self, firm: &Firm, skill: usize) -> f64 {
        self.conditions().firm_wage(firm, skill)
    }

    pub(crate) fn labour_targets(&self, fi: usize) -> [f64; 3] {
        self.conditions().labour_targets(&self.firms[fi])
    }

    pub(crate) fn firm_output(&self, fi: usize) -> f64 {
        self.conditions().firm_output(&self.firms[fi])
    }
    /// Step 5: production, accounts, taxes, R&D and innovation, investment and upgrading, labour
    /// demand (vacancies and lay-off probabilities for step 6).
    // Kept out of line: each step shows by name in a profile.
    #[inline(never)]
    pub(crate) fn production_and_investment(&mut self) {
        let vat = self.s.government.vat_rate;
        let policy = self.s.policy.clone();
        let fp = self.s.firms.clone();
        let rho = self.marginal_revenue_share();
        let rd_keep = 1.0 - fp.rd_depreciation_per_year / 12.0;
        let incubator_quality = {
            let young = self
                .firms
                .iter()
                .filter(|f| {
                    f.is_active()
                        && self.economy.sectors[f.sector].group == SectorGroup::Emerging
                        && f.age_months(self.month) < fp.incubation_months
                })
                .count() as f64;
            self.incubator_capital
                / (self.incubator_capital + fp.incubator_cny_per_firm * young.max(1.0))
        };
        let loan_rate = self.loan_rate();
        let mut taxes = [0.0; 2];
        let mut fees = [0.0; 2];
        for fi in 0..self.firms.len() {
            if self.firms[fi].status != FirmStatus::Operating {
                continue;
            }
            let (si, di) = (self.firms[fi].sector, self.firms[fi].district);
            let sector = &self.economy.sectors[si];
            let price = self.markets.price[self.market_of(si, di)];
            let chain = self.prev.chain[di][si];
            let y = self.firm_output(fi);
            // The firm's own price: its market's, moved along its demand curve.
            let price =
                price - self.net_price(si, di, price) + self.firm_net_price(&self.firms[fi], y);
            self.firms[fi].output_capital = self.firms[fi].capital;
            self.firms[fi].output_employees = self.firms[fi].employees;
            self.firms[fi].output_cluster_employment = self.prev.employment[di][si];
            self.firms[fi].output_own_cluster_workers = self.firms[fi].counted_workers;
            let wages: [f64; 3] = std::array::from_fn(|k| self.firm_wage(&self.firms[fi], k));
            let uc = self.user_cost(&self.firms[fi]);
            let innovation_q = self.infrastructure_quality(self.districts[di].innovation, di);
            let high_share_now = {
                let f = &self.firms[fi];
                f.employees[2] as f64 / f.workers().max(1) as f64
            };
            let rd_effectiveness = self.rd_effectiveness(high_share_now, innovation_q);
            let rent_rate = match sector.premises {
                Premises::IndustrialLand => self.s.land.standard_factory_rent_cny_per_m2_month,
                Premises::CommercialFloor => self.s.land.commercial_rent_cny_per_m2_month,
            };
            let age = self.firms[fi].age_months(self.month);
            let incubated = sector.group == SectorGroup::Emerging && age < fp.incubation_months;
            let firm = &mut self.firms[fi];
            let revenue = price * y;
            let inputs = y * sector.input_share * (1.0 - fp.local_input_cost_saving * chain);
            let value_added = revenue - inputs;
            let wage_bill: f64 = (0..3).map(|k| firm.employees[k] as f64 * wages[k]).sum();
            let depreciation = firm.capital * fp.capital_depreciation_per_year / 12.0;
            firm.capital -= depreciation;
            let own_rate = if firm.anchor {
                (loan_rate - policy.interest_subsidy_per_year).max(0.0)
            } else {
                loan_rate
            };
            let interest = (firm.debt + firm.guaranteed_debt) * own_rate / 12.0;
            if firm.anchor {
                self.counters.interest_subsidy +=
                    (firm.debt + firm.guaranteed_debt) * (loan_rate - own_rate) / 12.0;
            }
            let rent = firm.floor_rented * rent_rate;
            let fixed = sector.fixed_cost
                * if incubated {
                    1.0 - fp.incubator_fixed_cost_cut * incubator_quality
                } else {
                    1.0
                };
            let rd = sector.rd_share
                * revenue.max(0.0)
                * (1.0 + fp.rd_subsidy_response * policy.rd_subsidy_share);
            let rd_subsidy = rd * policy.rd_subsidy_share;
            self.counters.rd_subsidy += rd_subsidy;
            // VAT is levied on value added and passed on to buyers (prices are net of VAT).
            let vat_paid = vat * value_added.max(0.0);
            let profit = value_added
                - wage_bill
                - depreciation
                - interest
                - rent
                - fixed
                - (rd - rd_subsidy);
            let income_tax = self.s.government.income_tax_rate * profit.max(0.0);
            let account = self.account_of(di);
            let firm = &mut self.firms[fi];
            taxes[account] += vat_paid * self.s.government.vat_local_share
                + income_tax * self.s.government.income_tax_local_share;
            fees[account] += firm.workers() as f64 * self.s.government.fees_cny_per_worker_month;
            firm.output = y;
            firm.value_added = value_added;
            firm.profit = profit;
            firm.rd_spend = rd;
            firm.rd_stock = firm.rd_stock * rd_keep + rd * rd_effectiveness;
            // Principal repaid over the loan term; guaranteed loans shrink the fund's exposure.
            let term = self.s.finance.loan_term_months;
            let repay = firm.debt / term;
            let repay_g = firm.guaranteed_debt / term;
            firm.debt -= repay;
            firm.guaranteed_debt -= repay_g;
            self.fund.outstanding = (self.fund.outstanding - repay_g).max(0.0);
            // Listed firms pay their outside shareholders (the raised equity dilutes the owners).
            let dividends =
                firm.outside_equity * self.s.finance.listed_dividend_yield_per_year / 12.0;
            firm.cash += profit - income_tax + depreciation - repay - repay_g - dividends;
            // Owners take out cash beyond a working reserve: growth must then be financed.
            let max_cash = fp.max_cash_months_of_revenue * revenue.max(0.0);
            if firm.cash > max_cash {
                firm.cash = max_cash;
            }
            if profit < 0.0 {
                firm.loss_months += 1;
            } else {
                firm.loss_months = 0;
            }
            // Patents: R&D buys a monthly chance of one (its productivity effect runs through the
            // R&D stock above).
            let high_share = firm.employees[2] as f64 / firm.workers().max(1) as f64;
            let intensity = if revenue > 0.0 { rd / revenue } else { 0.0 };
            let chance = 1.0
                - (-fp.innovation_rate_per_rd_share
                    * intensity
                    * (1.0 + fp.high_skill_innovation_gain * high_share)
                    * (1.0 + fp.platform_innovation_gain * innovation_q))
                    .dexp();
            // Draws in a fixed order: the patent, then the productivity shock.
            let mut draws = self
                .streams
                .open(Draw::Innovation, self.firms[fi].key, self.month);
            if draws.chance(chance) {
                let firm = &mut self.firms[fi];
                firm.patents += 1;
                firm.high_tech = firm.patents >= fp.high_tech_patent_threshold;
            }
            let sd = fp.productivity_shock_sd;
            self.firms[fi].tfp *= (sampling::normal(&mut draws, 0.0, sd) - sd * sd / 2.0).dexp();
            // Capital: invest toward K* = ρ·α·p_net·Y/u, financed by cash, bank credit, guarantees.
            let p_net =
                (price - sector.input_share * (1.0 - fp.local_input_cost_saving * chain)).max(0.0);
            let k_star = rho * self.effective_alpha(si, self.firms[fi].automation) * p_net * y / uc;
            let gap = k_star - self.firms[fi].capital;
            if gap > 0.0 {
                let want = gap * fp.investment_adjustment_per_month;
                self.finance_investment(fi, want);
            }
            if (u64::from(self.month) + self.firms[fi].key).is_multiple_of(12) {
                self.consider_upgrade(fi, wages[0]);
            }
            // Labour demand for step 6, within the premises the firm has or can get.
            let mut targets = self.labour_targets(fi);
            let wanted: f64 = targets.iter().sum();
            if wanted > self.premises_capacity(fi) {
                self.expand_premises(fi, wanted - self.premises_capacity(fi));
                let capacity = self.premises_capacity(fi);
                if wanted > capacity {
                    for t in &mut targets {
                        *t *= capacity / wanted;
                    }
                }
            }
            let firm = &mut self.firms[fi];
            for k in 0..3 {
                let have = firm.employees[k] as f64;
                let gap = targets[k] - have;
                firm.vacancies[k] = if gap > 0.0 {
                    (gap * fp.hiring_adjustment_per_month).ceil() as u32
                } else {
                    0
                };
                firm.layoff_prob[k] = if have > 0.0
                    && targets[k] < have * (1.0 - fp.layoff_tolerance)
                {
                    ((have - targets[k]) * fp.layoff_adjustment_per_month / have).clamp(0.0, 1.0)
                } else {
                    0.0
                };
            }
        }
        for account in [ZONE, CITY] {
            self.accounts[account].accrued.taxes += taxes[account];
            self.accounts[account].accrued.fees += fees[account];
        }
        self.charge(ZONE, Cost::RdSubsidy, self.counters.rd_subsidy);
        self.charge(ZONE, Cost::InterestSubsidy, self.counters.interest_subsidy);
        self.ipo_listings();
    }

    /// Workers a firm's land and rented floor can hold (land built at the current floor-area
    /// ratio, which the minimum-FAR rule raises).
    pub(crate) fn premises_capacity(&self, fi: usize) -> f64 {
        let firm = &self.firms[fi];
        let far = self
            .s
            .land
            .base_floor_area_ratio
            .max(self.s.policy.min_floor_area_ratio);
        let floor = firm.land_ha * 10_000.0 * far + firm.floor_rented;
        floor / self.economy.sectors[firm.sector].floor_per_worker
    }

    /// A firm that outgrows its premises buys serviced land next to them (at the district's land
    /// price, paid from cash or bank credit) or rents standard-factory or commercial floor; if
    /// none is to be had, it cannot grow there.
    fn expand_premises(&mut self, fi: usize, extra_workers: f64) {
        let (si, di) = (self.firms[fi].sector, self.firms[fi].district);
        let sector = &self.economy.sectors[si];
        let floor_need = extra_workers * sector.floor_per_worker;
        let buffer = 1.0 + self.s.entry.land_buffer_share;
        match sector.premises {
            Premises::IndustrialLand => {
                let ha = self.land_need_ha(si, extra_workers);
                let d = &self.districts[di];
                let cost = ha * d.land_price * (1.0 - self.s.policy.land_price_discount);
                let fixed = sector.fixed_cost;
                let free_floor = d.factory_floor - d.factory_floor_used;
                // A tenant of standard-factory floor rents more floor while there is some; a
                // plant on its own land buys the adjoining land first.
                let tenant = self.firms[fi].land_ha <= 0.0;
                if tenant && free_floor >= floor_need * buffer {
                    self.districts[di].factory_floor_used += floor_need * buffer;
                    self.firms[fi].floor_rented += floor_need * buffer;
                } else if d.land.serviced_free >= ha && self.can_pay(fi, cost, fixed) {
                    let d = &mut self.districts[di];
                    let bought =
                        Land::transfer(&mut d.land.serviced_free, &mut d.land.occupied, ha);
                    self.firms[fi].land_ha += bought;
                    let account = self.account_of(di);
                    self.accounts[account].accrued.land_sales += cost;
                    let full = cost / (1.0 - self.s.policy.land_price_discount).max(1e-12);
                    self.costs.add(Cost::LandPriceDiscount, full - cost);
                } else if free_floor >= floor_need * buffer {
                    self.districts[di].factory_floor_used += floor_need * buffer;
                    self.firms[fi].floor_rented += floor_need * buffer;
                }
            }
            Premises::CommercialFloor => {
                let d = &mut self.districts[di];
                let take = (floor_need * buffer).min(d.commercial_floor - d.commercial_floor_used);
                if take > 0.0 {
                    d.commercial_floor_used += take;
                    self.firms[fi].floor_rented += take;
                }
            }
        }
    }

    /// Pays `cost` from cash above a month of fixed cost, then from bank credit within the
    /// collateral limit; false (and nothing paid) if both together cannot.
    fn can_pay(&mut self, fi: usize, cost: f64, fixed: f64) -> bool {
        let limit = self.credit_limit(fi);
        let firm = &mut self.firms[fi];
        let own = (firm.cash - fixed).max(0.0).min(cost);
        let bank = (limit - firm.debt).max(0.0).min(cost - own);
        if own + bank < cost {
            return false;
        }
        firm.cash -= own;
        firm.debt += bank;
        true
    }

    /// Bank credit a firm can hold: a share of its capital and land (raised by bank–enterprise
    /// matching, R3.4).
    fn credit_limit(&self, fi: usize) -> f64 {
        let fin = &self.s.finance;
        let collateral_ratio = fin.collateral_ratio
            * if self.s.policy.bank_enterprise_matching {
                1.0 + fin.bank_matching_collateral_gain
            } else {
                1.0
            };
        let firm = &self.firms[fi];
        let land_price = self.districts[firm.district].land_price;
        collateral_ratio * (firm.capital + firm.land_ha * land_price)
    }

    /// What a firm could finance now: cash above a month of fixed cost, bank credit within its
    /// limit, and the guarantee fund's room.
    fn financing_room(&self, fi: usize) -> f64 {
        let firm = &self.firms[fi];
        let fixed = self.economy.sectors[firm.sector].fixed_cost;
        (firm.cash - fixed).max(0.0)
            + (self.credit_limit(fi) - firm.debt).max(0.0)
            + self.fund.room()
    }

    /// Investment financed by cash above a month of fixed cost, then bank loans against collateral,
    /// then loans backed by the guarantee fund; what cannot be financed is not invested.
    pub(crate) fn finance_investment(&mut self, fi: usize, want: f64) -> f64 {
        let fin = &self.s.finance;
        let limit = self.credit_limit(fi);
        let fixed = self.economy.sectors[self.firms[fi].sector].fixed_cost;
        let firm = &mut self.firms[fi];
        let own = (firm.cash - fixed).max(0.0).min(want);
        let mut rest = want - own;
        let bank = (limit - firm.debt).max(0.0).min(rest);
        rest -= bank;
        let guaranteed = if rest > 0.0 {
            self.fund.room().min(rest)
        } else {
            0.0
        };
        // The borrower pays the guarantee fee to the fund.
        let fee = guaranteed * fin.guarantee_fee_share;
        let firm = &mut self.firms[fi];
        firm.cash -= own + fee;
        firm.debt += bank;
        firm.guaranteed_debt += guaranteed;
        firm.capital += own + bank + guaranteed;
        if guaranteed > 0.0 {
            self.fund.outstanding += guaranteed;
            self.fund.capital += fee;
        }
        self.counters.credit_gap += want - (own + bank + guaranteed);
        own + bank + guaranteed
    }

    /// Technical upgrading (CNC, robots): automate when the present value of the low-skill wages
    /// saved over the machines' life beats the cost net of the subsidy. The cost is a per-job
    /// part that follows robot prices and a fixed part that differs across firms.
    pub(crate) fn consider_upgrade(&mut self, fi: usize, low_wage: f64) {
        let fp = &self.s.firms;
        let firm = &self.firms[fi];
        if !self.economy.sectors[firm.sector].is_industry() || firm.automation >= fp.max_automation
        {
            return;
        }
        let low = firm.employees[0] as f64;
        if low < 1.0 {
            return;
        }
        let step = fp
            .upgrade_automation_step
            .min(fp.max_automation - firm.automation);
        // Each step automates that share of the low-skill jobs; cost and saving per job replaced.
        let jobs = low * step;
        let years = self.month as f64 / 12.0;
        let robot_price = (1.0 + fp.robot_price_change_per_year).dpow(years);
        let firm_factor = {
            let mut draw = self.streams.open(Draw::UpgradeCost, firm.key, 0);
            let sd = fp.upgrade_fixed_cost_sd_log;
            sampling::normal(&mut draw, -sd * sd / 2.0, sd).dexp()
        };
        let cost = fp.upgrade_cost_cny_per_low_worker * robot_price * jobs
            + fp.upgrade_fixed_cost_cny * firm_factor;
        let rate = self.loan_rate().max(1e-6);
        let annuity = (1.0 - (1.0 + rate).dpow(-fp.upgrade_horizon_years)) / rate;
        let saving = jobs * low_wage * 12.0 * annuity;
        let subsidy_share = self.s.policy.tech_upgrade_subsidy_share;
        if saving > cost * (1.0 - subsidy_share) {
            let subsidy = cost * subsidy_share;
            let own_cost = cost - subsidy;
            let capital_before = self.firms[fi].capital;
            if self.financing_room(fi) >= own_cost {
                self.finance_investment(fi, own_cost);
                let firm = &self.firms[fi];
                let capital_after = firm.capital + subsidy;
                let tfp = self.tfp_after_upgrade(firm, step, capital_before, capital_after, jobs);
                let firm = &mut self.firms[fi];
                firm.capital = capital_after;
                firm.automation += step;
                firm.tfp = tfp;
                self.charge(ZONE, Cost::TechUpgradeSubsidy, subsidy);
            }
        }
    }

    /// Productivity after an automation step, set so that the machines bought replace the jobs
    /// they were bought for at equal output: `Y(K + cost, L_low − jobs)` after the step equals
    /// `Y(K, L_low)` before it. Without this, moving elasticity from low-skill labour (counted in
    /// workers) to capital (counted in CNY) would rescale output by `(K/L)^Δ` — a units artefact
    /// that doubled output in a few years once upgrading began. The gain from automating is then
    /// what it should be: the wages no longer paid, against the capital's user cost.
    fn tfp_after_upgrade(
        &self,
        firm: &super::agents::Firm,
        step: f64,
        capital_before: f64,
        capital_after: f64,
        jobs: f64,
    ) -> f64 {
        let si = firm.sector;
        let (alpha0, beta0) = (
            self.effective_alpha(si, firm.automation),
            self.effective_betas(si, firm.automation)[0],
        );
        let (alpha1, beta1) = (
            self.effective_alpha(si, firm.automation + step),
            self.effective_betas(si, firm.automation + step)[0],
        );
        let low = firm.employees[0] as f64;
        let offset = self.s.firms.labour_offset_workers;
        let log_before = alpha0 * capital_before.max(1.0).dln() + beta0 * (low + offset).dln();
        let log_after =
            alpha1 * capital_after.max(1.0).dln() + beta1 * ((low - jobs).max(0.0) + offset).dln();
        firm.tfp * (log_before - log_after).dexp()
    }

    /// IPO support (R1.1, R3.1): each January the largest unlisted anchors list and raise equity.
    pub(crate) fn ipo_listings(&mut self) {
        let per_year = self.s.policy.ipo_listings_per_year;
        if per_year <= 0.0 || !self.month.is_multiple_of(12) {
            return;
        }
        let mut draw = self.streams.open(Draw::IpoCount, 0, self.month);
        let n = per_year.floor() as usize + usize::from(draw.chance(per_year.fract()));
        let mut candidates: Vec<usize> = (0..self.firms.len())
            .filter(|&i| self.firms[i].is_active() && self.firms[i].anchor && !self.firms[i].listed)
            .collect();
        candidates.sort_by(|a, b| {
            self.firms[*b]
                .output
                .total_cmp(&self.firms[*a].output)
                .then(self.firms[*a].id.cmp(&self.firms[*b].id))
        });
        for fi in candidates.into_iter().take(n) {
            // The equity raised finances the firm's investment gap at once; the rest is cash.
            let equity = self.s.policy.ipo_equity_cny;
            let firm = &self.firms[fi];
            let p_net = self.firm_net_price(firm, firm.output).max(0.0);
            let k_star = self.marginal_revenue_share()
                * self.effective_alpha(firm.sector, firm.automation)
                * p_net
                * firm.output
                / self.user_cost(firm);
            let invest = equity.min((k_star - firm.capital).max(0.0));
            let firm = &mut self.firms[fi];
            firm.listed = true;
            firm.outside_equity += equity;
            firm.capital += invest;
            firm.cash += equity - invest;
            self.charge(ZONE, Cost::IpoSupport, self.s.finance.ipo_support_cost_cny);
        }
    }

    /// Step 8: idling and exit of loss-making firms, reopening, reclamation of idle land.
    // Kept out of line: each step shows by name in a profile.
    #[inline(never)]
    pub(crate) fn exit_and_land(&mut self) {
        let fp = self.s.firms.clone();
        let reclaim = self.s.policy.idle_land_reclaim_months;
        let relocation = fp.relocation_hazard_per_year / 12.0;
        let mut released: Vec<bool> = vec![false; self.firms.len()];
        let mut any_released = false;
        for fi in 0..self.firms.len() {
            let status = self.firms[fi].status;
            match status {
                FirmStatus::Operating => {
                    let fixed = self.economy.sectors[self.firms[fi].sector].fixed_cost;
                    let broke =
                        self.firms[fi].cash < -fp.exit_cash_floor_months_of_fixed_cost * fixed;
                    // Anchors are tied to the zone by sunk investment; others may relocate.
                    let relocates = !self.firms[fi].anchor
                        && self
                            .streams
                            .open(Draw::Relocation, self.firms[fi].key, self.month)
                            .chance(relocation);
                    if broke || relocates {
                        let _ = self.close_firm(fi);
                        released[fi] = true;
                        any_released = true;
                    } else if self.firms[fi].loss_months >= fp.idle_after_loss_months {
                        let firm = &mut self.firms[fi];
                        firm.status = FirmStatus::Idle;
                        firm.status_months = 0;
                        let (di, ha) = (firm.district, firm.land_ha);
                        let land = &mut self.districts[di].land;
                        Land::transfer(&mut land.occupied, &mut land.idle, ha);
                        released[fi] = true;
                        any_released = true;
                    }
                }
                FirmStatus::Idle => {
                    let reclaim_now =
                        reclaim > 0.0 && self.firms[fi].status_months as f64 >= reclaim;
                    if self.firms[fi].stalled {
                        if reclaim_now {
                            self.reclaim_stalled(fi);
                        }
                    } else if reclaim_now
                        || self.firms[fi].status_months >= fp.exit_after_idle_months
                    {
                        let moved = self.close_firm(fi);
                        if reclaim_now && moved > 0.0 {
                            // The plant is taken back at once instead of joining the idle pool.
                            let di = self.firms[fi].district;
                            self.idle_pool[di].pop();
                            let land = &mut self.districts[di].land;
                            let back =
                                Land::transfer(&mut land.idle, &mut land.serviced_free, moved);
                            self.land_reclaimed(di, back);
                        }
                    } else if self.reopening_pays(fi) {
                        let firm = &mut self.firms[fi];
                        firm.status = FirmStatus::Operating;
                        firm.status_months = 0;
                        firm.loss_months = 0;
                        let (di, ha) = (firm.district, firm.land_ha);
                        let land = &mut self.districts[di].land;
                        Land::transfer(&mut land.idle, &mut land.occupied, ha);
                    }
                }
                _ => {}
            }
        }
        if any_released {
            let hh = &mut self.households;
            for i in 0..hh.len() {
                let e = hh.employer[i];
                if e != NO_FIRM && released[e as usize] {
                    hh.employer[i] = NO_FIRM;
                    hh.wage[i] = 0.0;
                    hh.months_unemployed[i] = 0;
                    hh.review_residence[i] = true;
                }
            }
            for (fi, r) in released.iter().enumerate() {
                if *r {
                    self.firms[fi].employees = [0; 3];
                    self.firms[fi].vacancies = [0; 3];
                }
            }
        }
        if reclaim > 0.0 {
            let cutoff = self.month as f64 - reclaim;
            for di in 0..self.districts.len() {
                self.reclaim_pool(di, cutoff);
            }
        }
        self.resell_idle_plots();
        for f in self.firms.iter_mut() {
            if f.status != FirmStatus::Exited {
                f.status_months += 1;
            }
        }
    }

    /// Whether an idle firm would cover its costs at today's prices with its target workforce.
    fn reopening_pays(&self, fi: usize) -> bool {
        let firm = &self.firms[fi];
        let si = firm.sector;
        let sector = &self.economy.sectors[si];
        let p = self.markets.price[self.market_of(si, firm.district)];
        let p_net = self.net_price(si, firm.district, p);
        let targets = self.labour_targets(fi);
        let wage_bill: f64 = (0..3).map(|k| targets[k] * self.firm_wage(firm, k)).sum();
        let b: f64 = self
            .effective_betas(si, firm.automation)
            .iter()
            .sum::<f64>()
            * self.marginal_revenue_share();
        // At the labour optimum the wage bill is ρ·Σβ·p_net·Y, so p_net·Y = wage bill / (ρ·Σβ).
        let net_revenue = if b > 0.0 { wage_bill / b } else { 0.0 };
        p_net > 0.0
            && net_revenue - wage_bill - firm.capital * self.user_cost(firm) - sector.fixed_cost
                > 0.0
    }

    /// A firm closes for good: its plant joins the district's idle land, its floor is freed,
    /// guaranteed loans default on the fund. Returns the hectares added to the idle pool.
    pub(crate) fn close_firm(&mut self, fi: usize) -> f64 {
        let recovery = self.s.finance.default_recovery_share;
        let was = self.firms[fi].status;
        let firm = &mut self.firms[fi];
        let (di, ha, floor, sector) = (firm.district, firm.land_ha, firm.floor_rented, firm.sector);
        let guaranteed = firm.guaranteed_debt;
        firm.status = FirmStatus::Exited;
        firm.status_months = 0;
        firm.guaranteed_debt = 0.0;
        firm.land_ha = 0.0;
        firm.floor_rented = 0.0;
        if was == FirmStatus::Operating || was == FirmStatus::Idle {
            self.counters.exits += 1;
        }
        let land = &mut self.districts[di].land;
        let moved = if was == FirmStatus::Idle {
            ha.min(land.idle)
        } else {
            Land::transfer(&mut land.occupied, &mut land.idle, ha)
        };
        if moved > 0.0 {
            self.idle_pool[di].push((self.month, moved));
        }
        match self.economy.sectors[sector].premises {
            Premises::IndustrialLand => {
                self.districts[di].factory_floor_used =
                    (self.districts[di].factory_floor_used - floor).max(0.0)
            }
            Premises::CommercialFloor => {
                self.districts[di].commercial_floor_used =
                    (self.districts[di].commercial_floor_used - floor).max(0.0)
            }
        }
        if guaranteed > 0.0 {
            let topup = self.fund.default_loss(guaranteed, recovery);
            self.charge(ZONE, Cost::GuaranteeFund, topup);
        }
        moved
    }

    /// Land of a stalled project goes back to serviced-free land (R3.2: "taken back").
    fn reclaim_stalled(&mut self, fi: usize) {
        let firm = &mut self.firms[fi];
        let (di, ha) = (firm.district, firm.land_ha);
        firm.status = FirmStatus::Exited;
        firm.land_ha = 0.0;
        let land = &mut self.districts[di].land;
        let moved = Land::transfer(&mut land.idle, &mut land.serviced_free, ha);
        self.land_reclaimed(di, moved);
    }

    /// Reclaimed idle land: counted, and its holder compensated from the district's account.
    fn land_reclaimed(&mut self, di: usize, ha: f64) {
        self.counters.land_reclaimed += ha;
        let compensation = ha
            * self.districts[di].land_price
            * self.s.lever_costs.land_reclamation_compensation_share;
        let account = self.account_of(di);
        self.charge(account, Cost::LandReclamation, compensation);
    }

    /// Owners of closed plants sell some on privately each month, whatever the rules.
    fn resell_idle_plots(&mut self) {
        let p = (self.s.land.idle_resale_share_per_year / 12.0).clamp(0.0, 1.0);
        for di in 0..self.districts.len() {
            let mut plots = std::mem::take(&mut self.idle_pool[di]);
            let land = &mut self.districts[di].land;
            let mut draws = self.streams.open(Draw::IdleResale, di as u64, self.month);
            plots.retain(|(_, ha)| {
                if draws.chance(p) {
                    Land::transfer(&mut land.idle, &mut land.serviced_free, *ha);
                    false
                } else {
                    true
                }
            });
            self.idle_pool[di] = plots;
        }
    }

    /// Idle plots of closed plants older than `cutoff` (month) return to serviced-free land.
    fn reclaim_pool(&mut self, di: usize, cutoff: f64) {
        let mut moved_total = 0.0;
        let land = &mut self.districts[di].land;
        self.idle_pool[di].retain(|(month, ha)| {
            if (*month as f64) <= cutoff {
                moved_total += Land::transfer(&mut land.idle, &mut land.serviced_free, *ha);
                false
            } else {
                true
            }
        });
        self.land_reclaimed(di, moved_total);
    }
}

/// Wiring: the schedule's calls of these submodels (and the helpers entry and the initial state
/// share with them).
impl Simulation {
    /// The state production, investment and exit read and write, split from the simulation.
    pub(crate) fn firm_world(&mut self) -> FirmWorld<'_> {
        FirmWorld {
            s: &self.s,
            economy: &self.economy,
            prev: &self.prev,
            markets: &self.markets,
            wage_index: &self.wage_index,
            travel: &self.travel,
            outside_wage: self.outside_wage,
            streams: &self.streams,
            month: self.month,
            incubator_capital: self.incubator_capital,
            next_firm_id: &mut self.next_firm_id,
            firms: &mut self.firms,
            districts: &mut self.districts,
            accounts: &mut self.accounts,
            costs: &mut self.costs,
            fund: &mut self.fund,
            counters: &mut self.counters,
            idle_pool: &mut self.idle_pool,
            households: &mut self.households,
        }
    }

    /// Step 5 (`FirmWorld::production_and_investment`).
    #[inline(never)]
    pub(crate) fn production_and_investment(&mut self) {
        self.firm_world().production_and_investment();
    }

    /// Step 8 (`FirmWorld::exit_and_land`).
    #[inline(never)]
    pub(crate) fn exit_and_land(&mut self) {
        self.firm_world().exit_and_land();
    }

    #[cfg(test)]
    pub(crate) fn ipo_listings(&mut self) {
        self.firm_world().ipo_listings();
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::agents::{Origin, Worker};
    use crate::model::world::Tenure;

    /// What a [`FirmWorld`] borrows, owned: the baseline's districts (zone, city, rural) and
    /// economy, a price of 1 in every market, 2015 wages, no firms and no households. Relocation,
    /// stalled projects, abandonment and idle-plot resales are switched off so that the tests
    /// see only the rule they check; each sector's productivity is backed out as at the start.
    pub(crate) struct Parts {
        /// Index of the baseline's zone (a cluster) and of its central city (not one).
        pub zone: usize,
        pub city: usize,
        pub s: ScenarioFile,
        pub economy: Economy,
        pub prev: Previous,
        pub markets: Markets,
        pub wage_index: [f64; 3],
        pub travel: Travel,
        pub streams: Streams,
        pub month: u32,
        pub next_firm_id: u32,
        pub firms: Vec<Firm>,
        pub districts: Vec<District>,
        pub accounts: [Government; 2],
        pub costs: PublicCosts,
        pub fund: GuaranteeFund,
        pub counters: MonthCounters,
        pub idle_pool: Vec<Vec<(u32, f64)>>,
        pub households: Households,
    }

    impl Parts {
        pub(crate) fn new() -> Parts {
            let mut s = crate::model::tests::baseline_spec();
            s.firms.relocation_hazard_per_year = 0.0;
            s.firms.stalled_project_share = 0.0;
            s.entry.approval_abandon_per_month = 0.0;
            s.land.idle_resale_share_per_year = 0.0;
            let districts: Vec<District> = s
                .districts
                .iter()
                .map(|(id, d)| District::from_spec(id, d))
                .collect();
            let index = |id: &str| districts.iter().position(|d| d.id == id).expect(id);
            let (zone, city) = (index("zone"), index("city"));
            assert_eq!(districts[zone].kind, crate::scenario::DistrictKind::Cluster);
            assert_eq!(districts[city].kind, crate::scenario::DistrictKind::City);
            let economy = Economy::from_spec(&s);
            let (nd, ns) = (districts.len(), economy.sectors.len());
            let wage_index = [
                s.labour.initial_wage_low_cny,
                s.labour.initial_wage_mid_cny,
                s.labour.initial_wage_high_cny,
            ];
            let mut parts = Parts {
                zone,
                city,
                travel: Travel::from_spec(&s),
                prev: Previous {
                    employment: vec![vec![0.0; ns]; nd],
                    output: vec![vec![0.0; ns]; nd],
                    chain: vec![vec![0.5; ns]; nd],
                    district_workers: vec![1000.0; nd],
                    district_unemployed: vec![100.0; nd],
                    consumption: vec![0.0; nd],
                    ..Previous::default()
                },
                markets: Markets::at_start(ns * (nd + 1)),
                wage_index,
                streams: Streams::new(7),
                month: 1,
                next_firm_id: 0,
                firms: Vec::new(),
                accounts: [Government::new(0.0, 0.0), Government::new(0.0, 0.0)],
                costs: PublicCosts::default(),
                fund: GuaranteeFund::default(),
                counters: MonthCounters::default(),
                idle_pool: vec![Vec::new(); nd],
                households: Households::default(),
                districts,
                economy,
                s,
            };
            let tfp: Vec<f64> = (0..ns)
                .map(|si| {
                    let c = parts.conditions();
                    c.calibrate_tfp(si, c.productivity_multiplier(si, zone, 0.0), 0.5)
                })
                .collect();
            for (sector, t) in parts.economy.sectors.iter_mut().zip(tfp) {
                sector.base_tfp = t;
            }
            parts
        }

        pub(crate) fn conditions(&self) -> FirmConditions<'_> {
            FirmConditions {
                s: &self.s,
                economy: &self.economy,
                districts: &self.districts,
                prev: &self.prev,
                markets: &self.markets,
                wage_index: &self.wage_index,
            }
        }

        pub(crate) fn world(&mut self) -> FirmWorld<'_> {
            FirmWorld {
                s: &self.s,
                economy: &self.economy,
                prev: &self.prev,
                markets: &self.markets,
                wage_index: &self.wage_index,
                travel: &self.travel,
                outside_wage: self.wage_index,
                streams: &self.streams,
                month: self.month,
                incubator_capital: 0.0,
                next_firm_id: &mut self.next_firm_id,
                firms: &mut self.firms,
                districts: &mut self.districts,
                accounts: &mut self.accounts,
                costs: &mut self.costs,
                fund: &mut self.fund,
                counters: &mut self.counters,
                idle_pool: &mut self.idle_pool,
                households: &mut self.households,
            }
        }

        /// An operating firm of `sector` in `district` at its long-run optimum for `scale`
        /// workers (capital, demand base, cash), with no workers yet.
        pub(crate) fn optimal_firm(&self, sector: usize, district: usize, scale: f64) -> Firm {
            let sec = &self.economy.sectors[sector];
            let theta = sec.alpha + sec.labour_elasticity();
            let key = self.firms.len() as u64 + 1;
            let mut firm = Firm::new(key as u32, key, sector, district, FirmStatus::Operating);
            firm.scale = scale;
            firm.tfp = sec.base_tfp * scale.dpow(1.0 - theta);
            self.conditions().equip_at_optimum(&mut firm);
            firm
        }

        /// Adds `firm` on land of its own (moved from the district's serviced-free to occupied
        /// land) with `employees` workers, one household each; returns its index.
        pub(crate) fn place(&mut self, mut firm: Firm, land_ha: f64, employees: [u32; 3]) -> usize {
            let fi = self.firms.len();
            let land = &mut self.districts[firm.district].land;
            firm.land_ha = Land::transfer(&mut land.serviced_free, &mut land.occupied, land_ha);
            firm.employees = employees;
            for (skill, n) in employees.iter().enumerate() {
                for _ in 0..*n {
                    let key = self.households.len() as u64;
                    self.households
                        .push(worker(key, skill as u8, firm.district, fi as u32));
                }
            }
            self.firms.push(firm);
            fi
        }
    }

    fn worker(key: u64, skill: u8, district: usize, employer: u32) -> Worker {
        Worker {
            key,
            skill,
            origin: Origin::Migrant,
            residence: district as u16,
            anchor: district as u16,
            tenure: Tenure::Market,
            employer,
            wage: 4000.0,
            reservation: 1000.0,
            months_unemployed: 0,
            months_employed: 12,
            settled: false,
            children: 0,
            children_with: false,
            training_left: 0,
            ordered_by: NO_FIRM,
            review_residence: false,
            waiting: Default::default(),
        }
    }

    /// Rounded labour targets of a firm as it stands.
    fn targets(parts: &Parts, firm: &Firm) -> [u32; 3] {
        parts
            .conditions()
            .labour_targets(firm)
            .map(|t| t.round() as u32)
    }

    /// A zone firm with its target workforce produces, pays VAT and income tax to the zone
    /// account (the city's is untouched), and lays nobody off.
    #[test]
    fn a_staffed_zone_firm_produces_and_pays_taxes_to_the_zone() {
        let mut parts = Parts::new();
        let firm = parts.optimal_firm(0, parts.zone, 100.0);
        let staff = targets(&parts, &firm);
        assert!(staff.iter().sum::<u32>() > 50, "targets {staff:?}");
        let ha = parts.conditions().land_need_ha(0, 200.0);
        let fi = parts.place(firm, ha, staff);
        parts.world().production_and_investment();
        let f = &parts.firms[fi];
        assert!(f.output > 0.0 && f.value_added > 0.0, "output {}", f.output);
        assert!(f.profit > 0.0, "profit {}", f.profit);
        assert_eq!(f.loss_months, 0);
        assert_eq!(f.output_employees, staff);
        assert!(parts.accounts[ZONE].accrued.taxes > 0.0);
        let fees = f64::from(f.workers()) * parts.s.government.fees_cny_per_worker_month;
        assert!((parts.accounts[ZONE].accrued.fees - fees).abs() < 1e-9);
        assert_eq!(parts.accounts[CITY].accrued.taxes, 0.0);
        assert_eq!(parts.accounts[CITY].accrued.fees, 0.0);
        assert!(
            f.layoff_prob.iter().all(|p| *p == 0.0),
            "{:?}",
            f.layoff_prob
        );
    }

    /// A firm with three times its target workforce lays off; one with a third of it posts
    /// vacancies and lays nobody off.
    #[test]
    fn vacancies_and_layoffs_follow_the_labour_targets() {
        let mut parts = Parts::new();
        let firm = parts.optimal_firm(0, parts.zone, 100.0);
        let staff = targets(&parts, &firm);
        let ha = parts.conditions().land_need_ha(0, 400.0);
        assert!(staff.iter().all(|n| *n >= 3), "targets {staff:?}");
        let crowded = parts.place(firm.clone(), ha, staff.map(|n| 3 * n));
        let short = parts.place(firm, ha, staff.map(|n| n / 3));
        parts.world().production_and_investment();
        let (c, s) = (&parts.firms[crowded], &parts.firms[short]);
        for k in 0..3 {
            assert!(c.layoff_prob[k] > 0.0, "skill {k}: {:?}", c.layoff_prob);
            assert_eq!(c.vacancies[k], 0, "skill {k}");
            assert!(s.vacancies[k] > 0, "skill {k}: {:?}", s.vacancies);
            assert_eq!(s.layoff_prob[k], 0.0, "skill {k}");
        }
    }

    /// Interest on a large debt makes a loss: the firm counts another month of losses and its
    /// cash falls; a profitable month resets the count.
    #[test]
    fn a_loss_adds_a_loss_month_and_a_profit_resets_the_count() {
        let mut parts = Parts::new();
        let firm = parts.optimal_firm(0, parts.zone, 100.0);
        let staff = targets(&parts, &firm);
        let ha = parts.conditions().land_need_ha(0, 200.0);
        let mut indebted = firm.clone();
        indebted.debt = 1e3 * firm.capital.max(1e6);
        indebted.loss_months = 2;
        let mut sound = firm;
        sound.loss_months = 2;
        let (a, b) = (
            parts.place(indebted, ha, staff),
            parts.place(sound, ha, staff),
        );
        let cash_before = parts.firms[a].cash;
        parts.world().production_and_investment();
        assert!(parts.firms[a].profit < 0.0);
        assert_eq!(parts.firms[a].loss_months, 3);
        assert!(parts.firms[a].cash < cash_before);
        assert!(parts.firms[b].profit > 0.0);
        assert_eq!(parts.firms[b].loss_months, 0);
    }

    /// Step 8: a firm far below the cash floor closes (its plant goes idle and joins the pool,
    /// its workers lose their jobs and reconsider where they live); one that made losses for
    /// long enough idles (its workers too are let go); a sound firm keeps its workers.
    #[test]
    fn broke_firms_close_loss_makers_idle_and_their_workers_are_released() {
        let mut parts = Parts::new();
        let fixed = parts.economy.sectors[0].fixed_cost;
        let idle_after = parts.s.firms.idle_after_loss_months;
        let floor = parts.s.firms.exit_cash_floor_months_of_fixed_cost;
        let mut broke = parts.optimal_firm(0, parts.zone, 50.0);
        broke.cash = -(floor + 1.0) * fixed - 1.0;
        let mut losing = parts.optimal_firm(0, parts.zone, 50.0);
        losing.loss_months = idle_after;
        let mut sound = parts.optimal_firm(0, parts.zone, 50.0);
        sound.loss_months = idle_after - 1;
        let land_before = parts.districts[parts.zone].land.clone();
        let broke = parts.place(broke, 2.0, [3, 2, 1]);
        let losing = parts.place(losing, 3.0, [2, 2, 0]);
        let sound = parts.place(sound, 4.0, [1, 1, 1]);
        parts.world().exit_and_land();
        assert_eq!(parts.firms[broke].status, FirmStatus::Exited);
        assert_eq!(parts.firms[broke].land_ha, 0.0);
        assert_eq!(parts.firms[losing].status, FirmStatus::Idle);
        assert_eq!(parts.firms[sound].status, FirmStatus::Operating);
        assert_eq!(parts.counters.exits, 1);
        assert_eq!(parts.idle_pool[parts.zone], vec![(parts.month, 2.0)]);
        let land = &parts.districts[parts.zone].land;
        assert!((land.idle - land_before.idle - 5.0).abs() < 1e-9);
        assert!((land.occupied - land_before.occupied - 4.0).abs() < 1e-9);
        assert_eq!(parts.firms[broke].employees, [0; 3]);
        assert_eq!(parts.firms[losing].employees, [0; 3]);
        assert_eq!(parts.firms[sound].employees, [1, 1, 1]);
        let hh = &parts.households;
        assert_eq!(hh.len(), 13);
        for i in 0..hh.len() {
            // Households were pushed firm by firm: the last three work for the sound firm.
            if i < 10 {
                assert_eq!(hh.employer[i], NO_FIRM, "household {i}");
                assert_eq!(hh.wage[i], 0.0);
                assert!(hh.review_residence[i]);
            } else {
                assert_eq!(hh.employer[i], sound as u32, "household {i}");
                assert!(!hh.review_residence[i]);
            }
        }
        assert_eq!(
            parts.firms[broke].status_months, 0,
            "a closed firm's clock stops"
        );
        assert_eq!(parts.firms[losing].status_months, 1);
        assert_eq!(parts.firms[sound].status_months, 1);
    }

    /// Short-run labour demand rises with the price the firm sells at.
    #[test]
    fn labour_targets_rise_with_the_price() {
        let mut parts = Parts::new();
        let firm = parts.optimal_firm(0, parts.zone, 100.0);
        let at = |parts: &mut Parts, price: f64| {
            parts.markets.price.iter_mut().for_each(|p| *p = price);
            parts.conditions().labour_targets(&firm)
        };
        let (low, high) = (at(&mut parts, 1.0), at(&mut parts, 1.2));
        for k in 0..3 {
            assert!(high[k] > low[k], "skill {k}: {low:?} → {high:?}");
        }
        let scale: f64 = low.iter().sum();
        assert!(
            (scale / 100.0 - 1.0).abs() < 0.5,
            "targets {low:?} at the optimum"
        );
    }
}

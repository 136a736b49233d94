//! What the public purse pays, by lever and by account, cumulated over the run; and what the
//! capital plan planned, built and cut, by kind. Indicators for cost-effectiveness and for
//! implementation failures (a plan cut for lack of money is a policy not carried out).

use super::public::Asset;

/// A public cost, by the lever (report ID in the doc) or duty it pays for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cost {
    /// R1.2 investment promotion.
    Promotion,
    /// R1.1 chain-targeted attraction: the promotion team's work per targeted prospect.
    ChainTargeting,
    /// R2.2 one-stop approval: the centre's staff and running costs.
    ApprovalCentre,
    /// R4.1 five plans in one: the joint planning work.
    FivePlans,
    /// R1.4 listing support.
    IpoSupport,
    /// R1.3 interest subsidies to anchors.
    InterestSubsidy,
    /// R1.5 R&D subsidies.
    RdSubsidy,
    /// R1.6 technology-upgrade subsidies.
    TechUpgradeSubsidy,
    /// R1.5 incubators.
    Incubator,
    /// R2.4 rural e-commerce.
    RuralEcommerce,
    /// R2.5 public employment services.
    EmploymentService,
    /// R2.5 running costs of vocational training seats.
    VocationalTraining,
    /// R2.5 / R3.3 order training: the programme's cost per trainee placed with a firm.
    OrderTraining,
    /// R3.3 talent grants, salary top-ups and housing.
    Talent,
    /// R3.1 credit guarantees: capital paid in and top-ups after losses.
    GuaranteeFund,
    /// R3.1 bank–enterprise matching programme.
    BankMatching,
    /// R3.2 land reclamation: compensation to the holders of reclaimed idle land.
    LandReclamation,
    /// R3.2 land-price discounts: revenue forgone.
    LandPriceDiscount,
    /// R4.3 social-security coverage of settled migrants.
    SocialSecurity,
    /// The capital plan (R3.4 PPP, R4.1–R4.4 infrastructure, housing, schools): spending paid
    /// from the budget or debt, and PPP contracts at their capital value.
    CapitalPlan,
}

impl Cost {
    pub const ALL: [Cost; 20] = [
        Cost::Promotion,
        Cost::ChainTargeting,
        Cost::ApprovalCentre,
        Cost::FivePlans,
        Cost::IpoSupport,
        Cost::InterestSubsidy,
        Cost::RdSubsidy,
        Cost::TechUpgradeSubsidy,
        Cost::Incubator,
        Cost::RuralEcommerce,
        Cost::EmploymentService,
        Cost::VocationalTraining,
        Cost::OrderTraining,
        Cost::Talent,
        Cost::GuaranteeFund,
        Cost::BankMatching,
        Cost::LandReclamation,
        Cost::LandPriceDiscount,
        Cost::SocialSecurity,
        Cost::CapitalPlan,
    ];

    /// The id used in indicator names (`public_cost.<id>`).
    pub fn id(self) -> &'static str {
        match self {
            Cost::Promotion => "promotion",
            Cost::ChainTargeting => "chain_targeting",
            Cost::ApprovalCentre => "approval_centre",
            Cost::FivePlans => "five_plans_in_one",
            Cost::IpoSupport => "ipo_support",
            Cost::InterestSubsidy => "interest_subsidy",
            Cost::RdSubsidy => "rd_subsidy",
            Cost::TechUpgradeSubsidy => "tech_upgrade_subsidy",
            Cost::Incubator => "incubator",
            Cost::RuralEcommerce => "rural_ecommerce",
            Cost::EmploymentService => "employment_service",
            Cost::VocationalTraining => "vocational_training",
            Cost::OrderTraining => "order_training",
            Cost::Talent => "talent",
            Cost::GuaranteeFund => "guarantee_fund",
            Cost::BankMatching => "bank_enterprise_matching",
            Cost::LandReclamation => "land_reclamation",
            Cost::LandPriceDiscount => "land_price_discount",
            Cost::SocialSecurity => "social_security",
            Cost::CapitalPlan => "capital_plan",
        }
    }
}

/// Cumulative public cost by lever since the start, CNY (2015 prices).
#[derive(Debug, Clone, Default)]
pub struct PublicCosts {
    cumulative: [f64; Cost::ALL.len()],
}

impl PublicCosts {
    pub fn add(&mut self, cost: Cost, amount: f64) {
        self.cumulative[cost as usize] += amount;
    }
    pub fn get(&self, cost: Cost) -> f64 {
        self.cumulative[cost as usize]
    }
    pub fn total(&self) -> f64 {
        self.cumulative.iter().sum()
    }
}

/// Kinds of public capital as the capital plan lists them, for the implementation indicators.
pub const CAPITAL_KINDS: [(Asset, &str); 13] = [
    (Asset::Roads, "roads"),
    (Asset::Utilities, "utilities"),
    (Asset::Environment, "environment"),
    (Asset::Logistics, "logistics"),
    (Asset::Digital, "digital"),
    (Asset::Innovation, "innovation"),
    (Asset::TrainingSeats, "training_seats"),
    (Asset::SchoolSeats, "school_seats"),
    (Asset::HospitalBeds, "hospital_beds"),
    (Asset::CommercialFloor, "commercial_floor"),
    (Asset::FactoryFloor, "standard_factories"),
    (Asset::PublicRental, "public_rental"),
    (Asset::Resettlement, "resettlement"),
];

/// Capital planned and cut for lack of funds, cumulative CNY by kind (built, paid or contracted
/// by PPP, is the difference).
#[derive(Debug, Clone, Default)]
pub struct CapitalLedger {
    pub planned: [f64; CAPITAL_KINDS.len()],
    pub cut: [f64; CAPITAL_KINDS.len()],
}

impl CapitalLedger {
    pub fn kind_index(asset: Asset) -> Option<usize> {
        CAPITAL_KINDS.iter().position(|(a, _)| *a == asset)
    }
    pub fn record(&mut self, asset: Asset, planned: f64, built: f64) {
        if let Some(k) = Self::kind_index(asset) {
            self.planned[k] += planned;
            self.cut[k] += planned - built;
        }
    }
}

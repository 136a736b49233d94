//! Validation against the stylized facts of MODEL.md §7: each check computes a figure from a run
//! (indicators, firm microdata, the firm panel) and compares it with its target range.

use super::{RunOutput, replication_seed};
use crate::model::indicators::MonthRecord;
use crate::model::invariants::{self, Violation};
use crate::model::{FirmRecord, Simulation};
use crate::scenario::{DistrictKind, PublishedStatistics, Scenario};

/// Months between firm-panel snapshots used by the regression.
const PANEL_EVERY: u32 = 3;

/// One check: its id, what it measures, the target range, the measured figure.
#[derive(Debug, Clone)]
pub struct Check {
    pub id: &'static str,
    pub description: &'static str,
    pub target: (f64, f64),
    pub measured: f64,
}

impl Check {
    pub fn passed(&self) -> bool {
        self.measured.is_finite()
            && self.measured >= self.target.0
            && self.measured <= self.target.1
    }
}

/// A run with the invariants checked after every month (in any build), and the firm panel.
pub struct CheckedRun {
    pub output: RunOutput,
    pub panel: Vec<(u32, Vec<FirmRecord>)>,
    pub violation: Option<Violation>,
}

pub fn run_checked(scenario: &Scenario, seed: u64) -> CheckedRun {
    let mut sim = Simulation::new(scenario, seed);
    let mut records = Vec::with_capacity(sim.months_total() as usize);
    let mut panel = Vec::new();
    let mut violation = None;
    while !sim.is_done() {
        let record = sim.step();
        if violation.is_none() {
            violation = invariants::check(&sim).err();
        }
        if violation.is_none()
            && let Some((row, reason)) = record.first_invalid()
        {
            violation = Some(Violation {
                invariant: "indicators.valid",
                month: record.label.clone(),
                detail: format!(
                    "indicator `{}` (district {}) is {}, {reason}",
                    row.indicator,
                    row.district.map_or("region".to_string(), |d| d.to_string()),
                    row.value
                ),
            });
        }
        if (record.month + 1).is_multiple_of(PANEL_EVERY) {
            panel.push((record.month, sim.firm_records()));
        }
        records.push(record);
    }
    CheckedRun {
        output: RunOutput {
            district_ids: sim.districts().iter().map(|d| d.id.clone()).collect(),
            final_firms: sim.firm_records(),
            snapshots: Vec::new(),
            peak_firms: sim.peak_firms(),
            peak_workers: sim.peak_workers(),
            commuting: Vec::new(),
            base_travel_minutes: sim.base_travel_minutes().clone(),
            records,
        },
        panel,
        violation,
    }
}

/// All checks of one run.
pub fn checks(scenario: &Scenario, run: &CheckedRun) -> Vec<Check> {
    let records = &run.output.records;
    let clusters: Vec<usize> = scenario
        .spec()
        .districts
        .values()
        .enumerate()
        .filter(|(_, d)| d.kind == DistrictKind::Cluster)
        .map(|(i, _)| i)
        .collect();
    let zone_sum = |r: &MonthRecord, id: &str| {
        clusters
            .iter()
            .filter_map(|d| r.get(Some(*d), id))
            .sum::<f64>()
    };
    let zone_employment = |r: &MonthRecord| zone_sum(r, "employment");
    let first_year = &records[..records.len().min(12)];
    let last_year = &records[records.len().saturating_sub(12)..];
    let mean = |rs: &[MonthRecord], id: &str| {
        let v: Vec<f64> = rs.iter().filter_map(|r| r.get(None, id)).collect();
        if v.is_empty() {
            f64::NAN
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    // Zone employment growth 2016 → 2020: compound rate between the first and fifth year means.
    let growth = if records.len() >= 60 {
        let y0: f64 = records[..12].iter().map(zone_employment).sum::<f64>() / 12.0;
        let y4: f64 = records[48..60].iter().map(zone_employment).sum::<f64>() / 12.0;
        (y4 / y0).powf(1.0 / 4.0) - 1.0
    } else {
        f64::NAN
    };
    let first_year_zone_employment =
        first_year.iter().map(zone_employment).sum::<f64>() / first_year.len().max(1) as f64;
    let first_year_zone_value_added = first_year
        .iter()
        .map(|r| zone_sum(r, "modelled_firm_value_added"))
        .sum::<f64>()
        / first_year.len().max(1) as f64;
    let mut all = vec![
        Check {
            id: "firm_size_ccdf_slope",
            description: "log-log slope of the employment CCDF of firms with ≥ 20 workers (end of run)",
            target: (-1.3, -0.8),
            measured: ccdf_slope(&run.output.final_firms, 20),
        },
        Check {
            id: "agglomeration_elasticity",
            description: "elasticity of measured TFP to same-sector employment of other firms (quarterly firm panel, first differences, period effects)",
            target: (0.03, 0.10),
            measured: agglomeration_elasticity(&run.panel),
        },
        Check {
            id: "pendulum_2016",
            description: "share of zone workers living outside the zone, 2016 mean",
            target: (0.5, 1.0),
            measured: mean(first_year, "pendulum_index"),
        },
        Check {
            id: "pendulum_final_year",
            description: "the same in the final year: the status quo does not end it (≥ 30 %)",
            target: (0.3, 1.0),
            measured: mean(last_year, "pendulum_index"),
        },
        Check {
            id: "unemployment_rate",
            description: "unemployment rate, mean over the run",
            target: (0.03, 0.08),
            measured: mean(records, "unemployment_rate"),
        },
        Check {
            id: "firm_entry_rate",
            description: "firm entries per operating firm per year, mean over the run",
            target: (0.05, 0.12),
            measured: mean(records, "firm_entry_rate"),
        },
        Check {
            id: "firm_exit_rate",
            description: "firm exits per operating firm per year, mean over the run",
            target: (0.05, 0.12),
            measured: mean(records, "firm_exit_rate"),
        },
        Check {
            id: "zone_employment_growth_2016_2020",
            description: "compound yearly growth of employment in the cluster zones, first to fifth year",
            target: (0.05, 0.10),
            measured: growth,
        },
        Check {
            id: "zone_employment_2016",
            description: "employment per cluster zone, 2016 mean: tens of thousands (MODEL.md §7; Henan's 180 zones ≈ 16,700 each in 2012)",
            target: (10_000.0, 100_000.0),
            measured: first_year_zone_employment / clusters.len().max(1) as f64,
        },
        Check {
            id: "avg_wage_2016",
            description: "average wage of the worker agents, CNY/month in 2015 prices, 2016 mean: between Henan's private-unit (33,312/yr) and Zhumadian's non-private-unit (44,425/yr) 2016 averages, deflated by the 2016 CPI (1.9 %)",
            target: (2_776.0 / 1.019182, 3_702.0 / 1.019182),
            measured: mean(first_year, "avg_wage"),
        },
        Check {
            id: "zone_value_added_per_worker_2016",
            description: "value added per worker in the cluster zones, CNY/yr, 2016: zone revenue per worker 386k (county zone 2013) to 823k (Henan 2012) × value-added ratio 0.25–0.40",
            target: (96_000.0, 330_000.0),
            measured: if first_year_zone_employment > 0.0 {
                first_year_zone_value_added / first_year_zone_employment
            } else {
                f64::NAN
            },
        },
        Check {
            id: "commute_minutes_2016",
            description: "mean one-way commute of employed workers, minutes, 2016 mean: 28 on average in China's 50 largest cities, 25 in Luoyang (Baidu 2014); the range leaves room for the zone's long commutes from city and villages",
            target: (15.0, 35.0),
            measured: mean(first_year, "commute_minutes"),
        },
        Check {
            id: "stock_flow_consistency",
            description: "invariants of MODEL.md §6 hold every month (1 = yes)",
            target: (1.0, 1.0),
            measured: if run.violation.is_none() { 1.0 } else { 0.0 },
        },
    ];
    all.extend(public_rental_check(records));
    all.extend(debt_path_checks(records));
    all.extend(match scenario.spec().statistics {
        PublishedStatistics::YichengDistrict => district_checks(records),
        PublishedStatistics::ZhumadianPrefecture => prefecture_checks(records),
        PublishedStatistics::None => Vec::new(),
    });
    all
}

/// The status quo's debt path against China's published local debt (docs/data/public-debt.md):
/// its ratio to yearly revenue (taxes, land, fees and transfers: close to the comprehensive
/// financial resources, 综合财力, of the official 债务率) at the start and in 2023, and its real
/// growth in between. The model's debt holds the accounts' bonds and the platforms' (城投) loans,
/// so each ratio lies between government debt alone and government plus platform debt.
fn debt_path_checks(records: &[MonthRecord]) -> Vec<Check> {
    let ratio_2016 = region_year_mean(records, "debt_to_revenue", 2016);
    let ratio_2023 = region_year_mean(records, "debt_to_revenue", 2023);
    let debt_2016 = region_year_mean(records, "government_debt", 2016);
    let debt_2023 = region_year_mean(records, "government_debt", 2023);
    let mut checks = Vec::new();
    if ratio_2016.is_finite() {
        checks.push(Check {
            id: "debt_to_revenue_2016",
            description: "public debt / yearly revenue, 2016 mean: from 0.805, China's local government debt ratio of 2016 (MOF), to ≈ 2.2, that of 2015 with the platforms' debt ((16 + 23) 万亿 on 18.05 万亿 of local revenue, transfers and fund revenue; NAO, MOF)",
            target: (0.8, 2.2),
            measured: ratio_2016,
        });
    }
    if ratio_2023.is_finite() {
        checks.push(Check {
            id: "debt_to_revenue_2023",
            description: "the same, 2023 mean: from ≈ 1.4, China's local government debt of 40.74 万亿 on ≈ 28–29 万亿 of local revenue (11.72), transfers (10.29) and fund revenue, to ≈ 3.7 with the platforms' 66 万亿 (IMF)",
            target: (1.4, 3.7),
            measured: ratio_2023,
        });
    }
    if debt_2016 > 0.0 && debt_2023.is_finite() {
        checks.push(Check {
            id: "debt_growth_2016_2023",
            description: "real yearly growth of public debt from its 2016 to its 2023 mean: China's local government debt grew from 15.32 to 40.74 万亿, 15.0 %/yr nominal or ≈ 13 % real (platforms' debt 14 %/yr nominal 2015–23); ± 6 pp for one district",
            target: (0.07, 0.19),
            measured: (debt_2023 / debt_2016).powf(1.0 / 7.0) - 1.0,
        });
    }
    checks
}

/// Occupancy of public rental housing in the run's first five years, where the scenario has any:
/// at least the lowest occupancy an official audit reported in Henan (docs/data/public-rental.md).
/// A stock allocated by the cities' rules (low-income, new employees, insured migrant workers,
/// talents) fills; one let to talents alone stood two-thirds empty.
fn public_rental_check(records: &[MonthRecord]) -> Option<Check> {
    let years = &records[..records.len().min(60)];
    if years.len() < 60 {
        return None;
    }
    let units: f64 = years
        .iter()
        .filter_map(|r| r.get(None, "public_rental_units"))
        .sum();
    if units <= 0.0 {
        return None;
    }
    let occupancy: f64 = years
        .iter()
        .filter_map(|r| r.get(None, "occupancy.public_rental"))
        .sum::<f64>()
        / 60.0;
    Some(Check {
        id: "public_rental_occupancy_first_five_years",
        description: "occupancy of public rental housing (公租房), mean of the first five years: at least 0.49, the occupancy of six Henan prefectures' 2009–10 low-rent stock in the 2012 provincial audit (51.3 % empty, the lowest published); national audits 2016–2017 found units empty over a year to be a small part of the stock",
        target: (0.49, 1.0),
        measured: occupancy,
    })
}

/// Henan CPI (2015 = 1) chained from the provincial index (facts.csv, prices rows: 2016–2021),
/// 驿城区's 2022 CPI (+1.7 %) and China's 2023 CPI (+0.2 %, ASSUMPTION for the district): the
/// deflator from published current-price figures to the model's 2015 prices.
const CPI_2015_BASE: [(i32, f64); 8] = [
    (2016, 1.019182),
    (2017, 1.033095),
    (2018, 1.056365),
    (2019, 1.088133),
    (2020, 1.118601),
    (2021, 1.128668),
    (2022, 1.147856),
    (2023, 1.150152),
];

fn cpi(year: i32) -> f64 {
    CPI_2015_BASE
        .iter()
        .find(|(y, _)| *y == year)
        .map_or(f64::NAN, |(_, c)| *c)
}

/// Checks against the published statistics of 驿城区 (the district including its development and
/// cluster zones, as its bulletins define it; ../shared/data/zhumadian/facts.csv). Money in 2015
/// prices. Only years the run covers are checked.
fn district_checks(records: &[MonthRecord]) -> Vec<Check> {
    let year_mean = |id: &str, year: i32| region_year_mean(records, id, year);
    let share = |id: &str, year: i32| year_mean(id, year) / year_mean("gdp", year);
    let growth = |year: i32| year_mean("gdp", year) / year_mean("gdp", year - 1) - 1.0;
    let yi = 1e8;
    let mut out = vec![
        Check {
            id: "district_gdp_2019",
            description: "驿城区 GDP 2019, 亿元 in 2015 prices: 536.11 current = 492.7 (calibration year of the background economy), ± 10 %",
            target: (443.4, 542.0),
            measured: year_mean("gdp", 2019) / yi,
        },
        Check {
            id: "district_gdp_2022",
            description: "驿城区 GDP 2022, 亿元 in 2015 prices: 608.88 current deflated by CPI = 530.4; chained from 2019 by published real growth ≈ 575; the range spans both ± 10 %",
            target: (0.9 * 608.88 / cpi(2022), 1.1 * 575.0),
            measured: year_mean("gdp", 2022) / yi,
        },
        Check {
            id: "district_gdp_2023",
            description: "驿城区 GDP 2023, 亿元 in 2015 prices: 613.52 current deflated = 533.4; chained by real growth ≈ 602; the range spans both ± 10 %",
            target: (0.9 * 613.52 / cpi(2023), 1.1 * 602.0),
            measured: year_mean("gdp", 2023) / yi,
        },
        Check {
            id: "district_gdp_growth_2019",
            description: "驿城区 real GDP growth 2019: 7.6 %, ± 3 pp",
            target: (0.046, 0.106),
            measured: growth(2019),
        },
        Check {
            id: "district_gdp_growth_2022",
            description: "驿城区 real GDP growth 2022: 5.0 % (a Covid-era year the model does not shock), ± 3 pp",
            target: (0.02, 0.08),
            measured: growth(2022),
        },
        Check {
            id: "district_gdp_growth_2023",
            description: "驿城区 real GDP growth 2023: 4.7 %, ± 3 pp",
            target: (0.017, 0.077),
            measured: growth(2023),
        },
    ];
    for (year, primary, secondary) in [
        (2019, 0.058, 0.436),
        (2022, 0.055, 0.422),
        (2023, 0.051, 0.393),
    ] {
        out.push(Check {
            id: match year {
                2019 => "district_primary_share_2019",
                2022 => "district_primary_share_2022",
                _ => "district_primary_share_2023",
            },
            description: "驿城区 primary-sector share of GDP (5.8 % 2019, 5.5 % 2022, 5.1 % 2023), ± 2 pp",
            target: (primary - 0.02, primary + 0.02),
            measured: share("gdp_primary", year),
        });
        out.push(Check {
            id: match year {
                2019 => "district_secondary_share_2019",
                2022 => "district_secondary_share_2022",
                _ => "district_secondary_share_2023",
            },
            description: "驿城区 secondary-sector share of GDP (43.6 % 2019, 42.2 % 2022, 39.3 % 2023), ± 6 pp: published shares are in current prices and industrial prices fell after 2022, the model's are in 2015 prices",
            target: (secondary - 0.06, secondary + 0.06),
            measured: share("gdp_secondary", year),
        });
    }
    for (year, residents) in [(2019, 1_043_600.0), (2022, 1_052_200.0)] {
        out.push(Check {
            id: if year == 2019 {
                "district_residents_2019"
            } else {
                "district_residents_2022"
            },
            description: "驿城区 resident population (104.36 万 2019, 105.22 万 2022, statistical bureau), ± 5 %",
            target: (0.95 * residents, 1.05 * residents),
            measured: year_mean("residents", year),
        });
    }
    tidy(out)
}

/// The region's mean of an indicator over the 12 months of `year` (NaN unless the run covers
/// the whole year).
fn region_year_mean(records: &[MonthRecord], id: &str, year: i32) -> f64 {
    let prefix = format!("{year}-");
    let v: Vec<f64> = records
        .iter()
        .filter(|r| r.label.starts_with(&prefix))
        .filter_map(|r| r.get(None, id))
        .collect();
    if v.len() == 12 {
        v.iter().sum::<f64>() / 12.0
    } else {
        f64::NAN
    }
}

/// Drops checks of years the run does not cover and rounds targets as a reader writes them
/// (no 0.038000000000000006).
fn tidy(mut out: Vec<Check>) -> Vec<Check> {
    out.retain(|c| !c.measured.is_nan());
    for c in &mut out {
        let round = |x: f64| (x * 1e4).round() / 1e4;
        c.target = (round(c.target.0), round(c.target.1));
    }
    out
}

/// The prefecture's published GDP in current prices, 亿元: CSMAR's city series (2016–2020, the
/// 2019 figure after the 4th economic census) and the 2021 bulletin.
const PREFECTURE_GDP: [(i32, f64); 6] = [
    (2016, 1972.9881),
    (2017, 2175.0399),
    (2018, 2370.3243),
    (2019, 2742.0594),
    (2020, 2859.27),
    (2021, 3082.82),
];

/// Checks against the published statistics of the whole prefecture (驻马店市), money in 2015
/// prices. Tolerances: GDP levels ± 10 % — the 2019 census revision lifted the level by ≈ 5 %
/// (nominal +15.7 % in 2019 at 7.4 % real growth), the CPI stands in for the GDP deflator, and
/// the model's background economy is calibrated to 2019; growth ± 3 pp; sector shares as the
/// district's (published shares are in current prices); population ± 3 % (the census's own
/// undercount and the model's residents as households plus background residents).
fn prefecture_checks(records: &[MonthRecord]) -> Vec<Check> {
    let year_mean = |id: &str, year: i32| region_year_mean(records, id, year);
    let share = |id: &str, year: i32| year_mean(id, year) / year_mean("gdp", year);
    let yi = 1e8;
    let mut out: Vec<Check> = PREFECTURE_GDP
        .iter()
        .map(|&(year, gdp)| Check {
            id: match year {
                2016 => "prefecture_gdp_2016",
                2017 => "prefecture_gdp_2017",
                2018 => "prefecture_gdp_2018",
                2019 => "prefecture_gdp_2019",
                2020 => "prefecture_gdp_2020",
                _ => "prefecture_gdp_2021",
            },
            description: "驻马店市 GDP, 亿元 in 2015 prices: 1972.99 (2016), 2175.04, 2370.32, 2742.06 (2019, revised), 2859.27, 3082.82 (2021) current, deflated by the Henan CPI, ± 10 %",
            target: (0.9 * gdp / cpi(year), 1.1 * gdp / cpi(year)),
            measured: year_mean("gdp", year) / yi,
        })
        .collect();
    let growth = |from: i32, to: i32| {
        (year_mean("gdp", to) / year_mean("gdp", from)).powf(1.0 / f64::from(to - from)) - 1.0
    };
    out.extend([
        Check {
            id: "prefecture_gdp_growth_2016_2018",
            description: "驻马店市 real GDP growth 2016–2018, yearly: 8.5 % (2016), 8.5 % (2018) [CSMAR], ± 3 pp",
            target: (0.055, 0.115),
            measured: growth(2016, 2018),
        },
        Check {
            id: "prefecture_gdp_growth_2019",
            description: "驻马店市 real GDP growth 2019: 7.4 %, ± 3 pp",
            target: (0.044, 0.104),
            measured: growth(2018, 2019),
        },
        Check {
            id: "prefecture_gdp_growth_2019_2021",
            description: "驻马店市 real GDP growth 2019–2021, two-year average: 5.3 % (2021 bulletin; Covid 2020 at 3.6 %, which the model does not shock), ± 3 pp",
            target: (0.023, 0.083),
            measured: growth(2019, 2021),
        },
    ]);
    for (year, primary, secondary) in [(2019, 0.171, 0.402), (2021, 0.181, 0.389)] {
        out.push(Check {
            id: if year == 2019 {
                "prefecture_primary_share_2019"
            } else {
                "prefecture_primary_share_2021"
            },
            description: "驻马店市 primary-sector share of GDP (17.1 % 2019, 18.1 % 2021), ± 3 pp: farm prices moved it (19.2 % in 2020), the model's shares are in 2015 prices",
            target: (primary - 0.03, primary + 0.03),
            measured: share("gdp_primary", year),
        });
        out.push(Check {
            id: if year == 2019 {
                "prefecture_secondary_share_2019"
            } else {
                "prefecture_secondary_share_2021"
            },
            description: "驻马店市 secondary-sector share of GDP (40.2 % 2019, 38.9 % 2021), ± 6 pp",
            target: (secondary - 0.06, secondary + 0.06),
            measured: share("gdp_secondary", year),
        });
    }
    out.push(Check {
        id: "prefecture_residents_2020",
        description: "驻马店市 resident population, 2020 census: 7,008,427, ± 3 %",
        target: (0.97 * 7_008_427.0, 1.03 * 7_008_427.0),
        measured: year_mean("residents", 2020),
    });
    let manufacturing = |year: i32| {
        [
            "agri_food",
            "equipment",
            "pharma_chem",
            "new_materials",
            "electronics",
        ]
        .iter()
        .map(|s| year_mean(&format!("employment.{s}"), year))
        .sum::<f64>()
    };
    out.push(Check {
        id: "prefecture_manufacturing_jobs_2020",
        description: "employment in the modelled manufacturing sectors, 2020: 40–100 % of the prefecture's manufacturing employment in the census (29,766 in the 10 % long form ≈ 297,660); the zones held ≈ 56 % of Henan's industrial revenue in 2014",
        target: (0.4 * 297_660.0, 297_660.0),
        measured: manufacturing(2020),
    });
    tidy(out)
}

/// Slope of log P(size ≥ s) on log s over firms with at least `min` workers (OLS).
pub fn ccdf_slope(firms: &[FirmRecord], min: u32) -> f64 {
    let mut sizes: Vec<f64> = firms
        .iter()
        .filter(|f| f.status == "operating" && f.employees >= min)
        .map(|f| f.employees as f64)
        .collect();
    if sizes.len() < 10 {
        return f64::NAN;
    }
    sizes.sort_by(|a, b| b.total_cmp(a));
    let n = sizes.len() as f64;
    let points: Vec<(f64, f64)> = sizes
        .iter()
        .enumerate()
        .map(|(rank, s)| (s.ln(), ((rank + 1) as f64 / n).ln()))
        .collect();
    ols_slope(&points)
}

fn ols_slope(points: &[(f64, f64)]) -> f64 {
    let n = points.len() as f64;
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    if sxx > 0.0 { sxy / sxx } else { f64::NAN }
}

/// Regresses log measured TFP on log same-sector employment of the other firms in the firm's
/// district, in first differences between consecutive panel snapshots with period effects.
///
/// Why first differences: a firm's productivity is a random walk (shocks and innovation steps
/// accumulate), so in levels the error is highly persistent and the competition a productive firm
/// exerts on its neighbours (it takes their market and workers) leaks into the estimate; in
/// differences the error is the quarter's fresh shocks, nearly independent of how the cluster
/// around the firm moved (Wooldridge 2010, §10.6: FD is efficient when the error is a random walk).
/// Firm levels drop out in the difference; period effects (demeaning within each period) absorb
/// common technical progress, wages and prices. The firm itself is left out of its cluster, or its
/// own growth would look like agglomeration.
pub fn agglomeration_elasticity(panel: &[(u32, Vec<FirmRecord>)]) -> f64 {
    use std::collections::HashMap;
    let usable =
        |f: &FirmRecord| f.status == "operating" && f.employees > 0 && f.measured_tfp.is_finite();
    let log_others = |f: &FirmRecord| (f.others_same_sector_employment + 1.0).ln();
    let (mut sxy, mut sxx, mut n) = (0.0, 0.0, 0usize);
    for pair in panel.windows(2) {
        let before: HashMap<u32, &FirmRecord> = pair[0]
            .1
            .iter()
            .filter(|f| usable(f))
            .map(|f| (f.id, f))
            .collect();
        // (Δx, Δy) of the firms seen operating in both snapshots, in firm order.
        let changes: Vec<(f64, f64)> = pair[1]
            .1
            .iter()
            .filter(|f| usable(f))
            .filter_map(|f| {
                let b = before.get(&f.id)?;
                Some((
                    log_others(f) - log_others(b),
                    f.measured_tfp - b.measured_tfp,
                ))
            })
            .collect();
        if changes.len() < 2 {
            continue;
        }
        let m = changes.len() as f64;
        let mx = changes.iter().map(|c| c.0).sum::<f64>() / m;
        let my = changes.iter().map(|c| c.1).sum::<f64>() / m;
        for (dx, dy) in &changes {
            sxy += (dx - mx) * (dy - my);
            sxx += (dx - mx).powi(2);
        }
        n += changes.len();
    }
    if n < 30 || sxx <= 0.0 {
        return f64::NAN;
    }
    sxy / sxx
}

/// The checks over several replications (seeds from the master seed, as `compare` uses);
/// `on_done` is called as each replication finishes (progress bars).
pub fn validate(
    scenario: &Scenario,
    master_seed: u64,
    seeds: u64,
    on_done: impl Fn() + Sync,
) -> Vec<Vec<Check>> {
    use rayon::prelude::*;
    (0..seeds)
        .into_par_iter()
        .map(|r| {
            let run = run_checked(scenario, replication_seed(master_seed, r));
            let result = checks(scenario, &run);
            on_done();
            result
        })
        .collect()
}

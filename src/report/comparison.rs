//! The report of a comparison of scenarios: its figures (small multiples, differences, fan chart,
//! coupling bands, district map, cost-effectiveness) and its summary and definitions.

use super::{FigureRef, Report, Table};
use crate::experiment::compare::{Comparison, Estimate};
use crate::plot::compare::{
    CostEffect, CouplingBands, Forest, SMALL_MULTIPLES, fan, small_multiples,
};
use crate::plot::human::Human;
use crate::plot::map::DistrictMap;
use crate::plot::{Lang, PlotError, Source, name, save};
use crate::scenario::Scenario;
use crate::scenario::levers::{LEVERS, lever_value};
use std::path::Path;

/// What to draw: the years of the differences, the fan chart's indicator and the map's policy.
pub struct Choices {
    pub years: Vec<i32>,
    pub fan: String,
    /// Index of the scenario drawn beside the reference on the map.
    pub map_policy: usize,
    pub lang: Lang,
}

pub fn source(cmp: &Comparison) -> Source {
    Source {
        scenario_hashes: cmp.arms.iter().map(|a| a.content_hash.clone()).collect(),
        runs: cmp.runs(),
        seed: cmp.master_seed,
    }
}

/// Writes every comparison figure under `dir` (PNG and SVG) and returns them in report order.
pub fn write_figures(
    cmp: &Comparison,
    choices: &Choices,
    dir: &Path,
) -> Result<Vec<FigureRef>, PlotError> {
    let lang = choices.lang;
    let zh = lang.zh();
    let src = source(cmp).line(lang);
    let last = *choices.years.last().or(cmp.years().last()).unwrap_or(&2035);
    let years_text = choices
        .years
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let mut figures = Vec::new();
    let mut add = |title: String, caption: String, paths: [std::path::PathBuf; 2]| {
        figures.push(FigureRef {
            title,
            caption,
            png: paths[0].clone(),
        });
    };
    let title = lang
        .pick(
            "各方案关键指标（中位数与90%区间）",
            "Key indicators by package (median and 90 % band)",
        )
        .to_string();
    let p = save(
        &small_multiples(cmp, lang),
        &title,
        &src,
        &dir.join("comparison"),
    )?;
    add(
        title,
        lang.pick(
            "线为各次模拟的中位数，阴影为5%–95%分位；年均值；各方案坐标轴相同。",
            "Lines are the median over replications, bands the 5–95 % quantiles of yearly means; every package on the same axes.",
        )
        .into(),
        p,
    );
    let forest = Forest {
        cmp,
        years: choices.years.clone(),
        indicators: SMALL_MULTIPLES.iter().map(|s| s.to_string()).collect(),
        lang,
    };
    let title = if zh {
        format!(
            "与{}的差异（{years_text}年，95%置信区间）",
            cmp.arms[0].label(true)
        )
    } else {
        format!(
            "Difference to {} in {years_text} (95 % intervals)",
            cmp.arms[0].label(false)
        )
    };
    let p = save(&forest, &title, &src, &dir.join("differences"))?;
    add(
        title,
        lang.pick(
            "配对差：第r次模拟在各方案中使用同一随机数种子；横线为95%置信区间，跨过0的差异不可与模拟噪声区分。",
            "Paired differences: replication r uses the same random numbers in every package; whiskers are 95 % intervals, and a difference whose interval crosses 0 cannot be told from simulation noise.",
        )
        .into(),
        p,
    );
    let title = if zh {
        format!("{}的分布（扇形图）", name(&choices.fan, lang))
    } else {
        format!("Distribution of {} (fan chart)", name(&choices.fan, lang))
    };
    let p = save(
        &fan(cmp, &choices.fan, lang),
        &title,
        &src,
        &dir.join("fan"),
    )?;
    add(
        title,
        lang.pick(
            "中位数，25%–75%（深）与5%–95%（浅）分位带，按各次模拟的年均值。",
            "Median, 25–75 % (dark) and 5–95 % (light) bands over replications of yearly means.",
        )
        .into(),
        p,
    );
    let title = lang
        .pick(
            "产城融合度D与十个等级，旁为钟摆指数",
            "Coupling-coordination degree D over its ten bands, with the pendulum beside it",
        )
        .to_string();
    let p = save(
        &CouplingBands { cmp, lang },
        &title,
        &src,
        &dir.join("coupling_bands"),
    )?;
    add(
        title,
        lang.pick(
            "集聚区产业子系统U1与城市子系统U2的耦合协调度（中位数与90%区间），背景为常用的十级划分；右为钟摆指数（外住比例）。D同时度量两个子系统的发展水平与均衡程度：经济增长即可使D上升，而就业者仍住在集聚区外，故D的上升不等于产城融合，须与钟摆指数并读。",
            "Coupling coordination of the zone's industry (U1) and city (U2) subsystems, median and 90 % band, over the customary ten bands; right, the pendulum (share of zone workers living elsewhere). D measures the development level of both subsystems and their balance together: growth alone raises it while workers still live outside the zone, so a rise in D is not integration; read it with the pendulum.",
        )
        .into(),
        p,
    );
    if cmp.arms.len() > 1 {
        let map = DistrictMap {
            cmp,
            policy: choices.map_policy,
            year: last,
            lang,
        };
        let title = if zh {
            format!("{last}年居住、就业与通勤流",)
        } else {
            format!("Residents, jobs and commuting flows in {last}")
        };
        let p = save(&map, &title, &src, &dir.join("map"))?;
        add(
            title,
            lang.pick(
                "钟摆式通勤的可视化：箭头从居住地指向工作地，宽度为通勤人数。",
                "The pendulum made visible: arrows run from home to work district, their width the number of commuters.",
            )
            .into(),
            p,
        );
        let title = if zh {
            format!("成本效果：{last}年各方案的变化与累计公共成本")
        } else {
            format!("Cost-effectiveness: change by {last} against cumulative public cost")
        };
        let p = save(
            &CostEffect {
                cmp,
                year: last,
                lang,
            },
            &title,
            &src,
            &dir.join("cost_effectiveness"),
        )?;
        add(
            title,
            lang.pick(
                "横轴：与参照相比新增的累计公共成本（预算、债务与PPP）；纵轴：指标变化；十字线为95%置信区间。",
                "Horizontal: extra cumulative public cost over the reference (budget, debt and PPP); vertical: change in the indicator; crosses are 95 % intervals.",
            )
            .into(),
            p,
        );
    }
    Ok(figures)
}

/// The key indicators of the summary table.
pub const SUMMARY_INDICATORS: &[&str] = &[
    "gdp",
    "pendulum_index",
    "zone_residents",
    "coupling_coordination",
    "public_cost_cumulative",
];

/// The reference's value with its interval, or a package's difference to it with its interval.
fn cell(human: &Human, sample: &[f64], reference: Option<&[f64]>) -> String {
    match reference {
        None => {
            let e = human.clip(Estimate::of(sample, 0.95));
            format!(
                "{} [{}, {}]",
                human.value(e.mean),
                human.value(e.low),
                human.value(e.high)
            )
        }
        Some(r) => {
            let d = Estimate::paired(sample, r, 0.95);
            format!(
                "{} [{}, {}]",
                human.diff(d.mean),
                human.diff(d.low),
                human.diff(d.high)
            )
        }
    }
}

/// The report of a comparison; `figures` come from [`write_figures`].
pub fn build(
    cmp: &Comparison,
    scenarios: &[Scenario],
    choices: &Choices,
    figures: Vec<FigureRef>,
) -> Report {
    let lang = choices.lang;
    let zh = lang.zh();
    let reference = cmp.arms[0].label(zh).to_string();
    let years_text = choices
        .years
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(if zh { "、" } else { ", " });
    let question = if zh {
        format!(
            "与“{reference}”相比，各方案到{years_text}年会使集聚区的经济增长、钟摆式通勤（在集聚区工作但住在区外的比例）、产城融合度D和公共财政发生多大变化？"
        )
    } else {
        format!(
            "Compared with “{reference}”, how much would each package change, by {years_text}, the region's growth, the commuting pendulum (the share of the zone's workers who live outside it), industry–city coupling D and public finances?"
        )
    };
    let packages = cmp
        .arms
        .iter()
        .map(|a| (a.label(zh).to_string(), a.description(zh).to_string()))
        .collect();
    let mut summary_tables = Vec::new();
    for &year in &choices.years {
        let header: Vec<String> = std::iter::once(lang.pick("方案", "package").to_string())
            .chain(
                SUMMARY_INDICATORS
                    .iter()
                    .map(|id| format!("{} ({})", name(id, lang), Human::of(id, zh).unit)),
            )
            .collect();
        let rows = cmp
            .arms
            .iter()
            .enumerate()
            .map(|(a, arm)| {
                std::iter::once(if a == 0 {
                    arm.label(zh).to_string()
                } else {
                    format!("Δ {}", arm.label(zh))
                })
                .chain(SUMMARY_INDICATORS.iter().map(|id| {
                    let human = Human::of(id, zh);
                    let reference = cmp.arms[0].sample(id, year);
                    cell(
                        &human,
                        &arm.sample(id, year),
                        (a > 0).then_some(reference.as_slice()),
                    )
                }))
                .collect()
            })
            .collect();
        summary_tables.push(Table {
            caption: if zh {
                format!("{year}年（年均值）")
            } else {
                format!("{year} (yearly mean)")
            },
            header,
            rows,
            note: if zh {
                format!(
                    "第一行为“{reference}”的均值 [95%置信区间]；其余各行为与它的配对差 Δ [95%置信区间]（份额的差以百分点 pp 计）；{} 次模拟。",
                    cmp.runs()
                )
            } else {
                format!(
                    "First row: “{reference}”, mean [95 % confidence interval]; other rows: the paired difference Δ to it [95 % confidence interval] (shares in percentage points, pp); {} replications.",
                    cmp.runs()
                )
            },
        });
    }
    let warnings = cmp
        .arms
        .iter()
        .filter_map(|arm| arm_warnings(arm, cmp, zh))
        .collect();
    let caveats = if zh {
        "本报告的数字来自一个程式化的模拟模型：企业与住户为主体，基础设施、住房、土地、环境与公共预算为系统动力学存量；按2015年价格计；起点与参数依据驻马店市及驿城区的公开统计数据校准（2016–2021年地区生产总值及其构成、2020年人口普查），许多参数为假设并给出了不确定范围。区间只反映随机抽样（模拟噪声）在重复模拟之间的变化，不反映参数或模型结构的不确定性；后者请用 chancheng sweep 与 analyze 做敏感性分析。方案的效果依赖于模型对政策杠杆作用机制的设定（见各杠杆的报告出处与机制说明），宜用于比较方案的方向和相对大小，而不宜作为精确预测。"
    } else {
        "These numbers come from a stylised simulation: firms and households are agents; infrastructure, housing, land, environment and the public budget are system-dynamics stocks; all money is in 2015 prices. The start and the parameters are calibrated to published statistics of Zhumadian and its central district (GDP and its structure 2016–2021, the 2020 census), and many parameters are assumptions with stated ranges. The intervals show only the variation of random draws between replications (simulation noise), not the uncertainty of parameters or of the model's structure; use chancheng sweep and analyze for that. A package's effect depends on how the model represents each lever (see each lever's report reference and mechanism): read the results for the direction and relative size of effects between packages, not as forecasts."
    }
    .to_string();
    Report {
        lang,
        title: if zh {
            format!("产城模拟：{}个方案的比较", cmp.arms.len())
        } else {
            format!("chancheng: a comparison of {} packages", cmp.arms.len())
        },
        question,
        list_heading: lang.pick("比较的方案", "Packages compared").into(),
        list: packages,
        summary_tables,
        warnings: Some(warnings),
        caveats,
        figures,
        appendix: vec![definitions(scenarios, lang)],
        source: source(cmp).line(lang),
    }
}

/// Every lever's value in every scenario, with its report reference; values that differ from
/// the reference scenario's in bold.
pub fn definitions(scenarios: &[Scenario], lang: Lang) -> Table {
    let zh = lang.zh();
    let mut header: Vec<String> = vec![
        lang.pick("杠杆", "lever").into(),
        lang.pick("报告出处", "report").into(),
        lang.pick("单位", "unit").into(),
    ];
    header.extend(scenarios.iter().map(|s| s.label(zh).to_string()));
    let rows = LEVERS
        .iter()
        .map(|l| {
            let mut row = vec![
                format!("{} {}", l.id, if zh { l.name_zh } else { l.name_en }),
                l.report_ids.to_string(),
                l.unit.to_string(),
            ];
            let reference = scenarios.first().map(|s| lever_value(s, l));
            for s in scenarios {
                let raw = lever_value(s, l);
                let v = readable_lever_value(s, &raw, l.unit, lang);
                row.push(if Some(&raw) != reference.as_ref() {
                    format!("**{v}**")
                } else {
                    v
                });
            }
            row
        })
        .collect();
    Table {
        caption: lang.pick("方案定义：各杠杆的取值", "Scenario definitions: every lever's value").into(),
        header,
        rows,
        note: lang
            .pick(
                "粗体为与参照方案不同的取值；报告出处为2015年驻马店市决策咨询委员会报告中的建议编号（R1.1…R4.4）。",
                "Bold: differs from the reference scenario. Report: the recommendation's number in the 2015 report of Zhumadian's advisory council (R1.1…R4.4).",
            )
            .into(),
    }
}

/// An arm's implementation warnings in one line: the capital plans cut for lack of funds (each
/// kind with its mean cut over the runs that cut it), then the housing stocks left more than half
/// empty (mean empty share), with how many runs gave them.
fn arm_warnings(
    arm: &crate::experiment::compare::Arm,
    cmp: &Comparison,
    zh: bool,
) -> Option<String> {
    use crate::experiment::Warning;
    let runs = arm.runs.len();
    let mut cuts: Vec<(String, Vec<f64>)> = Vec::new();
    // (stock, district) → empty shares in %.
    type Stock<'a> = (&'a str, Option<String>);
    let mut empty: Vec<(Stock, Vec<f64>)> = Vec::new();
    for w in arm.runs.iter().flat_map(|r| &r.warnings) {
        match w {
            Warning::CapitalCut { kind, cut, planned } => {
                let pct = 100.0 * cut / planned;
                match cuts.iter_mut().find(|(k, _)| k == kind) {
                    Some((_, v)) => v.push(pct),
                    None => cuts.push((kind.clone(), vec![pct])),
                }
            }
            Warning::EmptyHousing {
                stock,
                district,
                empty_share,
                ..
            } => {
                let key = (*stock, district.clone());
                match empty.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, v)) => v.push(100.0 * empty_share),
                    None => empty.push((key, vec![100.0 * empty_share])),
                }
            }
        }
    }
    if cuts.is_empty() && empty.is_empty() {
        return None;
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let place = |d: &Option<String>| -> String {
        match d {
            None => if zh { "全域" } else { "region" }.to_string(),
            Some(id) => cmp
                .district_ids
                .iter()
                .position(|x| x == id)
                .map(|i| {
                    if zh {
                        cmp.district_names_zh[i].clone()
                    } else {
                        cmp.district_names_en[i].clone()
                    }
                })
                .unwrap_or_else(|| id.clone()),
        }
    };
    let mut parts = Vec::new();
    if !cuts.is_empty() {
        let list = cuts
            .iter()
            .map(|(k, v)| format!("{k} {:.0}%", mean(v)))
            .collect::<Vec<_>>()
            .join(", ");
        parts.push(if zh {
            format!("资本计划因资金不足削减 {list}")
        } else {
            format!("capital plans cut for lack of funds: {list}")
        });
    }
    for (stock, label) in [
        (
            "public_rental",
            if zh {
                "公租房空置"
            } else {
                "public rental empty"
            },
        ),
        (
            "resettlement",
            if zh {
                "安置房空置"
            } else {
                "resettlement housing empty"
            },
        ),
    ] {
        let list: Vec<String> = empty
            .iter()
            .filter(|((s, _), _)| *s == stock)
            .map(|((_, d), v)| format!("{} {:.0}%", place(d), mean(v)))
            .collect();
        if !list.is_empty() {
            parts.push(format!("{label}: {}", list.join(", ")));
        }
    }
    let most = cuts
        .iter()
        .map(|(_, v)| v.len())
        .chain(empty.iter().map(|(_, v)| v.len()))
        .max()
        .unwrap_or(0)
        .min(runs);
    Some(if zh {
        format!(
            "{}：{}（最多 {most}/{runs} 次模拟；期末，均值）",
            arm.label(true),
            parts.join("；")
        )
    } else {
        format!(
            "{}: {} (in up to {most} of {runs} runs; at the end, means)",
            arm.label(false),
            parts.join("; ")
        )
    })
}

/// A lever's value as a planner reads it: money in 万/亿 (zh) or k/M/bn (en), numbers without
/// exponents, districts by name (`zone=2.5e8 city=0` → `中心城区产业集聚区 2.5亿, 中心城区 0`).
fn readable_lever_value(scenario: &Scenario, raw: &str, unit: &str, lang: Lang) -> String {
    let number = |v: &str| -> String {
        match v.parse::<f64>() {
            Ok(x) if unit.starts_with("CNY") => crate::plot::human_tick(x, lang),
            Ok(x) => format!("{x}"),
            Err(_) => v.to_string(),
        }
    };
    let districts = &scenario.spec().districts;
    raw.split_whitespace()
        .map(|token| match token.split_once('=') {
            Some((d, v)) => {
                let name = districts.get(d).map_or(d, |spec| {
                    if lang.zh() {
                        spec.name_zh.as_str()
                    } else {
                        spec.name_en.as_str()
                    }
                });
                format!("{name} {}", number(v))
            }
            None => number(token),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One row of a paired table (`compare.csv`): a scenario's mean and 95 % interval of an indicator
/// in a period, the interval clipped to what the indicator can be, and the paired difference to
/// the reference scenario (none for the reference itself).
#[derive(Debug, Clone)]
pub struct PairedRow {
    pub scenario: String,
    pub indicator: String,
    /// `region` or a district id.
    pub district: String,
    /// [`Period::label`](crate::experiment::compare::Period::label).
    pub period: String,
    pub estimate: Estimate,
    pub diff: Option<Estimate>,
}

/// The paired table of `values[scenario][replication]` (each as [`TableSpec::values`] orders
/// them), period by period, indicator by indicator, scenario by scenario: the order of
/// `compare.csv`. The first scenario is the reference.
///
/// [`TableSpec::values`]: crate::experiment::compare::TableSpec::values
pub fn paired_rows(
    scenarios: &[Scenario],
    spec: &crate::experiment::compare::TableSpec,
    values: &[Vec<Vec<f64>>],
) -> Vec<PairedRow> {
    let np = spec.periods.len();
    let mut rows = Vec::new();
    for (j, period) in spec.periods.iter().enumerate() {
        for (k, id) in spec.indicators.iter().enumerate() {
            let human = Human::of(id, false);
            let column =
                |s: usize| -> Vec<f64> { values[s].iter().map(|r| r[k * np + j]).collect() };
            let reference = column(0);
            for (s, scenario) in scenarios.iter().enumerate() {
                let sample = column(s);
                rows.push(PairedRow {
                    scenario: scenario.name().to_string(),
                    indicator: id.clone(),
                    district: spec.scope().to_string(),
                    period: period.label(spec.final_months),
                    estimate: human.clip(Estimate::of(&sample, 0.95)),
                    diff: (s > 0).then(|| Estimate::paired(&sample, &reference, 0.95)),
                });
            }
        }
    }
    rows
}

/// `compare.csv`: one line per [`PairedRow`]; the reference's difference columns are empty.
pub fn paired_csv(rows: &[PairedRow]) -> Result<Vec<u8>, csv::Error> {
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record([
        "scenario",
        "indicator",
        "district",
        "year",
        "runs",
        "mean",
        "ci95_low",
        "ci95_high",
        "diff_vs_reference",
        "diff_ci95_low",
        "diff_ci95_high",
    ])?;
    for row in rows {
        let e = row.estimate;
        let diff = |f: fn(&Estimate) -> f64| {
            row.diff
                .as_ref()
                .map_or(String::new(), |d| f(d).to_string())
        };
        csv.write_record([
            row.scenario.clone(),
            row.indicator.clone(),
            row.district.clone(),
            row.period.clone(),
            e.n.to_string(),
            e.mean.to_string(),
            e.low.to_string(),
            e.high.to_string(),
            diff(|d| d.mean),
            diff(|d| d.low),
            diff(|d| d.high),
        ])?;
    }
    csv.into_inner().map_err(|e| e.into_error().into())
}

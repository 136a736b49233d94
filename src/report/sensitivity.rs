//! Reports of sensitivity analysis (Sobol tornado, Morris μ*–σ) and of scenario discovery (PRIM).

use super::{FigureRef, Report, Table};
use crate::experiment::sweep::{Aggregate, OutputSpec};
use crate::format::figure;
use crate::plot::sensitivity::{MorrisScatter, PrimTradeoff, Tornado};
use crate::plot::{Lang, save, tidy};
use crate::sensitivity::analyze::Indices;
use crate::sensitivity::prim::BoxStep;
use std::collections::BTreeMap;
use std::path::Path;

/// Where the analysed numbers come from.
pub struct SourceInfo {
    /// The files, or the sweep and its scenario's hash.
    pub what: String,
    /// Rows analysed: runs of the model (of a sweep, or one per row of a design).
    pub count: usize,
    /// A Saltelli design's base samples N (its rows are N·(k + 2) model runs); a reader judges
    /// the intervals by N, not by the rows.
    pub base_samples: Option<usize>,
    /// The design's or the bootstrap's seed, where there is one.
    pub seed: Option<u64>,
}

impl SourceInfo {
    fn line(&self, lang: Lang) -> String {
        let version = env!("CARGO_PKG_VERSION");
        let (unit, seed) = if lang.zh() {
            ("次模拟", self.seed.map(|s| format!("，种子 {s}")))
        } else {
            ("runs", self.seed.map(|s| format!(", seed {s}")))
        };
        let seed = seed.unwrap_or_default();
        let base = self.base_samples.map(|n| {
            if lang.zh() {
                format!("，N = {n} 个基样本")
            } else {
                format!(", N = {n} base samples")
            }
        });
        let base = base.unwrap_or_default();
        if lang.zh() {
            format!(
                "来源：chancheng {version}；{}；{} {unit}{base}{seed}",
                self.what, self.count
            )
        } else {
            format!(
                "Source: chancheng {version}; {}; {} {unit}{base}{seed}",
                self.what, self.count
            )
        }
    }
}

/// A name for readers with its id beside it, so a table can be matched with `runs.csv`.
fn with_id(name: &str, id: &str, lang: Lang) -> String {
    if lang.zh() {
        format!("{name}（`{id}`）")
    } else {
        format!("{name} (`{id}`)")
    }
}

/// An output as a reader knows it: the indicator's catalogue name with its scope, the district
/// and the period the output summarises (`pendulum_index@final` → "Pendulum index (share of
/// workers living elsewhere) (worker agents), final year"). An output that names no catalogued
/// indicator (a toy function's `y`) keeps its text.
pub fn output_label(text: &str, lang: Lang) -> String {
    use crate::model::indicators::{indicator, label};
    let Ok(spec) = OutputSpec::parse(text) else {
        return text.to_string();
    };
    if indicator(&spec.indicator).is_none() {
        return text.to_string();
    }
    let zh = lang.zh();
    let name = label(&spec.indicator, zh);
    let period = match (spec.aggregate, zh) {
        (Aggregate::FinalYear, true) => "末年".to_string(),
        (Aggregate::FinalYear, false) => "final year".to_string(),
        (Aggregate::Year(y), true) => format!("{y}年"),
        (Aggregate::Year(y), false) => y.to_string(),
        (Aggregate::Max, true) => "全程最高".to_string(),
        (Aggregate::Max, false) => "highest over the run".to_string(),
        (Aggregate::Min, true) => "全程最低".to_string(),
        (Aggregate::Min, false) => "lowest over the run".to_string(),
        (Aggregate::Mean, true) => "全程平均".to_string(),
        (Aggregate::Mean, false) => "mean over the run".to_string(),
    };
    match (&spec.district, zh) {
        (Some(d), true) => format!("{name}，{d}，{period}"),
        (Some(d), false) => format!("{name}, {d}, {period}"),
        (None, true) => format!("{name}，{period}"),
        (None, false) => format!("{name}, {period}"),
    }
}

/// A file-name-safe form of an output's name.
fn stem(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

fn write_report(report: &Report, dir: &Path) -> anyhow::Result<Vec<String>> {
    let html = dir.join("report.html");
    let md = dir.join("report.md");
    crate::output::write_atomic(&html, report.html()?.as_bytes())?;
    crate::output::write_atomic(&md, report.markdown(dir).as_bytes())?;
    Ok(vec![html.display().to_string(), md.display().to_string()])
}

/// Figures of every output's indices, and the report, in `dir`; `factor_names` names factors
/// (groups) for readers in `lang`, and the tables keep the ids beside them. Returns the files
/// written.
pub fn write(
    analyses: &[(String, Indices)],
    source: &SourceInfo,
    lang: Lang,
    factor_names: &BTreeMap<String, String>,
    dir: &Path,
) -> anyhow::Result<Vec<String>> {
    let named = |factor: &str| {
        factor_names
            .get(factor)
            .cloned()
            .unwrap_or_else(|| factor.to_string())
    };
    let named_with_id = |factor: &str| match factor_names.get(factor) {
        Some(name) => with_id(name, factor, lang),
        None => factor.to_string(),
    };
    let src = source.line(lang);
    let mut figures = Vec::new();
    let mut tables = Vec::new();
    let mut list = Vec::new();
    let mut sobol = false;
    for (output, indices) in analyses {
        let path = dir.join("figures").join(stem(output));
        // Figures and headings name the output as a reader knows it; tables keep its id too,
        // so that a reader can find the column in `runs.csv`.
        let label = output_label(output, lang);
        let caption = if label == *output {
            label.clone()
        } else {
            with_id(&label, output, lang)
        };
        match indices {
            Indices::Sobol(v) => {
                sobol = true;
                let title = if lang.zh() {
                    format!("{label}的 Sobol 指数")
                } else {
                    format!("Sobol indices of {label}")
                };
                let drawn_indices: Vec<_> = v
                    .iter()
                    .map(|i| crate::sensitivity::analyze::SobolIndex {
                        factor: tidy(&named(&i.factor)),
                        ..i.clone()
                    })
                    .collect();
                let paths = save(
                    &Tornado {
                        indices: &drawn_indices,
                        lang,
                    },
                    &tidy(&title),
                    &src,
                    &path,
                )?;
                figures.push(FigureRef {
                    title,
                    caption: lang
                        .pick(
                            "按总效应排序。ST：该因子单独及其与其他因子交互所解释的输出方差份额；S1：单独解释的份额；横线为95%自助法区间。区间宽时应增加样本。",
                            "Sorted by total effect. ST: the share of the output's variance a factor explains alone and through interactions; S1: alone; whiskers are 95 % bootstrap intervals. Wide intervals call for more samples.",
                        )
                        .into(),
                    png: paths[0].clone(),
                });
                let mut sorted: Vec<_> = v.iter().collect();
                sorted.sort_by(|a, b| b.st.total_cmp(&a.st));
                list.push((
                    label.clone(),
                    sorted
                        .iter()
                        .take(3)
                        .map(|i| format!("{} (ST {:.2})", named(&i.factor), i.st))
                        .collect::<Vec<_>>()
                        .join(", "),
                ));
                tables.push(Table {
                    caption: caption.clone(),
                    header: if lang.zh() {
                        ["因子", "S1", "S1 ±95%", "ST", "ST ±95%"]
                    } else {
                        ["factor", "S1", "S1 ± 95 %", "ST", "ST ± 95 %"]
                    }
                    .map(String::from)
                    .to_vec(),
                    rows: sorted
                        .iter()
                        .map(|i| {
                            vec![
                                named_with_id(&i.factor),
                                format!("{:.3}", i.s1),
                                format!("{:.3}", i.s1_conf),
                                format!("{:.3}", i.st),
                                format!("{:.3}", i.st_conf),
                            ]
                        })
                        .collect(),
                    note: String::new(),
                });
            }
            Indices::Morris(v) => {
                let title = if lang.zh() {
                    format!("{label}的 Morris 筛选")
                } else {
                    format!("Morris screening of {label}")
                };
                let paths = save(
                    &MorrisScatter { indices: v, lang },
                    &tidy(&title),
                    &src,
                    &path,
                )?;
                figures.push(FigureRef {
                    title,
                    caption: lang
                        .pick(
                            "右侧的参数影响大；上方的参数有交互作用或非线性。横线为 μ* 的95%自助法区间。",
                            "Parameters to the right matter most; those high up act through interactions or non-linearly. Whiskers: 95 % bootstrap interval of μ*.",
                        )
                        .into(),
                    png: paths[0].clone(),
                });
                let mut sorted: Vec<_> = v.iter().collect();
                sorted.sort_by(|a, b| b.mu_star.total_cmp(&a.mu_star));
                list.push((
                    label.clone(),
                    sorted
                        .iter()
                        .take(3)
                        .map(|i| format!("{} (μ* {})", i.parameter, figure(i.mu_star)))
                        .collect::<Vec<_>>()
                        .join(", "),
                ));
                tables.push(Table {
                    caption: caption.clone(),
                    header: if lang.zh() {
                        ["参数", "μ*", "μ* ±95%", "μ", "σ"]
                    } else {
                        ["parameter", "μ*", "μ* ± 95 %", "μ", "σ"]
                    }
                    .map(String::from)
                    .to_vec(),
                    rows: sorted
                        .iter()
                        .map(|i| {
                            vec![
                                i.parameter.clone(),
                                figure(i.mu_star),
                                figure(i.mu_star_conf),
                                figure(i.mu),
                                figure(i.sigma),
                            ]
                        })
                        .collect(),
                    note: String::new(),
                });
            }
        }
    }
    let outputs: Vec<String> = analyses
        .iter()
        .map(|(o, _)| output_label(o, lang))
        .collect();
    let report = Report {
        lang,
        title: if lang.zh() {
            format!(
                "产城模拟：{}敏感性分析",
                if sobol { "Sobol " } else { "Morris " }
            )
        } else {
            format!(
                "chancheng: {} sensitivity analysis",
                if sobol { "Sobol" } else { "Morris" }
            )
        },
        question: if lang.zh() {
            format!("哪些不确定参数最能左右 {}？", outputs.join("、"))
        } else {
            format!(
                "Which uncertain parameters drive {} the most?",
                outputs.join(", ")
            )
        },
        list_heading: lang
            .pick("各输出最重要的三个因子", "The three most influential factors of each output")
            .into(),
        list,
        summary_tables: Vec::new(),
        warnings: None,
        caveats: lang
            .pick(
                "指数只在所抽样的参数范围内成立（见情景文件的 [uncertainty] 表）；样本少时区间很宽，负的 S1 是抽样误差。参数分组时，指数属于整组。",
                "The indices hold within the sampled ranges only (the scenario's [uncertainty] table); with few samples the intervals are wide, and a negative S1 is sampling error. With grouped parameters, an index belongs to the whole group.",
            )
            .into(),
        figures,
        appendix: tables,
        source: src,
    };
    let mut files = write_report(&report, dir)?;
    files.insert(0, dir.join("figures").display().to_string());
    Ok(files)
}

/// What PRIM found, for its report.
pub struct PrimResult<'a> {
    pub trajectory: &'a [BoxStep],
    pub chosen: Option<usize>,
    pub inputs: &'a [String],
    pub condition: &'a str,
    pub min_coverage: f64,
}

/// The PRIM figure and report in `dir`. Returns the files written.
pub fn write_prim(
    prim: &PrimResult,
    source: &SourceInfo,
    lang: Lang,
    dir: &Path,
) -> anyhow::Result<Vec<String>> {
    let src = source.line(lang);
    let title = if lang.zh() {
        format!("情景发现（PRIM）：{}", prim.condition)
    } else {
        format!("Scenario discovery (PRIM): {}", prim.condition)
    };
    let paths = save(
        &PrimTradeoff {
            trajectory: prim.trajectory,
            chosen: prim.chosen,
            inputs: prim.inputs,
            condition: prim.condition,
            lang,
        },
        &title,
        &src,
        &dir.join("figures").join("prim"),
    )?;
    let chosen = prim.chosen.and_then(|i| prim.trajectory.get(i));
    let table = Table {
        caption: lang.pick("所选框的界限", "Limits of the chosen box").into(),
        header: [
            lang.pick("输入", "input"),
            lang.pick("下限", "low"),
            lang.pick("上限", "high"),
        ]
        .map(String::from)
        .to_vec(),
        rows: chosen
            .map(|b| {
                b.restricted
                    .iter()
                    .map(|&k| {
                        vec![
                            prim.inputs.get(k).cloned().unwrap_or_default(),
                            figure(b.limits[k].0),
                            figure(b.limits[k].1),
                        ]
                    })
                    .collect()
            })
            .unwrap_or_default(),
        note: chosen
            .map(|b| {
                if lang.zh() {
                    format!(
                        "覆盖率 {:.2}，密度 {:.2}，框内 {} 个点（占 {:.0}%）。",
                        b.coverage,
                        b.density,
                        b.points,
                        100.0 * b.mass
                    )
                } else {
                    format!(
                        "Coverage {:.2}, density {:.2}, {} points inside ({:.0} % of all).",
                        b.coverage,
                        b.density,
                        b.points,
                        100.0 * b.mass
                    )
                }
            })
            .unwrap_or_default(),
    };
    let report = Report {
        lang,
        title: tidy(&title),
        question: if lang.zh() {
            format!("在输入空间的哪个区域，{} 最常成立？", prim.condition)
        } else {
            format!(
                "In which region of the inputs does {} hold most often?",
                prim.condition
            )
        },
        list_heading: lang.pick("结果", "Result").into(),
        list: vec![(
            lang.pick("所选框", "Chosen box").into(),
            match chosen {
                Some(b) => format!(
                    "{} {:.2}, {} {:.2}",
                    lang.pick("覆盖率", "coverage"),
                    b.coverage,
                    lang.pick("密度", "density"),
                    b.density
                ),
                None => format!(
                    "{} {:.2}",
                    lang.pick(
                        "没有框达到最小覆盖率",
                        "no box reaches the minimum coverage"
                    ),
                    prim.min_coverage
                ),
            },
        )],
        summary_tables: vec![table],
        warnings: None,
        caveats: lang
            .pick(
                "覆盖率是目标情形落在框内的比例，密度是框内点中目标情形的比例；框只描述所抽样的点，样本少时应在新样本上检验。",
                "Coverage is the share of the cases of interest inside the box, density the share of the box's points that are cases of interest; a box describes the sampled points only: check it on new samples when they are few.",
            )
            .into(),
        figures: vec![FigureRef {
            title,
            caption: lang
                .pick(
                    "左：剥离轨迹上每个框的覆盖率与密度，圈出所选框；右：所选框在各受限输入上的范围（灰色为抽样范围）。",
                    "Left: coverage and density of each box along the peeling trajectory, the chosen one circled; right: the chosen box on each input it restricts (grey: the sampled range).",
                )
                .into(),
            png: paths[0].clone(),
        }],
        appendix: Vec::new(),
        source: src,
    };
    write_report(&report, dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_output_is_named_by_its_indicator_and_period_in_either_language() {
        let zh = output_label("pendulum_index@final", Lang::Zh);
        assert!(zh.starts_with("钟摆指数") && zh.ends_with("，末年"), "{zh}");
        let en = output_label("max:debt_to_revenue", Lang::En);
        assert!(en.ends_with(", highest over the run"), "{en}");
        assert!(!en.contains("debt_to_revenue"), "{en}");
        let district = output_label("gdp[zone]@2030", Lang::En);
        assert!(district.ends_with(", zone, 2030"), "{district}");
    }

    #[test]
    fn an_output_outside_the_catalogue_keeps_its_text() {
        assert_eq!(output_label("y", Lang::Zh), "y");
        assert_eq!(
            output_label("not_an_indicator@final", Lang::En),
            "not_an_indicator@final"
        );
        assert_eq!(output_label("bad:gdp", Lang::En), "bad:gdp");
    }
}

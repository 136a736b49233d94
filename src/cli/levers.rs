//! `chancheng levers`: the lever catalogue as a table, CSV or JSON, in Chinese or English.

use crate::plot::Lang;
use crate::scenario::levers::{LEVERS, LeverKey, lever_value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct LeversArgs {
    #[arg(long, value_enum, default_value_t = Lang::En)]
    pub lang: Lang,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

pub fn levers(args: LeversArgs) -> anyhow::Result<()> {
    let baseline = crate::scenario::load_builtin()?;
    let rows: Vec<[String; 7]> = LEVERS
        .iter()
        .map(|l| {
            let key = match l.key {
                LeverKey::Policy(f) => format!("policy.{f}"),
                LeverKey::Investment(f) => format!("policy.investment.<district>.{f}"),
            };
            [
                l.id.to_string(),
                match args.lang {
                    Lang::Zh => l.name_zh.to_string(),
                    Lang::En => l.name_en.to_string(),
                },
                l.unit.to_string(),
                lever_value(&baseline, l),
                format!("{} ..= {}", l.min, l.max),
                l.report_ids.to_string(),
                format!("{key} — {}", l.mechanism),
            ]
        })
        .collect();
    let header = match args.lang {
        Lang::Zh => [
            "编号",
            "名称",
            "单位",
            "默认值(2015现状)",
            "取值范围",
            "报告出处",
            "作用机制",
        ],
        Lang::En => [
            "id",
            "name",
            "unit",
            "default (2015)",
            "range",
            "report",
            "mechanism",
        ],
    };
    match args.format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout());
            w.write_record([
                "id",
                "name_zh",
                "name_en",
                "unit",
                "default",
                "min",
                "max",
                "report_ids",
                "key",
                "mechanism",
            ])?;
            for l in LEVERS {
                let key = match l.key {
                    LeverKey::Policy(f) => format!("policy.{f}"),
                    LeverKey::Investment(f) => format!("policy.investment.<district>.{f}"),
                };
                w.write_record([
                    l.id,
                    l.name_zh,
                    l.name_en,
                    l.unit,
                    &lever_value(&baseline, l),
                    &l.min.to_string(),
                    &l.max.to_string(),
                    l.report_ids,
                    &key,
                    l.mechanism,
                ])?;
            }
            w.flush()?;
        }
        Format::Json => {
            let list: Vec<serde_json::Value> = LEVERS
                .iter()
                .map(|l| {
                    serde_json::json!({
                        "id": l.id, "name_zh": l.name_zh, "name_en": l.name_en, "unit": l.unit,
                        "default": lever_value(&baseline, l), "min": l.min, "max": l.max,
                        "report_ids": l.report_ids, "key": match l.key {
                            LeverKey::Policy(f) => format!("policy.{f}"),
                            LeverKey::Investment(f) => format!("policy.investment.<district>.{f}"),
                        }, "mechanism": l.mechanism,
                    })
                })
                .collect();
            let mut text = serde_json::to_string_pretty(&list)?;
            text.push('\n');
            super::print_out(text.as_bytes())?;
        }
        Format::Table => {
            // Short columns padded by display width; the long mechanism last.
            let width = |s: &str| {
                s.chars()
                    .map(|c| if c.is_ascii() { 1 } else { 2 })
                    .sum::<usize>()
            };
            let mut widths = [0usize; 6];
            for r in rows
                .iter()
                .map(|r| &r[..6])
                .chain(std::iter::once(&header.map(String::from)[..6]))
            {
                for (i, c) in r.iter().enumerate() {
                    widths[i] = widths[i].max(width(c)).min(44);
                }
            }
            let line = |cells: &[String]| {
                let mut s = String::new();
                for (i, c) in cells.iter().enumerate() {
                    if i < 6 {
                        s.push_str(c);
                        s.push_str(&" ".repeat(widths[i].saturating_sub(width(c)) + 2));
                    } else {
                        s.push_str(c);
                    }
                }
                s
            };
            let mut text = format!("{}\n", line(&header.map(String::from)));
            for r in &rows {
                text.push_str(&line(r));
                text.push('\n');
            }
            super::print_out(text.as_bytes())?;
        }
    }
    Ok(())
}

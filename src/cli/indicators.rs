//! `chancheng indicators`: the indicator catalogue (id, names, unit, scope) as a table, CSV or
//! JSON; and `chancheng coupling-weights`: the `[coupling]` block the reference panel implies.

use super::levers::Format;
use crate::model::indicators::{INDICATORS, scope};
use crate::plot::Lang;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct IndicatorsArgs {
    #[arg(long, value_enum, default_value_t = Lang::En)]
    pub lang: Lang,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

pub fn indicators(args: IndicatorsArgs) -> anyhow::Result<()> {
    use std::io::Write;
    let zh = args.lang == Lang::Zh;
    // Written to memory first, then at once: a reader that stops early (`| head`) is not an error.
    let mut out: Vec<u8> = Vec::new();
    match args.format {
        Format::Json => {
            let list: Vec<serde_json::Value> = INDICATORS
                .iter()
                .map(|d| {
                    serde_json::json!({
                        "id": d.id, "name_zh": d.name_zh, "name_en": d.name_en, "unit": d.unit,
                        "scope": scope(d.id).name(zh),
                    })
                })
                .collect();
            writeln!(out, "{}", serde_json::to_string_pretty(&list)?)?;
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(["id", "name_zh", "name_en", "unit", "scope"])?;
            for d in INDICATORS {
                w.write_record([d.id, d.name_zh, d.name_en, d.unit, scope(d.id).name(zh)])?;
            }
            out.write_all(&w.into_inner()?)?;
        }
        Format::Table => {
            let header = if zh {
                ["编号", "范围", "单位", "名称"]
            } else {
                ["id", "scope", "unit", "name"]
            };
            writeln!(
                out,
                "{:<30} {:<26} {:<14} {}",
                header[0], header[1], header[2], header[3]
            )?;
            for d in INDICATORS {
                let name = if zh { d.name_zh } else { d.name_en };
                writeln!(
                    out,
                    "{:<30} {:<26} {:<14} {name}",
                    d.id,
                    scope(d.id).name(zh),
                    d.unit
                )?;
            }
            let note = if zh {
                "\n另有按项目记录的累计值：employment.<行业>、public_cost.<政策>、capital_planned.<类别>、capital_cut.<类别>（全域）。"
            } else {
                "\nAlso recorded (region): employment.<sector>, public_cost.<lever>, capital_planned.<kind>, capital_cut.<kind> (cumulative)."
            };
            writeln!(out, "{note}")?;
        }
    }
    Ok(super::print_out(&out)?)
}

#[derive(clap::Args, Debug)]
pub struct CouplingWeightsArgs {
    /// The reference panel (CSV with one column per sub-indicator).
    #[arg(long, default_value = "scenarios/reference/coupling_panel.csv")]
    pub panel: PathBuf,
}

pub fn coupling_weights(args: CouplingWeightsArgs) -> anyhow::Result<()> {
    let refs = crate::experiment::coupling_panel::references(&args.panel)?;
    print!("{}", crate::experiment::coupling_panel::to_toml(&refs));
    Ok(())
}

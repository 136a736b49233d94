//! Home → work commuting flows between districts in the last December of one run, with their road
//! minutes, largest first; and the workers commuting more than an hour (docs/ODD.md §7.7, the
//! commuting radius):
//!
//! `cargo run --release --example commuting_flows -- scenarios/zhumadian.toml [KEY=VALUE …]`

use chancheng::experiment::run_single;
use chancheng::scenario::load_file;
use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: commuting_flows SCENARIO [KEY=VALUE …]")?;
    let mut overrides = Vec::new();
    for setting in args {
        let (key, value) = setting
            .split_once('=')
            .ok_or_else(|| format!("{setting}: expected KEY=VALUE"))?;
        overrides.push((key.to_string(), value.parse::<f64>()?));
    }
    let scenario = load_file(Path::new(&path))?.with_overrides(&overrides)?;
    let out = run_single(&scenario, 1, None, |_| {})?;
    let (year, flows) = out.commuting.last().ok_or("the run has no December")?;
    let ids = &out.district_ids;
    let minutes = &out.base_travel_minutes;
    let mut pairs = Vec::new();
    let (mut total, mut over_hour) = (0.0, 0.0);
    for home in 0..ids.len() {
        for work in 0..ids.len() {
            let n = flows[(home, work)];
            total += n;
            if minutes[(home, work)] > 60.0 {
                over_hour += n;
            }
            if home != work && n > 0.0 {
                pairs.push((n, home, work));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!("{year}: {total:.0} employed workers; {over_hour:.0} commute more than 60 minutes");
    println!("{:>8}  {:>7}  home → work", "workers", "minutes");
    for (n, home, work) in pairs {
        println!(
            "{n:>8.0}  {:>7.0}  {} → {}",
            minutes[(home, work)],
            ids[home],
            ids[work]
        );
    }
    Ok(())
}

//! Any bytes as a pair of CSV files for `analyze` (samples, then outputs, split at the first
//! 0xFF byte): parsing and the Sobol and Morris analyses must answer with indices or an error,
//! never panic or hang.
#![no_main]

use chancheng::sensitivity::analyze::{morris, sobol};
use chancheng::sensitivity::params::Parameter;
use chancheng::sensitivity::parse_csv;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let cut = data.iter().position(|&b| b == 0xFF).unwrap_or(data.len());
    let (samples, outputs) = (&data[..cut], data.get(cut + 1..).unwrap_or(&[]));
    let (Ok(x), Ok(y)) = (parse_csv(samples, "samples"), parse_csv(outputs, "outputs")) else {
        return;
    };
    let params: Vec<Parameter> = x
        .names
        .iter()
        .map(|name| Parameter::uniform(name, 0.0, 1.0))
        .collect();
    for k in 0..y.names.len() {
        let column: Vec<f64> = y.rows.iter().map(|r| r[k]).collect();
        let _ = sobol(&column, &x.names, false, 5, 1);
        let _ = sobol(&column, &x.names, true, 5, 1);
        let _ = morris(&params, &x.rows, &column, 5, 1);
    }
});

//! Any bytes as a scenario file: parsing, `extends` (against the folder of shipped scenarios) and
//! validation must answer with a scenario or an error, never panic, hang or allocate without
//! bound. A scenario that loads is also checked against the start-up budget on agents.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    match chancheng::scenario::load_str(text, "fuzz.toml", &dir) {
        Ok(scenario) => {
            let _ = chancheng::experiment::scale::too_large(&scenario);
        }
        // The error text of a rejected file is bounded whatever the input.
        Err(e) => {
            let message = e.to_string();
            assert!(message.len() < 20_000, "an error of {} bytes", message.len());
        }
    }
});

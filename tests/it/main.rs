//! All integration tests in one binary (one link on a 2-core machine).

mod common;
mod determinism;
mod levers;
mod pairing;
mod provenance;
mod scenario_files;
mod validation;

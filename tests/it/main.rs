//! All integration tests in one binary (one link on a 2-core machine).

// Test statistics may use the system maths library (clippy.toml bans it in the model only).
#![allow(clippy::disallowed_methods)]

mod common;
mod compare_cli;
mod determinism;
mod explorer;
mod indicators;
mod levers;
mod packaging;
mod pairing;
mod properties;
mod provenance;
mod report;
mod robustness;
mod scenario_files;
mod sensitivity;
mod sweep;
mod validation;

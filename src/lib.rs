//! chancheng (产城): how an industrial cluster zone and the city around it grow together or apart.
//!
//! Data flows one way: scenario file → [`scenario::Scenario`] (validated) → [`model::Simulation`]
//! (state + monthly step) → indicators → [`output`] files, [`plot`] figures and [`report`]s (HTML
//! and Markdown around the figures). The model knows nothing of files, threads or plots;
//! [`experiment`] knows nothing of model internals beyond "run this scenario with this seed and
//! give me indicators". [`sensitivity`] (designs and Sobol/Morris analysis) knows nothing of the
//! model: it works on any `[uncertainty]` table and CSV files.

// Loops over skills, sectors and districts index several parallel arrays at once; the index
// form reads more clearly there than zipped iterators.
#![allow(clippy::needless_range_loop)]
// The system maths library is banned (clippy.toml) only where results must be identical on
// every machine: `model` denies the lint again.
#![allow(clippy::disallowed_methods)]

pub mod cli;
pub mod experiment;
pub mod format;
pub mod model;
pub mod output;
pub mod plot;
pub mod report;
pub mod scenario;
pub mod sensitivity;

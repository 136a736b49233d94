//! chancheng (产城): how an industrial cluster zone and the city around it grow together or apart.
//!
//! Data flows one way: scenario file → [`scenario::Scenario`] (validated) → [`model::Simulation`]
//! (state + monthly step) → indicators → [`output`] files, [`plot`] figures and [`report`]s (HTML
//! and Markdown around the figures). The model knows nothing of files, threads or plots;
//! [`experiment`] knows nothing of model internals beyond "run this scenario with this seed and
//! give me indicators". [`sensitivity`] (designs and Sobol/Morris analysis) knows nothing of the
//! model: it works on any `[uncertainty]` table and CSV files.
//!
//! The modules are layers, and a layer imports only layers below it (the test `layers` below
//! reads the sources and fails otherwise). Lowest first:
//!
//! 1. [`format`]: numbers as text, used by every layer above;
//! 2. [`scenario`]: files, schema, validation;
//! 3. [`model`] and [`sensitivity`] (neither imports the other);
//! 4. [`experiment`];
//! 5. [`output`] and [`plot`] (neither imports the other);
//! 6. [`report`];
//! 7. [`explorer`], the live explorer's web server;
//! 8. [`cli`], the command line, which may import everything.

// Loops over skills, sectors and districts index several parallel arrays at once; the index
// form reads more clearly there than zipped iterators.
#![allow(clippy::needless_range_loop)]
// The system maths library is banned (clippy.toml) only where results must be identical on
// every machine: `model` denies the lint again.
#![allow(clippy::disallowed_methods)]

/// The crate's version, as outputs record it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub mod cli;
pub mod experiment;
pub mod explorer;
pub mod format;
pub mod model;
pub mod output;
pub mod plot;
pub mod report;
pub mod scenario;
pub mod sensitivity;

/// Each layer's sources name only layers below it (`crate::<module>`), as the crate docs order
/// them: a number formatter the report needs goes down to [`format`], not up into [`cli`].
#[cfg(test)]
mod layers {
    use std::path::{Path, PathBuf};

    /// The layers, lowest first; modules of one rank may not import each other either.
    const LAYERS: [&[&str]; 8] = [
        &["format"],
        &["scenario"],
        &["model", "sensitivity"],
        &["experiment"],
        &["output", "plot"],
        &["report"],
        &["explorer"],
        &["cli"],
    ];

    fn rank(module: &str) -> Option<usize> {
        LAYERS.iter().position(|layer| layer.contains(&module))
    }

    /// The module's `.rs` files: `src/<module>.rs` or everything under `src/<module>/`.
    fn sources(module: &str) -> Vec<PathBuf> {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let file = src.join(format!("{module}.rs"));
        let mut found = Vec::new();
        let mut folders = vec![src.join(module)];
        while let Some(folder) = folders.pop() {
            let Ok(entries) = std::fs::read_dir(&folder) else {
                continue;
            };
            for entry in entries {
                let path = entry.expect("source folder entry").path();
                if path.is_dir() {
                    folders.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    found.push(path);
                }
            }
        }
        if file.is_file() {
            found.push(file);
        }
        found.sort();
        found
    }

    /// The crate modules a text names: `crate::a::…` and the items of `crate::{a, b::c, …}`.
    fn named_modules(text: &str) -> Vec<String> {
        let ident = |s: &str| -> String {
            s.trim_start()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect()
        };
        let mut names = Vec::new();
        for (at, _) in text.match_indices("crate::") {
            let rest = &text[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                // Top-level items of the group only: `crate::{a::{x, y}, b}` names a and b.
                let mut depth = 0;
                let mut start = true;
                for (i, c) in group.char_indices() {
                    if start {
                        names.push(ident(&group[i..]));
                        start = false;
                    }
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => start = true,
                        _ => {}
                    }
                }
            } else {
                names.push(ident(rest));
            }
        }
        names.retain(|n| !n.is_empty());
        names
    }

    #[test]
    fn a_layer_imports_only_layers_below_it() {
        let mut wrong = Vec::new();
        let mut files = 0;
        for (own, layer) in LAYERS.iter().enumerate() {
            for module in *layer {
                let paths = sources(module);
                assert!(!paths.is_empty(), "no sources for module `{module}`");
                for path in paths {
                    let text = std::fs::read_to_string(&path).expect("source file");
                    for name in named_modules(&text) {
                        if name == *module {
                            continue;
                        }
                        match rank(&name) {
                            Some(r) if r < own => {}
                            Some(_) => wrong.push(format!(
                                "{}: layer `{module}` names `crate::{name}`, which is not below it",
                                path.display()
                            )),
                            // Items of lib.rs itself, if any, are not layers.
                            None => {}
                        }
                    }
                    files += 1;
                }
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
        assert!(files > 40, "only {files} source files read");
    }

    #[test]
    fn every_module_of_the_crate_is_a_layer() {
        let lib = include_str!("lib.rs");
        for line in lib.lines() {
            if let Some(module) = line
                .strip_prefix("pub mod ")
                .and_then(|m| m.strip_suffix(';'))
            {
                assert!(rank(module).is_some(), "module `{module}` has no layer");
            }
        }
    }

    #[test]
    fn imports_are_read_from_paths_and_groups() {
        let text = "use crate::cli::figure; use crate::{model::{a, b}, report};\n\
                    let x = crate :: nothing; crate::plot::human::Human::of(\"x\", true)";
        assert_eq!(named_modules(text), ["cli", "model", "report", "plot"]);
    }
}

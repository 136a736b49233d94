//! What ships beside the simulator: the Python package is a separate crate, and the simulator
//! itself links no Python; one licence, stated alike everywhere.

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The dependency tree of a package of the workspace (normal and build edges), one name a line.
fn dependencies(package: &str) -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(root())
        .args([
            "tree",
            // Not --offline: a fresh machine's build fetches only the simulator's crates, so
            // the Python crate's (PyO3's) may still have to be downloaded; --locked keeps the
            // lock file's versions.
            "--locked",
            "--prefix",
            "none",
            "-e",
            "normal,build",
            "-p",
            package,
        ])
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "cargo tree -p {package}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

/// The Rust library builds without Python: nothing it depends on is PyO3, while the Python
/// package's crate does depend on it (so the check can tell).
#[test]
fn the_simulator_links_no_python() {
    let simulator = dependencies("chancheng");
    assert!(simulator.iter().any(|d| d == "rayon"), "{simulator:?}");
    assert!(
        !simulator.iter().any(|d| d.starts_with("pyo3")),
        "the simulator must not depend on PyO3: {simulator:?}"
    );
    let python = dependencies("chancheng-python");
    assert!(python.iter().any(|d| d == "pyo3"), "{python:?}");
}

/// LICENSE is the Apache License 2.0 that Cargo.toml names, and the wheel carries it.
#[test]
fn one_licence_everywhere() {
    let read = |p: &str| std::fs::read_to_string(root().join(p)).expect(p);
    let licence = read("LICENSE");
    assert!(licence.contains("Apache License") && licence.contains("Version 2.0, January 2004"));
    assert!(read("Cargo.toml").contains("license = \"Apache-2.0\""));
    assert!(read("python/Cargo.toml").contains("license = \"Apache-2.0\""));
    let pyproject = read("python/pyproject.toml");
    assert!(pyproject.contains("license = \"Apache-2.0\""));
    assert!(pyproject.contains("license-files = [\"LICENSE\"]"));
    assert_eq!(
        read("python/LICENSE"),
        licence,
        "python/LICENSE is a link to ../LICENSE"
    );
}

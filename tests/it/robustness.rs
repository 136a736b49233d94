//! Bad input as a careless user or an attacker would give it: every case exits 2 before any
//! simulation, says what is wrong in a few lines, and leaves no output folder. Output folders stay
//! consistent when a run is killed or two runs share a folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_chancheng"))
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/bad")
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("chancheng-robust-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Runs the binary and checks the contract for bad input: exit code 2, every `expected` text in
/// the message, a short message printed once, and no output folder.
fn check_rejected(args: &[&str], out: &Path, expected: &[&str], case: &str) -> Result<(), String> {
    let output: Output = bin().args(args).output().expect("the binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let fail = |what: String| Err(format!("{case}: {what}; stderr:\n{stderr}"));
    if output.status.code() != Some(2) {
        return fail(format!("exit code {:?}", output.status.code()));
    }
    for text in expected {
        if !stderr.contains(text) {
            return fail(format!("the message lacks `{text}`"));
        }
    }
    if stderr.len() >= 4000 || stderr.lines().count() > 25 {
        return fail(format!("{} bytes of stderr", stderr.len()));
    }
    if stderr.matches("error:").count() != 1 {
        return fail("the error is not printed exactly once".into());
    }
    if out.exists() {
        return fail("an output folder appeared".into());
    }
    Ok(())
}

fn assert_rejected(args: &[&str], out: &Path, expected: &[&str], case: &str) {
    if let Err(e) = check_rejected(args, out, expected, case) {
        panic!("{e}");
    }
}

/// Every file of `tests/corpus/bad/` says what its error must mention in `# expect:` lines.
#[test]
fn every_bad_file_of_the_corpus_is_rejected_with_a_located_message() {
    let tmp = temp_dir("corpus");
    let mut n = 0;
    let mut failures = Vec::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("corpus folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("corpus file");
        let expected: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# expect: "))
            .collect();
        let case = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        assert!(!expected.is_empty(), "{case} has no `# expect:` line");
        let out = tmp.join(&case);
        let file = path.to_string_lossy().into_owned();
        if let Err(e) = check_rejected(
            &["run", &file, "--quiet", "--out", &out.to_string_lossy()],
            &out,
            &expected,
            &case,
        ) {
            failures.push(e);
        }
        n += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(n >= 30, "the corpus has {n} kinds of bad file");
    std::fs::remove_dir_all(&tmp).ok();
}

/// Files that cannot be committed: FIFOs, links, devices, oversize and non-UTF-8 files, paths
/// that leave the scenario's folder.
#[test]
fn files_that_are_not_scenarios_are_refused_without_hanging() {
    let tmp = temp_dir("files");
    let out = tmp.join("out");
    let run = |file: &Path, expected: &[&str], case: &str| {
        let file = file.to_string_lossy().into_owned();
        assert_rejected(
            &["run", &file, "--quiet", "--out", &out.to_string_lossy()],
            &out,
            expected,
            case,
        );
    };
    let fifo = tmp.join("fifo.toml");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        run(&fifo, &["not a regular file"], "a FIFO as scenario");
        std::fs::write(
            tmp.join("uses-fifo.toml"),
            "extends = \"fifo.toml\"\nname = \"x\"\n",
        )
        .expect("write");
        run(
            &tmp.join("uses-fifo.toml"),
            &["uses-fifo.toml", "extends", "not a regular file"],
            "a FIFO as parent",
        );
    }
    run(Path::new("/dev/zero"), &["not a regular file"], "/dev/zero");
    run(&tmp, &["not a regular file"], "a folder");
    run(
        &tmp.join("missing.toml"),
        &["no such file"],
        "a missing file",
    );

    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("loop-b.toml", tmp.join("loop-a.toml")).expect("link");
        std::os::unix::fs::symlink("loop-a.toml", tmp.join("loop-b.toml")).expect("link");
        std::fs::write(
            tmp.join("loopy.toml"),
            "extends = \"loop-a.toml\"\nname = \"x\"\n",
        )
        .expect("write");
        run(
            &tmp.join("loopy.toml"),
            &["loopy.toml:1", "symbolic links"],
            "a symlink loop",
        );
    }

    let big = tmp.join("big.toml");
    std::fs::write(&big, "a".repeat(2 << 20)).expect("write");
    run(&big, &["at most 1048576"], "an oversize file");

    let latin1 = tmp.join("latin1.toml");
    std::fs::write(&latin1, b"name = \"caf\xe9\"\n").expect("write");
    run(&latin1, &["not UTF-8"], "a non-UTF-8 file");

    let long_key = tmp.join("long-key.toml");
    std::fs::write(
        &long_key,
        format!(
            "extends = \"baseline.toml\"\nname = \"x\"\n{} = 1\n",
            "k".repeat(500_000)
        ),
    )
    .expect("write");
    run(&long_key, &["characters)"], "a 500 kB key");

    std::fs::create_dir_all(tmp.join("dir")).expect("dir");
    std::fs::write(
        tmp.join("dir/self.toml"),
        "extends = \"../dir/self.toml\"\nname = \"x\"\n",
    )
    .expect("write");
    run(
        &tmp.join("dir/self.toml"),
        &["cycle"],
        "a self-cycle through ../",
    );

    std::fs::write(
        tmp.join("outside.toml"),
        "extends = \"baseline.toml\"\nname = \"o\"\n",
    )
    .expect("write");
    std::fs::write(
        tmp.join("dir/child.toml"),
        "extends = \"../outside.toml\"\nname = \"x\"\n",
    )
    .expect("write");
    run(
        &tmp.join("dir/child.toml"),
        &["child.toml:1", "outside the scenario's folder"],
        "a parent outside the folder",
    );

    // An error in a parent names the parent and the file that extends it.
    std::fs::write(
        tmp.join("dir/parent.toml"),
        "extends = \"baseline.toml\"\nname = \"p\"\n[policy]\nppp_share = 7.0\n",
    )
    .expect("write");
    std::fs::write(
        tmp.join("dir/leaf.toml"),
        "extends = \"parent.toml\"\nname = \"leaf\"\n",
    )
    .expect("write");
    run(
        &tmp.join("dir/leaf.toml"),
        &[
            "parent.toml (extended by",
            "leaf.toml)",
            ":4",
            "policy.ppp_share",
        ],
        "an error in a parent",
    );
    std::fs::remove_dir_all(&tmp).ok();
}

#[test]
fn flags_are_checked_before_any_simulation() {
    let tmp = temp_dir("flags");
    let out = tmp.join("out");
    let o = out.to_string_lossy().into_owned();
    let cases: &[(&[&str], &[&str])] = &[
        (&["run", "--snapshot-every", "0"], &["--snapshot-every"]),
        (&["validate", "--seeds", "0"], &["--seeds"]),
        (
            &["compare", "baseline", "--runs", "0"],
            &["--runs 0", "at least 2"],
        ),
        (&["compare", "baseline", "--runs", "1"], &["--runs 1"]),
        (
            &["compare", "baseline", "--indicators", "pendulum_indx"],
            &["pendulum_indx", "did you mean `pendulum_index`"],
        ),
        (
            &["compare", "baseline", "--final-months", "0"],
            &["--final-months 0"],
        ),
        (
            &["compare", "baseline", "--final-months", "241"],
            &["--final-months 241"],
        ),
    ];
    for (args, expected) in cases {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--quiet", "--out", &o]);
        if args[0] == "validate" {
            // validate writes no folder.
            all.truncate(all.len() - 2);
        }
        assert_rejected(&all, &out, expected, &args.join(" "));
    }
    // An output path that is a file, and a folder of someone else's files.
    std::fs::write(tmp.join("a-file"), "x").expect("write");
    let file = tmp.join("a-file");
    let output = bin()
        .args(["run", "--quiet", "--out", &file.to_string_lossy()])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a folder"));
    std::fs::create_dir_all(tmp.join("mine")).expect("dir");
    std::fs::write(tmp.join("mine/thesis.tex"), "x").expect("write");
    let output = bin()
        .args([
            "run",
            "--quiet",
            "--force",
            "--out",
            &tmp.join("mine").to_string_lossy(),
        ])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("thesis.tex"));
    assert!(
        tmp.join("mine/thesis.tex").exists(),
        "a user's file is never removed"
    );
    std::fs::remove_dir_all(&tmp).ok();
}

#[test]
fn a_broken_pipe_ends_quietly() {
    use std::process::Stdio;
    for args in [
        &["levers"][..],
        &["indicators"][..],
        &["levers", "--format", "json"][..],
    ] {
        let mut child = bin()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        // Close the pipe before the command writes, like a reader that has seen enough.
        drop(child.stdout.take());
        let output = child.wait_with_output().expect("wait");
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        assert!(
            output.stderr.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// A short scenario in a temp folder (two years), so the output tests run in seconds.
fn short_scenario(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(
        &path,
        format!("extends = \"baseline.toml\"\nname = \"{name}\"\n[time]\nmonths = 24\n"),
    )
    .expect("write");
    path
}

/// The seed written in summary.json and in every row of timeseries.csv must agree.
fn seed_of_folder(out: &Path) -> u64 {
    let summary = std::fs::read_to_string(out.join("summary.json")).expect("summary.json");
    let json: serde_json::Value = serde_json::from_str(&summary).expect("json");
    let seed = json["provenance"]["seed"].as_u64().expect("seed");
    let ts = std::fs::read_to_string(out.join("timeseries.csv")).expect("timeseries.csv");
    for line in ts.lines().skip(1) {
        let field = line.split(',').nth(2).expect("seed column");
        assert_eq!(field, seed.to_string(), "timeseries.csv mixes seeds");
    }
    seed
}

fn run_into(scenario: &Path, out: &Path, extra: &[&str]) -> Output {
    bin()
        .args(["run", "--quiet"])
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .expect("runs")
}

#[test]
fn a_killed_run_leaves_the_previous_results_intact() {
    let tmp = temp_dir("killed");
    let scenario = short_scenario(&tmp, "short");
    let out = tmp.join("out");
    let first = run_into(&scenario, &out, &["--seed", "3", "--snapshot-every", "12"]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(out.join("firms_panel.csv").exists());
    // A second run, killed mid-way.
    let mut child = bin()
        .args(["run", "--quiet", "--seed", "4"])
        .arg(&scenario)
        .arg("--out")
        .arg(&out)
        .spawn()
        .expect("spawn");
    std::thread::sleep(std::time::Duration::from_millis(300));
    child.kill().ok();
    child.wait().ok();
    // Whatever moment it died at, the folder is one complete run.
    let seed = seed_of_folder(&out);
    assert!(seed == 3 || seed == 4, "seed {seed}");
    for file in [
        "timeseries.csv",
        "firms.csv",
        "summary.json",
        "dashboard.png",
        "dashboard.svg",
    ] {
        assert!(out.join(file).exists(), "{file} is missing");
    }
    // The next run cleans up after the killed one and drops files it does not write.
    let third = run_into(&scenario, &out, &["--seed", "5"]);
    assert!(
        third.status.success(),
        "{}",
        String::from_utf8_lossy(&third.stderr)
    );
    assert_eq!(seed_of_folder(&out), 5);
    assert!(
        !out.join("firms_panel.csv").exists(),
        "a stale firms_panel.csv stayed"
    );
    let leftovers: Vec<String> = std::fs::read_dir(&tmp)
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("staging") || n.ends_with(".old"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    std::fs::remove_dir_all(&tmp).ok();
}

#[test]
fn two_runs_into_one_folder_never_mix() {
    let tmp = temp_dir("concurrent");
    let scenario = short_scenario(&tmp, "short");
    let out = tmp.join("out");
    let spawn = |seed: &str| {
        bin()
            .args(["run", "--quiet", "--seed", seed])
            .arg(&scenario)
            .arg("--out")
            .arg(&out)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn")
    };
    let (a, b) = (spawn("7"), spawn("8"));
    let (a, b) = (
        a.wait_with_output().expect("a"),
        b.wait_with_output().expect("b"),
    );
    let mut succeeded = Vec::new();
    for (seed, output) in [(7, &a), (8, &b)] {
        match output.status.code() {
            Some(0) => succeeded.push(seed),
            Some(2) => assert!(
                String::from_utf8_lossy(&output.stderr).contains("another chancheng process"),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            ),
            other => panic!(
                "exit {other:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            ),
        }
    }
    assert!(!succeeded.is_empty());
    let seed = seed_of_folder(&out);
    assert!(
        succeeded.contains(&seed),
        "the folder holds seed {seed}, run by {succeeded:?}"
    );
    std::fs::remove_dir_all(&tmp).ok();
}

#[test]
fn another_scenarios_results_are_replaced_only_with_force() {
    let tmp = temp_dir("force");
    let a = short_scenario(&tmp, "first");
    let b = short_scenario(&tmp, "second");
    let out = tmp.join("out");
    assert!(run_into(&a, &out, &[]).status.success());
    let refused = run_into(&b, &out, &[]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--force"));
    let summary = std::fs::read_to_string(out.join("summary.json")).expect("summary");
    assert!(summary.contains("\"first\""), "the first results stay");
    assert!(run_into(&b, &out, &["--force"]).status.success());
    let summary = std::fs::read_to_string(out.join("summary.json")).expect("summary");
    assert!(summary.contains("\"second\""));
    std::fs::remove_dir_all(&tmp).ok();
}

/// The fuzz target's contract (`fuzz/fuzz_targets/scenario_file.rs`) on its committed corpus and
/// the bad-file corpus: every input gives a scenario or a bounded error, never a panic. Inputs the
/// fuzzer finds crashing go into `fuzz/corpus/scenario_file/` and are checked here on every run.
#[test]
fn fuzz_regressions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scenarios = root.join("scenarios");
    let mut n = 0;
    for dir in [root.join("fuzz/corpus/scenario_file"), corpus_dir()] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("entry").path();
            let bytes = std::fs::read(&path).expect("read");
            let Ok(text) = std::str::from_utf8(&bytes) else {
                continue;
            };
            match chancheng::scenario::load_str(text, "fuzz.toml", &scenarios) {
                Ok(scenario) => {
                    let _ = chancheng::experiment::scale::too_large(&scenario);
                }
                Err(e) => {
                    let message = e.to_string();
                    assert!(
                        message.len() < 20_000,
                        "{}: {} bytes",
                        path.display(),
                        message.len()
                    );
                }
            }
            n += 1;
        }
    }
    assert!(n >= 40, "only {n} inputs");
}

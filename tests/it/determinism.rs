use crate::common::baseline_months;
use chancheng::experiment::run_single;
use chancheng::output::{firms_csv, timeseries_csv};

fn run_bytes(seed: u64) -> (Vec<u8>, Vec<u8>) {
    let scenario = baseline_months(24);
    let out = run_single(&scenario, seed, None, |_| {}).expect("the run completes");
    let ts = timeseries_csv(
        scenario.name(),
        0,
        seed,
        &out.records,
        &out.district_ids,
        true,
    )
    .expect("csv");
    let firms = firms_csv(&out.final_firms, None).expect("csv");
    (ts, firms)
}

#[test]
fn same_seed_gives_identical_bytes() {
    let a = run_bytes(42);
    let b = run_bytes(42);
    assert!(
        a.0 == b.0,
        "timeseries.csv differs between two runs with the same seed"
    );
    assert!(
        a.1 == b.1,
        "firms.csv differs between two runs with the same seed"
    );
}

#[test]
fn different_seeds_give_different_runs() {
    let a = run_bytes(1);
    let b = run_bytes(2);
    assert!(a.0 != b.0, "the seed has no effect on the time series");
}

#[test]
fn replication_seeds_are_distinct_and_mixed() {
    use chancheng::experiment::replication_seed;
    let seeds: std::collections::BTreeSet<u64> =
        (0..1000).map(|r| replication_seed(7, r)).collect();
    assert_eq!(seeds.len(), 1000);
    assert_ne!(replication_seed(7, 1), 7 ^ 1);
}

/// The same bytes whichever maths routines the CPU makes the system library choose: glibc picks
/// FMA variants of `exp`, `log` and `pow` at run time; switching them off must change nothing
/// (the model uses its own deterministic maths, `src/model/detmath.rs`).
#[test]
fn results_do_not_depend_on_the_cpu_features_of_the_maths_library() {
    let dir = std::env::temp_dir().join(format!("chancheng-cpu-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let scenario = dir.join("short.toml");
    std::fs::write(
        &scenario,
        "extends = \"baseline.toml\"\nname = \"short\"\n[time]\nmonths = 24\n",
    )
    .expect("write scenario");
    let run = |out: &str, tunables: Option<&str>| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_chancheng"));
        cmd.args(["run", "--quiet", "--seed", "7", "--out"])
            .arg(dir.join(out))
            .arg(&scenario);
        if let Some(t) = tunables {
            cmd.env("GLIBC_TUNABLES", t);
        }
        let status = cmd.status().expect("run chancheng");
        assert!(status.success(), "chancheng run failed");
        let read = |f: &str| std::fs::read(dir.join(out).join(f)).expect("output file");
        (read("timeseries.csv"), read("firms.csv"))
    };
    let normal = run("normal", None);
    let plain = run("plain", Some("glibc.cpu.hwcaps=-AVX2,-FMA"));
    assert!(
        normal.0 == plain.0,
        "timeseries.csv differs with the FMA maths routines switched off"
    );
    assert!(
        normal.1 == plain.1,
        "firms.csv differs with the FMA maths routines switched off"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A run of the whole prefecture (21 districts, ≈ 300 k worker agents; 24 months) gives the same
/// `timeseries.csv` and `firms.csv` inside thread pools of 1, 2 and 4 threads: whatever a
/// submodel runs on rayon, the bytes do not depend on the thread count.
#[test]
fn the_prefecture_gives_the_same_bytes_on_one_two_and_four_threads() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/zhumadian.toml");
    let scenario = chancheng::scenario::load_file(&path)
        .expect("prefecture")
        .with_overrides(&[("time.months".into(), 24.0)])
        .expect("24 months");
    let bytes = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool");
        pool.install(|| {
            let out = run_single(&scenario, 1, None, |_| {}).expect("the run completes");
            let ts = timeseries_csv(scenario.name(), 0, 1, &out.records, &out.district_ids, true)
                .expect("csv");
            (ts, firms_csv(&out.final_firms, None).expect("csv"))
        })
    };
    let one = bytes(1);
    for threads in [2, 4] {
        let other = bytes(threads);
        assert!(
            one.0 == other.0,
            "timeseries.csv differs on {threads} threads"
        );
        assert!(one.1 == other.1, "firms.csv differs on {threads} threads");
    }
}

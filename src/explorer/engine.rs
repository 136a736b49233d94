//! The explorer's runs: pairs of (status quo, view) on common random numbers, run on a bounded
//! pool, cached by what a run depends on ([`Scenario::run_key`]) and seed, cancelled when a newer request arrives.

use crate::experiment::compare::RunDigest;
use crate::experiment::{RunError, replication_seed, run_single};
use crate::scenario::Scenario;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Replication `r` of the status quo and of the view, on the same seed.
#[derive(Debug, Clone)]
pub struct Pair {
    pub replication: u64,
    pub reference: Arc<RunDigest>,
    pub view: Arc<RunDigest>,
}

/// What the pool reports for one request.
#[derive(Debug)]
pub enum Progress {
    Pair(Pair),
    Failed(Box<RunError>),
}

/// Most digests kept (a digest is a few kilobytes; 4,000 is 200 views of 20 runs).
const CACHE_LIMIT: usize = 4000;

pub struct Engine {
    pool: rayon::ThreadPool,
    cache: Mutex<HashMap<(String, u64), Arc<RunDigest>>>,
    /// Bumped by every request; a job whose request is no longer the newest does not start.
    newest: AtomicU64,
    pub master_seed: u64,
}

impl Engine {
    pub fn new(workers: usize, master_seed: u64) -> Result<Engine, rayon::ThreadPoolBuildError> {
        Ok(Engine {
            pool: rayon::ThreadPoolBuilder::new()
                .num_threads(workers.max(1))
                .thread_name(|i| format!("explorer-run-{i}"))
                .build()?,
            cache: Mutex::new(HashMap::new()),
            newest: AtomicU64::new(0),
            master_seed,
        })
    }

    /// A run's digest, from the cache or run now.
    pub fn digest(&self, scenario: &Scenario, seed: u64) -> Result<Arc<RunDigest>, Box<RunError>> {
        let key = (scenario.run_key(), seed);
        if let Some(found) = self.cached(&key) {
            return Ok(found);
        }
        let out = run_single(scenario, seed, None, |_| {})?;
        let digest = Arc::new(RunDigest::of(&out));
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(key, digest.clone());
        Ok(digest)
    }

    fn cached(&self, key: &(String, u64)) -> Option<Arc<RunDigest>> {
        let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        cache.get(key).cloned()
    }

    /// Starts `runs` pairs of (reference, view) and returns the request's number; each pair is
    /// sent to `report` as it finishes, replications in order as far as the pool allows. A later
    /// call cancels the pairs of this one that have not started.
    pub fn start(
        self: &Arc<Self>,
        reference: Scenario,
        view: Scenario,
        runs: u64,
        report: impl Fn(Progress) + Send + Sync + 'static,
    ) -> u64 {
        let request = self.newest.fetch_add(1, Ordering::SeqCst) + 1;
        let job = Arc::new((reference, view, report));
        for r in 0..runs {
            let (engine, job) = (Arc::clone(self), Arc::clone(&job));
            self.pool.spawn_fifo(move || {
                if engine.newest.load(Ordering::SeqCst) != request {
                    return;
                }
                let (reference, view, report) = &*job;
                let seed = replication_seed(engine.master_seed, r);
                let pair = engine.digest(reference, seed).and_then(|reference| {
                    Ok(Pair {
                        replication: r,
                        reference,
                        view: engine.digest(view, seed)?,
                    })
                });
                report(match pair {
                    Ok(pair) => Progress::Pair(pair),
                    Err(e) => Progress::Failed(e),
                });
            });
        }
        request
    }

    /// Whether `request` is still the newest (not cancelled).
    pub fn is_current(&self, request: u64) -> bool {
        self.newest.load(Ordering::SeqCst) == request
    }
}

//! `chancheng serve`: the planner's live explorer. A local web application served by the binary
//! (every asset embedded, no external request): the report's levers on the left, the paired
//! answer against the status quo on the right, streamed as replications finish.
//!
//! Requests carry the page's state as JSON ([`request::ViewRequest`]); the server turns it into
//! the scenario file that reproduces it, validates it like any file, and runs (status quo, view)
//! pairs on common random numbers ([`engine::Engine`]); [`view::answer`] is what the page draws.

pub mod catalogue;
pub mod engine;
pub mod request;
pub mod view;

use crate::experiment::compare::{Comparison, RunDigest};
use crate::plot::Lang;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use engine::{Engine, Pair, Progress};
use request::{Base, Refusal, ViewRequest};
use serde::Deserialize;
use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::Arc;

const INDEX_HTML: &str = include_str!("../../assets/explorer/index.html");
const APP_JS: &str = include_str!("../../assets/explorer/app.js");
const APP_CSS: &str = include_str!("../../assets/explorer/app.css");
const ECHARTS_JS: &str = include_str!("../../assets/vendor/echarts/echarts.min.js");

/// Requests served at once; more get 503 (each may hold a stream open for a whole view).
pub const MAX_CONCURRENT_REQUESTS: usize = 32;

/// How the server was started.
#[derive(Debug, Clone)]
pub struct Options {
    pub base: Base,
    pub lang: Lang,
    pub workers: usize,
    pub runs: u64,
    pub seed: u64,
    /// The server's output folder: briefings are written here and nowhere else.
    pub out: PathBuf,
}

/// The server's state.
pub struct Explorer {
    pub options: Options,
    pub engine: Arc<Engine>,
    requests: Arc<tokio::sync::Semaphore>,
}

impl Explorer {
    pub fn new(options: Options) -> anyhow::Result<Explorer> {
        Ok(Explorer {
            engine: Arc::new(Engine::new(options.workers, options.seed)?),
            requests: Arc::new(tokio::sync::Semaphore::new(MAX_CONCURRENT_REQUESTS)),
            options,
        })
    }
}

/// The routes (also used by tests, on a port of their choosing).
pub fn router(explorer: Arc<Explorer>) -> Router {
    Router::new()
        .route("/", get(index))
        .route(
            "/assets/app.js",
            get(|| async { asset(APP_JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/assets/app.css",
            get(|| async { asset(APP_CSS, "text/css; charset=utf-8") }),
        )
        .route(
            "/assets/echarts.min.js",
            get(|| async { asset(ECHARTS_JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/assets/font.ttf",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, HeaderValue::from_static("font/ttf"))],
                    crate::plot::FONT_BYTES,
                )
            }),
        )
        .route("/api/catalogue", get(catalogue_json))
        .route("/api/check", get(check))
        .route("/api/stream", get(stream))
        .route("/api/scenario.toml", get(scenario_toml))
        .route("/api/briefing", get(briefing))
        .layer(axum::middleware::from_fn_with_state(
            explorer.clone(),
            limit_requests,
        ))
        .with_state(explorer)
}

/// Serves until Ctrl-C; prints the address (the port the system chose for `--port 0`).
pub fn serve(options: Options, bind: &str, port: u16) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the server's runtime")?;
    let explorer = Arc::new(Explorer::new(options)?);
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind((bind, port))
            .await
            .with_context(|| format!("cannot listen on {bind}:{port}"))?;
        let address = listener.local_addr()?;
        let o = &explorer.options;
        eprintln!(
            "chancheng explorer: http://{address}/  ({}; {} paired runs per view on {} workers; \
             output folder {}; Ctrl-C stops it)",
            o.base.scenario.origin(),
            o.runs,
            o.workers,
            o.out.display()
        );
        axum::serve(listener, router(explorer))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .context("serving")
    })
}

async fn limit_requests(
    State(explorer): State<Arc<Explorer>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    match explorer.requests.clone().try_acquire_owned() {
        Ok(permit) => {
            let response = next.run(request).await;
            drop(permit);
            response
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "too many requests at once").into_response(),
    }
}

fn asset(body: &'static str, kind: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(kind)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        body,
    )
        .into_response()
}

async fn index(State(explorer): State<Arc<Explorer>>) -> Response {
    let lang = if explorer.options.lang.zh() {
        "zh"
    } else {
        "en"
    };
    let page = INDEX_HTML.replace("{{LANG}}", lang);
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            // Only this server's own assets; no request leaves loopback.
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
                ),
            ),
        ],
        page,
    )
        .into_response()
}

async fn catalogue_json(State(explorer): State<Arc<Explorer>>) -> Response {
    axum::Json(catalogue::catalogue(&explorer.options.base)).into_response()
}

/// The query of every view request: the page's state (`s`, JSON), its language and years.
#[derive(Debug, Deserialize)]
struct ViewQuery {
    #[serde(default)]
    s: String,
    #[serde(default)]
    lang: Option<String>,
    #[serde(default)]
    years: Option<String>,
}

impl ViewQuery {
    fn lang(&self, default: Lang) -> Lang {
        match self.lang.as_deref() {
            Some("zh") => Lang::Zh,
            Some("en") => Lang::En,
            _ => default,
        }
    }

    fn years(&self, reference: &crate::scenario::Scenario) -> Result<Vec<i32>, Refusal> {
        let (first, last) = crate::experiment::compare::full_years(reference);
        let Some(text) = self.years.as_deref().filter(|t| !t.trim().is_empty()) else {
            return Ok([2020, 2025, 2030, 2035]
                .into_iter()
                .filter(|y| (first..=last).contains(y))
                .chain(std::iter::once(last))
                .fold(Vec::new(), |mut v, y| {
                    if !v.contains(&y) {
                        v.push(y);
                    }
                    v
                }));
        };
        text.split(',')
            .map(|y| match y.trim().parse::<i32>() {
                Ok(y) if (first..=last).contains(&y) => Ok(y),
                _ => Err(Refusal {
                    error: format!(
                        "years: `{y}` is not a year the run covers in full ({first}–{last})"
                    ),
                    key: None,
                }),
            })
            .collect()
    }
}

fn refused(refusal: Refusal) -> Response {
    (StatusCode::BAD_REQUEST, axum::Json(refusal)).into_response()
}

/// Validates a view: 200 with its content hash, or 400 with the message (and the lever's key).
async fn check(
    State(explorer): State<Arc<Explorer>>,
    query: Result<Query<ViewQuery>, QueryRejection>,
) -> Response {
    let query = match query {
        Ok(Query(query)) => query,
        Err(e) => {
            return refused(Refusal {
                error: format!("malformed query: {e}"),
                key: None,
            });
        }
    };
    match ViewRequest::parse(&query.s).and_then(|r| r.scenario(&explorer.options.base)) {
        Ok((scenario, _)) => axum::Json(serde_json::json!({
            "content_hash": scenario.content_hash(),
        }))
        .into_response(),
        Err(refusal) => refused(refusal),
    }
}

async fn scenario_toml(
    State(explorer): State<Arc<Explorer>>,
    query: Result<Query<ViewQuery>, QueryRejection>,
) -> Response {
    let query = match query {
        Ok(Query(query)) => query,
        Err(e) => {
            return refused(Refusal {
                error: format!("malformed query: {e}"),
                key: None,
            });
        }
    };
    match ViewRequest::parse(&query.s).and_then(|r| r.scenario(&explorer.options.base)) {
        Ok((_, text)) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/toml; charset=utf-8"),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    HeaderValue::from_static("attachment; filename=\"explorer.toml\""),
                ),
            ],
            text,
        )
            .into_response(),
        Err(refusal) => refused(refusal),
    }
}

/// The paired comparison as server-sent events: `view` after every finished pair (the answer so
/// far), then `end` with `done`, `cancelled` (a newer request took over) or `failed`.
async fn stream(
    State(explorer): State<Arc<Explorer>>,
    query: Result<Query<ViewQuery>, QueryRejection>,
) -> Response {
    let query = match query {
        Ok(Query(query)) => query,
        Err(e) => {
            return refused(Refusal {
                error: format!("malformed query: {e}"),
                key: None,
            });
        }
    };
    let options = &explorer.options;
    let reference = options.base.scenario.clone();
    let (view, years) = match ViewRequest::parse(&query.s)
        .and_then(|r| r.scenario(&options.base))
        .and_then(|(s, _)| Ok((s, query.years(&reference)?)))
    {
        Ok(found) => found,
        Err(refusal) => return refused(refusal),
    };
    let lang = query.lang(options.lang);
    let runs = options.runs;
    let (progress_tx, progress_rx) = std::sync::mpsc::channel::<Progress>();
    let progress_tx = std::sync::Mutex::new(progress_tx);
    let request = explorer
        .engine
        .start(reference.clone(), view, runs, move |p| {
            if let Ok(tx) = progress_tx.lock() {
                let _ = tx.send(p);
            }
        });
    let (events_tx, events_rx) = tokio::sync::mpsc::unbounded_channel::<Event>();
    let engine = explorer.engine.clone();
    std::thread::spawn(move || {
        let mut pairs: Vec<Pair> = Vec::new();
        let send = |name: &str, data: String| {
            events_tx
                .send(Event::default().event(name).data(data))
                .is_ok()
        };
        if !send("start", serde_json::json!({ "runs": runs }).to_string()) {
            return;
        }
        let mut failure = None;
        for progress in progress_rx {
            match progress {
                Progress::Pair(pair) => {
                    if !engine.is_current(request) {
                        break;
                    }
                    pairs.push(pair);
                    let answer = view::answer(&pairs, runs, &years, &reference, lang);
                    if !send("view", answer.to_string()) {
                        return;
                    }
                    if pairs.len() as u64 == runs {
                        break;
                    }
                }
                Progress::Failed(e) => {
                    failure = Some(e.to_string());
                    break;
                }
            }
        }
        let status = match (&failure, pairs.len() as u64 == runs) {
            (Some(_), _) => "failed",
            (None, true) => "done",
            (None, false) => "cancelled",
        };
        send(
            "end",
            serde_json::json!({ "status": status, "message": failure, "done": pairs.len() })
                .to_string(),
        );
    });
    let events = tokio_stream::StreamExt::map(
        tokio_stream::wrappers::UnboundedReceiverStream::new(events_rx),
        Ok::<Event, Infallible>,
    );
    Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// The HTML briefing of the view's full comparison (runs what the cache lacks first).
async fn briefing(
    State(explorer): State<Arc<Explorer>>,
    query: Result<Query<ViewQuery>, QueryRejection>,
) -> Response {
    let query = match query {
        Ok(Query(query)) => query,
        Err(e) => {
            return refused(Refusal {
                error: format!("malformed query: {e}"),
                key: None,
            });
        }
    };
    let options = explorer.options.clone();
    let (view, years) = match ViewRequest::parse(&query.s)
        .and_then(|r| r.scenario(&options.base))
        .and_then(|(s, _)| Ok((s, query.years(&options.base.scenario)?)))
    {
        Ok(found) => found,
        Err(refusal) => return refused(refusal),
    };
    let lang = query.lang(options.lang);
    let engine = explorer.engine.clone();
    let built = tokio::task::spawn_blocking(move || -> Result<String, String> {
        let reference = options.base.scenario.clone();
        let mut digests: Vec<Vec<RunDigest>> = vec![Vec::new(), Vec::new()];
        for r in 0..options.runs {
            let seed = crate::experiment::replication_seed(options.seed, r);
            for (arm, scenario) in [&reference, &view].into_iter().enumerate() {
                let d = engine.digest(scenario, seed).map_err(|e| e.to_string())?;
                digests[arm].push((*d).clone());
            }
        }
        let scenarios = [reference, view];
        let comparison = Comparison::new(&scenarios, digests, options.seed);
        let choices = crate::report::comparison::Choices {
            years,
            fan: "pendulum_index".into(),
            map_policy: 1,
            lang,
        };
        let dir = options.out.join(format!(
            "briefing-{}",
            &scenarios[1].content_hash()[..16.min(scenarios[1].content_hash().len())]
        ));
        let figures =
            crate::report::comparison::write_figures(&comparison, &choices, &dir.join("figures"))
                .map_err(|e| e.to_string())?;
        let report = crate::report::comparison::build(&comparison, &scenarios, &choices, figures);
        report.html().map_err(|e| e.to_string())
    })
    .await;
    match built {
        Ok(Ok(html)) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    HeaderValue::from_static("attachment; filename=\"briefing.html\""),
                ),
            ],
            html,
        )
            .into_response(),
        Ok(Err(message)) => (StatusCode::INTERNAL_SERVER_ERROR, message).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

//! `chancheng serve`: the explorer's server answers as `compare` does, refuses bad requests with
//! the validation message, cancels a superseded request, and serves cached runs unchanged; and
//! (ignored, run by CI) the page in headless Chromium.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `chancheng serve` process on a free loopback port; killed on drop.
struct Server {
    child: Child,
    address: String,
    out: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.out);
    }
}

impl Server {
    fn start(tag: &str, args: &[&str]) -> Server {
        let out =
            std::env::temp_dir().join(format!("chancheng-serve-{tag}-{}", std::process::id()));
        let mut child = Command::new(env!("CARGO_BIN_EXE_chancheng"))
            .args(["serve", "--port", "0", "--lang", "en", "--out"])
            .arg(&out)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("chancheng serve starts");
        let stderr = child.stderr.take().expect("stderr");
        let mut line = String::new();
        BufReader::new(stderr)
            .read_line(&mut line)
            .expect("a first line");
        let address = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_string();
        Server {
            child,
            address,
            out,
        }
    }

    fn connect(&self, path: &str) -> TcpStream {
        let mut stream = TcpStream::connect(&self.address).expect("connects");
        stream
            .set_read_timeout(Some(Duration::from_secs(120)))
            .expect("timeout");
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.address
        )
        .expect("request sent");
        stream
    }

    /// Status code and body of a GET (whole, the server closes the connection).
    fn get(&self, path: &str) -> (u16, String) {
        let mut bytes = Vec::new();
        self.connect(path)
            .read_to_end(&mut bytes)
            .expect("response");
        let text = String::from_utf8_lossy(&bytes);
        let status = text
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let body = text
            .split_once("\r\n\r\n")
            .map_or("", |(_, b)| b)
            .to_string();
        (status, body)
    }

    /// The events of a stream as (name, data), read to its end.
    fn events(&self, path: &str) -> Vec<(String, String)> {
        events_of(BufReader::new(self.connect(path)))
    }
}

fn events_of(reader: impl BufRead) -> Vec<(String, String)> {
    let mut events = Vec::new();
    let mut name = String::new();
    for line in reader.lines().map_while(Result::ok) {
        if let Some(n) = line.strip_prefix("event: ") {
            name = n.to_string();
        } else if let Some(d) = line.strip_prefix("data: ") {
            events.push((name.clone(), d.to_string()));
            if name == "end" {
                break;
            }
        }
    }
    events
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn view_query(levers: &str) -> String {
    format!(
        "s={}&lang=en",
        encode(&format!("{{\"levers\":{{{levers}}}}}"))
    )
}

const SHORT: [&str; 4] = ["--set", "time.months=24", "--runs", "3"];

#[test]
fn bad_requests_get_400_with_the_validation_message() {
    let server = Server::start("bad", &SHORT);
    let (status, body) = server.get(&format!("/api/check?s={}", encode("{\"levers\":")));
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("malformed request"), "{body}");
    let out_of_range = view_query("\"policy.promotion_cny_per_year\":{\"value\":-5}");
    for endpoint in ["check", "stream", "scenario.toml"] {
        let (status, body) = server.get(&format!("/api/{endpoint}?{out_of_range}"));
        assert_eq!(status, 400, "{endpoint}: {body}");
        assert!(body.contains("[0, 5e9]"), "{endpoint}: {body}");
        assert!(
            body.contains("\"key\":\"policy.promotion_cny_per_year\""),
            "{body}"
        );
    }
    let (status, body) = server.get(&format!(
        "/api/check?{}",
        view_query("\"policy.no_such_lever\":{\"value\":1}")
    ));
    assert_eq!(status, 400);
    assert!(body.contains("no such lever"), "{body}");
    let (status, body) = server.get(&format!(
        "/api/check?{}",
        view_query("\"time.months\":{\"value\":1}")
    ));
    assert_eq!(status, 400);
    assert!(body.contains("lever keys start with `policy.`"), "{body}");
    let huge = format!("/api/check?s={}", "x".repeat(20_000));
    let (status, body) = server.get(&huge);
    assert_eq!(status, 400, "{body}");
    // Nothing outside loopback is named by the page, and the assets are embedded.
    let (status, page) = server.get("/");
    assert_eq!(status, 200);
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "{page}"
    );
    for asset in [
        "/assets/app.js",
        "/assets/app.css",
        "/assets/echarts.min.js",
        "/assets/font.ttf",
    ] {
        let (status, _) = server.get(asset);
        assert_eq!(status, 200, "{asset}");
    }
}

/// The saved scenario reproduces the view: `chancheng compare` on it prints the Δ the server
/// sends, to the last digit shown.
#[test]
fn the_saved_scenario_gives_the_views_numbers_in_compare() {
    let server = Server::start("saved", &SHORT);
    let query = view_query("\"policy.promotion_cny_per_year\":{\"value\":300000000}");
    let events = server.events(&format!("/api/stream?{query}&years=2017"));
    let (name, last) = &events[events.len() - 2];
    assert_eq!(name, "view");
    assert!(
        events
            .last()
            .is_some_and(|(n, d)| n == "end" && d.contains("\"done\"")),
        "{events:?}"
    );
    let view: serde_json::Value = serde_json::from_str(last).expect("JSON");
    assert_eq!(view["done"], 3);
    let (status, toml) = server.get(&format!("/api/scenario.toml?{query}"));
    assert_eq!(status, 200, "{toml}");
    let dir = server.out.join("saved");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("explorer.toml"), &toml).expect("write");
    let o = Command::new(env!("CARGO_BIN_EXE_chancheng"))
        .args(["compare", "baseline"])
        .arg(dir.join("explorer.toml"))
        .args([
            "--runs",
            "3",
            "--set",
            "time.months=24",
            "--years",
            "2017",
            "--quiet",
        ])
        .args([
            "--lang",
            "en",
            "--indicators",
            "gdp,employment,pendulum_index",
            "--out",
        ])
        .arg(dir.join("compare"))
        .output()
        .expect("compare runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let table = String::from_utf8_lossy(&o.stdout);
    for id in ["gdp", "employment", "pendulum_index"] {
        let d = view["deltas"]
            .as_array()
            .and_then(|a| a.iter().find(|d| d["id"] == id && d["year"] == 2017))
            .unwrap_or_else(|| panic!("no Δ of {id}"));
        let shown = format!(
            "{} [{}, {}]",
            d["delta"].as_str().unwrap_or_default(),
            d["low"].as_str().unwrap_or_default(),
            d["high"].as_str().unwrap_or_default()
        );
        let name = d["name"].as_str().unwrap_or_default();
        let row = table
            .lines()
            .find(|l| l.starts_with(&format!("| {name} |")))
            .unwrap_or_else(|| panic!("no row {name} in\n{table}"));
        assert!(row.ends_with(&format!("| {shown} |")), "{row} vs {shown}");
    }
}

#[test]
fn a_new_request_cancels_the_one_in_flight_and_cached_runs_come_back_identical() {
    let server = Server::start(
        "cancel",
        &["--set", "time.months=36", "--runs", "8", "--workers", "1"],
    );
    let first = view_query("\"policy.promotion_cny_per_year\":{\"value\":300000000}");
    let mut reader = BufReader::new(server.connect(&format!("/api/stream?{first}")));
    let mut line = String::new();
    while !line.starts_with("data: ") {
        line.clear();
        reader
            .read_line(&mut line)
            .expect("the first stream starts");
    }
    let second = view_query("\"policy.promotion_cny_per_year\":{\"value\":400000000}");
    let started = Instant::now();
    let events = server.events(&format!("/api/stream?{second}"));
    let cold = started.elapsed();
    let first_events = events_of(reader);
    let end = &first_events.last().expect("an end").1;
    assert!(end.contains("\"cancelled\""), "{first_events:?}");
    assert!(
        events
            .last()
            .is_some_and(|(n, d)| n == "end" && d.contains("\"done\""))
    );
    // The same view again comes from the cache: the same bytes, at once.
    let started = Instant::now();
    let again = server.events(&format!("/api/stream?{second}"));
    let warm = started.elapsed();
    assert_eq!(events, again);
    assert!(warm * 4 < cold, "cached {warm:?} vs {cold:?}");
}

/// The page in a real browser: move one lever, wait for 20 replications, and compare the Δ shown
/// with `chancheng compare` on the saved scenario; no request leaves loopback; no console error;
/// screenshots in Chinese and English under target/tmp (docs/img keeps the committed pair).
#[test]
#[ignore = "needs chromium and about a minute; CI runs it"]
fn headless_chromium_moves_a_lever_and_shows_what_compare_prints() {
    use crate::common::browser::LivePage;
    let server = Server::start("browser", &[]);
    let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/tmp");
    std::fs::create_dir_all(&shots).expect("target/tmp");
    let key = "policy.investment.zone.public_rental_units_per_year";
    let mut shown = None;
    for lang in ["en", "zh"] {
        let url = format!("http://{}/#lang={lang}", server.address);
        let mut page = LivePage::open(&url, 1600, 1300).expect("page opens");
        page.wait_until(
            "window.explorer && window.explorer.status().state === 'done'",
            Duration::from_secs(240),
        )
        .expect("the status quo finishes");
        let before = page
            .eval("window.explorer.status().request")
            .expect("status");
        page.eval(&format!("window.explorer.setLever('{key}', 1500)"))
            .expect("lever moves");
        let first = page
            .wait_until(
                &format!(
                    "(s => s.request > {before} && s.state !== 'waiting' && s.done >= 1)(window.explorer.status())"
                ),
                Duration::from_secs(60),
            )
            .expect("a first answer");
        let full = page
            .wait_until(
                "window.explorer.status().state === 'done'",
                Duration::from_secs(240),
            )
            .expect("20 replications");
        eprintln!("{lang}: first answer after {first:?}, 20 replications after {full:?}");
        assert_eq!(
            page.eval("window.explorer.status().done").expect("status"),
            20
        );
        page.eval(
            "(l => { const a = document.getElementById('levers'); \
             a.scrollTop = l.offsetTop - a.offsetTop - 200; window.scrollTo(0, 0); })\
             (document.querySelector('.lever.changed'))",
        )
        .expect("the moved lever in view");
        let png = page.screenshot().expect("screenshot");
        std::fs::write(shots.join(format!("explorer-{lang}.png")), png).expect("write png");
        let seen = page.seen();
        assert!(seen.console_errors.is_empty(), "{:?}", seen.console_errors);
        assert!(
            seen.failed_requests.is_empty(),
            "{:?}",
            seen.failed_requests
        );
        for url in &seen.requested_urls {
            assert!(
                url.starts_with(&format!("http://{}/", server.address)) || url.starts_with("data:"),
                "{url}"
            );
        }
        if lang == "en" {
            shown = Some((
                page.eval("window.explorer.shown('pendulum_index', 2035)")
                    .expect("Δ cell"),
                page.eval("window.explorer.request()").expect("request"),
            ));
        }
    }
    let (cell, request) = shown.expect("the English page");
    let request = request.as_str().expect("request text").to_string();
    let (status, toml) = server.get(&format!("/api/scenario.toml?s={}", encode(&request)));
    assert_eq!(status, 200);
    let dir = server.out.join("saved");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("explorer.toml"), &toml).expect("write");
    let o = Command::new(env!("CARGO_BIN_EXE_chancheng"))
        .args(["compare", "baseline"])
        .arg(dir.join("explorer.toml"))
        .args(["--runs", "20", "--years", "2035", "--quiet", "--lang", "en"])
        .args(["--indicators", "pendulum_index", "--out"])
        .arg(dir.join("compare"))
        .output()
        .expect("compare runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let table = String::from_utf8_lossy(&o.stdout);
    let row = table
        .lines()
        .find(|l| l.contains("Pendulum"))
        .expect("pendulum row");
    let delta = row
        .trim_end_matches('|')
        .rsplit('|')
        .next()
        .expect("Δ cell")
        .trim()
        .to_string();
    let cell = cell.as_str().expect("cell text").to_string();
    assert_eq!(
        cell.trim(),
        delta,
        "page shows {cell}, compare prints {row}"
    );
}

//! Test helper: load a self-contained HTML file in Debian's headless Chromium
//! over the Chrome DevTools Protocol (CDP) and report what happened.
//!
//! Only the browser-level websocket is used; the page is driven through a
//! flattened session (`Target.attachToTarget {flatten: true}`), so every
//! page command carries a `sessionId` and events arrive on the same socket.

use base64::Engine as _;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, ErrorKind};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tungstenite::protocol::WebSocketConfig;
use tungstenite::{Message, WebSocket};

/// How long to wait for the browser to start, a command to answer, or the page to load.
const TIMEOUT: Duration = Duration::from_secs(30);

/// What the browser saw while loading and printing one page.
#[derive(Debug, Default)]
pub struct PageCheck {
    /// URL + error for each `Network.loadingFailed` and each response with status >= 400.
    pub failed_requests: Vec<String>,
    /// Every URL the page requested (`Network.requestWillBeSent`), in order.
    pub requested_urls: Vec<String>,
    /// `document.images.length`.
    pub images_total: usize,
    /// Images with `complete && naturalWidth > 0`.
    pub images_shown: usize,
    /// Number of `<svg>` elements (counted separately from `images_total`).
    pub svg_total: usize,
    /// `console.error` calls, uncaught exceptions and `Log.entryAdded` errors.
    pub console_errors: Vec<String>,
    /// `document.title`.
    pub title: String,
    /// Web fonts (`@font-face`) loaded when the page had loaded.
    pub fonts_loaded: usize,
    /// `Page.printToPDF` output on A4 paper.
    pub pdf: Vec<u8>,
}

/// Owns the Chromium process and its profile dir; kills, reaps and deletes them on drop.
struct Browser {
    child: Child,
    profile: PathBuf,
    /// `Browser.close` was sent, so give the process a moment to exit by itself.
    closing: bool,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let grace = if self.closing { 5 } else { 0 };
        let deadline = Instant::now() + Duration::from_secs(grace);
        while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// A CDP connection plus everything collected from page-session events.
struct Cdp {
    ws: WebSocket<TcpStream>,
    next_id: u64,
    session: Option<String>,
    urls: HashMap<String, String>,
    loaded: bool,
    check: PageCheck,
}

/// Loads `html` in a fresh headless Chromium, then evaluates and prints it.
pub fn check_page(html: &Path) -> Result<PageCheck, String> {
    let path = html
        .canonicalize()
        .map_err(|e| format!("cannot resolve {}: {e}", html.display()))?;
    let url = file_url(&path);
    let (mut browser, ws_url) = launch()?;
    let mut cdp = connect(&ws_url)?;
    let target = cdp.call("Target.createTarget", json!({"url": "about:blank"}))?;
    let target_id = target["targetId"].clone();
    let attach = json!({"targetId": target_id, "flatten": true});
    let attached = cdp.call("Target.attachToTarget", attach)?;
    let session = attached["sessionId"]
        .as_str()
        .ok_or("attachToTarget: no sessionId")?;
    cdp.session = Some(session.to_string());
    for domain in ["Network", "Page", "Runtime", "Log"] {
        cdp.call(&format!("{domain}.enable"), json!({}))?;
    }
    cdp.loaded = false;
    let nav = cdp.call("Page.navigate", json!({"url": url}))?;
    if let Some(err) = nav["errorText"].as_str() {
        return Err(format!("navigation to {url} failed: {err}"));
    }
    let deadline = Instant::now() + TIMEOUT;
    while !cdp.loaded {
        let msg = cdp.read(deadline, "Page.loadEventFired")?;
        cdp.on_event(&msg);
    }
    let expr = "({total: document.images.length, \
        shown: Array.from(document.images).filter(i => i.complete && i.naturalWidth > 0).length, \
        svgs: document.getElementsByTagName('svg').length, title: document.title, \
        fonts: Array.from(document.fonts).filter(f => f.status === 'loaded').length})";
    let eval = cdp.call(
        "Runtime.evaluate",
        json!({"expression": expr, "returnByValue": true}),
    )?;
    let v = &eval["result"]["value"];
    let count = |k: &str| {
        v[k].as_u64()
            .map(|n| n as usize)
            .ok_or(format!("evaluate: no {k}: {eval}"))
    };
    cdp.check.images_total = count("total")?;
    cdp.check.images_shown = count("shown")?;
    cdp.check.svg_total = count("svgs")?;
    cdp.check.fonts_loaded = count("fonts")?;
    cdp.check.title = v["title"].as_str().unwrap_or_default().to_string();
    let pdf_opts = json!({"paperWidth": 8.27, "paperHeight": 11.69,
        "printBackground": true, "preferCSSPageSize": true});
    let pdf = cdp.call("Page.printToPDF", pdf_opts)?;
    let data = pdf["data"].as_str().ok_or("printToPDF: no data")?;
    cdp.check.pdf = base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(|e| format!("printToPDF: bad base64: {e}"))?;
    // The browser may drop the socket before answering; the Drop guard reaps it either way.
    cdp.session = None;
    browser.closing = cdp.send("Browser.close", json!({})).is_ok();
    Ok(cdp.check)
}

/// Per-process counter so parallel tests get distinct profile dirs.
static PROFILES: AtomicUsize = AtomicUsize::new(0);

/// Starts Chromium with a fresh profile; returns it with the URL from "DevTools listening on ws://...".
fn launch() -> Result<(Browser, String), String> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let n = PROFILES.fetch_add(1, Ordering::Relaxed);
    let profile =
        std::env::temp_dir().join(format!("cdp-check-{}-{nanos}-{n}", std::process::id()));
    std::fs::create_dir(&profile)
        .map_err(|e| format!("cannot create {}: {e}", profile.display()))?;
    let spawned = Command::new("chromium")
        .args(["--headless", "--no-sandbox", "--disable-gpu"])
        .args(["--disable-background-networking", "--no-first-run"])
        .args(["--no-default-browser-check", "--remote-debugging-port=0"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("about:blank")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&profile);
            return Err(format!(
                "cannot run chromium (apt-get install chromium?): {e}"
            ));
        }
    };
    let stderr = child.stderr.take();
    let guard = Browser {
        child,
        profile,
        closing: false,
    };
    let stderr = stderr.ok_or("chromium stderr not captured")?;
    // Drain stderr on a thread for the browser's whole life so it never blocks on a full pipe.
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + TIMEOUT;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => match line.split_once("DevTools listening on ") {
                Some((_, url)) => return Ok((guard, url.trim().to_string())),
                None => seen.push(line),
            },
            Err(mpsc::RecvTimeoutError::Timeout) => {
                return Err(format!(
                    "no DevTools URL from chromium after {TIMEOUT:?}; stderr:\n{}",
                    seen.join("\n")
                ));
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(format!(
                    "chromium exited before DevTools started; stderr:\n{}",
                    seen.join("\n")
                ));
            }
        }
    }
}

/// Opens the browser websocket with no size limits (PDFs can be large) and a polling read timeout.
fn connect(ws_url: &str) -> Result<Cdp, String> {
    let rest = ws_url
        .strip_prefix("ws://")
        .ok_or(format!("unexpected DevTools URL {ws_url}"))?;
    let host = rest.split('/').next().unwrap_or(rest);
    let stream = TcpStream::connect(host).map_err(|e| format!("connect {host}: {e}"))?;
    let set = |s: &TcpStream, t| {
        s.set_read_timeout(Some(t))
            .map_err(|e| format!("socket: {e}"))
    };
    set(&stream, TIMEOUT)?;
    let config = WebSocketConfig::default()
        .max_message_size(None)
        .max_frame_size(None);
    let (ws, _) = tungstenite::client::client_with_config(ws_url, stream, Some(config))
        .map_err(|e| format!("websocket handshake with {ws_url}: {e}"))?;
    set(ws.get_ref(), Duration::from_millis(200))?;
    let check = PageCheck::default();
    Ok(Cdp {
        ws,
        next_id: 0,
        session: None,
        urls: HashMap::new(),
        loaded: false,
        check,
    })
}

impl Cdp {
    /// Sends one command (on the page session once attached) and returns its id.
    fn send(&mut self, method: &str, params: Value) -> Result<u64, String> {
        self.next_id += 1;
        let mut msg = json!({"id": self.next_id, "method": method, "params": params});
        if let Some(s) = &self.session {
            msg["sessionId"] = json!(s);
        }
        let text = msg.to_string();
        self.ws
            .send(Message::text(text))
            .map_err(|e| format!("{method}: send failed: {e}"))?;
        Ok(self.next_id)
    }

    /// Sends a command and waits for its reply, handling events that arrive meanwhile.
    fn call(&mut self, method: &str, params: Value) -> Result<Value, String> {
        let id = self.send(method, params)?;
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let msg = self.read(deadline, method)?;
            if msg["id"].as_u64() == Some(id) {
                if let Some(err) = msg.get("error") {
                    return Err(format!("{method} failed: {err}"));
                }
                return Ok(msg["result"].clone());
            }
            self.on_event(&msg);
        }
    }

    /// Reads the next JSON message, failing with `what` in the error once `deadline` passes.
    fn read(&mut self, deadline: Instant, what: &str) -> Result<Value, String> {
        loop {
            if Instant::now() >= deadline {
                return Err(format!("timed out after {TIMEOUT:?} waiting for {what}"));
            }
            match self.ws.read() {
                Ok(Message::Text(t)) => {
                    return serde_json::from_str(t.as_str())
                        .map_err(|e| format!("bad CDP JSON: {e}"));
                }
                Ok(_) => {}
                Err(tungstenite::Error::Io(e))
                    if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(e) => return Err(format!("websocket closed while waiting for {what}: {e}")),
            }
        }
    }

    /// Records network failures, requested URLs, console errors and the load event.
    fn on_event(&mut self, msg: &Value) {
        if self.session.is_none() || msg["sessionId"].as_str() != self.session.as_deref() {
            return;
        }
        let p = &msg["params"];
        let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
        let c = &mut self.check;
        match msg["method"].as_str().unwrap_or_default() {
            "Page.loadEventFired" => self.loaded = true,
            "Network.requestWillBeSent" => {
                let url = text(&p["request"]["url"]);
                self.urls.insert(text(&p["requestId"]), url.clone());
                c.requested_urls.push(url);
            }
            "Network.loadingFailed" => {
                let url = self
                    .urls
                    .get(&text(&p["requestId"]))
                    .cloned()
                    .unwrap_or_default();
                c.failed_requests
                    .push(format!("{url}: {}", text(&p["errorText"])));
            }
            "Network.responseReceived"
                if p["response"]["status"].as_f64().unwrap_or(0.0) >= 400.0 =>
            {
                let r = &p["response"];
                c.failed_requests
                    .push(format!("{}: HTTP {}", text(&r["url"]), r["status"]));
            }
            "Runtime.consoleAPICalled" if p["type"] == "error" => {
                let args = p["args"].as_array().map(Vec::as_slice).unwrap_or_default();
                let parts: Vec<String> = args
                    .iter()
                    .map(|a| {
                        a["value"]
                            .as_str()
                            .map_or_else(|| text(&a["description"]), str::to_string)
                    })
                    .collect();
                c.console_errors
                    .push(format!("console.error: {}", parts.join(" ")));
            }
            "Runtime.exceptionThrown" => {
                let d = &p["exceptionDetails"];
                let desc = d["exception"]["description"]
                    .as_str()
                    .unwrap_or_else(|| d["text"].as_str().unwrap_or_default());
                c.console_errors.push(format!("exception: {desc}"));
            }
            "Log.entryAdded" if p["entry"]["level"] == "error" => {
                let e = &p["entry"];
                c.console_errors
                    .push(format!("log: {} ({})", text(&e["text"]), text(&e["url"])));
            }
            _ => {}
        }
    }
}

/// `file://` URL for an absolute path, percent-encoding everything but unreserved bytes and `/`.
fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for &b in path.as_os_str().as_encoded_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

/// A live page in headless Chromium, driven by script: for pages served over HTTP (the
/// explorer), where the test moves controls and waits for answers.
pub struct LivePage {
    cdp: Cdp,
    _browser: Browser,
}

impl LivePage {
    /// Opens `url` in a fresh headless Chromium with a `width`×`height` viewport and waits for
    /// the load event.
    pub fn open(url: &str, width: u32, height: u32) -> Result<LivePage, String> {
        let (browser, ws_url) = launch()?;
        let mut cdp = connect(&ws_url)?;
        let target = cdp.call("Target.createTarget", json!({"url": "about:blank"}))?;
        let attach = json!({"targetId": target["targetId"].clone(), "flatten": true});
        let attached = cdp.call("Target.attachToTarget", attach)?;
        let session = attached["sessionId"]
            .as_str()
            .ok_or("attachToTarget: no sessionId")?;
        cdp.session = Some(session.to_string());
        for domain in ["Network", "Page", "Runtime", "Log"] {
            cdp.call(&format!("{domain}.enable"), json!({}))?;
        }
        cdp.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false}),
        )?;
        cdp.loaded = false;
        let nav = cdp.call("Page.navigate", json!({"url": url}))?;
        if let Some(err) = nav["errorText"].as_str() {
            return Err(format!("navigation to {url} failed: {err}"));
        }
        let deadline = Instant::now() + TIMEOUT;
        while !cdp.loaded {
            let msg = cdp.read(deadline, "Page.loadEventFired")?;
            cdp.on_event(&msg);
        }
        Ok(LivePage {
            cdp,
            _browser: browser,
        })
    }

    /// Evaluates a JavaScript expression (awaiting a promise) and returns its value.
    pub fn eval(&mut self, expression: &str) -> Result<Value, String> {
        let result = self.cdp.call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
        )?;
        if let Some(e) = result.get("exceptionDetails") {
            return Err(format!("{expression}: {e}"));
        }
        Ok(result["result"]["value"].clone())
    }

    /// Polls `expression` until it is `true`, for at most `limit`.
    pub fn wait_until(&mut self, expression: &str, limit: Duration) -> Result<Duration, String> {
        let started = Instant::now();
        loop {
            if self.eval(expression)? == Value::Bool(true) {
                return Ok(started.elapsed());
            }
            if started.elapsed() > limit {
                return Err(format!("`{expression}` not true after {limit:?}"));
            }
            // Reading the socket for a while also collects the page's events.
            let pause = Instant::now() + Duration::from_millis(100);
            while Instant::now() < pause {
                if let Ok(msg) = self.cdp.read(pause, "events") {
                    self.cdp.on_event(&msg);
                }
            }
        }
    }

    /// A PNG of the whole page.
    pub fn screenshot(&mut self) -> Result<Vec<u8>, String> {
        let shot = self.cdp.call(
            "Page.captureScreenshot",
            json!({"format": "png", "captureBeyondViewport": true}),
        )?;
        let data = shot["data"].as_str().ok_or("captureScreenshot: no data")?;
        base64::engine::general_purpose::STANDARD
            .decode(data)
            .map_err(|e| format!("captureScreenshot: bad base64: {e}"))
    }

    /// What the page requested, and its failures and console errors, so far.
    pub fn seen(&self) -> &PageCheck {
        &self.cdp.check
    }
}

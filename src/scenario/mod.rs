//! Scenario files: reading, `extends` inheritance, validation into a checked [`Scenario`].
//!
//! Data flows one way: TOML text → merged table → [`ScenarioFile`] → [`validate`] → [`Scenario`].
//! Every error names the file, the line, the key and what is allowed.

pub mod coupling;
pub mod levers;
pub mod ranges;
pub mod schema;
mod timed;
mod validate;

pub use schema::*;
pub use validate::parse_year_month;

use sha2::{Digest, Sha256};
use std::fmt;
use std::path::{Path, PathBuf};

/// The built-in default scenario, embedded so `chancheng run` works with no file.
pub const BASELINE_TOML: &str = include_str!("../../scenarios/baseline.toml");
/// The name under which the embedded baseline is found by `extends`.
pub const BASELINE_FILE_NAME: &str = "baseline.toml";

/// One problem with a scenario file, located as precisely as the file allows.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioIssue {
    pub file: String,
    pub line: Option<usize>,
    /// 1-based column (in characters) where the key or the offending text starts.
    pub column: Option<usize>,
    pub key: String,
    pub message: String,
}

impl fmt::Display for ScenarioIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, "{}:{line}:{column}: ", self.file)?,
            (Some(line), None) => write!(f, "{}:{line}: ", self.file)?,
            _ => write!(f, "{}: ", self.file)?,
        }
        let message = clip(&self.message, 400);
        if self.key.is_empty() {
            write!(f, "{message}")
        } else {
            write!(f, "key `{}`: {message}", clip(&self.key, 80))
        }
    }
}

/// At most `max` characters of a text for a message (a key can be megabytes long).
fn clip(text: &str, max: usize) -> String {
    let n = text.chars().count();
    if n <= max {
        text.to_string()
    } else {
        let cut: String = text.chars().take(max).collect();
        format!("{cut}… ({n} characters)")
    }
}

/// The most issues an error lists; the rest are counted.
const MAX_ISSUES_SHOWN: usize = 20;

fn list_issues(issues: &[ScenarioIssue]) -> String {
    let mut lines: Vec<String> = issues
        .iter()
        .take(MAX_ISSUES_SHOWN)
        .map(|i| format!("  {i}"))
        .collect();
    if issues.len() > MAX_ISSUES_SHOWN {
        lines.push(format!("  … and {} more", issues.len() - MAX_ISSUES_SHOWN));
    }
    lines.join("\n")
}

/// The largest scenario file read: a scenario is a few hundred lines.
pub const MAX_SCENARIO_BYTES: u64 = 1 << 20;

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("cannot read scenario file {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("scenario `extends` forms a cycle: {0}")]
    Cycle(String),
    #[error("invalid scenario:\n{}", list_issues(.0))]
    Invalid(Vec<ScenarioIssue>),
    /// A `KEY=VALUE` setting that names no settable key or gives the wrong kind of value; the
    /// message starts with the setting (the command line puts `--set ` before it).
    #[error("{0}")]
    Setting(String),
}

/// A value set over a scenario's key: a number (a switch takes 0 or 1), or text for a key that
/// holds text (`policy.public_rental_eligibility = "zone_workers"`).
#[derive(Debug, Clone, PartialEq)]
pub enum Setting {
    Number(f64),
    Text(String),
    /// A value exactly as another scenario holds it (a timed `{ value, from }` table included),
    /// for a key this scenario holds too.
    Value(toml::Value),
}

/// One file of an `extends` chain, kept for locating errors.
#[derive(Debug, Clone)]
struct SourceFile {
    /// How messages name the file: its path, and for a parent the file that extends it.
    display: String,
    /// The file's path (or `<built-in …>`), for provenance.
    name: String,
    text: String,
}

/// A validated scenario: only [`load_file`], [`load_builtin`] and [`Scenario::with_overrides`] make one.
#[derive(Debug, Clone)]
pub struct Scenario {
    spec: ScenarioFile,
    merged: toml::Table,
    /// The root of the `extends` chain (its merged table), whose policy is the history before
    /// the start.
    root: Option<toml::Table>,
    content_hash: String,
    sources: Vec<String>,
    /// The file the user gave (the child of its `extends` chain): a path or `<built-in NAME>`.
    file: String,
    /// Whether [`Scenario::with_overrides`] set keys over the files.
    overridden: bool,
}

impl Scenario {
    pub fn spec(&self) -> &ScenarioFile {
        &self.spec
    }
    pub fn name(&self) -> &str {
        &self.spec.name
    }
    /// The scenario's short label in tables and legends: its own `label_zh`/`label_en`, else its
    /// name.
    pub fn label(&self, zh: bool) -> &str {
        let label = if zh {
            &self.spec.label_zh
        } else {
            &self.spec.label_en
        };
        label.as_deref().unwrap_or(&self.spec.name)
    }
    /// What the scenario is, in Chinese (its own `description_zh`, else the description) or English.
    pub fn description(&self, zh: bool) -> &str {
        match &self.spec.description_zh {
            Some(d) if zh => d,
            _ => &self.spec.description,
        }
    }
    /// SHA-256 of the merged, canonicalised scenario: two files that mean the same hash the same.
    pub fn content_hash(&self) -> &str {
        &self.content_hash
    }
    /// The files it was read from, child first.
    /// A hash of what a run depends on: the content without the names, labels and descriptions,
    /// and the policy history of the `extends` chain's root. Two scenarios with the same run key
    /// give the same run for the same seed (caches key runs by it).
    pub fn run_key(&self) -> String {
        let mut content = self.merged.clone();
        for presentation in [
            "name",
            "label_zh",
            "label_en",
            "description",
            "description_zh",
            "description_en",
        ] {
            content.remove(presentation);
        }
        let mut hasher = Sha256::new();
        hasher.update(toml::to_string(&content).unwrap_or_default().as_bytes());
        hasher.update(b"\0history\0");
        if let Some(root) = &self.root
            && let Some(policy) = root.get("policy")
        {
            hasher.update(toml::to_string(policy).unwrap_or_default().as_bytes());
        }
        format!("{:x}", hasher.finalize())
    }

    pub fn sources(&self) -> &[String] {
        &self.sources
    }
    /// Where the scenario comes from, for a message: `scenario file PATH` (the file the user
    /// gave, the child of its `extends` chain, never a parent whose `name` it may inherit) or `the
    /// built-in scenario `NAME``, followed by ` with overrides` when keys were set over it.
    pub fn origin(&self) -> String {
        let mut origin = match self
            .file
            .strip_prefix("<built-in ")
            .and_then(|f| f.strip_suffix('>'))
        {
            Some(name) => format!(
                "the built-in scenario `{}`",
                name.strip_suffix(".toml").unwrap_or(name)
            ),
            None => format!("scenario file {}", self.file),
        };
        if self.overridden {
            origin.push_str(" with overrides");
        }
        origin
    }

    /// The same scenario with dotted keys set to new numbers (for sweeps and tests; a boolean key
    /// takes 0 or 1), validated again.
    pub fn with_overrides(&self, overrides: &[(String, f64)]) -> Result<Scenario, ScenarioError> {
        let values: Vec<(String, Setting)> = overrides
            .iter()
            .map(|(k, v)| (k.clone(), Setting::Number(*v)))
            .collect();
        self.with_values(&values)
    }

    /// The same scenario with dotted keys set to numbers or text, validated again.
    pub fn with_values(&self, values: &[(String, Setting)]) -> Result<Scenario, ScenarioError> {
        let mut merged = self.merged.clone();
        for (key, value) in values {
            set_dotted(&mut merged, key, value).map_err(|message| {
                ScenarioError::Invalid(vec![ScenarioIssue {
                    file: "overrides".into(),
                    line: None,
                    column: None,
                    key: key.clone(),
                    message,
                }])
            })?;
        }
        let files = [SourceFile {
            display: format!("{} (with overrides)", self.sources.join(" < ")),
            name: format!("{} (with overrides)", self.sources.join(" < ")),
            text: String::new(),
        }];
        let mut scenario = build(merged, &files, self.root.clone())?;
        scenario.file.clone_from(&self.file);
        scenario.overridden = true;
        Ok(scenario)
    }

    /// The same scenario with `KEY=VALUE` settings as a user types them (`--set` on the command
    /// line, `set=` in Python): numbers (`_` allowed as a digit separator), `true`/`false` for
    /// switches, text for keys that hold text. A key the scenario lacks gets the closest known
    /// key as a hint; the result is validated like a file.
    pub fn with_settings(&self, settings: &[String]) -> Result<Scenario, ScenarioError> {
        if settings.is_empty() {
            return Ok(self.clone());
        }
        let bad = |m: String| ScenarioError::Setting(m);
        let mut values = Vec::new();
        for text in settings {
            let (key, value) = text.split_once('=').ok_or_else(|| {
                bad(format!(
                    "{text}: expected KEY=VALUE, e.g. labour.quit_rate_per_month=0.02"
                ))
            })?;
            let (key, value) = (key.trim(), value.trim());
            let switch = self.switch_at(key).is_some();
            let text_key = self.text_at(key).is_some();
            let setting = match value {
                "true" | "1" if switch => Setting::Number(1.0),
                "false" | "0" if switch => Setting::Number(0.0),
                v if switch => return Err(bad(format!("{key}={v}: a switch is true or false"))),
                v if text_key => Setting::Text(v.trim_matches('"').to_string()),
                v => Setting::Number(v.replace('_', "").parse::<f64>().map_err(|_| {
                    bad(format!(
                        "{key}={v}: `{v}` is not a number (settings take numbers, true/false, \
                         and text only for keys that hold text; other values belong in a \
                         scenario file)"
                    ))
                })?),
            };
            if self.number_at(key).is_none() && !switch && !text_key {
                let hint = closest(key, ranges::PARAMETERS.iter().map(|p| p.pattern))
                    .map(|k| format!("; did you mean `{k}`?"))
                    .unwrap_or_default();
                return Err(bad(format!(
                    "{key}: not a number of scenario `{}`{hint}",
                    self.name()
                )));
            }
            values.push((key.to_string(), setting));
        }
        self.with_values(&values)
    }

    /// Value of a dotted numeric key in the merged scenario (`None` for a timed policy key).
    pub fn number_at(&self, key: &str) -> Option<f64> {
        number_in(&self.merged, key)
    }

    /// Value of a dotted switch (`true`/`false`) in the merged scenario.
    pub fn switch_at(&self, key: &str) -> Option<bool> {
        self.value_at(key)?.as_bool()
    }

    /// Value of a dotted key that holds text in the merged scenario.
    pub fn text_at(&self, key: &str) -> Option<&str> {
        self.value_at(key)?.as_str()
    }

    /// The value at a dotted key of the merged scenario, as written (a timed policy value is a
    /// table `{ value, from }`).
    pub fn value_at(&self, key: &str) -> Option<&toml::Value> {
        let (path, last) = key.rsplit_once('.').unwrap_or(("", key));
        let mut table = &self.merged;
        for part in path.split('.').filter(|p| !p.is_empty()) {
            table = table.get(part)?.as_table()?;
        }
        table.get(last)
    }
}

fn number_in(table: &toml::Table, key: &str) -> Option<f64> {
    let mut table = table;
    let parts: Vec<&str> = key.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        let value = table.get(*part)?;
        if i + 1 == parts.len() {
            return value
                .as_float()
                .or_else(|| value.as_integer().map(|v| v as f64));
        }
        table = value.as_table()?;
    }
    None
}

/// The scenarios `compare` runs when none is named: the status quo, the report's four packages
/// and all recommendations together (embedded, so that they need no files).
const BUILTIN_SET: [(&str, &str); 5] = [
    (
        "r1-leading-industry.toml",
        include_str!("../../scenarios/r1-leading-industry.toml"),
    ),
    (
        "r2-supporting-services.toml",
        include_str!("../../scenarios/r2-supporting-services.toml"),
    ),
    (
        "r3-factor-bottlenecks.toml",
        include_str!("../../scenarios/r3-factor-bottlenecks.toml"),
    ),
    (
        "r4-industry-city.toml",
        include_str!("../../scenarios/r4-industry-city.toml"),
    ),
    (
        "all-recommendations.toml",
        include_str!("../../scenarios/all-recommendations.toml"),
    ),
];

/// The built-in comparison: the baseline first, then the report's packages.
pub fn load_builtin_set() -> Result<Vec<Scenario>, ScenarioError> {
    let mut set = vec![load_builtin()?];
    for (file, text) in BUILTIN_SET {
        set.push(load_str(
            text,
            &format!("<built-in {file}>"),
            Path::new("<built-in>"),
        )?);
    }
    Ok(set)
}

/// The embedded baseline scenario.
pub fn load_builtin() -> Result<Scenario, ScenarioError> {
    let files = vec![SourceFile {
        display: format!("<built-in {BASELINE_FILE_NAME}>"),
        name: format!("<built-in {BASELINE_FILE_NAME}>"),
        text: BASELINE_TOML.to_string(),
    }];
    load_chain(files, None)
}

/// A scenario file, with its `extends` chain resolved relative to each file's folder. A chain that
/// ends in `baseline.toml` with no such file on disk uses the embedded baseline.
pub fn load_file(path: &Path) -> Result<Scenario, ScenarioError> {
    let text = read(path).map_err(|reason| ScenarioError::Read {
        path: path.display().to_string(),
        reason,
    })?;
    let files = vec![SourceFile {
        display: path.display().to_string(),
        name: path.display().to_string(),
        text,
    }];
    load_chain(files, Some(path.to_path_buf()))
}

/// A scenario given as text (tests, tools); `extends` resolves against `base_dir`.
pub fn load_str(text: &str, display: &str, base_dir: &Path) -> Result<Scenario, ScenarioError> {
    let files = vec![SourceFile {
        display: display.to_string(),
        name: display.to_string(),
        text: text.to_string(),
    }];
    load_chain(files, Some(base_dir.join(display)))
}

/// The text of a scenario file: a regular file (not a FIFO, device or folder) of at most
/// [`MAX_SCENARIO_BYTES`], in UTF-8. The error says why not.
fn read(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| describe_io(&e))?;
    if !meta.is_file() {
        return Err("not a regular file (a folder, FIFO or device cannot be a scenario)".into());
    }
    if meta.len() > MAX_SCENARIO_BYTES {
        return Err(format!(
            "{} bytes; a scenario file may have at most {MAX_SCENARIO_BYTES}",
            meta.len()
        ));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_SCENARIO_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| describe_io(&e))?;
    if bytes.len() as u64 > MAX_SCENARIO_BYTES {
        return Err(format!("more than {MAX_SCENARIO_BYTES} bytes"));
    }
    String::from_utf8(bytes)
        .map_err(|e| format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()))
}

fn describe_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

fn load_chain(
    mut files: Vec<SourceFile>,
    mut current_path: Option<PathBuf>,
) -> Result<Scenario, ScenarioError> {
    let mut tables = Vec::new();
    // Canonical paths of the chain so far, so that `../dir/a.toml` is seen to be `a.toml`.
    let mut seen: Vec<PathBuf> = current_path
        .iter()
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .collect();
    let root_dir = current_path
        .as_ref()
        .and_then(|p| p.parent())
        .map(|d| {
            if d.as_os_str().is_empty() {
                Path::new(".")
            } else {
                d
            }
        })
        .and_then(|d| std::fs::canonicalize(d).ok());
    loop {
        let file = files.last().expect("chain starts with one file");
        let table: toml::Table = toml::from_str(&file.text).map_err(|e| {
            let position = e.span().map(|s| position_of(&file.text, s.start));
            // The parser points at the offending text; for a key error that text is the key.
            let message = e.message().trim().to_string();
            let key = match e.span() {
                Some(span) if message.contains("key") => file
                    .text
                    .get(span)
                    .map(|k| k.trim().trim_matches('"').to_string())
                    .unwrap_or_default(),
                _ => String::new(),
            };
            ScenarioError::Invalid(vec![ScenarioIssue {
                file: file.display.clone(),
                line: position.map(|p| p.0),
                column: position.map(|p| p.1),
                key,
                message,
            }])
        })?;
        let parent = match table.get("extends") {
            None => None,
            Some(toml::Value::String(s)) => Some(s.clone()),
            Some(_) => {
                return Err(ScenarioError::Invalid(vec![ScenarioIssue {
                    file: file.display.clone(),
                    line: find_line(&file.text, &["extends"]),
                    column: find_position(&file.text, &["extends"]).map(|p| p.1),
                    key: "extends".into(),
                    message: "must be a file name string, e.g. \"baseline.toml\"".into(),
                }]));
            }
        };
        tables.push(table);
        let Some(parent) = parent else { break };
        let child = files.last().expect("chain starts with one file");
        let at_extends = |message: String| {
            ScenarioError::Invalid(vec![ScenarioIssue {
                file: child.display.clone(),
                line: find_line(&child.text, &["extends"]),
                column: find_position(&child.text, &["extends"]).map(|p| p.1),
                key: "extends".into(),
                message,
            }])
        };
        let dir = current_path
            .as_ref()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .unwrap_or_default();
        let parent_path = dir.join(&parent);
        let on_disk = std::fs::symlink_metadata(&parent_path).is_ok();
        if !on_disk && parent == BASELINE_FILE_NAME {
            files.push(SourceFile {
                display: format!("<built-in {BASELINE_FILE_NAME}>"),
                name: format!("<built-in {BASELINE_FILE_NAME}>"),
                text: BASELINE_TOML.to_string(),
            });
            current_path = None;
            continue;
        }
        if !parent.ends_with(".toml") {
            return Err(at_extends(format!(
                "`{}` is not a scenario: `extends` names a .toml file",
                clip(&parent, 80)
            )));
        }
        let canonical = std::fs::canonicalize(&parent_path).map_err(|e| {
            at_extends(format!(
                "cannot open parent scenario {}: {}",
                parent_path.display(),
                describe_io(&e)
            ))
        })?;
        // A scenario extends files of its own folder (or below), never any file on the machine.
        if let Some(root) = &root_dir
            && !canonical.starts_with(root)
        {
            return Err(at_extends(format!(
                "parent scenario {} lies outside the scenario's folder {}; extend only files in \
                 that folder or below it",
                parent_path.display(),
                root.display()
            )));
        }
        if seen.contains(&canonical) {
            let chain: Vec<String> = seen.iter().map(|p| p.display().to_string()).collect();
            return Err(ScenarioError::Cycle(format!(
                "{} -> {}",
                chain.join(" -> "),
                canonical.display()
            )));
        }
        seen.push(canonical.clone());
        let text = read(&canonical).map_err(|reason| {
            at_extends(format!(
                "cannot read parent scenario {}: {reason}",
                parent_path.display()
            ))
        })?;
        files.push(SourceFile {
            display: format!("{} (extended by {})", parent_path.display(), child.name),
            name: parent_path.display().to_string(),
            text,
        });
        current_path = Some(parent_path);
    }
    // Merge from the root down: each child overrides its parent; a timed policy value continues
    // the parent's timeline from its month.
    let mut merged = toml::Table::new();
    let mut root = None;
    let mut issues = Vec::new();
    for (mut table, file) in tables.into_iter().zip(&files).rev() {
        match timed::extract(&mut table) {
            Ok(leaves) => {
                // A scenario's labels are its own: a child without them is not its parent.
                merged.remove("label_zh");
                merged.remove("label_en");
                merged.remove("description_zh");
                merge(&mut merged, table);
                timed::apply(&mut merged, leaves);
                if root.is_none() {
                    root = Some(merged.clone());
                }
            }
            Err(problems) => issues.extend(problems.into_iter().map(|(path, message)| {
                let refs: Vec<&str> = path.iter().map(String::as_str).collect();
                ScenarioIssue {
                    file: file.display.clone(),
                    line: find_line(&file.text, &refs),
                    column: find_position(&file.text, &refs).map(|p| p.1),
                    key: path.join("."),
                    message,
                }
            })),
        }
    }
    if !issues.is_empty() {
        return Err(ScenarioError::Invalid(issues));
    }
    merged.remove("extends");
    build(merged, &files, root)
}

/// A deserialisation error as an issue; `prefix` is the key path of the deserialised table.
fn serde_issue(
    files: &[SourceFile],
    e: serde_path_to_error::Error<toml::de::Error>,
    prefix: &[&str],
    note: &str,
) -> ScenarioIssue {
    let mut path: Vec<String> = prefix.iter().map(|s| s.to_string()).collect();
    path.extend(
        e.path()
            .iter()
            .map(|seg| seg.to_string())
            .filter(|s| s != "?"),
    );
    let inner = e.into_inner().to_string();
    // toml appends "in `path`" to its messages; the path is reported separately.
    let message = inner
        .split("\nin `")
        .next()
        .unwrap_or(&inner)
        .trim()
        .to_string();
    if let Some(field) = unknown_field(&message)
        && path.last().map(String::as_str) != Some(field)
    {
        path.push(field.to_string());
    }
    let message = did_you_mean(&message).unwrap_or(message);
    locate(files, &path, format!("{note}{message}"))
}

fn build(
    mut merged: toml::Table,
    files: &[SourceFile],
    root: Option<toml::Table>,
) -> Result<Scenario, ScenarioError> {
    let start = timed::start_of(&merged);
    if let Some(start) = start {
        timed::normalise(&mut merged, start);
    }
    // The policy before the start is the root scenario's (the status quo a package departs
    // from); a root without a complete policy leaves it to the scenario's own.
    let history_policy = root.as_ref().and_then(|r| {
        let policy = timed::resolve(r, start, 0).get("policy").cloned()?;
        <PolicySpec as serde::Deserialize>::deserialize(policy).ok()
    });
    let value = toml::Value::Table(timed::resolve(&merged, start, 0));
    let mut spec: ScenarioFile = serde_path_to_error::deserialize(value)
        .map_err(|e| ScenarioError::Invalid(vec![serde_issue(files, e, &[], "")]))?;
    let mut problems = validate::validate(&spec);
    // Each later policy is checked like the start policy; problems it shares with it are not repeated.
    if let Some(start) = start {
        let mut schedule = Vec::new();
        for month in timed::change_months(&merged, start) {
            let note = format!("from {} (month {month}): ", timed::month_name(start, month));
            let table = timed::resolve(&merged, Some(start), month);
            let policy = table
                .get("policy")
                .cloned()
                .unwrap_or(toml::Value::Table(toml::Table::new()));
            let policy: PolicySpec = serde_path_to_error::deserialize(policy).map_err(|e| {
                ScenarioError::Invalid(vec![serde_issue(files, e, &["policy"], &note)])
            })?;
            let mut at = spec.clone();
            at.policy = policy;
            for (key, message) in validate::validate(&at) {
                if !problems.iter().any(|(k, m)| *k == key && *m == message) {
                    problems.push((key, format!("{note}{message}")));
                }
            }
            schedule.push(PolicyChange {
                month,
                policy: at.policy,
            });
        }
        spec.policy_schedule = schedule;
    }
    // A sweep would silently vary nothing for a key that does not exist.
    for key in spec.uncertainty.keys() {
        if number_in(&merged, key).is_none() {
            problems.push((
                format!("uncertainty.{key}"),
                "names no numeric key of the scenario (dotted path, e.g. \"firms.agglomeration_elasticity\")"
                    .to_string(),
            ));
        }
    }
    if !problems.is_empty() {
        let issues = problems
            .into_iter()
            .map(|(key, message)| {
                let path: Vec<String> = key.split('.').map(str::to_string).collect();
                locate(files, &path, message)
            })
            .collect();
        return Err(ScenarioError::Invalid(issues));
    }
    let canonical = toml::to_string(&merged).unwrap_or_default();
    let content_hash = format!("{:x}", Sha256::digest(canonical.as_bytes()));
    spec.history_policy = history_policy;
    Ok(Scenario {
        spec,
        merged,
        root,
        content_hash,
        sources: files.iter().map(|f| f.name.clone()).collect(),
        file: files.first().map(|f| f.name.clone()).unwrap_or_default(),
        overridden: false,
    })
}

/// serde's "unknown field `x`, expected one of `a`, `b`, …" as "unknown field `x`: did you mean
/// `a`?" when one allowed key is close, so a typo gets a one-line answer.
fn did_you_mean(message: &str) -> Option<String> {
    let field = unknown_field(message)?;
    let (_, allowed) = message.split_once("expected one of ")?;
    let best = closest(
        field,
        allowed.split(", ").map(|k| k.trim().trim_matches('`')),
    )?;
    Some(format!("unknown field `{field}`: did you mean `{best}`?"))
}

/// Did-you-mean for a misspelt id (a key, an indicator): the closest of `known`, if it is close.
pub fn closest<'a>(wanted: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    known
        .into_iter()
        .map(|k| (strsim::jaro_winkler(wanted, k), k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

fn unknown_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split('`').next()
}

/// Attribute a key path to the child-most file that sets it (or its nearest parent table).
fn locate(files: &[SourceFile], path: &[String], message: String) -> ScenarioIssue {
    let refs: Vec<&str> = path.iter().map(String::as_str).collect();
    for depth in (1..=refs.len()).rev() {
        for file in files {
            if let Some((line, column)) = find_position(&file.text, &refs[..depth]) {
                return ScenarioIssue {
                    file: file.display.clone(),
                    line: Some(line),
                    column: Some(column),
                    key: path.join("."),
                    message,
                };
            }
        }
    }
    ScenarioIssue {
        file: files.first().map(|f| f.display.clone()).unwrap_or_default(),
        line: None,
        column: None,
        key: path.join("."),
        message,
    }
}

/// The 1-based line where a dotted key path is set in a TOML text, if it is.
fn find_line(text: &str, path: &[&str]) -> Option<usize> {
    find_position(text, path).map(|p| p.0)
}

/// The 1-based (line, column) where a dotted key path is set in a TOML text, if it is.
fn find_position(text: &str, path: &[&str]) -> Option<(usize, usize)> {
    let doc = toml::de::DeTable::parse(text).ok()?;
    let mut table = doc.get_ref();
    for (i, part) in path.iter().enumerate() {
        let (key, value) = table
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() as &str == *part)?;
        if i + 1 == path.len() {
            return Some(position_of(text, key.span().start));
        }
        match value.get_ref() {
            toml::de::DeValue::Table(t) => table = t,
            _ => return Some(position_of(text, key.span().start)),
        }
    }
    None
}

/// 1-based line and column (in characters) of a byte offset.
fn position_of(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

fn merge(base: &mut toml::Table, over: toml::Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

fn set_dotted(table: &mut toml::Table, key: &str, value: &Setting) -> Result<(), String> {
    let mut parts: Vec<&str> = key.split('.').collect();
    let last = parts.pop().ok_or("empty key")?;
    let mut t = table;
    for part in parts {
        t = t
            .get_mut(part)
            .and_then(toml::Value::as_table_mut)
            .ok_or_else(|| format!("no table `{part}` in the scenario"))?;
    }
    let new = match (t.get(last), value) {
        (Some(_), Setting::Value(v)) => v.clone(),
        (Some(toml::Value::Integer(_)), Setting::Number(v)) => {
            toml::Value::Integer(v.round() as i64)
        }
        (Some(toml::Value::Float(_)), Setting::Number(v)) => toml::Value::Float(*v),
        (Some(toml::Value::Boolean(_)), Setting::Number(v)) => toml::Value::Boolean(*v != 0.0),
        (Some(toml::Value::String(_)), Setting::Text(v)) => toml::Value::String(v.clone()),
        (Some(toml::Value::Table(_)), _) if key.starts_with("policy.") => {
            return Err("is timed ({ value, from }); overrides apply to untimed keys only".into());
        }
        (Some(toml::Value::String(_)), Setting::Number(_)) => return Err("takes text".into()),
        (Some(_), _) => return Err("not a number".into()),
        (None, _) => return Err("no such key in the scenario".into()),
    };
    t.insert(last.into(), new);
    Ok(())
}

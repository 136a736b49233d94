//! An output folder that is always consistent as a set.
//!
//! A command claims its folder before any simulation ([`OutputFolder::claim`]): it takes a lock
//! beside the folder (so two runs into one folder cannot interleave: the second is refused), checks
//! that the folder holds nothing but an earlier result of the same scenario (another scenario's
//! results need `--force`; files chancheng did not write are never replaced), and creates a fresh
//! staging folder beside it. Every file is written into the staging folder; [`OutputFolder::commit`]
//! then swaps it into place, so the folder holds the previous complete result until the new one
//! is complete, and never a file of an earlier run that this one did not write. A crash leaves a
//! hidden `.NAME.staging-*` folder beside the target, removed by the next run into it.

use std::fs::File;
use std::path::{Path, PathBuf};

/// The file in every output folder that says which command and scenario wrote it.
pub const MARKER: &str = ".chancheng-output";
/// Files chancheng writes (earlier versions had no marker): a folder holding only these may be
/// replaced.
const KNOWN_FILES: &[&str] = &[
    MARKER,
    "timeseries.csv",
    "firms.csv",
    "firms_panel.csv",
    "summary.json",
    "dashboard.png",
    "dashboard.svg",
    "compare.csv",
    "compare.md",
    "replications.csv",
    "figures",
    "report.html",
    "report.md",
    "attribution.csv",
    "attribution.md",
];

/// Why an output folder cannot be used; detected before any simulation.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    #[error("output folder {path}: {reason}")]
    Unusable { path: String, reason: String },
    #[error(
        "output folder {path} holds the results of `{found}`, not `{wanted}`: choose another --out, \
         or pass --force to replace them"
    )]
    OtherResults {
        path: String,
        found: String,
        wanted: String,
    },
    #[error(
        "output folder {path} is being written by another chancheng process: wait for it to \
         finish or choose another --out"
    )]
    Busy { path: String },
    #[error("cannot write output folder {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

impl FolderError {
    /// Errors the user can fix before a run (exit code 2); I/O failures while writing are not.
    pub fn is_input_error(&self) -> bool {
        !matches!(self, FolderError::Io { .. })
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> FolderError + '_ {
    move |source| FolderError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// A claimed output folder: files go to [`OutputFolder::path`] (the staging folder) until
/// [`OutputFolder::commit`].
#[derive(Debug)]
pub struct OutputFolder {
    target: PathBuf,
    staging: PathBuf,
    identity: String,
    /// Held until the folder is committed or dropped.
    _lock: File,
    committed: bool,
}

impl OutputFolder {
    /// Claims `target` for a command whose results are named `identity` (e.g. `run baseline`).
    pub fn claim(target: &Path, identity: &str, force: bool) -> Result<OutputFolder, FolderError> {
        let unusable = |reason: String| FolderError::Unusable {
            path: target.display().to_string(),
            reason,
        };
        let name = target
            .file_name()
            .and_then(|n| n.to_str())
            .filter(|n| !n.is_empty() && *n != "." && *n != "..")
            .ok_or_else(|| unusable("name a folder, e.g. --out output/my-run".into()))?
            .to_string();
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(|e| {
            unusable(format!(
                "cannot create its parent folder {}: {e}",
                parent.display()
            ))
        })?;
        let lock_path = parent.join(format!(".{name}.lock"));
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| unusable(format!("cannot write in {}: {e}", parent.display())))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(FolderError::Busy {
                    path: target.display().to_string(),
                });
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(unusable(format!(
                    "cannot lock {}: {e}",
                    lock_path.display()
                )));
            }
        }
        check_contents(target, identity, force)?;
        // Leftovers of runs that crashed while writing into this folder (a staging folder of
        // this process id included).
        remove_leftovers(&parent, &name);
        let staging = parent.join(format!(".{name}.staging-{}", std::process::id()));
        std::fs::create_dir(&staging)
            .map_err(|e| unusable(format!("cannot create {}: {e}", staging.display())))?;
        Ok(OutputFolder {
            target: target.to_path_buf(),
            staging,
            identity: identity.to_string(),
            _lock: lock,
            committed: false,
        })
    }

    /// Where to write the files (the staging folder).
    pub fn path(&self) -> &Path {
        &self.staging
    }

    fn target_name(&self) -> String {
        self.target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// Puts the staged files in place of the folder's earlier contents.
    pub fn commit(mut self) -> Result<PathBuf, FolderError> {
        std::fs::write(self.staging.join(MARKER), format!("{}\n", self.identity))
            .map_err(io(&self.staging))?;
        sync_dir(&self.staging);
        let old = self
            .staging
            .with_file_name(format!(".{}.old", self.target_name()));
        if self.target.exists() {
            std::fs::rename(&self.target, &old).map_err(io(&self.target))?;
        }
        std::fs::rename(&self.staging, &self.target).map_err(io(&self.target))?;
        if old.exists() {
            std::fs::remove_dir_all(&old).map_err(io(&old))?;
        }
        if let Some(parent) = self.target.parent() {
            sync_dir(parent);
        }
        self.committed = true;
        Ok(self.target.clone())
    }
}

impl Drop for OutputFolder {
    /// A run that fails or is interrupted leaves the earlier results as they were.
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

/// The target may be missing, empty, or hold an earlier result of the same identity (another
/// identity with `force`); nothing else.
fn check_contents(target: &Path, identity: &str, force: bool) -> Result<(), FolderError> {
    let unusable = |reason: String| FolderError::Unusable {
        path: target.display().to_string(),
        reason,
    };
    let meta = match std::fs::symlink_metadata(target) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(unusable(e.to_string())),
        Ok(meta) => meta,
    };
    if !meta.is_dir() {
        return Err(unusable(
            "exists and is not a folder (a file or a link): choose another --out".into(),
        ));
    }
    let entries = std::fs::read_dir(target).map_err(|e| unusable(e.to_string()))?;
    let mut foreign = Vec::new();
    let mut any = false;
    for entry in entries {
        let entry = entry.map_err(|e| unusable(e.to_string()))?;
        any = true;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !KNOWN_FILES.contains(&name.as_str()) {
            foreign.push(name);
        }
    }
    if !any {
        return Ok(());
    }
    if !foreign.is_empty() {
        foreign.sort();
        foreign.truncate(5);
        return Err(unusable(format!(
            "holds files chancheng did not write ({}): choose an empty or new folder",
            foreign.join(", ")
        )));
    }
    let found = std::fs::read_to_string(target.join(MARKER))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "an earlier version of chancheng".to_string());
    if found != identity && !force {
        return Err(FolderError::OtherResults {
            path: target.display().to_string(),
            found,
            wanted: identity.to_string(),
        });
    }
    Ok(())
}

fn remove_leftovers(parent: &Path, name: &str) {
    let staging = format!(".{name}.staging-");
    let old = format!(".{name}.old");
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        if file.starts_with(&staging) || file == old {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Makes a rename durable where the platform allows it.
fn sync_dir(dir: &Path) {
    if let Ok(f) = File::open(dir) {
        let _ = f.sync_all();
    }
}

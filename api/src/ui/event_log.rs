//! The event log: every scheduler [`Event`] of an application as one JSON object per line, in
//! `ember.eventLog.dir` (default `/tmp/ember-events`) when `ember.eventLog.enabled` is true, as
//! Spark writes `spark.eventLog.dir`. The file is `<app id>.jsonl.inprogress` while the
//! application runs and is renamed to `<app id>.jsonl` when the context goes away; [`replay`]
//! reads either back.

use ember_scheduler::events::{Event, Listener};
use parking_lot::Mutex;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Spark's default redaction rule (`spark.redaction.regex`): keys naming a secret, a password,
/// a token or an access key have their values hidden.
pub fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    [
        "secret",
        "password",
        "token",
        "accesskey",
        "access.key",
        "access_key",
    ]
    .iter()
    .any(|s| k.contains(s))
}

/// `properties` with secret values replaced, sorted by key.
pub fn redacted(properties: impl IntoIterator<Item = (String, String)>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = properties
        .into_iter()
        .map(|(k, v)| match is_secret_key(&k) {
            true => (k, "*********(redacted)".to_string()),
            false => (k, v),
        })
        .collect();
    out.sort();
    out
}

/// Writes events to a file, one JSON line each.
pub struct EventLogWriter {
    file: Mutex<Option<BufWriter<File>>>,
    in_progress: PathBuf,
    done: PathBuf,
}

impl EventLogWriter {
    /// Creates `dir` if needed and starts `<dir>/<app_id>.jsonl.inprogress`.
    pub fn create(dir: &Path, app_id: &str) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let done = dir.join(format!("{app_id}.jsonl"));
        let in_progress = dir.join(format!("{app_id}.jsonl.inprogress"));
        let file = BufWriter::new(File::create(&in_progress)?);
        Ok(EventLogWriter {
            file: Mutex::new(Some(file)),
            in_progress,
            done,
        })
    }

    /// The file the log ends up in.
    pub fn path(&self) -> &Path {
        &self.done
    }

    /// Flushes and renames the log to its final name; later events are dropped.
    pub fn finish(&self) -> std::io::Result<()> {
        if let Some(mut f) = self.file.lock().take() {
            f.flush()?;
            std::fs::rename(&self.in_progress, &self.done)?;
        }
        Ok(())
    }
}

impl Listener for EventLogWriter {
    fn on_event(&self, event: &Event) {
        if let Event::ExecutorHeartbeat { .. } = event {
            // Twice a second per executor, and of no use once the application ended.
            return;
        }
        let mut guard = self.file.lock();
        let Some(f) = guard.as_mut() else {
            return;
        };
        let written = serde_json::to_writer(&mut *f, event)
            .map_err(std::io::Error::other)
            .and_then(|()| f.write_all(b"\n"))
            .and_then(|()| match event {
                // Readers of a running application see every finished job.
                Event::JobEnd { .. } | Event::ApplicationEnd { .. } => f.flush(),
                _ => Ok(()),
            });
        if let Err(e) = written {
            tracing::warn!(path = %self.in_progress.display(), error = %e, "cannot write the event log; it stops here");
            *guard = None;
        }
    }
}

impl Drop for EventLogWriter {
    fn drop(&mut self) {
        if let Err(e) = self.finish() {
            tracing::warn!(path = %self.in_progress.display(), error = %e, "cannot close the event log");
        }
    }
}

/// Reads an event log back. A malformed line is an error naming the file and line; a last
/// line cut short (the application died while writing it) is ignored.
pub fn replay(path: &Path) -> crate::Result<Vec<Event>> {
    let io = |e: std::io::Error| crate::Error::EventLog {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let file = File::open(path).map_err(io)?;
    let lines: Vec<String> = BufReader::new(file)
        .lines()
        .collect::<std::io::Result<_>>()
        .map_err(io)?;
    let mut events = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str(line) {
            Ok(e) => events.push(e),
            Err(_) if i + 1 == lines.len() && !line.ends_with('}') => break,
            Err(e) => {
                return Err(crate::Error::EventLog {
                    path: path.display().to_string(),
                    message: format!("line {}: not an event: {e}", i + 1),
                });
            }
        }
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_and_other_values_kept() {
        let r = redacted([
            ("ember.authenticate.secret".to_string(), "s3".to_string()),
            ("ember.app.name".to_string(), "a".to_string()),
            ("fs.s3a.access.key".to_string(), "AK".to_string()),
        ]);
        assert_eq!(r[0], ("ember.app.name".into(), "a".into()));
        assert!(r.iter().all(|(_, v)| v != "s3" && v != "AK"));
    }

    #[test]
    fn a_log_round_trips_and_names_a_bad_line() {
        let dir = tempfile::tempdir().unwrap();
        let w = EventLogWriter::create(dir.path(), "app-1").unwrap();
        w.on_event(&Event::RddUnpersisted { rdd_id: 4 });
        w.on_event(&Event::ApplicationEnd { time: 9 });
        let path = w.path().to_path_buf();
        drop(w);
        let back = replay(&path).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[0], Event::RddUnpersisted { rdd_id: 4 });
        std::fs::write(&path, "{\"event\":\"Nope\"}\n{}\n").unwrap();
        let err = replay(&path).unwrap_err().to_string();
        assert!(err.contains("line 1"), "{err}");
        assert!(err.contains("app-1.jsonl"), "{err}");
    }
}

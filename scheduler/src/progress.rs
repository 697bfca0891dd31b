//! The console progress bar, in Spark's format: `[Stage 2:=====>          (13 + 2) / 40]`.
//!
//! Shown on stderr only when stderr is a terminal, only for jobs running longer than half a
//! second, refreshed every 200 ms, and erased when the job ends.

use crate::status::{StageInfo, StatusTracker};
use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const FIRST_DELAY: Duration = Duration::from_millis(500);
const UPDATE_PERIOD: Duration = Duration::from_millis(200);

/// Renders one line for the active stages within `width` columns.
pub fn render(stages: &[StageInfo], width: usize) -> String {
    if stages.is_empty() {
        return String::new();
    }
    let per = width / stages.len();
    let mut line = String::new();
    for s in stages {
        let total = s.num_tasks.max(1);
        let header = format!("[Stage {}:", s.stage_id.0);
        let tailer = format!(
            "({} + {}) / {}]",
            s.num_completed_tasks, s.num_active_tasks, s.num_tasks
        );
        let w = per.saturating_sub(header.len() + tailer.len());
        let mut bar = String::with_capacity(w);
        if w > 0 {
            let percent = w * s.num_completed_tasks / total;
            for i in 0..w {
                bar.push(if i < percent {
                    '='
                } else if i == percent {
                    '>'
                } else {
                    ' '
                });
            }
        }
        line.push_str(&header);
        line.push_str(&bar);
        line.push_str(&tailer);
    }
    line
}

/// A running progress bar; dropping it stops and erases the bar.
pub struct ConsoleProgress {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl ConsoleProgress {
    /// Starts a bar for the jobs in `tracker` if stderr is a terminal; `None` otherwise.
    pub fn start(tracker: Arc<StatusTracker>) -> Option<Self> {
        if !std::io::stderr().is_terminal() {
            return None;
        }
        let width = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(80usize);
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("ember-progress".into())
            .spawn(move || {
                let started = Instant::now();
                let mut last_len = 0;
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(UPDATE_PERIOD);
                    if started.elapsed() < FIRST_DELAY || flag.load(Ordering::Relaxed) {
                        continue;
                    }
                    let line = render(&tracker.active_stages(), width);
                    if !line.is_empty() {
                        let mut err = std::io::stderr().lock();
                        let _ = write!(err, "\r{line}");
                        let _ = err.flush();
                        last_len = line.len();
                    }
                }
                if last_len > 0 {
                    let mut err = std::io::stderr().lock();
                    let _ = write!(err, "\r{}\r", " ".repeat(last_len));
                    let _ = err.flush();
                }
            })
            .ok()?;
        Some(ConsoleProgress {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for ConsoleProgress {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::StageStatus;
    use ember_engine::ids::StageId;

    #[test]
    fn spark_format() {
        let s = StageInfo {
            stage_id: StageId(2),
            name: String::new(),
            attempt: 0,
            num_tasks: 40,
            num_active_tasks: 2,
            num_completed_tasks: 13,
            num_failed_tasks: 0,
            tasks_launched: 15,
            status: StageStatus::Active,
            shuffle_read_records: 0,
            shuffle_read_bytes: 0,
            shuffle_write_records: 0,
            shuffle_write_bytes: 0,
        };
        let line = render(std::slice::from_ref(&s), 40);
        assert_eq!(
            line,
            format!("[Stage 2:=====>{}(13 + 2) / 40]", " ".repeat(11))
        );
        assert_eq!(line.len(), 40);
    }
}

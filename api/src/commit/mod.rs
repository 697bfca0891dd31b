//! The commit protocol of file outputs, shared by
//! [`save_as_text_file`](crate::Rdd::save_as_text_file) and
//! [`DataFrameWriter`](crate::sql::write::DataFrameWriter), for local directories and remote
//! stores (`s3://`, `gs://`, `az://`) alike.
//!
//! A write job ([`Job::begin`]) stages below `<out>/_temporary/<job>/` (hidden from readers:
//! names starting with `_` are skipped). Each task attempt writes its files below its own
//! `attempt-<task attempt id>/` and returns that id with its result: the scheduler keeps the
//! result of one successful attempt per partition, so the driver knows which attempt's files
//! to commit, and files of failed or retried attempts are never committed (a retried task
//! writes no duplicate data). When every task has succeeded, [`Job::finish`] moves the
//! committed attempts' files into `<out>` (a rename on a local disk; a server-side copy and a
//! delete on an object store, many at once), then, for an overwrite, deletes the files that
//! were there before, then removes the staging directory and writes an empty `_SUCCESS`.
//!
//! So a failed job leaves the output as it was: its staged files are deleted (and a local
//! output directory it created is removed), and if a move fails, the files already moved are
//! deleted again; an overwrite deletes the old files only once the new ones are in place. A
//! job killed while its tasks run leaves only the hidden `_temporary`. A job killed during
//! its commit may leave part of its files without `_SUCCESS`, as with Hadoop's
//! `FileOutputCommitter`.

mod output;

pub(crate) use output::{Existing, Output, PartWriter};

use crate::error::{Error, Result};
use ember_engine::EngineError;
use ember_engine::ids::TaskId;
use parking_lot::{Condvar, Mutex};
use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The directory below an output that write jobs stage in.
const TEMPORARY: &str = "_temporary";

/// What a write does when its output path exists (Spark's `SaveMode`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SaveMode {
    /// Fail with [`Error::OutputExists`] naming the path (the default).
    #[default]
    ErrorIfExists,
    /// Replace what is there once the new output is written.
    Overwrite,
    /// Add new part files next to the existing ones.
    Append,
    /// Do nothing, and write nothing.
    Ignore,
}

impl FromStr for SaveMode {
    type Err = Error;

    /// Spark's names: `error`/`errorifexists`/`default`, `overwrite`, `append`, `ignore`
    /// (case-insensitive).
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "error" | "errorifexists" | "default" => Ok(SaveMode::ErrorIfExists),
            "overwrite" => Ok(SaveMode::Overwrite),
            "append" => Ok(SaveMode::Append),
            "ignore" => Ok(SaveMode::Ignore),
            other => Err(EngineError::invalid(
                "DataFrameWriter",
                format!("unknown save mode '{other}' (error, overwrite, append or ignore)"),
            )
            .into()),
        }
    }
}

/// How long a failed job's clean-up waits for its write tasks that are still running.
const TASKS_END_WAIT: Duration = Duration::from_secs(60);

/// The staging directory of one write job, where its tasks write: one directory per task
/// attempt. Cheap to clone into tasks.
#[derive(Clone, Debug)]
pub(crate) struct Staging {
    out: Output,
    /// `_temporary/<job>`, relative to the output.
    dir: String,
    tasks: Arc<Running>,
}

/// The job's write tasks running now. When a job fails, the scheduler returns at once while
/// other tasks may still be writing; the clean-up marks the job aborted (the tasks then stop
/// at their next check, before completing a file) and waits for them, so that no file is
/// staged after the staging directory is deleted.
#[derive(Debug, Default)]
struct Running {
    count: Mutex<usize>,
    idle: Condvar,
    aborted: AtomicBool,
}

/// A write task registered with its job (see [`Staging::task`]); dropped when it ends.
pub(crate) struct TaskGuard(Arc<Running>);

impl Drop for TaskGuard {
    fn drop(&mut self) {
        let mut count = self.0.count.lock();
        *count -= 1;
        if *count == 0 {
            self.0.idle.notify_all();
        }
    }
}

impl Staging {
    /// The staging directory, as a local path or URL.
    pub(crate) fn url(&self) -> String {
        self.out.url(&self.dir)
    }

    fn attempt_dir(&self, attempt: TaskId) -> String {
        format!("{}/attempt-{}", self.dir, attempt.0)
    }

    /// The directory of task attempt `attempt`, as a local path or URL.
    pub(crate) fn attempt_url(&self, attempt: TaskId) -> String {
        self.out.url(&self.attempt_dir(attempt))
    }

    /// A writer of the file `name` of task attempt `attempt`.
    pub(crate) fn create(
        &self,
        attempt: TaskId,
        name: &str,
    ) -> std::result::Result<PartWriter, EngineError> {
        self.out
            .create(&format!("{}/{name}", self.attempt_dir(attempt)))
    }

    /// Registers a running write task, which the failed job's clean-up waits for; an error
    /// if the job has already failed.
    pub(crate) fn task(&self) -> std::result::Result<TaskGuard, EngineError> {
        *self.tasks.count.lock() += 1;
        let guard = TaskGuard(Arc::clone(&self.tasks));
        self.check()?;
        Ok(guard)
    }

    /// An error if the job has failed: a task checks before it completes a file.
    pub(crate) fn check(&self) -> std::result::Result<(), EngineError> {
        if self.tasks.aborted.load(Ordering::SeqCst) {
            return Err(EngineError::invalid(
                "write",
                format!("the job writing {} failed", self.out.name()),
            ));
        }
        Ok(())
    }

    /// Marks the job failed and waits (a while) for its running tasks to end.
    fn abort_tasks(&self) {
        self.tasks.aborted.store(true, Ordering::SeqCst);
        let deadline = Instant::now() + TASKS_END_WAIT;
        let mut count = self.tasks.count.lock();
        while *count > 0 {
            if self.tasks.idle.wait_until(&mut count, deadline).timed_out() {
                tracing::warn!(
                    output = self.out.name(),
                    running = *count,
                    "write tasks of a failed job are still running; cleaning up without them"
                );
                break;
            }
        }
    }

    /// Deletes what a failed attempt wrote (best effort: the job's end deletes the whole
    /// staging directory anyway).
    pub(crate) fn discard(&self, attempt: TaskId) {
        let _ = self.out.remove_tree(&self.attempt_dir(attempt));
    }
}

/// One write job's commit: started by [`begin`](Job::begin) before its tasks run, ended by
/// [`finish`](Job::finish) with their results.
pub(crate) struct Job {
    staging: Staging,
    overwrite: bool,
    /// Nothing was at the output's path before (a failed local job removes the directory).
    created: bool,
    /// An overwrite of a remote object with the output's own key: deleted at the commit.
    replace_own_file: bool,
}

impl Job {
    /// Applies `mode` to what is at `out` and makes the staging directory; `None` when there
    /// is nothing to write ([`SaveMode::Ignore`] of an existing output).
    pub(crate) fn begin(out: Output, mode: SaveMode) -> Result<Option<Job>> {
        let existing = out.existing()?;
        let mut created = existing == Existing::Nothing;
        let mut replace_own_file = false;
        if existing != Existing::Nothing {
            match mode {
                SaveMode::ErrorIfExists => {
                    return Err(Error::OutputExists {
                        path: out.name().to_string(),
                    });
                }
                SaveMode::Ignore => return Ok(None),
                SaveMode::Append if existing == Existing::File => {
                    return Err(EngineError::invalid(
                        "DataFrameWriter",
                        format!("cannot append to {}: not a directory", out.name()),
                    )
                    .into());
                }
                SaveMode::Overwrite if existing == Existing::File => {
                    if out.is_local() {
                        // A directory cannot be made beside a file of the same name.
                        out.remove_own_file()?;
                        created = true;
                    } else {
                        // An object store holds both: the object goes at the commit.
                        replace_own_file = true;
                    }
                }
                _ => {}
            }
        }
        let job = format!("{:016x}", rand::random::<u64>());
        let staging = Staging {
            out,
            dir: format!("{TEMPORARY}/{job}"),
            tasks: Arc::default(),
        };
        staging.out.create_dir(&staging.dir)?;
        Ok(Some(Job {
            staging,
            overwrite: mode == SaveMode::Overwrite,
            created,
            replace_own_file,
        }))
    }

    /// Where the tasks write.
    pub(crate) fn staging(&self) -> &Staging {
        &self.staging
    }

    /// Ends the job: when `tasks` (the attempt each partition committed) is a success, moves
    /// their files into the output, a file `f` of partition `p` (a path relative to the
    /// attempt's directory) to `name(p, f)`; then cleans up. A failure leaves the output as
    /// it was.
    pub(crate) fn finish(
        self,
        tasks: Result<Vec<(usize, TaskId)>>,
        name: impl Fn(usize, &str) -> String,
    ) -> Result<()> {
        let done = tasks.and_then(|tasks| self.commit(&tasks, &name));
        if done.is_err() {
            self.staging.abort_tasks();
        }
        let out = &self.staging.out;
        // Best effort: the job's result does not depend on the clean-up.
        let _ = out.remove_tree(&self.staging.dir);
        out.remove_empty_dir(TEMPORARY);
        if done.is_err() && self.created && out.is_local() {
            let _ = out.remove_tree("");
        }
        done
    }

    fn commit(
        &self,
        tasks: &[(usize, TaskId)],
        name: &dyn Fn(usize, &str) -> String,
    ) -> Result<()> {
        let out = &self.staging.out;
        let old: Vec<String> = if self.overwrite {
            let mut old = out.list("")?;
            old.retain(|f| !f.starts_with(&format!("{TEMPORARY}/")));
            old
        } else {
            Vec::new()
        };
        let winners: HashMap<String, usize> = tasks
            .iter()
            .map(|(partition, attempt)| (format!("attempt-{}", attempt.0), *partition))
            .collect();
        let staged_prefix = format!("{}/", self.staging.dir);
        let mut moves = Vec::new();
        for staged in out.list(&self.staging.dir)? {
            let Some((attempt, file)) = staged
                .strip_prefix(&staged_prefix)
                .and_then(|rest| rest.split_once('/'))
            else {
                continue;
            };
            if let Some(&partition) = winners.get(attempt) {
                let target = name(partition, file);
                moves.push((staged, target));
            }
        }
        if let Err((e, moved)) = out.move_files(&moves) {
            let back: Vec<String> = moved.into_iter().map(|i| moves[i].1.clone()).collect();
            let _ = out.delete_files(&back);
            return Err(e.into());
        }
        if self.overwrite {
            let new: HashSet<&str> = moves.iter().map(|(_, to)| to.as_str()).collect();
            let stale: Vec<String> = old
                .into_iter()
                .filter(|f| !new.contains(f.as_str()))
                .collect();
            out.delete_files(&stale)?;
            out.prune_empty_dirs(TEMPORARY)?;
            if self.replace_own_file {
                out.remove_own_file()?;
            }
        }
        out.put_marker("_SUCCESS")
    }
}

//! SQL executions: which query a job runs for.
//!
//! A SQL query or DataFrame action may run several jobs (scalar subqueries first, then the
//! query). The SQL layer starts an execution around them; every job the same thread submits
//! meanwhile carries the execution's id in its `JobStart` event, so the UI's SQL page lists
//! the query's jobs. Actions run their jobs on the calling thread, so the execution is kept
//! per thread: two threads running queries on one context at once each get their own.

use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::ThreadId;

/// The SQL executions of one scheduler: an id counter (from 0) and the execution each thread
/// runs now.
#[derive(Default)]
pub struct SqlExecutions {
    next: AtomicU64,
    running: Mutex<HashMap<ThreadId, u64>>,
}

impl SqlExecutions {
    /// Starts an execution on the calling thread, or returns `None` when this thread already
    /// runs one: jobs of a nested action (a scalar subquery) belong to the outer execution.
    /// Until the returned value drops, [`current`](Self::current) on this thread is its id.
    pub fn start(&self) -> Option<SqlExecution<'_>> {
        let thread = std::thread::current().id();
        let mut running = self.running.lock();
        if running.contains_key(&thread) {
            return None;
        }
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        running.insert(thread, id);
        Some(SqlExecution {
            owner: self,
            thread,
            id,
        })
    }

    /// The execution the calling thread runs, if any.
    pub fn current(&self) -> Option<u64> {
        self.running
            .lock()
            .get(&std::thread::current().id())
            .copied()
    }
}

/// A running SQL execution; it ends when dropped.
pub struct SqlExecution<'a> {
    owner: &'a SqlExecutions,
    thread: ThreadId,
    id: u64,
}

impl SqlExecution<'_> {
    /// Its id: 0 for a context's first query, then counting up.
    pub fn id(&self) -> u64 {
        self.id
    }
}

impl Drop for SqlExecution<'_> {
    fn drop(&mut self) {
        self.owner.running.lock().remove(&self.thread);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executions_are_counted_per_owner_and_kept_per_thread() {
        let sql = SqlExecutions::default();
        assert_eq!(sql.current(), None);
        let first = sql.start().expect("no execution runs yet");
        assert_eq!(first.id(), 0);
        assert_eq!(sql.current(), Some(0));
        // A nested action joins the running execution.
        assert!(sql.start().is_none());
        // Another thread runs its own.
        std::thread::scope(|s| {
            s.spawn(|| {
                assert_eq!(sql.current(), None);
                let other = sql.start().expect("this thread runs none");
                assert_eq!(other.id(), 1);
                assert_eq!(sql.current(), Some(1));
            });
        });
        assert_eq!(sql.current(), Some(0));
        drop(first);
        assert_eq!(sql.current(), None);
        assert_eq!(sql.start().map(|e| e.id()), Some(2));
    }
}

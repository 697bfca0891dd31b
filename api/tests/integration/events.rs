//! Scheduler events and the event log (issue 7): a job with a shuffle and a cache posts one
//! task end per partition with the records it read, and replaying the log gives the same job,
//! stage and task counts as the live listener saw.

use crate::common::ctx_with;
use ember::ui::event_log::replay;
use ember_scheduler::events::{Event, Listener, StageEndStatus};
use parking_lot::Mutex;
use std::sync::Arc;

#[derive(Default)]
struct Collect(Mutex<Vec<Event>>);
impl Listener for Collect {
    fn on_event(&self, event: &Event) {
        self.0.lock().push(event.clone());
    }
}

/// (jobs started, jobs ended, completed stages, skipped stages, task ends).
fn counts(events: &[Event]) -> (usize, usize, usize, usize, usize) {
    let n = |f: &dyn Fn(&Event) -> bool| events.iter().filter(|e| f(e)).count();
    (
        n(&|e| matches!(e, Event::JobStart { .. })),
        n(&|e| matches!(e, Event::JobEnd { .. })),
        n(
            &|e| matches!(e, Event::StageCompleted { status, .. } if *status == StageEndStatus::Complete),
        ),
        n(
            &|e| matches!(e, Event::StageCompleted { status, .. } if *status == StageEndStatus::Skipped),
        ),
        n(&|e| matches!(e, Event::TaskEnd { .. })),
    )
}

#[test]
fn a_shuffle_and_a_cache_are_logged_and_replay_gives_the_live_counts() {
    let dir = tempfile::tempdir().unwrap();
    let live = Arc::new(Collect::default());
    let path = {
        let ctx = ctx_with(
            "local[2]",
            &[
                ("ember.eventLog.enabled", "true"),
                ("ember.eventLog.dir", dir.path().to_str().unwrap()),
                ("ember.authenticate.secret", "hunter2"),
            ],
        );
        ctx.add_listener(Arc::clone(&live) as Arc<dyn Listener>);
        let words = ctx
            .parallelize((0..1000).map(|i| i % 10).collect::<Vec<i64>>(), 4)
            .map(|w| (w, 1i64))
            .cache();
        let counts = words.reduce_by_key_n(|a, b| a + b, 3);
        let mut first = counts.collect().unwrap();
        first.sort();
        assert_eq!(first, (0..10).map(|w| (w, 100)).collect::<Vec<_>>());
        // Second job: the map stage is skipped, the result stage reads the shuffle again.
        assert_eq!(counts.count().unwrap(), 10);
        // Third job reads the cached partitions: 1000 input records.
        assert_eq!(words.count().unwrap(), 1000);
        ctx.event_log_path().unwrap()
    };
    let live = live.0.lock().clone();
    // Job 1: 4 map tasks + 3 result tasks; job 2: 3 result tasks, the map stage skipped;
    // job 3: 4 tasks over the cache.
    assert_eq!(counts(&live), (3, 3, 4, 1, 14));
    let task_ends = |job: u64| -> Vec<(u64, ember_engine::task_context::TaskMetricsSnapshot)> {
        live.iter()
            .filter_map(|e| match e {
                Event::TaskEnd {
                    job_id,
                    stage_id,
                    metrics,
                    ..
                } if *job_id == job => Some((*stage_id, *metrics)),
                _ => None,
            })
            .collect()
    };
    let job0 = task_ends(0);
    // Map tasks only write and result tasks only read.
    let written: u64 = job0.iter().map(|(_, m)| m.shuffle_write_records).sum();
    let read: u64 = job0.iter().map(|(_, m)| m.shuffle_read_records).sum();
    let writers = job0
        .iter()
        .filter(|(_, m)| m.shuffle_write_records > 0)
        .count();
    assert_eq!(writers, 4, "the four map tasks");
    // reduceByKey combines map-side: at most 10 keys per map partition.
    assert!(written > 0 && written <= 40, "{written}");
    assert_eq!(read, written);
    let input: u64 = task_ends(2).iter().map(|(_, m)| m.input_records).sum();
    assert_eq!(input, 1000);
    let stored = live
        .iter()
        .filter(|e| matches!(e, Event::BlockUpdated { block, .. } if block.memory_bytes > 0))
        .count();
    assert_eq!(stored, 4, "the four cached partitions");

    let logged = replay(&path).unwrap();
    assert_eq!(counts(&logged), counts(&live));
    assert!(matches!(logged[0], Event::ApplicationStart { .. }));
    assert!(matches!(logged.last(), Some(Event::ApplicationEnd { .. })));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains("hunter2"), "the secret is redacted");
    assert!(text.contains("ember.authenticate.secret"));
}

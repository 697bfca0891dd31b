//! A hand-written application for the pages' tests, and helpers that read cells back out of
//! the HTML.
//!
//! The application `<script>alert(1)</script>` (app-1, started 2023-11-14 22:13:20 UTC) ran:
//! - SQL query 0 (text and plan holding `<script>`), which ran job 0: stage 0 (shuffle map, 4
//!   tasks, each reading 1 KiB / 10 records and writing 2 KiB / 5 shuffle records) then
//!   stage 1 (result, 3 tasks, parent 0; partition 0 failed once with `<script>` as its
//!   error, then succeeded; each success read 1000 B / 4 shuffle records and spilled 512 B in
//!   memory, 100 B on disk);
//! - job 1 (running): stage 0 skipped, stage 2 (parent 0, 3 tasks) active with task 10
//!   running;
//! - RDD 7, named `<script>alert(1)</script>`, persisted with 4 partitions, all cached on the
//!   driver at 1000 B each;
//! - executors `driver` (with a /metrics URL) and `1` (lost: `<b>heartbeat timed out</b>`).

use crate::ui::pages::layout::Shell;
use crate::ui::store::{Retention, StatusStore};
use ember_engine::task_context::{BlockUpdate, TaskMetricsSnapshot};
use ember_scheduler::events::{Event, StageEndStatus, StagePlan, TaskEndStatus};

/// The script every text of the fixture holds.
pub const EVIL: &str = "<script>alert(1)</script>";
/// The application's start, in ms since the epoch.
pub const T0: u64 = 1_700_000_000_000;
/// The shell of the pages under test: links under `/b`, the fixture's name.
pub const SHELL: Shell = Shell {
    base: "/b",
    app_name: EVIL,
};

fn plan(stage_id: u64, num_tasks: usize, parents: &[u64], shuffle_map: bool) -> StagePlan {
    StagePlan {
        stage_id,
        name: format!("stage {stage_id} at app.py:{}", 10 + stage_id),
        num_tasks,
        parents: parents.to_vec(),
        shuffle_map,
    }
}

/// A task attempt of the fixture: (job, stage, task id, partition, attempt).
#[derive(Clone, Copy)]
struct Task(u64, u64, u64, usize, u32);

fn task_end(t: Task, status: TaskEndStatus, error: Option<&str>, m: TaskMetricsSnapshot) -> Event {
    let Task(job_id, stage_id, task_id, partition, attempt) = t;
    Event::TaskEnd {
        job_id,
        stage_id,
        stage_attempt: 0,
        task_id,
        partition,
        attempt,
        executor_id: "driver".into(),
        status,
        error: error.map(str::to_string),
        duration_ms: 250,
        metrics: m,
        time: T0 + 1000 + task_id * 300,
    }
}

fn task_start(t: Task) -> Event {
    let Task(job_id, stage_id, task_id, partition, attempt) = t;
    Event::TaskStart {
        job_id,
        stage_id,
        stage_attempt: 0,
        task_id,
        partition,
        attempt,
        time: T0 + 750 + task_id * 300,
    }
}

fn stage_event(job: u64, stage: u64, num_tasks: usize, end: Option<StageEndStatus>) -> Event {
    match end {
        None => Event::StageSubmitted {
            job_id: job,
            stage_id: stage,
            attempt: 0,
            num_tasks,
            time: T0 + 500 + job * 10_000,
        },
        Some(status) => Event::StageCompleted {
            job_id: job,
            stage_id: stage,
            attempt: 0,
            status,
            failure: None,
            time: T0 + 4000 + job * 10_000,
        },
    }
}

/// The fixture's events, in order.
pub fn events() -> Vec<Event> {
    let mut ev = vec![
        Event::ApplicationStart {
            app_id: "app-1".into(),
            app_name: EVIL.into(),
            master: "local[2]".into(),
            user: "ada".into(),
            time: T0,
        },
        Event::Environment {
            properties: vec![
                ("ember.app.name".into(), EVIL.into()),
                // Not redacted in the event: the page must still hide it.
                ("ember.authenticate.secret".into(), "hunter2".into()),
                ("ember.master".into(), "local[2]".into()),
            ],
        },
        Event::ExecutorAdded {
            executor_id: "driver".into(),
            host: "localhost".into(),
            cores: 2,
            max_memory: 1 << 30,
            metrics_url: Some("http://localhost:4040/metrics".into()),
            time: T0,
        },
        Event::ExecutorAdded {
            executor_id: "1".into(),
            host: "worker-1".into(),
            cores: 4,
            max_memory: 1 << 30,
            metrics_url: Some("javascript:alert(1)".into()),
            time: T0,
        },
        Event::ExecutorRemoved {
            executor_id: "1".into(),
            reason: "<b>heartbeat timed out</b>".into(),
            time: T0 + 100,
        },
        Event::SqlStart {
            execution_id: 0,
            description: format!("SELECT '{EVIL}' AS x"),
            plan: format!("ProjectionExec: expr=[{EVIL}]"),
            time: T0 + 200,
        },
        Event::JobStart {
            job_id: 0,
            description: "collect at app.py:12".into(),
            stages: vec![plan(0, 4, &[], true), plan(1, 3, &[0], false)],
            sql_execution: Some(0),
            time: T0 + 300,
        },
        stage_event(0, 0, 4, None),
    ];
    let map_metrics = TaskMetricsSnapshot {
        input_bytes: 1024,
        input_records: 10,
        shuffle_write_bytes: 2048,
        shuffle_write_records: 5,
        ..Default::default()
    };
    for p in 0..4u64 {
        let t = Task(0, 0, p, p as usize, 0);
        ev.push(task_start(t));
        ev.push(task_end(t, TaskEndStatus::Success, None, map_metrics));
    }
    ev.push(stage_event(0, 0, 4, Some(StageEndStatus::Complete)));
    ev.push(stage_event(0, 1, 3, None));
    let reduce_metrics = TaskMetricsSnapshot {
        shuffle_read_bytes: 1000,
        shuffle_read_records: 4,
        memory_bytes_spilled: 512,
        disk_bytes_spilled: 100,
        ..Default::default()
    };
    let failed = Task(0, 1, 4, 0, 0);
    ev.push(task_start(failed));
    let none = TaskMetricsSnapshot::default();
    ev.push(task_end(failed, TaskEndStatus::Failed, Some(EVIL), none));
    for (id, partition, attempt) in [(5, 0, 1), (6, 1, 0), (7, 2, 0)] {
        let t = Task(0, 1, id, partition, attempt);
        ev.push(task_start(t));
        ev.push(task_end(t, TaskEndStatus::Success, None, reduce_metrics));
    }
    ev.push(stage_event(0, 1, 3, Some(StageEndStatus::Complete)));
    ev.extend([
        Event::JobEnd {
            job_id: 0,
            error: None,
            time: T0 + 5000,
        },
        Event::SqlEnd {
            execution_id: 0,
            error: Some(format!("{EVIL} went wrong")),
            time: T0 + 5100,
        },
        Event::JobStart {
            job_id: 1,
            description: format!("count at {EVIL}"),
            stages: vec![plan(0, 4, &[], true), plan(2, 3, &[0], false)],
            sql_execution: None,
            time: T0 + 10_000,
        },
        stage_event(1, 0, 4, Some(StageEndStatus::Skipped)),
        stage_event(1, 2, 3, None),
        task_start(Task(1, 2, 10, 0, 0)),
        Event::RddPersisted {
            rdd_id: 7,
            name: EVIL.into(),
            level: "Memory Deserialized 1x Replicated".into(),
            num_partitions: 4,
        },
    ]);
    for partition in 0..4 {
        ev.push(Event::BlockUpdated {
            executor_id: "driver".into(),
            block: BlockUpdate {
                rdd: 7,
                partition,
                memory_bytes: 1000,
                disk_bytes: 0,
            },
        });
    }
    ev
}

/// The fixture's store.
pub fn store() -> StatusStore {
    StatusStore::from_events(&events(), Retention::default())
}

/// The texts (tags stripped, entities kept) of the elements of `html` whose class attribute
/// is exactly `class`, in order.
pub fn cells(html: &str, class: &str) -> Vec<String> {
    let open = format!(" class=\"{class}\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(&open) {
        let tag_start = rest[..at].rfind('<').unwrap();
        let name_end = rest[tag_start + 1..]
            .find([' ', '>'])
            .map_or(rest.len(), |e| tag_start + 1 + e);
        let name = &rest[tag_start + 1..name_end];
        let body_start = at + rest[at..].find('>').unwrap() + 1;
        let close = format!("</{name}>");
        let body_end = body_start + rest[body_start..].find(&close).unwrap();
        out.push(strip_tags(&rest[body_start..body_end]));
        rest = &rest[body_end..];
    }
    out
}

fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Asserts that `html` shows `EVIL` escaped at least once and never raw.
pub fn assert_escaped(html: &str) {
    assert!(!html.contains("<script"), "raw script in {html}");
    assert!(!html.contains("<b>"), "raw tag in {html}");
    assert!(!html.contains("style="), "inline style in {html}");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "no escaped script in {html}"
    );
}

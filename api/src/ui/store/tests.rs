//! The store folding hand-written events.

use super::*;
use ember_engine::task_context::BlockUpdate;

fn plan(stage_id: u64, num_tasks: usize, parents: &[u64]) -> StagePlan {
    StagePlan {
        stage_id,
        name: format!("stage {stage_id}"),
        num_tasks,
        parents: parents.to_vec(),
        shuffle_map: parents.is_empty(),
    }
}

fn task(job: u64, stage: u64, id: u64, status: TaskEndStatus, records: u64) -> [Event; 2] {
    let metrics = TaskMetricsSnapshot {
        input_records: records,
        ..TaskMetricsSnapshot::default()
    };
    [
        Event::TaskStart {
            job_id: job,
            stage_id: stage,
            stage_attempt: 0,
            task_id: id,
            partition: id as usize % 4,
            attempt: 0,
            time: 10,
        },
        Event::TaskEnd {
            job_id: job,
            stage_id: stage,
            stage_attempt: 0,
            task_id: id,
            partition: id as usize % 4,
            attempt: 0,
            executor_id: "driver".into(),
            status,
            error: (status == TaskEndStatus::Failed).then(|| "boom".to_string()),
            duration_ms: 5,
            metrics,
            time: 15,
        },
    ]
}

/// Job 0: stage 0 (2 tasks, one failed once and retried) then stage 1 (1 task); job 1
/// skips stage 0 and reruns stage 1 as its stage 2; an RDD cached then unpersisted.
fn events() -> Vec<Event> {
    let mut e = vec![
        Event::ExecutorAdded {
            executor_id: "driver".into(),
            host: "localhost".into(),
            cores: 2,
            max_memory: 100,
            metrics_url: None,
            time: 1,
        },
        Event::JobStart {
            job_id: 0,
            description: "collect".into(),
            stages: vec![plan(0, 2, &[]), plan(1, 1, &[0])],
            sql_execution: None,
            time: 2,
        },
        Event::RddPersisted {
            rdd_id: 7,
            name: "pairs".into(),
            level: "MEMORY_ONLY".into(),
            num_partitions: 2,
        },
        Event::StageSubmitted {
            job_id: 0,
            stage_id: 0,
            attempt: 0,
            num_tasks: 2,
            time: 3,
        },
    ];
    e.extend(task(0, 0, 0, TaskEndStatus::Success, 10));
    e.extend(task(0, 0, 1, TaskEndStatus::Failed, 0));
    e.extend(task(0, 0, 2, TaskEndStatus::Success, 30));
    e.push(Event::BlockUpdated {
        executor_id: "driver".into(),
        block: BlockUpdate {
            rdd: 7,
            partition: 0,
            memory_bytes: 40,
            disk_bytes: 0,
        },
    });
    e.push(Event::StageCompleted {
        job_id: 0,
        stage_id: 0,
        attempt: 0,
        status: StageEndStatus::Complete,
        failure: None,
        time: 20,
    });
    e.push(Event::StageSubmitted {
        job_id: 0,
        stage_id: 1,
        attempt: 0,
        num_tasks: 1,
        time: 21,
    });
    e.extend(task(0, 1, 3, TaskEndStatus::Success, 0));
    e.push(Event::StageCompleted {
        job_id: 0,
        stage_id: 1,
        attempt: 0,
        status: StageEndStatus::Complete,
        failure: None,
        time: 22,
    });
    e.push(Event::JobEnd {
        job_id: 0,
        error: None,
        time: 23,
    });
    e.push(Event::JobStart {
        job_id: 1,
        description: "count".into(),
        stages: vec![plan(0, 2, &[]), plan(2, 1, &[0])],
        sql_execution: None,
        time: 30,
    });
    e.push(Event::StageCompleted {
        job_id: 1,
        stage_id: 0,
        attempt: 0,
        status: StageEndStatus::Skipped,
        failure: None,
        time: 30,
    });
    e
}

#[test]
fn events_fold_into_jobs_stages_tasks_executors_and_storage() {
    let store = StatusStore::from_events(&events(), Retention::default());
    let s = store.snapshot();
    let j0 = &s.jobs[&0];
    assert_eq!(j0.state, JobState::Succeeded);
    assert_eq!(
        (j0.num_tasks, j0.completed_tasks, j0.failed_tasks),
        (3, 3, 1)
    );
    assert_eq!(j0.stages_in(StageState::Complete), 2);
    let j1 = &s.jobs[&1];
    assert_eq!(j1.state, JobState::Running);
    assert_eq!(j1.stages_in(StageState::Skipped), 1);
    assert_eq!(j1.num_tasks, 1, "the skipped stage's tasks do not count");
    let st0 = &s.stages[&(0, 0, 0)];
    assert_eq!(
        st0.state,
        StageState::Complete,
        "skipping it later keeps its record"
    );
    assert_eq!(st0.tasks.len(), 3);
    assert_eq!(st0.metrics.input_records, 40);
    assert_eq!(st0.tasks[&1].error.as_deref(), Some("boom"));
    let driver = &s.executors["driver"];
    assert_eq!((driver.completed_tasks, driver.failed_tasks), (3, 1));
    assert_eq!(driver.memory_used, 40);
    assert_eq!(s.rdds[&7].blocks.len(), 1);
    assert_eq!(s.totals.tasks_completed, 3);
    assert_eq!(s.totals.stages_skipped, 1);
    assert_eq!(s.active_tasks(), 0);

    store.on_event(&Event::RddUnpersisted { rdd_id: 7 });
    store.read(|s| {
        assert!(s.rdds.is_empty());
        assert_eq!(s.executors["driver"].memory_used, 0);
    });
}

#[test]
fn retention_drops_the_oldest_finished_jobs_and_tasks_but_not_the_totals() {
    let keep = Retention {
        jobs: 1,
        stages: 1000,
        tasks: 2,
    };
    let mut ev = events();
    ev.push(Event::JobEnd {
        job_id: 1,
        error: Some("x".into()),
        time: 40,
    });
    let s = StatusStore::from_events(&ev, keep).snapshot();
    assert_eq!(s.jobs.keys().copied().collect::<Vec<_>>(), vec![1]);
    assert!(s.stages.values().all(|st| st.job_id == 1));
    assert_eq!(s.totals.jobs_succeeded, 1);
    assert_eq!(s.totals.jobs_failed, 1);
    assert_eq!(s.totals.tasks_completed, 3);
    let keep = Retention { jobs: 10, ..keep };
    let s = StatusStore::from_events(&events(), keep).snapshot();
    assert_eq!(s.stages[&(0, 0, 0)].tasks.len(), 2, "the newest 2 tasks");
}

#[test]
fn heartbeats_refresh_a_live_executor_only() {
    let store = StatusStore::from_events(&events(), Retention::default());
    let before = store.read(|s| s.executors["driver"].last_seen);
    let beat = |executor_id: &str, time: u64| Event::ExecutorHeartbeat {
        executor_id: executor_id.into(),
        time,
    };
    store.on_event(&beat("driver", before + 500));
    store.on_event(&beat("nobody", before + 600));
    // A late heartbeat does not move the time back.
    store.on_event(&beat("driver", before + 100));
    store.read(|s| {
        assert_eq!(s.executors["driver"].last_seen, before + 500);
        assert!(!s.executors.contains_key("nobody"));
    });
    store.on_event(&Event::ExecutorRemoved {
        executor_id: "driver".into(),
        reason: "lost".into(),
        time: before + 700,
    });
    store.on_event(&beat("driver", before + 900));
    store.read(|s| assert_eq!(s.executors["driver"].last_seen, before + 500));
}

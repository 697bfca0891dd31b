//! The REST API over a store folded from hand-written events; every expected figure is
//! computed by hand from the events below.

use super::{iso_time, rest_router};
use crate::ui::store::{LiveApp, Retention, StatusStore};
use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use ember_engine::task_context::{BlockUpdate, TaskMetricsSnapshot};
use ember_scheduler::events::{Event, StageEndStatus, StagePlan, TaskEndStatus};
use serde_json::{Value, json};
use std::sync::Arc;
use tower::ServiceExt;

/// 2023-11-14T22:13:20.000 UTC.
const T: u64 = 1_700_000_000_000;

fn plan(stage_id: u64, num_tasks: usize, parents: &[u64], shuffle_map: bool) -> StagePlan {
    StagePlan {
        stage_id,
        name: format!("stage {stage_id} at test.rs:{stage_id}"),
        num_tasks,
        parents: parents.to_vec(),
        shuffle_map,
    }
}

struct Log(Vec<Event>);

impl Log {
    fn job(&mut self, job_id: u64, stages: Vec<StagePlan>, sql: Option<u64>, time: u64) {
        self.0.push(Event::JobStart {
            job_id,
            description: format!("collect at job{job_id}.rs:1"),
            stages,
            sql_execution: sql,
            time: T + time,
        });
    }

    fn job_end(&mut self, job_id: u64, error: Option<&str>, time: u64) {
        self.0.push(Event::JobEnd {
            job_id,
            error: error.map(str::to_string),
            time: T + time,
        });
    }

    fn submit(&mut self, job_id: u64, stage_id: u64, num_tasks: usize, time: u64) {
        self.0.push(Event::StageSubmitted {
            job_id,
            stage_id,
            attempt: 0,
            num_tasks,
            time: T + time,
        });
    }

    fn stage_end(&mut self, job_id: u64, stage_id: u64, status: StageEndStatus, time: u64) {
        let failure = (status == StageEndStatus::Failed).then(|| "task 12 failed: boom".into());
        self.0.push(Event::StageCompleted {
            job_id,
            stage_id,
            attempt: 0,
            status,
            failure,
            time: T + time,
        });
    }

    fn task_start(&mut self, (job_id, stage_id): (u64, u64), task_id: u64, partition: usize) {
        self.0.push(Event::TaskStart {
            job_id,
            stage_id,
            stage_attempt: 0,
            task_id,
            partition,
            // Task 8 is the second attempt of partition 0 of stage 2 (task 7 failed).
            attempt: u32::from(task_id == 8),
            time: T + 400 + task_id,
        });
    }

    /// Starts and ends a task that ran 10 ms on `executor`; it failed if `error` is given.
    fn task(
        &mut self,
        (job_id, stage_id): (u64, u64),
        (task_id, partition): (u64, usize),
        executor: &str,
        error: Option<&str>,
        metrics: TaskMetricsSnapshot,
    ) {
        self.task_start((job_id, stage_id), task_id, partition);
        self.0.push(Event::TaskEnd {
            job_id,
            stage_id,
            stage_attempt: 0,
            task_id,
            partition,
            attempt: u32::from(task_id == 8),
            executor_id: executor.into(),
            status: match error {
                None => TaskEndStatus::Success,
                Some(_) => TaskEndStatus::Failed,
            },
            error: error.map(str::to_string),
            duration_ms: 10,
            metrics,
            time: T + 410 + task_id,
        });
    }
}

fn executor(id: &str, time: u64) -> Event {
    Event::ExecutorAdded {
        executor_id: id.into(),
        host: format!("h{id}"),
        cores: 2,
        max_memory: 1_000_000,
        metrics_url: None,
        time: T + time,
    }
}

/// An app with executors 1 and 2 (and 3, lost); job 0 runs map stage 0 (4 tasks, caching the 4
/// partitions of rdd 5) and result stage 1 (3 tasks); SQL query 0 runs job 1, which skips
/// stage 0 and runs stage 2 (3 tasks, partition 0 failing once); job 2 fails in map stage 3
/// before its result stage 4; job 3 runs stage 5 (one task started) with stage 6 pending.
fn events() -> Vec<Event> {
    let start = Event::ApplicationStart {
        app_id: "app-1".into(),
        app_name: "rest <test>".into(),
        master: "local[2]".into(),
        user: "alice".into(),
        time: T,
    };
    let env = Event::Environment {
        properties: vec![
            ("ember.app.name".into(), "rest <test>".into()),
            ("ember.authenticate.secret".into(), "hunter2".into()),
        ],
    };
    let lost = Event::ExecutorRemoved {
        executor_id: "3".into(),
        reason: "heartbeat timed out".into(),
        time: T + 50,
    };
    let mut log = Log(vec![start, env, executor("1", 0), executor("2", 0)]);
    log.0.extend([executor("3", 1), lost]);
    log.0.push(Event::RddPersisted {
        rdd_id: 5,
        name: "cached".into(),
        level: "Memory Deserialized 1x Replicated".into(),
        num_partitions: 4,
    });
    let on = |p: usize| if p.is_multiple_of(2) { "1" } else { "2" };
    log.job(
        0,
        vec![plan(0, 4, &[], true), plan(1, 3, &[0], false)],
        None,
        100,
    );
    log.submit(0, 0, 4, 100);
    for p in 0..4 {
        let m = TaskMetricsSnapshot {
            input_records: 10 + p as u64,
            input_bytes: 100 * (p as u64 + 1),
            shuffle_write_records: 5,
            shuffle_write_bytes: 50,
            ..Default::default()
        };
        log.task((0, 0), (p as u64, p), on(p), None, m);
        let block = BlockUpdate {
            rdd: 5,
            partition: p,
            memory_bytes: 100,
            disk_bytes: 0,
        };
        log.0.push(Event::BlockUpdated {
            executor_id: on(p).into(),
            block,
        });
    }
    log.stage_end(0, 0, StageEndStatus::Complete, 130);
    log.submit(0, 1, 3, 140);
    for p in 0..3 {
        let m = TaskMetricsSnapshot {
            shuffle_read_records: 6 + p as u64,
            shuffle_read_bytes: 60,
            ..Default::default()
        };
        log.task((0, 1), (4 + p as u64, p), on(p), None, m);
    }
    log.stage_end(0, 1, StageEndStatus::Complete, 160);
    log.job_end(0, None, 170);
    log.0.push(Event::SqlStart {
        execution_id: 0,
        description: "SELECT 1 <b>".into(),
        plan: "ProjectionExec".into(),
        time: T + 200,
    });
    log.job(
        1,
        vec![plan(0, 4, &[], true), plan(2, 3, &[0], false)],
        Some(0),
        210,
    );
    log.stage_end(1, 0, StageEndStatus::Skipped, 210);
    log.submit(1, 2, 3, 220);
    let read = TaskMetricsSnapshot {
        shuffle_read_records: 7,
        shuffle_read_bytes: 70,
        ..Default::default()
    };
    log.task(
        (1, 2),
        (7, 0),
        "1",
        Some("lost"),
        TaskMetricsSnapshot::default(),
    );
    for (task, p, exec) in [(8, 0, "2"), (9, 1, "1"), (10, 2, "2")] {
        log.task((1, 2), (task, p), exec, None, read);
    }
    log.stage_end(1, 2, StageEndStatus::Complete, 250);
    log.job_end(1, None, 260);
    log.0.push(Event::SqlEnd {
        execution_id: 0,
        error: None,
        time: T + 270,
    });
    log.job(
        2,
        vec![plan(3, 2, &[], true), plan(4, 1, &[3], false)],
        None,
        300,
    );
    log.submit(2, 3, 2, 300);
    let one = TaskMetricsSnapshot {
        input_records: 1,
        input_bytes: 8,
        ..Default::default()
    };
    log.task((2, 3), (11, 0), "1", None, one);
    log.task(
        (2, 3),
        (12, 1),
        "2",
        Some("boom"),
        TaskMetricsSnapshot::default(),
    );
    log.stage_end(2, 3, StageEndStatus::Failed, 330);
    log.job_end(2, Some("Job aborted: boom"), 340);
    log.job(
        3,
        vec![plan(5, 2, &[], true), plan(6, 1, &[5], false)],
        None,
        400,
    );
    log.submit(3, 5, 2, 400);
    log.task_start((3, 5), 13, 0);
    log.0
}

fn router_over(events: &[Event]) -> Router {
    let store = StatusStore::from_events(events, Retention::default());
    rest_router(Arc::new(LiveApp(Arc::new(store))))
}

async fn fetch(router: &Router, uri: &str) -> (StatusCode, String) {
    let request = Request::get(uri).body(Body::empty()).unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

async fn get_json(router: &Router, uri: &str) -> Value {
    let (status, body) = fetch(router, uri).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    serde_json::from_str(&body).unwrap()
}

/// The `field` of every element of the array at `uri`.
async fn column(router: &Router, uri: &str, field: &str) -> Vec<Value> {
    let v = get_json(router, uri).await;
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| e[field].clone())
        .collect()
}

const APP: &str = "/api/v1/applications/app-1";

#[test]
fn times_print_as_spark_does() {
    assert_eq!(iso_time(0), "1970-01-01T00:00:00.000GMT");
    assert_eq!(iso_time(T + 123), "2023-11-14T22:13:20.123GMT");
}

#[tokio::test]
async fn applications_list_the_running_and_the_completed_app() {
    let r = router_over(&events());
    let apps = get_json(&r, "/api/v1/applications").await;
    let attempt = &apps[0]["attempts"][0];
    assert_eq!(apps[0]["id"], "app-1");
    assert_eq!(apps[0]["name"], "rest <test>");
    assert_eq!(attempt["startTime"], "2023-11-14T22:13:20.000GMT");
    assert_eq!(attempt["startTimeEpoch"], T);
    assert_eq!(attempt["endTime"], "1969-12-31T23:59:59.999GMT");
    assert_eq!(attempt["endTimeEpoch"], -1);
    assert_eq!(attempt["completed"], false);
    assert_eq!(attempt["duration"], 0);
    assert_eq!(attempt["sparkUser"], "alice");
    // The newest event: task 12 ended at T + 422.
    assert_eq!(attempt["lastUpdatedEpoch"], T + 422);
    assert_eq!(attempt["lastUpdated"], "2023-11-14T22:13:20.422GMT");
    assert_eq!(
        column(&r, "/api/v1/applications?status=running", "id").await,
        ["app-1"]
    );
    assert!(
        column(&r, "/api/v1/applications?status=COMPLETED", "id")
            .await
            .is_empty()
    );
    assert_eq!(get_json(&r, APP).await, apps[0]);

    let mut ended = events();
    ended.push(Event::ApplicationEnd { time: T + 5000 });
    let r = router_over(&ended);
    let apps = get_json(&r, "/api/v1/applications?status=completed").await;
    let attempt = &apps[0]["attempts"][0];
    assert_eq!(attempt["completed"], true);
    assert_eq!(attempt["duration"], 5000);
    assert_eq!(attempt["endTime"], "2023-11-14T22:13:25.000GMT");
    assert_eq!(attempt["endTimeEpoch"], T + 5000);
    assert!(
        column(&r, "/api/v1/applications?limit=0", "id")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn jobs_count_tasks_and_stages_as_spark() {
    let r = router_over(&events());
    let jobs = get_json(&r, &format!("{APP}/jobs")).await;
    let ids: Vec<u64> = jobs
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["jobId"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [3, 2, 1, 0]);
    let counts = |j: &Value| -> Value {
        [
            "numTasks",
            "numActiveTasks",
            "numCompletedTasks",
            "numSkippedTasks",
            "numFailedTasks",
            "numKilledTasks",
            "numActiveStages",
            "numCompletedStages",
            "numSkippedStages",
            "numFailedStages",
        ]
        .iter()
        .map(|k| j[*k].clone())
        .collect()
    };
    // Tasks: total, active, completed, skipped, failed, killed; stages: active, completed,
    // skipped, failed.
    assert_eq!(counts(&jobs[3]), json!([7, 0, 7, 0, 0, 0, 0, 2, 0, 0]));
    assert_eq!(counts(&jobs[2]), json!([3, 0, 3, 4, 1, 0, 0, 1, 1, 0]));
    assert_eq!(counts(&jobs[1]), json!([3, 0, 1, 1, 1, 0, 0, 0, 1, 1]));
    assert_eq!(counts(&jobs[0]), json!([3, 1, 0, 0, 0, 0, 1, 0, 0, 0]));
    let job0 = &jobs[3];
    assert_eq!(job0["status"], "SUCCEEDED");
    assert_eq!(job0["name"], "collect at job0.rs:1");
    assert_eq!(job0["stageIds"], json!([0, 1]));
    assert_eq!(job0["submissionTime"], "2023-11-14T22:13:20.100GMT");
    assert_eq!(job0["completionTime"], "2023-11-14T22:13:20.170GMT");
    assert!(job0.get("description").is_none());
    assert_eq!(jobs[2]["description"], "SELECT 1 <b>");
    assert_eq!(jobs[1]["status"], "FAILED");
    assert_eq!(jobs[0]["status"], "RUNNING");
    assert!(jobs[0].get("completionTime").is_none());

    let ids = |uri: String| {
        let r = r.clone();
        async move { column(&r, &uri, "jobId").await }
    };
    assert_eq!(ids(format!("{APP}/jobs?status=running")).await, [3]);
    assert_eq!(ids(format!("{APP}/jobs?status=SUCCEEDED")).await, [1, 0]);
    assert_eq!(
        ids(format!("{APP}/jobs?status=failed&status=running")).await,
        [3, 2]
    );
    assert_eq!(get_json(&r, &format!("{APP}/jobs/1")).await, jobs[2]);
}

#[tokio::test]
async fn stages_list_ran_skipped_and_pending_stages_with_their_figures() {
    let r = router_over(&events());
    let stages = get_json(&r, &format!("{APP}/stages")).await;
    let key = |s: &Value| {
        (
            s["stageId"].as_u64().unwrap(),
            s["status"].as_str().unwrap().to_string(),
        )
    };
    let keys: Vec<(u64, String)> = stages.as_array().unwrap().iter().map(key).collect();
    let want = [
        (6, "PENDING"),
        (5, "ACTIVE"),
        (4, "SKIPPED"),
        (3, "FAILED"),
        (2, "COMPLETE"),
        (1, "COMPLETE"),
        (0, "COMPLETE"),
        (0, "SKIPPED"),
    ];
    let want: Vec<(u64, String)> = want.iter().map(|(i, s)| (*i, s.to_string())).collect();
    assert_eq!(keys, want);

    let stage0 = &stages[6];
    assert_eq!(stage0["numTasks"], 4);
    assert_eq!(stage0["numCompleteTasks"], 4);
    assert_eq!(stage0["inputRecords"], 10 + 11 + 12 + 13);
    assert_eq!(stage0["inputBytes"], 100 + 200 + 300 + 400);
    assert_eq!(stage0["shuffleWriteRecords"], 4 * 5);
    assert_eq!(stage0["shuffleWriteBytes"], 4 * 50);
    assert_eq!(stage0["executorRunTime"], 4 * 10);
    assert_eq!(stage0["jobIds"], json!([0]));
    assert_eq!(stage0["submissionTime"], "2023-11-14T22:13:20.100GMT");
    assert_eq!(stage0["completionTime"], "2023-11-14T22:13:20.130GMT");
    assert_eq!(stage0["name"], "stage 0 at test.rs:0");
    assert!(stage0.get("tasks").is_none());
    assert_eq!(stages[5]["shuffleReadRecords"], 6 + 7 + 8);
    assert_eq!(stages[5]["shuffleReadBytes"], 3 * 60);
    assert_eq!(stages[4]["numCompleteTasks"], 3);
    assert_eq!(stages[4]["numFailedTasks"], 1);
    assert_eq!(stages[4]["shuffleReadRecords"], 3 * 7);
    assert_eq!(stages[3]["failureReason"], "task 12 failed: boom");
    assert_eq!(stages[7]["jobIds"], json!([1]));
    assert_eq!(stages[7]["numTasks"], 4);
    assert!(stages[7].get("submissionTime").is_none());
    assert_eq!(stages[1]["numActiveTasks"], 1);

    let ids = |q: &'static str| {
        let r = r.clone();
        async move { column(&r, &format!("{APP}/stages?status={q}"), "stageId").await }
    };
    assert_eq!(ids("skipped").await, [4, 0]);
    assert_eq!(ids("pending").await, [6]);
    assert_eq!(ids("active").await, [5]);
    assert_eq!(ids("COMPLETE").await, [2, 1, 0]);
    assert_eq!(ids("failed").await, [3]);
}

#[tokio::test]
async fn one_stage_carries_its_tasks_and_task_list_pages_them() {
    let r = router_over(&events());
    let all = get_json(&r, &format!("{APP}/stages/0")).await;
    assert_eq!(
        column(&r, &format!("{APP}/stages/0"), "status").await,
        ["COMPLETE", "SKIPPED"]
    );
    assert_eq!(all[0]["tasks"].as_object().unwrap().len(), 4);
    assert_eq!(all[1]["tasks"], json!({}));

    let stage = get_json(&r, &format!("{APP}/stages/2/0")).await;
    let tasks = stage["tasks"].as_object().unwrap();
    let mut ids: Vec<u64> = tasks.keys().map(|k| k.parse().unwrap()).collect();
    ids.sort_unstable();
    assert_eq!(ids, [7, 8, 9, 10]);
    // The answer itself lists them by id as numbers (serde_json's map re-sorts them as text).
    let (_, raw) = fetch(&r, &format!("{APP}/stages/2/0")).await;
    assert!(
        raw.find(r#""9":"#).unwrap() < raw.find(r#""10":"#).unwrap(),
        "{raw}"
    );
    let failed = &tasks["7"];
    assert_eq!(failed["status"], "FAILED");
    assert_eq!(failed["errorMessage"], "lost");
    assert_eq!(failed["index"], 0);
    assert_eq!(failed["attempt"], 0);
    let retry = &tasks["8"];
    assert_eq!(retry["attempt"], 1);
    assert_eq!(retry["index"], 0);
    assert_eq!(retry["status"], "SUCCESS");
    assert_eq!(retry["executorId"], "2");
    assert_eq!(retry["host"], "h2");
    assert_eq!(retry["duration"], 10);
    assert_eq!(retry["launchTime"], "2023-11-14T22:13:20.408GMT");
    assert!(retry.get("errorMessage").is_none());
    let m = &retry["taskMetrics"];
    assert_eq!(m["executorRunTime"], 10);
    assert_eq!(
        m["shuffleReadMetrics"],
        json!({"remoteBytesRead": 0, "localBytesRead": 70, "recordsRead": 7})
    );
    assert_eq!(m["inputMetrics"], json!({"bytesRead": 0, "recordsRead": 0}));

    let running = get_json(&r, &format!("{APP}/stages/5/0")).await;
    let t13 = &running["tasks"]["13"];
    assert_eq!(t13["status"], "RUNNING");
    assert!(t13.get("duration").is_none());
    assert!(t13.get("executorId").is_none());

    let list = |q: &'static str| {
        let r = r.clone();
        async move { column(&r, &format!("{APP}/stages/2/0/taskList{q}"), "taskId").await }
    };
    assert_eq!(list("").await, [7, 8, 9, 10]);
    assert_eq!(list("?offset=1&length=2").await, [8, 9]);
    assert_eq!(list("?offset=3").await, [10]);
    assert!(list("?offset=9").await.is_empty());
    assert_eq!(
        column(&r, &format!("{APP}/stages/0/0/taskList"), "taskId").await,
        [0, 1, 2, 3]
    );
}

#[tokio::test]
async fn executors_storage_environment_and_sql() {
    let r = router_over(&events());
    assert_eq!(
        column(&r, &format!("{APP}/executors"), "id").await,
        ["1", "2"]
    );
    let all = get_json(&r, &format!("{APP}/allexecutors")).await;
    assert_eq!(all.as_array().unwrap().len(), 3);
    assert_eq!(all[2]["isActive"], false);
    assert_eq!(all[2]["removeReason"], "heartbeat timed out");
    assert_eq!(all[2]["removeTime"], "2023-11-14T22:13:20.050GMT");
    let e1 = &all[0];
    // Executor 1 ran tasks 0, 2 (stage 0), 4, 6 (stage 1), 7 (failed), 9 (stage 2), 11 (stage 3).
    assert_eq!(e1["completedTasks"], 6);
    assert_eq!(e1["failedTasks"], 1);
    assert_eq!(e1["totalTasks"], 7);
    assert_eq!(e1["totalDuration"], 70);
    assert_eq!(e1["totalInputBytes"], 100 + 300 + 8);
    assert_eq!(e1["totalShuffleRead"], 60 + 60 + 70);
    assert_eq!(e1["totalShuffleWrite"], 2 * 50);
    assert_eq!(e1["rddBlocks"], 2);
    assert_eq!(e1["memoryUsed"], 200);
    assert_eq!(e1["hostPort"], "h1");
    assert_eq!(e1["totalCores"], 2);
    assert_eq!(e1["maxMemory"], 1_000_000);
    assert!(e1.get("removeReason").is_none());

    let rdds = get_json(&r, &format!("{APP}/storage/rdd")).await;
    assert_eq!(
        rdds,
        json!([{"id": 5, "name": "cached", "numPartitions": 4, "numCachedPartitions": 4,
                "storageLevel": "Memory Deserialized 1x Replicated", "memoryUsed": 400,
                "diskUsed": 0}])
    );
    let rdd = get_json(&r, &format!("{APP}/storage/rdd/5")).await;
    let parts = rdd["partitions"].as_array().unwrap();
    assert_eq!(parts.len(), 4);
    assert_eq!(parts[1]["blockName"], "rdd_5_1");
    assert_eq!(parts[1]["executors"], json!(["2"]));
    assert_eq!(parts[1]["memoryUsed"], 100);

    let env = get_json(&r, &format!("{APP}/environment")).await;
    assert_eq!(env["runtime"]["appId"], "app-1");
    assert_eq!(env["runtime"]["master"], "local[2]");
    let props = env["sparkProperties"].as_array().unwrap();
    assert!(props.contains(&json!(["ember.authenticate.secret", "*********(redacted)"])));
    assert!(props.contains(&json!(["ember.app.name", "rest <test>"])));
    assert!(!env.to_string().contains("hunter2"));

    let sql = get_json(&r, &format!("{APP}/sql")).await;
    assert_eq!(
        sql,
        json!([{"id": 0, "status": "COMPLETED", "description": "SELECT 1 <b>",
                "planDescription": "ProjectionExec",
                "submissionTime": "2023-11-14T22:13:20.200GMT", "duration": 70,
                "runningJobIds": [], "successJobIds": [1], "failedJobIds": []}])
    );
    assert_eq!(get_json(&r, &format!("{APP}/sql/0")).await, sql[0]);
    assert!(
        column(&r, &format!("{APP}/sql?offset=1"), "id")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn unknown_things_are_404_and_bad_parameters_400() {
    let r = router_over(&events());
    // Paths under /api/v1/applications, the status expected, a word the message must hold.
    let cases = [
        ("/nope", 404, "nope"),
        ("/nope/jobs", 404, "nope"),
        ("/nope/stages/0", 404, "nope"),
        ("/app-1/jobs/99", 404, "job 99"),
        ("/app-1/stages/99", 404, "stage 99"),
        ("/app-1/stages/2/1", 404, "attempt 1 of stage 2"),
        ("/app-1/stages/2/1/taskList", 404, "attempt 1 of stage 2"),
        ("/app-1/storage/rdd/9", 404, "rdd 9"),
        ("/app-1/sql/4", 404, "SQL execution 4"),
        ("/app-1/jobs?status=bogus", 400, "status"),
        ("/app-1/stages?status=done", 400, "status"),
        ("?status=maybe", 400, "status"),
        ("/app-1/jobs/abc", 400, "job id"),
        ("/app-1/stages/x", 400, "stage id"),
        ("/app-1/stages/2/x", 400, "stage attempt id"),
        ("/app-1/stages/2/0/taskList?offset=abc", 400, "offset"),
        ("/app-1/stages/2/0/taskList?length=-1", 400, "length"),
        ("/app-1/storage/rdd/-5", 400, "rdd id"),
        ("/app-1/sql/zero", 400, "execution id"),
    ];
    for (path, want, named) in cases {
        let uri = format!("/api/v1/applications{path}");
        let (status, body) = fetch(&r, &uri).await;
        assert_eq!(status.as_u16(), want, "{uri}: {body}");
        assert!(body.contains(named), "{uri}: {body}");
    }
}

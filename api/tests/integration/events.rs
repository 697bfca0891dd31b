//! Scheduler events and the event log (issue 7): a job with a shuffle and a cache posts one
//! task end per partition with the records it read, and replaying the log gives the same job,
//! stage and task counts as the live listener saw. Driver-side events: persisting and
//! unpersisting, SQL executions around the jobs of a query (with the input their scans
//! read), and a cluster's executors joining and leaving.

use crate::common::ctx_with;
use ember::ui::event_log::replay;
use ember_engine::storage::StorageLevel;
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

/// A context on `local[2]` with a listener collecting its events.
fn listened() -> (ember::Context, Arc<Collect>) {
    let ctx = ctx_with("local[2]", &[]);
    let seen = Arc::new(Collect::default());
    ctx.add_listener(Arc::clone(&seen) as Arc<dyn Listener>);
    (ctx, seen)
}

/// `(rdd_id, name, level, num_partitions)` of every `RddPersisted`, and the ids of every
/// `RddUnpersisted`, in order.
fn storage_events(events: &[Event]) -> Vec<Result<(u64, String, String, usize), u64>> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::RddPersisted {
                rdd_id,
                name,
                level,
                num_partitions,
            } => Some(Ok((*rdd_id, name.clone(), level.clone(), *num_partitions))),
            Event::RddUnpersisted { rdd_id } => Some(Err(*rdd_id)),
            _ => None,
        })
        .collect()
}

#[test]
fn persisting_and_unpersisting_rdds_and_dataframes_is_posted_once_per_change() {
    let (ctx, seen) = listened();
    let numbers = ctx.parallelize((0..100i64).collect(), 4);
    let line = line!() + 1;
    let doubled = numbers.map(|x| x * 2);
    let named = ctx
        .parallelize(vec!["a".to_string()], 3)
        .set_name("letters");
    doubled.cache();
    doubled.cache(); // the same level again: nothing new
    named.persist(StorageLevel::MEMORY_AND_DISK_2);
    assert_eq!(doubled.count().unwrap(), 100);
    doubled.persist(StorageLevel::DISK_ONLY); // a new level is posted
    doubled.unpersist();
    doubled.unpersist(); // no longer persisted: nothing new
    numbers.unpersist(); // never persisted: nothing
    let df = ctx
        .sql("SELECT * FROM (VALUES (1), (2), (3)) AS t(v)")
        .unwrap()
        .cache()
        .unwrap();
    let df_rdd = df.cached_rdd_id().unwrap().0;
    let df_partitions = df.rdd().unwrap().num_partitions();
    assert_eq!(df.count().unwrap(), 3);
    df.unpersist().unwrap();

    let (d, n) = (doubled.id().0, named.id().0);
    let site = format!("map at events.rs:{line}");
    // pyspark's descriptions of the levels (Ember keeps blocks serialized, as pyspark does).
    let memory = "Memory Serialized 1x Replicated".to_string();
    assert_eq!(
        storage_events(&seen.0.lock()),
        vec![
            Ok((d, site.clone(), memory, 4)),
            Ok((
                n,
                "letters".into(),
                "Disk Memory Serialized 2x Replicated".into(),
                3
            )),
            Ok((d, site, "Disk Serialized 1x Replicated".into(), 4)),
            Err(d),
            Ok((
                df_rdd,
                "sql: SELECT * FROM (VALUES (1), (2), (3)) AS t(v)".into(),
                "Disk Memory Serialized 1x Replicated".into(),
                df_partitions
            )),
            Err(df_rdd),
        ]
    );
}

/// A directory with `people.csv` (a header and five rows), and that file as a DataFrame.
fn people_csv(ctx: &ember::Context) -> (tempfile::TempDir, ember::sql::DataFrame) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("people.csv");
    std::fs::write(
        &path,
        "name,city\nann,oslo\nbob,rome\ncid,oslo\ndee,lima\neve,oslo\n",
    )
    .unwrap();
    let df = ctx
        .read()
        .option("header", "true")
        .csv(path.to_str().unwrap());
    (dir, df.unwrap())
}

/// The events of SQL execution `id`: its start, the jobs that carry it, its end, as indexes
/// into `events` (asserting there is one start and one end).
fn execution(events: &[Event], id: u64) -> (usize, Vec<(usize, u64)>, usize) {
    let at = |f: &dyn Fn(&Event) -> bool| -> Vec<usize> {
        events
            .iter()
            .enumerate()
            .filter(|(_, e)| f(e))
            .map(|(i, _)| i)
            .collect()
    };
    let starts = at(&|e| matches!(e, Event::SqlStart { execution_id, .. } if *execution_id == id));
    let ends = at(&|e| matches!(e, Event::SqlEnd { execution_id, .. } if *execution_id == id));
    assert_eq!((starts.len(), ends.len()), (1, 1), "{events:#?}");
    let jobs = events
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match e {
            Event::JobStart {
                job_id,
                sql_execution: Some(s),
                ..
            } if *s == id => Some((i, *job_id)),
            _ => None,
        })
        .collect();
    (starts[0], jobs, ends[0])
}

/// Records and bytes read by the tasks of `jobs`.
fn input_of(events: &[Event], jobs: &[(usize, u64)]) -> (u64, u64) {
    events
        .iter()
        .filter_map(|e| match e {
            Event::TaskEnd {
                job_id, metrics, ..
            } if jobs.iter().any(|(_, j)| j == job_id) => {
                Some((metrics.input_records, metrics.input_bytes))
            }
            _ => None,
        })
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
}

#[test]
fn a_sql_query_posts_its_start_jobs_and_end_and_its_scans_count_their_input() {
    let (ctx, seen) = listened();
    let (dir, people) = people_csv(&ctx);
    people.create_or_replace_temp_view("people").unwrap();
    let sql = "SELECT city, count(*) AS n FROM people GROUP BY city ORDER BY city";
    let rows = ctx.sql(sql).unwrap().collect().unwrap();
    assert_eq!(rows.iter().map(|b| b.num_rows()).sum::<usize>(), 3);
    // A DataFrame action not from SQL is described by the action.
    assert_eq!(people.count().unwrap(), 5);
    // A failing query: the cast fails in the tasks.
    let err = ctx
        .sql("SELECT CAST(name AS INT) FROM people")
        .unwrap()
        .collect()
        .unwrap_err()
        .to_string();

    let events = seen.0.lock().clone();
    let (start, jobs, end) = execution(&events, 0);
    let Event::SqlStart {
        description, plan, ..
    } = &events[start]
    else {
        unreachable!()
    };
    assert_eq!(description, sql);
    assert!(plan.contains("AggregateExec"), "{plan}");
    assert!(!jobs.is_empty(), "{events:#?}");
    for (i, job) in &jobs {
        assert!(
            start < *i && *i < end,
            "job {job} runs within the execution"
        );
        let job_end = events
            .iter()
            .position(|e| matches!(e, Event::JobEnd { job_id, error: None, .. } if job_id == job))
            .unwrap();
        assert!(job_end < end);
    }
    assert!(matches!(&events[end], Event::SqlEnd { error: None, .. }));
    // Every job of the context ran for one of the three executions.
    let all_jobs = events
        .iter()
        .filter(|e| matches!(e, Event::JobStart { .. }))
        .count();
    let (records, bytes) = input_of(&events, &jobs);
    assert_eq!(records, 5, "the CSV's rows, read once by the scan stage");
    let file_bytes = std::fs::metadata(dir.path().join("people.csv"))
        .unwrap()
        .len();
    assert_eq!(
        bytes, file_bytes,
        "the scan read the whole file as one split"
    );

    let (start, count_jobs, end) = execution(&events, 1);
    assert!(
        matches!(&events[start], Event::SqlStart { description, .. } if description == "count")
    );
    assert!(matches!(&events[end], Event::SqlEnd { error: None, .. }));
    assert_eq!(input_of(&events, &count_jobs).0, 5);

    let (start, failed_jobs, end) = execution(&events, 2);
    assert!(
        matches!(&events[start], Event::SqlStart { description, .. } if description.starts_with("SELECT CAST"))
    );
    let Event::SqlEnd { error: Some(e), .. } = &events[end] else {
        panic!("the failed query ends with its error: {:?}", events[end])
    };
    assert_eq!(e, &err);
    assert!(!failed_jobs.is_empty());
    assert_eq!(all_jobs, jobs.len() + count_jobs.len() + failed_jobs.len());
}

#[test]
fn parquet_scans_and_writes_count_their_rows_as_input() {
    let (ctx, seen) = listened();
    let (dir, people) = people_csv(&ctx);
    let out = dir.path().join("people.parquet");
    people.write().parquet(out.to_str().unwrap()).unwrap();
    ctx.read()
        .parquet(out.to_str().unwrap())
        .unwrap()
        .create_or_replace_temp_view("p")
        .unwrap();
    let sql = "SELECT city, count(*) FROM p WHERE name <> 'zed' GROUP BY city";
    let groups = ctx.sql(sql).unwrap().collect().unwrap();
    assert_eq!(groups.iter().map(|b| b.num_rows()).sum::<usize>(), 3);

    let events = seen.0.lock().clone();
    let (start, write_jobs, _) = execution(&events, 0);
    let expected = format!("write parquet to {}", out.display());
    assert!(
        matches!(&events[start], Event::SqlStart { description, .. } if *description == expected),
        "{:?}",
        events[start]
    );
    assert_eq!(
        input_of(&events, &write_jobs).0,
        5,
        "the CSV read by the write"
    );
    let (_, query_jobs, _) = execution(&events, 1);
    let (records, bytes) = input_of(&events, &query_jobs);
    assert_eq!(records, 5, "the Parquet scan's rows");
    // Bytes read from the files, as Spark's bytesRead: what DataFusion alone reads running the
    // same query over the same files.
    assert_eq!(bytes, datafusion_bytes_scanned(&out, "p", sql));
    let file_bytes: u64 = std::fs::read_dir(&out)
        .unwrap()
        .map(|f| f.unwrap().metadata().unwrap().len())
        .sum();
    assert!(bytes <= file_bytes, "{bytes} bytes read of {file_bytes}");
}

/// The bytes DataFusion's own Parquet scan reads (its `bytes_scanned`) running `sql` over the
/// Parquet files of `dir` registered as `table`, with DataFusion's default settings.
fn datafusion_bytes_scanned(dir: &std::path::Path, table: &str, sql: &str) -> u64 {
    use datafusion::physical_plan::{ExecutionPlan, collect};
    use datafusion::prelude::{ParquetReadOptions, SessionContext};
    fn scanned(plan: &Arc<dyn ExecutionPlan>) -> usize {
        let own = plan
            .metrics()
            .and_then(|m| m.sum_by_name("bytes_scanned"))
            .map_or(0, |v| v.as_usize());
        own + plan.children().into_iter().map(scanned).sum::<usize>()
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let ctx = SessionContext::new();
        let options = ParquetReadOptions::default();
        ctx.register_parquet(table, dir.to_str().unwrap(), options)
            .await
            .unwrap();
        let plan = ctx
            .sql(sql)
            .await
            .unwrap()
            .create_physical_plan()
            .await
            .unwrap();
        collect(Arc::clone(&plan), ctx.task_ctx()).await.unwrap();
        scanned(&plan) as u64
    })
}

#[test]
fn a_table_datafusion_reads_counts_its_file_bytes() {
    let (ctx, seen) = listened();
    let (dir, _) = people_csv(&ctx);
    let csv = dir.path().join("people.csv");
    let ddl = format!(
        "CREATE EXTERNAL TABLE t STORED AS CSV LOCATION '{}' OPTIONS ('format.has_header' 'true')",
        csv.display()
    );
    ctx.sql(&ddl).unwrap();
    let n = ctx.sql("SELECT count(*) FROM t WHERE city <> 'x'").unwrap();
    assert_eq!(n.collect().unwrap()[0].num_rows(), 1);

    let events = seen.0.lock().clone();
    let id = events
        .iter()
        .find_map(|e| match e {
            Event::SqlStart {
                execution_id,
                description,
                ..
            } if description.starts_with("SELECT count") => Some(*execution_id),
            _ => None,
        })
        .expect("the query posts its start");
    let (_, jobs, _) = execution(&events, id);
    let (records, bytes) = input_of(&events, &jobs);
    assert_eq!(records, 5, "the rows DataFusion's CSV reader produced");
    assert_eq!(
        bytes,
        std::fs::metadata(&csv).unwrap().len(),
        "the file, read whole"
    );
}

#[test]
fn a_local_cluster_posts_its_executors() {
    let name = "events::a_local_cluster_posts_its_executors";
    let ctx = ember::Context::new(
        ember::Conf::new()
            .master("local-cluster[2,1,512]")
            .app_name(name)
            .set("ember.ui.showConsoleProgress", "false")
            .set(
                "ember.executor.args",
                format!("{name} --exact --nocapture --test-threads=1"),
            ),
    )
    .unwrap();
    let seen = Arc::new(Collect::default());
    ctx.add_listener(Arc::clone(&seen) as Arc<dyn Listener>);
    let numbers = ctx.parallelize((0..10u64).collect(), 2);
    assert_eq!(numbers.count().unwrap(), 10);
    if ctx.is_driver() {
        // Both joined before any listener could be added; the UI has them all the same, with
        // their cores, memory and /metrics links.
        let ui = ctx.ui_url().expect("the driver serves its UI").to_string();
        let rest = format!("{ui}/api/v1/applications/{}", ctx.application_id());
        let executors = |path: &str| -> Vec<serde_json::Value> {
            reqwest::blocking::get(format!("{rest}/{path}"))
                .and_then(|r| r.json())
                .unwrap()
        };
        let live = executors("executors");
        let mut ids: Vec<&str> = live.iter().map(|e| e["id"].as_str().unwrap()).collect();
        ids.sort();
        assert_eq!(ids, ["exec-0", "exec-1"]);
        for e in &live {
            assert_eq!(
                (e["totalCores"].as_u64(), e["maxMemory"].as_u64()),
                (Some(1), Some(512 << 20))
            );
            assert_eq!(e["isActive"], true);
        }
        let page = reqwest::blocking::get(format!("{ui}/executors/"))
            .and_then(|r| r.text())
            .unwrap();
        let links = page
            .matches("class=\"executor-metrics\" href=\"http://")
            .count();
        assert_eq!(links, 2, "{page}");
        crate::cluster::kill_executor(&ctx, 1);
        let start = std::time::Instant::now();
        let removed = loop {
            let found = seen.0.lock().iter().find_map(|e| match e {
                Event::ExecutorRemoved {
                    executor_id,
                    reason,
                    ..
                } if executor_id == "exec-1" => Some(reason.clone()),
                _ => None,
            });
            if let Some(r) = found {
                break r;
            }
            assert!(
                start.elapsed().as_secs() < 30,
                "exec-1's loss was not posted"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        };
        assert!(removed.contains("session"), "{removed}");
        let all = executors("allexecutors");
        let lost = all
            .iter()
            .find(|e| e["id"] == "exec-1")
            .expect("exec-1 is still listed");
        assert_eq!(lost["isActive"], false);
        assert_eq!(executors("executors").len(), 1);
    }
    // The surviving executor's copy of the test follows the driver to here.
    assert_eq!(numbers.count().unwrap(), 10);
}

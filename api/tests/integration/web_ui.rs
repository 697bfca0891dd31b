//! The driver's web UI end to end: a job with a shuffle and a cache, then the Jobs, Stages,
//! Storage, Executors and SQL pages in headless Chromium (screenshots kept under
//! `target/tmp/ui-screenshots/`), the REST API and `/metrics` of the live driver, and
//! `ember history` over the event log giving the live figures.

use crate::webdriver::Browser;
use ember::{Conf, Context};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

/// The hostile text of the app name and the query.
const HOSTILE: &str = "<script>alert(1)</script>";

fn ui_ctx(extra: &[(&str, &str)]) -> Context {
    let mut conf = Conf::new()
        .master("local[2]")
        .app_name(HOSTILE)
        .set("ember.ui.showConsoleProgress", "false")
        .set("ember.ui.port", "0");
    for (k, v) in extra {
        conf = conf.set(*k, *v);
    }
    Context::new(conf).unwrap()
}

/// Two jobs: `count` of a cached RDD of 1000 records in 4 partitions (4 tasks, 4 blocks
/// stored), then `reduceByKey` into 3 partitions over it (4 map tasks reading the cache,
/// 3 result tasks); then a SQL query holding [`HOSTILE`]. Returns the cached RDD (dropped, it
/// would leave the Storage page).
fn run_jobs(ctx: &Context) -> ember::Rdd<(u64, u64)> {
    let pairs = ctx
        .parallelize((0..1000u64).collect::<Vec<_>>(), 4)
        .map(|x| (x % 10, 1u64))
        .set_name("pairs")
        .cache();
    assert_eq!(pairs.count().unwrap(), 1000);
    let sums = pairs.reduce_by_key_n(|a, b| a + b, 3).collect().unwrap();
    assert_eq!(sums.len(), 10);
    let rows = ctx
        .sql(&format!("SELECT '{HOSTILE}' AS s"))
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(rows.iter().map(|b| b.num_rows()).sum::<usize>(), 1);
    pairs
}

/// The record count of a "{bytes} / {records}" cell.
fn records(cell: &str) -> u64 {
    let n = cell.rsplit(" / ").next().unwrap_or_default().trim();
    n.parse()
        .unwrap_or_else(|_| panic!("no record count in {cell:?}"))
}

fn get_json(url: &str) -> Value {
    let r = reqwest::blocking::get(url).unwrap_or_else(|e| panic!("GET {url}: {e}"));
    assert_eq!(r.status().as_u16(), 200, "GET {url}");
    r.json()
        .unwrap_or_else(|e| panic!("GET {url}: not JSON: {e}"))
}

#[test]
fn the_pages_show_a_shuffle_and_a_cache_in_headless_chromium() {
    let ctx = ui_ctx(&[("ember.test.password", "hunter2")]);
    let _pairs = run_jobs(&ctx);
    let url = ctx.ui_url().expect("the UI runs by default").to_string();
    let b = Browser::start();

    // Jobs: the app name is shown as text (escaped), no script ran.
    b.open(&format!("{url}/jobs/"));
    assert_eq!(b.title(), format!("{HOSTILE} - Jobs"));
    assert_eq!(b.text("span#app-name"), HOSTILE);
    assert!(!b.alert_open(), "a script ran");
    let descriptions = b.texts("tr.job td.job-description");
    let tasks = b.texts("tr.job td.job-tasks");
    let statuses = b.texts("tr.job td.job-status");
    assert!(statuses.iter().all(|s| s == "SUCCEEDED"), "{statuses:?}");
    let job = |action: &str| {
        let i = descriptions
            .iter()
            .position(|d| d.starts_with(action))
            .unwrap_or_else(|| panic!("no {action} job in {descriptions:?}"));
        tasks[i].clone()
    };
    assert_eq!(job("count"), "4/4");
    assert_eq!(job("collect at"), "7/7");
    b.screenshot("jobs");

    // The collect job's page: its stage DAG, a map stage feeding the result stage.
    let i = descriptions
        .iter()
        .position(|d| d.starts_with("collect at"));
    let links = b.properties("tr.job td.job-description a", "href");
    b.open(&links[i.unwrap()]);
    assert_eq!(b.texts("svg#dag g.dag-stage").len(), 2);
    assert_eq!(b.texts("svg#dag .dag-edge").len(), 1);
    b.screenshot("job");

    // Stages: the map stage read the 1000 cached records and wrote at most 4 x 10 combined
    // ones, which the 3 result tasks read.
    b.open(&format!("{url}/stages/"));
    assert_eq!(b.title(), format!("{HOSTILE} - Stages"));
    let stage_tasks = b.texts("tr.stage td.stage-tasks");
    let input = b.texts("tr.stage td.stage-input");
    let read = b.texts("tr.stage td.stage-shuffle-read");
    let written = b.texts("tr.stage td.stage-shuffle-write");
    let map = (0..stage_tasks.len())
        .find(|&i| records(&written[i]) > 0)
        .unwrap_or_else(|| panic!("no stage wrote shuffle output: {written:?}"));
    assert_eq!(stage_tasks[map], "4/4");
    assert_eq!(records(&input[map]), 1000, "the map stage reads the cache");
    let shuffled = records(&written[map]);
    assert!((10..=40).contains(&shuffled), "{shuffled}");
    let reduce = (0..stage_tasks.len())
        .find(|&i| records(&read[i]) > 0)
        .expect("a stage read the shuffle");
    assert_eq!(stage_tasks[reduce], "3/3");
    assert_eq!(records(&read[reduce]), shuffled);
    b.screenshot("stages");

    // The map stage's page: one row per task, their input adding up to the 1000 records.
    let links = b.properties("tr.stage td.stage-description a", "href");
    b.open(&links[map]);
    let task_rows = b.texts("tr.task td.task-status");
    assert_eq!(task_rows, vec!["SUCCESS"; 4]);
    let task_input: u64 = b
        .texts("tr.task td.task-input")
        .iter()
        .map(|c| records(c))
        .sum();
    assert_eq!(task_input, 1000);
    b.screenshot("stage");

    // Storage: the cached RDD, all 4 partitions in memory.
    b.open(&format!("{url}/storage/"));
    assert_eq!(b.texts("tr.rdd").len(), 1);
    assert!(b.text("tr.rdd td.rdd-name").contains("pairs"));
    assert_eq!(b.text("tr.rdd td.rdd-cached-partitions"), "4");
    assert_eq!(b.text("tr.rdd td.rdd-fraction-cached"), "100%");
    assert!(!b.text("tr.rdd td.rdd-memory").starts_with("0 B"));
    b.screenshot("storage");

    // Executors: the driver ran every task.
    let total: usize = ctx
        .status_tracker()
        .jobs()
        .iter()
        .map(|j| {
            j.stages
                .iter()
                .map(|s| s.num_completed_tasks)
                .sum::<usize>()
        })
        .sum();
    b.open(&format!("{url}/executors/"));
    assert_eq!(b.texts("tr.executor").len(), 1);
    assert_eq!(b.text("tr.executor td.executor-status"), "Active");
    assert_eq!(
        b.text("tr.executor td.executor-completed-tasks"),
        total.to_string()
    );
    assert_eq!(b.text("tr.executor td.executor-failed-tasks"), "0");
    b.screenshot("executors");

    // SQL: the query's text is shown as text, on the list and on its page.
    b.open(&format!("{url}/SQL/"));
    let queries = b.texts("tr.query td.query-description");
    assert!(queries.iter().any(|q| q.contains(HOSTILE)), "{queries:?}");
    let links = b.properties("tr.query td.query-description a", "href");
    b.open(&links[0]);
    assert!(b.text("pre#query-text").contains(HOSTILE));
    assert!(!b.text("pre#plan").is_empty());
    assert!(!b.alert_open(), "a script ran");
    b.screenshot("sql");

    // Environment: the conf, its secret redacted.
    b.open(&format!("{url}/environment/"));
    let names = b.texts("tr.property td.property-name");
    let values = b.texts("tr.property td.property-value");
    let i = names
        .iter()
        .position(|n| n == "ember.test.password")
        .expect("the key is listed");
    assert_ne!(values[i], "hunter2");
    assert!(values.iter().all(|v| !v.contains("hunter2")));
    b.screenshot("environment");
}

#[test]
fn the_live_rest_api_and_metrics_count_the_jobs() {
    let ctx = ui_ctx(&[]);
    let cached = run_jobs(&ctx);
    let url = ctx.ui_url().unwrap().to_string();
    let apps = get_json(&format!("{url}/api/v1/applications"));
    assert_eq!(apps.as_array().unwrap().len(), 1);
    assert_eq!(apps[0]["id"], ctx.application_id());
    assert_eq!(apps[0]["name"], HOSTILE);
    let base = format!("{url}/api/v1/applications/{}", ctx.application_id());
    let jobs = get_json(&format!("{base}/jobs"));
    let collect = jobs
        .as_array()
        .unwrap()
        .iter()
        .find(|j| {
            j["name"]
                .as_str()
                .is_some_and(|n| n.starts_with("collect at"))
        })
        .expect("the collect job");
    assert_eq!(collect["numTasks"], 7);
    assert_eq!(collect["numCompletedTasks"], 7);
    assert_eq!(collect["status"], "SUCCEEDED");
    let stages = get_json(&format!("{base}/stages?status=complete"));
    let read: u64 = stages
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["inputRecords"].as_u64().unwrap())
        .sum();
    assert_eq!(read, 1000, "only the map stage reads input: the cache");
    // A cached DataFrame is listed beside the cached RDD once an action stored it.
    let df = ctx
        .sql("SELECT x FROM (VALUES (1), (2), (3)) AS t(x)")
        .unwrap()
        .cache()
        .unwrap();
    assert_eq!(df.count().unwrap(), 3);
    let rdds = get_json(&format!("{base}/storage/rdd"));
    let rdds = rdds.as_array().unwrap();
    assert_eq!(rdds.len(), 2, "{rdds:?}");
    let pairs = rdds.iter().find(|r| r["name"] == "pairs").expect("pairs");
    assert_eq!(pairs["numCachedPartitions"], 4);
    let frame = rdds.iter().find(|r| r["name"] != "pairs").unwrap();
    assert_eq!(frame["numCachedPartitions"], frame["numPartitions"]);
    assert!(frame["memoryUsed"].as_u64().unwrap() > 0);
    // The RDD dropped by the program is unpersisted by the cleaner (at the next job), and leaves.
    drop(cached);
    assert_eq!(df.count().unwrap(), 3);
    let rdds = get_json(&format!("{base}/storage/rdd"));
    assert_eq!(rdds.as_array().unwrap().len(), 1, "{rdds:?}");
    let missing = reqwest::blocking::get(format!("{url}/api/v1/applications/nope/jobs")).unwrap();
    assert_eq!(missing.status().as_u16(), 404);

    let metrics = reqwest::blocking::get(format!("{url}/metrics"))
        .unwrap()
        .text()
        .unwrap();
    crate::ui_server::promtool_check(&metrics);
    let sample = |name: &str| crate::ui_server::sample(&metrics, name);
    let jobs = get_json(&format!("{base}/jobs"));
    assert_eq!(
        sample("ember_driver_jobs_succeeded_total"),
        jobs.as_array().unwrap().len() as f64
    );
    assert_eq!(sample("ember_driver_jobs_active"), 0.0);
    assert!(sample("ember_driver_blocks_memory_bytes") > 0.0);
}

/// The counts of a REST listing: (jobs, their tasks, stages, their completed tasks).
fn rest_counts(base: &str) -> (usize, u64, usize, u64) {
    let jobs = get_json(&format!("{base}/jobs"));
    let stages = get_json(&format!("{base}/stages"));
    let sum = |v: &Value, key: &str| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x[key].as_u64().unwrap())
            .sum::<u64>()
    };
    (
        jobs.as_array().unwrap().len(),
        sum(&jobs, "numTasks"),
        stages.as_array().unwrap().len(),
        sum(&stages, "numCompleteTasks"),
    )
}

#[test]
fn ember_history_serves_a_finished_application_with_the_live_counts() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().to_str().unwrap();
    let ctx = ui_ctx(&[
        ("ember.eventLog.enabled", "true"),
        ("ember.eventLog.dir", logs),
    ]);
    let _pairs = run_jobs(&ctx);
    let app = ctx.application_id().to_string();
    let live = rest_counts(&format!(
        "{}/api/v1/applications/{app}",
        ctx.ui_url().unwrap()
    ));
    drop(ctx);

    let mut history = Command::new(env!("CARGO_BIN_EXE_ember"))
        .args(["history", "--dir", logs, "--port", "0"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(history.stderr.take().unwrap());
    let url = stderr
        .lines()
        .map_while(Result::ok)
        .find_map(|l| {
            l.split_once("history server at ")
                .and_then(|(_, rest)| rest.split_whitespace().next().map(str::to_string))
        })
        .expect("ember history prints its URL");
    let result = std::panic::catch_unwind(|| {
        let replayed = rest_counts(&format!("{url}/api/v1/applications/{app}"));
        assert_eq!(
            replayed, live,
            "replayed (jobs, tasks, stages, tasks done) = live"
        );
        let index = reqwest::blocking::get(format!("{url}/"))
            .unwrap()
            .text()
            .unwrap();
        assert!(index.contains(&app), "the index lists the application");
        assert!(!index.contains(HOSTILE), "the app name is escaped");
        let jobs = reqwest::blocking::get(format!("{url}/history/{app}/jobs/"))
            .unwrap()
            .text()
            .unwrap();
        assert!(jobs.contains("tr class=\"job\"") || jobs.contains("class=\"job\""));
        assert!(jobs.contains(&format!("/history/{app}/jobs/job/?id=")));
        assert!(!jobs.contains(HOSTILE));
    });
    let _ = history.kill();
    let _ = history.wait();
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}

#[test]
fn a_driver_with_a_secret_asks_for_it_on_every_ui_path() {
    let ctx = ui_ctx(&[("ember.authenticate.secret", "open sesame")]);
    let _pairs = run_jobs(&ctx);
    let url = ctx.ui_url().unwrap().to_string();
    let http = reqwest::blocking::Client::new();
    let app = ctx.application_id();
    for path in [
        "/jobs/".to_string(),
        "/environment/".to_string(),
        "/metrics".to_string(),
        format!("/api/v1/applications/{app}/environment"),
    ] {
        let anonymous = http.get(format!("{url}{path}")).send().unwrap();
        assert_eq!(anonymous.status().as_u16(), 401, "{path}");
        let page = http
            .get(format!("{url}{path}"))
            .bearer_auth("open sesame")
            .send()
            .unwrap();
        assert_eq!(page.status().as_u16(), 200, "{path}");
        assert!(
            !page.text().unwrap().contains("open sesame"),
            "{path} shows the secret"
        );
    }
}

//! Standalone mode: the master starts executors that die again, up to its limit of failures
//! per application (`ember master --max-executor-retries N`). Each test runs a master, two
//! one-core workers and a driver asking for two executors, kills one executor process with
//! `kill -9` between jobs, and checks the next jobs' exact results and where they ran.

use crate::cluster::{kill, local, spawn_workers, standalone_conf, start_workers, word_count};
use ember::{Context, TaskContext};
use ember_scheduler::cluster::MasterHandle;
use ember_scheduler::cluster::master::MasterConfig;
use parking_lot::Mutex;
use std::collections::BTreeSet;
use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A standalone cluster for one test, stopped in order on drop (even when the test fails):
/// the driver's context, then the master, then the workers.
struct Cluster {
    ctx: Option<Context>,
    master: Option<MasterHandle>,
    master_process: Option<Child>,
    workers: Vec<Child>,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        drop(self.ctx.take());
        drop(self.master.take());
        for p in self
            .master_process
            .iter_mut()
            .chain(self.workers.iter_mut())
        {
            let _ = p.kill();
            let _ = p.wait();
        }
    }
}

impl Cluster {
    fn ctx(&self) -> &Context {
        self.ctx.as_ref().unwrap()
    }

    /// The driver's context (or, in an executor's copy of the test, the executor's) for the
    /// master at `url`, asking for 2 executors.
    fn connect(&mut self, name: &str, url: String) {
        self.ctx =
            Some(Context::new(standalone_conf(url, name)).expect("the standalone cluster starts"));
    }

    fn empty() -> Cluster {
        Cluster {
            ctx: None,
            master: None,
            master_process: None,
            workers: Vec::new(),
        }
    }
}

/// The executors' copies of a test must not start a master and workers again: they get a
/// placeholder URL (an executor's context ignores it).
const IN_EXECUTOR: &str = "ember://127.0.0.1:1";

/// The child processes of `pid` (a worker's executors).
fn children(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).unwrap() {
        let text = std::fs::read_to_string(task.unwrap().path().join("children")).unwrap();
        out.extend(text.split_whitespace().map(|p| p.parse::<u32>().unwrap()));
    }
    out
}

/// Polls `f` every 50 ms until it gives a value, failing with `what` after `timeout`.
fn wait_for<T>(what: &str, timeout: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Kills the executor on the first worker with `kill -9` and waits until the driver has
/// lost it; returns the executors still registered.
fn kill_one_executor(c: &Cluster) -> Vec<String> {
    let before = c.ctx().cluster_registered_executors();
    assert_eq!(before.len(), 2, "{before:?}");
    let pids = children(c.workers[0].id());
    assert_eq!(
        pids.len(),
        1,
        "the first worker runs one executor: {pids:?}"
    );
    kill(pids[0]);
    wait_for(
        "the driver to lose the executor",
        Duration::from_secs(30),
        || {
            let now = c.ctx().cluster_registered_executors();
            (now.len() < 2).then_some(now)
        },
    )
}

/// Sums of `x` for `x` in 0..3000 by `x % 97`, through a shuffle, sorted by key.
fn sums_by_key(ctx: &Context) -> Vec<(u64, u64)> {
    let mut got = ctx
        .parallelize((0..3000u64).collect(), 6)
        .map(|x| (x % 97, x))
        .reduce_by_key(|a, b| a + b)
        .collect()
        .unwrap();
    got.sort();
    got
}

/// The same sums, computed by hand.
fn expected_sums() -> Vec<(u64, u64)> {
    (0..97u64)
        .map(|k| (k, (0..3000u64).filter(|x| x % 97 == k).sum()))
        .collect()
}

/// The executors that ran the tasks of a job of 8 tasks of 100 ms each.
fn executors_running_tasks(ctx: &Context) -> BTreeSet<String> {
    ctx.parallelize((0..8u64).collect(), 8)
        .map(|_| {
            std::thread::sleep(Duration::from_millis(100));
            TaskContext::get().unwrap().env().executor_id.0.clone()
        })
        .collect()
        .unwrap()
        .into_iter()
        .collect()
}

#[test]
fn a_killed_executor_is_replaced_and_the_replacement_runs_tasks() {
    let name = "cluster_restart::a_killed_executor_is_replaced_and_the_replacement_runs_tasks";
    let mut c = Cluster::empty();
    let url = if Context::is_executor_process() {
        IN_EXECUTOR.to_string()
    } else {
        let m = MasterHandle::start_with(
            "127.0.0.1:0",
            None,
            None,
            MasterConfig {
                worker_timeout: Duration::from_secs(10),
                max_executor_retries: 10,
            },
        )
        .unwrap();
        let url = format!("ember://{}", m.address());
        c.workers = start_workers(&m, &url, &[], &[]);
        c.master = Some(m);
        url
    };
    c.connect(name, url);
    let first = word_count(c.ctx());
    let mut replacement = String::new();
    if c.ctx().is_driver() {
        assert_eq!(first, word_count(&local()));
        let before = c.ctx().cluster_registered_executors();
        let survivors = kill_one_executor(&c);
        assert_eq!(survivors.len(), 1, "{survivors:?}");
        // The master launches a replacement with a fresh id, which joins the driver late.
        let after = wait_for("a replacement executor", Duration::from_secs(60), || {
            let now = c.ctx().cluster_registered_executors();
            (now.len() == 2).then_some(now)
        });
        let new: Vec<&String> = after.iter().filter(|e| !before.contains(e)).collect();
        assert_eq!(new.len(), 1, "before {before:?}, after {after:?}");
        assert!(after.contains(&survivors[0]), "{after:?}");
        replacement = new[0].clone();
        let apps = c.master.as_ref().unwrap().applications();
        assert_eq!(apps.len(), 1, "{apps:?}");
        assert_eq!(apps[0].executors, after, "{apps:?}");
        assert_eq!((apps[0].failures, apps[0].waiting), (1, 0), "{apps:?}");
        assert!(!apps[0].not_replacing, "{apps:?}");
    }
    // The replacement's copy of this test replayed the first job's outcome and runs these
    // jobs' tasks with the survivor.
    let sums = sums_by_key(c.ctx());
    let ran_on = executors_running_tasks(c.ctx());
    if c.ctx().is_driver() {
        assert_eq!(sums, expected_sums());
        assert!(ran_on.contains(&replacement), "{ran_on:?} ({replacement})");
        assert_eq!(ran_on.len(), 2, "{ran_on:?}");
        assert_eq!(c.ctx().cluster_load(), Some((0, 0, false)));
    }
}

/// Starts `ember master` with `args` on a free loopback port; returns the process, its URL and
/// its log as it grows.
fn master_process(args: &[&str]) -> (Child, String, Arc<Mutex<String>>) {
    let mut p = Command::new(env!("CARGO_BIN_EXE_ember"))
        .args(["master", "--host", "127.0.0.1", "--port", "0"])
        .args(args)
        .env("EMBER_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log = Arc::new(Mutex::new(String::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    let lines = std::io::BufReader::new(p.stderr.take().unwrap());
    let keep = Arc::clone(&log);
    std::thread::spawn(move || {
        for line in lines.lines() {
            let Ok(line) = line else { break };
            if let Some(url) = line.strip_prefix("ember master listening on ") {
                let _ = tx.send(url.to_string());
            }
            let mut log = keep.lock();
            log.push_str(&line);
            log.push('\n');
        }
    });
    let url = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("ember master prints its address");
    (p, url, log)
}

/// Starts two `ember worker` processes of one core for the master at `url` and waits until
/// its log shows both registered.
fn workers_of(url: &str, master_log: &Mutex<String>) -> Vec<Child> {
    let workers = spawn_workers(url, &[], &[]);
    wait_for("both workers to register", Duration::from_secs(30), || {
        (master_log.lock().matches("worker registered").count() == 2).then_some(())
    });
    workers
}

#[test]
fn past_max_executor_retries_a_killed_executor_is_not_replaced() {
    let name = "cluster_restart::past_max_executor_retries_a_killed_executor_is_not_replaced";
    let mut c = Cluster::empty();
    let mut master_log = None;
    let url = if Context::is_executor_process() {
        IN_EXECUTOR.to_string()
    } else {
        let (p, url, log) = master_process(&["--max-executor-retries", "0"]);
        c.master_process = Some(p);
        c.workers = workers_of(&url, &log);
        master_log = Some(log);
        url
    };
    c.connect(name, url);
    let first = word_count(c.ctx());
    let mut survivors = Vec::new();
    if let Some(log) = &master_log {
        assert_eq!(first, word_count(&local()));
        survivors = kill_one_executor(&c);
        assert_eq!(survivors.len(), 1, "{survivors:?}");
        // The master says it gives up on replacing; no replacement comes.
        wait_for(
            "the master to log the limit",
            Duration::from_secs(30),
            || log.lock().contains("are no longer replaced").then_some(()),
        );
        std::thread::sleep(Duration::from_secs(3));
        assert_eq!(c.ctx().cluster_registered_executors(), survivors);
        assert!(
            !log.lock().contains("launched a replacement"),
            "{}",
            log.lock()
        );
    }
    // The jobs run on the survivor (whose copy of this test may leave once they ended).
    let sums = sums_by_key(c.ctx());
    let ran_on = executors_running_tasks(c.ctx());
    if c.ctx().is_driver() {
        assert_eq!(sums, expected_sums());
        assert_eq!(ran_on, survivors.into_iter().collect::<BTreeSet<_>>());
    }
}

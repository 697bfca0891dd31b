//! Cluster mode on loopback: `local-cluster[N,C,M]` starts executor processes running this
//! test binary again, filtered to the one test that started them (`ember.executor.args`), so
//! each executor's copy of the test builds the same lineage as the driver's.

use ember::{Conf, Context};
use ember_proto::auth::{Credentials, Secret};
use ember_proto::v1::MapOutputsRequest;
use ember_proto::v1::driver_client::DriverClient;
use std::time::{Duration, Instant};

/// A driver of `n` one-core executors for the test `name` (its path in this binary).
pub(crate) fn cluster(name: &str, n: usize, extra: &[(&str, &str)]) -> Context {
    let mut conf = Conf::new()
        .master(format!("local-cluster[{n},1,256]"))
        .app_name(name)
        .set("ember.ui.showConsoleProgress", "false")
        .set(
            "ember.executor.args",
            format!("{name} --exact --nocapture --test-threads=1"),
        );
    for (k, v) in extra {
        conf = conf.set(*k, *v);
    }
    Context::new(conf).expect("local cluster starts")
}

pub(crate) fn local() -> Context {
    Context::new(
        Conf::new()
            .master("local[2]")
            .set("ember.ui.showConsoleProgress", "false"),
    )
    .unwrap()
}

fn lines() -> Vec<String> {
    (0..3000)
        .map(|i| format!("w{} w{} shared w{}", i % 7, i % 13, i % 101))
        .collect()
}

pub(crate) fn word_count(ctx: &Context) -> Vec<(String, u64)> {
    let mut counts = ctx
        .parallelize(lines(), 6)
        .flat_map(|l: String| l.split(' ').map(str::to_string).collect::<Vec<_>>())
        .map(|w| (w, 1u64))
        .reduce_by_key(|a, b| a + b)
        .collect()
        .unwrap();
    counts.sort();
    counts
}

#[test]
fn word_count_matches_local_mode() {
    let ctx = cluster("cluster::word_count_matches_local_mode", 3, &[]);
    let got = word_count(&ctx);
    // Accumulator updates made on the executors reach the driver, once per task.
    let seen = ctx.accumulator(0u64);
    let words = ctx.accumulator(0usize);
    let (s, w) = (seen.clone(), words.clone());
    ctx.parallelize(lines(), 6)
        .foreach(move |l: String| {
            s.add(1);
            w.add(l.split(' ').count());
        })
        .unwrap();
    if ctx.is_driver() {
        // No scheduler state outlives a job.
        assert_eq!(ctx.cluster_load(), Some((0, 0, false)));
        assert_eq!(seen.value(), 3000);
        assert_eq!(words.value(), 12_000);
        assert_eq!(got, word_count(&local()));
        assert_eq!(got.iter().find(|(w, _)| w == "shared").unwrap().1, 3000);
    }
}

/// In the driver, kills executor `i` of a `local-cluster` with SIGKILL and lets the driver see
/// its session close; nothing in an executor's copy of the test.
pub(crate) fn kill_executor(ctx: &Context, i: usize) {
    if let Some((_, pid, _)) = ctx.cluster_executors().get(i) {
        kill(*pid);
        std::thread::sleep(Duration::from_millis(500));
    }
}

pub(crate) fn kill(pid: u32) {
    let status = std::process::Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// `(k % 10, 1)` pairs summed per key, each element taking `delay`.
fn slow_counts(ctx: &Context, delay: Duration) -> ember::Rdd<(u64, u64)> {
    ctx.parallelize((0..120u64).collect(), 12)
        .map(move |x| {
            std::thread::sleep(delay);
            (x % 10, 1u64)
        })
        .reduce_by_key(|a, b| a + b)
}

fn expected_counts() -> Vec<(u64, u64)> {
    (0..10).map(|k| (k, 12)).collect()
}

#[test]
fn join_and_a_cached_rdd_match_local_mode() {
    let ctx = cluster("cluster::join_and_a_cached_rdd_match_local_mode", 3, &[]);
    let run = |ctx: &Context| {
        let left = ctx.parallelize((0..500u64).map(|i| (i % 50, i)).collect(), 5);
        let right = ctx.parallelize((0..50u64).map(|i| (i, format!("n{i}"))).collect(), 3);
        let mut joined = left.join(&right).collect().unwrap();
        joined.sort();
        let cached = ctx
            .parallelize((0..1000u64).collect(), 6)
            .map(|x| x * 3)
            .cache();
        let sum: u64 = cached.clone().reduce(|a, b| a + b).unwrap();
        let count = cached.count().unwrap();
        (joined, sum, count)
    };
    let got = run(&ctx);
    if ctx.is_driver() {
        assert_eq!(got, run(&local()));
        assert_eq!(got.0.len(), 500);
        assert_eq!(got.1, 3 * 999 * 1000 / 2);
    }
}

#[test]
fn sql_matches_local_mode() {
    let ctx = cluster("cluster::sql_matches_local_mode", 3, &[]);
    let query = "SELECT k % 7 AS g, count(*) AS n, sum(v) AS s FROM t GROUP BY k % 7 ORDER BY g";
    let run = |ctx: &Context| {
        let rows: Vec<(u64, u64)> = (0..5000u64).map(|i| (i, i * 2)).collect();
        ctx.parallelize(rows, 6)
            .to_df()
            .unwrap()
            .with_column_renamed("_1", "k")
            .unwrap()
            .with_column_renamed("_2", "v")
            .unwrap()
            .create_or_replace_temp_view("t")
            .unwrap();
        crate::common::display_rows(&ctx.sql(query).unwrap().collect().unwrap())
    };
    let got = run(&ctx);
    if ctx.is_driver() {
        assert_eq!(got, run(&local()));
        assert_eq!(got.len(), 7);
    }
}

#[test]
fn an_executor_killed_mid_map_stage_is_recomputed() {
    let ctx = cluster(
        "cluster::an_executor_killed_mid_map_stage_is_recomputed",
        3,
        &[],
    );
    let victim = ctx.cluster_executors().first().map(|e| e.1);
    if let Some(pid) = victim {
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(600));
            kill(pid);
        });
    }
    let mut got = slow_counts(&ctx, Duration::from_millis(30))
        .collect()
        .unwrap();
    got.sort();
    if ctx.is_driver() {
        assert_eq!(got, expected_counts());
        assert_eq!(ctx.cluster_load(), Some((0, 0, false)));
        let job = ctx.status_tracker().last_job().unwrap();
        // The map tasks of the lost executor ran again.
        assert!(job.tasks_launched() > 12 + 10, "{job:?}");
        let alive = ctx.cluster_executors();
        assert!(alive[0].2.is_none(), "{alive:?}");
    }
}

#[test]
fn map_outputs_lost_after_the_map_stage_are_recomputed() {
    let ctx = cluster(
        "cluster::map_outputs_lost_after_the_map_stage_are_recomputed",
        3,
        &[],
    );
    let counts = slow_counts(&ctx, Duration::ZERO);
    assert_eq!(counts.count().unwrap(), 10);
    kill_executor(&ctx, 1);
    let mut got = counts.collect().unwrap();
    got.sort();
    if ctx.is_driver() {
        assert_eq!(got, expected_counts());
        // The second job ran the lost map tasks again instead of skipping the map stage.
        let job = ctx.status_tracker().last_job().unwrap();
        assert_eq!(job.skipped_stages(), 0, "{job:?}");
        assert!(job.tasks_launched() > 10, "{job:?}");
    }
}

#[test]
fn killing_every_executor_fails_the_job_within_the_grace_period() {
    let ctx = cluster(
        "cluster::killing_every_executor_fails_the_job_within_the_grace_period",
        2,
        &[("ember.cluster.executorGracePeriod", "2s")],
    );
    // Jobs run in the driver and in the executors' copies alike; only the killing is the
    // driver's.
    let pids: Vec<u32> = ctx.cluster_executors().iter().map(|e| e.1).collect();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(400));
        for p in pids {
            kill(p);
        }
    });
    let start = Instant::now();
    let err = slow_counts(&ctx, Duration::from_millis(50))
        .collect()
        .unwrap_err()
        .to_string();
    assert!(err.contains("no executors"), "{err}");
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    ); // The failed job left no tasks behind (the executors' copies have none to check).
    if ctx.is_driver() {
        assert_eq!(ctx.cluster_load(), Some((0, 0, false)));
    }
}

#[test]
fn a_wrong_or_missing_secret_is_refused_on_every_port() {
    let ctx = cluster(
        "cluster::a_wrong_or_missing_secret_is_refused_on_every_port",
        1,
        &[("ember.authenticate.secret", "right-secret")],
    );
    // The executors joined with the secret, so jobs run.
    let numbers = ctx.parallelize((0..10u64).collect(), 2);
    assert_eq!(numbers.count().unwrap(), 10);
    if ctx.is_driver() {
        peers_without_the_secret_are_refused(&ctx);
    }
    // The executor's copy waits here while the driver checks its ports.
    assert_eq!(numbers.count().unwrap(), 10);
}

fn peers_without_the_secret_are_refused(ctx: &Context) {
    let driver = ctx.cluster_driver_address().unwrap();
    let flight = ctx.cluster_executors()[0].2.clone().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    for secret in [Some("wrong-secret"), None] {
        let secret = secret.and_then(Secret::new);
        let creds = Credentials::new(secret.as_ref()).unwrap();
        let channel = rt.block_on(
            tonic::transport::Endpoint::from_shared(format!("http://{driver}"))
                .unwrap()
                .connect(),
        );
        let mut client = DriverClient::with_interceptor(channel.unwrap(), creds.clone());
        let status = rt
            .block_on(client.map_outputs(MapOutputsRequest { shuffle: 0 }))
            .unwrap_err();
        assert_eq!(status.code(), tonic::Code::Unauthenticated, "{status:?}");
        let blocks =
            ember_executor::flight::client::BlockClient::new(rt.handle().clone(), creds).unwrap();
        let ticket = ember_executor::flight::ticket(&ember_engine::storage::BlockId::Rdd {
            rdd: ember_engine::ids::RddId(0),
            partition: 0,
        });
        let err = blocks.fetch(&flight, ticket).unwrap_err().to_string();
        assert!(err.contains("secret"), "{err}");
    }
}

/// Starts two `ember worker` processes of one core for the master `m` at `url`, with `args`
/// and `env` added, and waits until both registered.
pub(crate) fn start_workers(
    m: &ember_scheduler::cluster::MasterHandle,
    url: &str,
    args: &[&str],
    env: &[(&str, &str)],
) -> Vec<std::process::Child> {
    let workers = spawn_workers(url, args, env);
    let start = Instant::now();
    while m.workers() < 2 {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "workers did not register"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    workers
}

/// Starts two `ember worker` processes of one core (ids `w0` and `w1`) for the master at
/// `url`, with `args` and `env` added.
pub(crate) fn spawn_workers(
    url: &str,
    args: &[&str],
    env: &[(&str, &str)],
) -> Vec<std::process::Child> {
    let mut workers = Vec::new();
    for i in 0..2 {
        let work =
            std::env::temp_dir().join(format!("ember-test-worker-{}-{i}", std::process::id()));
        workers.push(
            std::process::Command::new(env!("CARGO_BIN_EXE_ember"))
                .args([
                    "worker", "--master", url, "--cores", "1", "--memory", "512m",
                ])
                .args([
                    "--id",
                    &format!("w{i}"),
                    "--work-dir",
                    &work.display().to_string(),
                ])
                .args(args)
                .envs(env.iter().copied())
                .env("EMBER_LOG", "warn")
                .spawn()
                .unwrap(),
        );
    }
    workers
}

/// The settings of a driver of 2 executors of 256 MiB from the master at `url`, for the test
/// `name` (its path in this binary).
pub(crate) fn standalone_conf(url: String, name: &str) -> Conf {
    Conf::new()
        .master(url)
        .app_name(name)
        .set("ember.ui.showConsoleProgress", "false")
        .set("ember.executor.instances", "2")
        .set("ember.executor.memory", "256m")
        .set(
            "ember.executor.args",
            format!("{name} --exact --nocapture --test-threads=1"),
        )
}

#[test]
fn a_standalone_master_and_workers_run_a_job() {
    let name = "cluster::a_standalone_master_and_workers_run_a_job";
    // The executors' copies of this test must not start a master and workers again.
    let mut workers = Vec::new();
    let mut master = None;
    let url = if Context::is_executor_process() {
        "ember://127.0.0.1:1".to_string()
    } else {
        let m = ember_scheduler::cluster::MasterHandle::start(
            "127.0.0.1:0",
            None,
            None,
            Duration::from_secs(10),
        )
        .unwrap();
        let url = format!("ember://{}", m.address());
        workers = start_workers(&m, &url, &[], &[]);
        master = Some(m);
        url
    };
    let ctx = Context::new(standalone_conf(url, name)).unwrap();
    let got = word_count(&ctx);
    if ctx.is_driver() {
        assert_eq!(got, word_count(&local()));
        assert_eq!(ctx.default_parallelism(), 2);
    }
    drop(ctx);
    drop(master);
    for mut w in workers {
        let _ = w.kill();
        let _ = w.wait();
    }
}

#[test]
fn cluster_processes_refuse_a_public_address_without_a_secret() {
    let err = ember_scheduler::cluster::MasterHandle::start(
        "0.0.0.0:0",
        None,
        None,
        Duration::from_secs(10),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(err.contains("without a secret"), "{err}");
    let secret = Secret::new("s");
    assert!(
        ember_scheduler::cluster::MasterHandle::start(
            "0.0.0.0:0",
            secret,
            None,
            Duration::from_secs(10)
        )
        .is_ok()
    );
}

/// Network namespaces joined by a bridge, removed on drop: the test's own hosts.
struct TestHosts {
    bridge: String,
    namespaces: Vec<String>,
}

fn ip(args: &[&str]) -> Result<(), String> {
    let out = std::process::Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run ip: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

impl TestHosts {
    /// Hosts `10.<net>.0.1..=n` in their own namespaces, and this process at `10.<net>.0.254` on
    /// the bridge.
    fn create(n: usize, net: u8) -> Result<TestHosts, String> {
        let tag = std::process::id() % 100_000;
        let mut hosts = TestHosts {
            bridge: format!("embr{tag}"),
            namespaces: Vec::new(),
        };
        ip(&["link", "add", &hosts.bridge, "type", "bridge"])?;
        ip(&[
            "addr",
            "add",
            &format!("10.{net}.0.254/24"),
            "dev",
            &hosts.bridge,
        ])?;
        ip(&["link", "set", &hosts.bridge, "up"])?;
        for i in 1..=n {
            let ns = format!("ember{tag}h{i}");
            ip(&["netns", "add", &ns])?;
            hosts.namespaces.push(ns.clone());
            let (outside, inside) = (format!("eo{tag}h{i}"), format!("ei{tag}h{i}"));
            ip(&[
                "link", "add", &outside, "type", "veth", "peer", "name", &inside,
            ])?;
            ip(&["link", "set", &inside, "netns", &ns])?;
            ip(&["link", "set", &outside, "master", &hosts.bridge])?;
            ip(&["link", "set", &outside, "up"])?;
            let addr = format!("10.{net}.0.{i}/24");
            ip(&["-n", &ns, "addr", "add", &addr, "dev", &inside])?;
            ip(&["-n", &ns, "link", "set", &inside, "up"])?;
            ip(&["-n", &ns, "link", "set", "lo", "up"])?;
        }
        Ok(hosts)
    }

    /// `program args` run on host `i` (from 1).
    fn command(&self, i: usize, program: &str) -> std::process::Command {
        let mut c = std::process::Command::new("ip");
        c.args(["netns", "exec", &self.namespaces[i - 1], program]);
        c
    }
}

impl Drop for TestHosts {
    fn drop(&mut self) {
        for ns in &self.namespaces {
            let _ = ip(&["netns", "del", ns]);
        }
        let _ = ip(&["link", "del", &self.bridge]);
    }
}

#[test]
fn a_job_across_hosts_in_network_namespaces() {
    let name = "cluster::a_job_across_hosts_in_network_namespaces";
    const NET: u8 = 77;
    let secret = "netns-test-secret";
    let mut processes = Vec::new();
    let mut hosts = None;
    if !Context::is_executor_process() {
        match TestHosts::create(3, NET) {
            Ok(h) => hosts = Some(h),
            Err(e) => {
                eprintln!("SKIPPED {name}: cannot create network namespaces here ({e})");
                return;
            }
        }
        let h = hosts.as_ref().unwrap();
        let ember = env!("CARGO_BIN_EXE_ember");
        let master = format!("10.{NET}.0.1");
        processes.push(
            h.command(1, ember)
                .args(["master", "--host", &master, "--port", "7077"])
                .env("EMBER_AUTHENTICATE_SECRET", secret)
                .env("EMBER_LOG", "warn")
                .spawn()
                .unwrap(),
        );
        for i in [2, 3] {
            let work = std::env::temp_dir().join(format!("ember-netns-{}-{i}", std::process::id()));
            processes.push(
                h.command(i, ember)
                    .args(["worker", "--master", &format!("ember://{master}:7077")])
                    .args(["--host", &format!("10.{NET}.0.{i}"), "--cores", "1"])
                    .args(["--memory", "512m", "--id", &format!("host{i}")])
                    .args(["--work-dir", &work.display().to_string()])
                    .env("EMBER_AUTHENTICATE_SECRET", secret)
                    .env("EMBER_LOG", "warn")
                    .spawn()
                    .unwrap(),
            );
        }
    }
    // Workers need a moment to reach the master; the driver retries the application request.
    let conf = Conf::new()
        .master(format!("ember://10.{NET}.0.1:7077"))
        .app_name(name)
        .set("ember.ui.showConsoleProgress", "false")
        .set("ember.authenticate.secret", secret)
        .set("ember.executor.instances", "2")
        .set("ember.executor.memory", "256m")
        .set(
            "ember.executor.args",
            format!("{name} --exact --nocapture --test-threads=1"),
        );
    let start = Instant::now();
    let ctx = loop {
        match Context::new(conf.clone()) {
            Ok(c) => break c,
            Err(e) if start.elapsed() < Duration::from_secs(20) => {
                let _ = e;
                std::thread::sleep(Duration::from_millis(200));
            }
            Err(e) => panic!("the cluster in network namespaces did not start: {e}"),
        }
    };
    let got = word_count(&ctx);
    if ctx.is_driver() {
        assert_eq!(got, word_count(&local()));
    }
    drop(ctx);
    for mut p in processes {
        let _ = p.kill();
        let _ = p.wait();
    }
    drop(hosts);
}

#[test]
fn an_executor_whose_heartbeats_stop_is_lost() {
    let ctx = cluster(
        "cluster::an_executor_whose_heartbeats_stop_is_lost",
        2,
        &[("ember.network.timeout", "2s")],
    );
    let victim = ctx.cluster_executors().first().map(|e| e.1);
    if let Some(pid) = victim {
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            // Frozen, not dead: its connection stays open, only its heartbeats stop.
            let _ = std::process::Command::new("kill")
                .args(["-STOP", &pid.to_string()])
                .status();
        });
    }
    let start = Instant::now();
    let mut got = slow_counts(&ctx, Duration::from_millis(20))
        .collect()
        .unwrap();
    got.sort();
    if ctx.is_driver() {
        assert_eq!(got, expected_counts());
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{:?}",
            start.elapsed()
        );
        let alive = ctx.cluster_executors();
        assert!(alive[0].2.is_none(), "{alive:?}");
    }
}

#[test]
fn a_repartition_after_a_shuffle_recomputes_the_same_rows() {
    // Round-robin assignment depends on the order of its input; that order is the same in
    // every process (shuffle blocks are read in map order, combines hash with a fixed hasher),
    // so map tasks of a repartition re-run on another executor assign every row as before.
    let ctx = cluster(
        "cluster::a_repartition_after_a_shuffle_recomputes_the_same_rows",
        3,
        &[],
    );
    let spread = ctx
        .parallelize((0..3000u64).collect(), 6)
        .map(|x| (x % 97, x))
        .reduce_by_key(|a, b| a + b)
        .repartition(5);
    assert_eq!(spread.count().unwrap(), 97);
    kill_executor(&ctx, 2);
    let mut got = spread.collect().unwrap();
    got.sort();
    if ctx.is_driver() {
        let mut expected: Vec<(u64, u64)> = (0..97)
            .map(|k| (k, (0..3000u64).filter(|x| x % 97 == k).sum()))
            .collect();
        expected.sort();
        assert_eq!(got, expected);
    }
}

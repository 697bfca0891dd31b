//! Prometheus exposition (OpenMetrics text, by the `prometheus-client` crate) of the driver,
//! the executors and the master, served at `/metrics`.
//!
//! Each scrape builds the exposition from a plain snapshot ([`DriverMetrics`],
//! [`ExecutorMetrics`], a master's [`ClusterSnapshot`]): whoever owns the figures fills the
//! struct, this module names and types them. Metric names start with `ember_driver_`,
//! `ember_executor_` or `ember_master_`; counters end in `_total`, sizes in `_bytes`.

use super::server::{UiError, UiServer, UiSettings, serve};
use axum::Router;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ember_executor::block_manager::BlockManager;
use ember_executor::cluster::ExecutorRuntime;
use ember_proto::auth::Secret;
use ember_proto::tls::Tls;
use ember_scheduler::cluster::master::ClusterSnapshot;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::{Registry, Unit};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

/// The `Content-Type` of the OpenMetrics exposition, served to clients that accept it (as
/// Prometheus does).
pub const OPENMETRICS_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The `Content-Type` of Prometheus's classic text format, served to every other client (and
/// the format `promtool check metrics` reads).
pub const TEXT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// One exposition being written: a registry of metrics set to a snapshot's values.
struct Exposition(Registry);

impl Exposition {
    fn new(prefix: &str) -> Self {
        Exposition(Registry::with_prefix(prefix))
    }

    fn counter(&mut self, name: &str, help: &str, unit: Option<Unit>, value: u64) {
        let c = Counter::<u64>::default();
        c.inc_by(value);
        match unit {
            Some(u) => self.0.register_with_unit(name, help, u, c),
            None => self.0.register(name, help, c),
        }
    }

    fn gauge(&mut self, name: &str, help: &str, unit: Option<Unit>, value: u64) {
        let g = Gauge::<i64>::default();
        g.set(i64::try_from(value).unwrap_or(i64::MAX));
        match unit {
            Some(u) => self.0.register_with_unit(name, help, u, g),
            None => self.0.register(name, help, g),
        }
    }

    /// Gauges of `(name, help, unit, value)`.
    fn gauges(&mut self, rows: &[(&str, &str, Option<Unit>, u64)]) {
        for (name, help, unit, v) in rows {
            self.gauge(name, help, unit.clone(), *v);
        }
    }

    /// Counters of `(name, help, unit, value)`.
    fn counters(&mut self, rows: &[(&str, &str, Option<Unit>, u64)]) {
        for (name, help, unit, v) in rows {
            self.counter(name, help, unit.clone(), *v);
        }
    }

    fn seconds_counter(&mut self, name: &str, help: &str, value: f64) {
        let c = Counter::<f64, AtomicU64>::default();
        c.inc_by(value);
        self.0.register_with_unit(name, help, Unit::Seconds, c);
    }

    fn finish(self) -> String {
        let mut text = String::new();
        encode(&mut text, &self.0).expect("writing to a String does not fail");
        text
    }
}

/// A `/metrics` response of the OpenMetrics `text`: as it is when the request accepts
/// OpenMetrics, else in the classic text format ([`classic_text`]).
pub fn response(headers: &HeaderMap, text: String) -> Response {
    let accepts_openmetrics = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("application/openmetrics-text"));
    if accepts_openmetrics {
        ([(header::CONTENT_TYPE, OPENMETRICS_TYPE)], text).into_response()
    } else {
        ([(header::CONTENT_TYPE, TEXT_TYPE)], classic_text(&text)).into_response()
    }
}

/// An OpenMetrics exposition of counters and gauges in Prometheus's classic text format:
/// a counter family is named by its sample (`x_total`, where OpenMetrics names it `x`), and
/// the `# UNIT` and `# EOF` lines, which the classic format lacks, are left out.
pub fn classic_text(openmetrics: &str) -> String {
    let counters: std::collections::HashSet<&str> = openmetrics
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE ")?.strip_suffix(" counter"))
        .collect();
    let mut out = String::with_capacity(openmetrics.len());
    for line in openmetrics.lines() {
        if line.starts_with("# UNIT ") || line == "# EOF" {
            continue;
        }
        let family = ["# HELP ", "# TYPE "].iter().find_map(|p| {
            let rest = line.strip_prefix(p)?;
            let name = rest.split(' ').next()?;
            counters
                .contains(name)
                .then(|| format!("{p}{name}_total{}", &rest[name.len()..]))
        });
        out.push_str(family.as_deref().unwrap_or(line));
        out.push('\n');
    }
    out
}

/// The driver's figures, as the driver's `/metrics` shows them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DriverMetrics {
    /// Jobs running.
    pub jobs_active: u64,
    /// Jobs that succeeded.
    pub jobs_succeeded: u64,
    /// Jobs that failed.
    pub jobs_failed: u64,
    /// Stages with tasks running.
    pub stages_active: u64,
    /// Stages that completed.
    pub stages_completed: u64,
    /// Stages skipped because their output existed.
    pub stages_skipped: u64,
    /// Stages that failed.
    pub stages_failed: u64,
    /// Task attempts running.
    pub tasks_active: u64,
    /// Tasks that succeeded.
    pub tasks_completed: u64,
    /// Task attempts that failed.
    pub tasks_failed: u64,
    /// Executors taking tasks (1 in local mode: the driver's threads).
    pub executors_active: u64,
    /// Shuffle bytes read by tasks.
    pub shuffle_read_bytes: u64,
    /// Shuffle records read by tasks.
    pub shuffle_read_records: u64,
    /// Shuffle bytes written by tasks.
    pub shuffle_write_bytes: u64,
    /// Shuffle records written by tasks.
    pub shuffle_write_records: u64,
    /// Cached blocks in the driver's memory, in bytes.
    pub blocks_memory_bytes: u64,
    /// The driver's memory for cached blocks, in bytes.
    pub blocks_memory_capacity_bytes: u64,
    /// Cached blocks on the driver's disk, in bytes.
    pub blocks_disk_bytes: u64,
}

impl DriverMetrics {
    /// The exposition text.
    pub fn encode(&self) -> String {
        const B: Option<Unit> = Some(Unit::Bytes);
        let mut e = Exposition::new("ember_driver");
        e.gauges(&[
            ("jobs_active", "Jobs running", None, self.jobs_active),
            (
                "stages_active",
                "Stages with tasks running",
                None,
                self.stages_active,
            ),
            (
                "executors_active",
                "Executors taking tasks",
                None,
                self.executors_active,
            ),
        ]);
        e.counters(&[
            (
                "jobs_succeeded",
                "Jobs that succeeded",
                None,
                self.jobs_succeeded,
            ),
            ("jobs_failed", "Jobs that failed", None, self.jobs_failed),
            (
                "stages_completed",
                "Stages that completed",
                None,
                self.stages_completed,
            ),
            (
                "stages_skipped",
                "Stages skipped: their output existed",
                None,
                self.stages_skipped,
            ),
            (
                "stages_failed",
                "Stages that failed",
                None,
                self.stages_failed,
            ),
            (
                "shuffle_read",
                "Shuffle bytes read by tasks",
                B,
                self.shuffle_read_bytes,
            ),
            (
                "shuffle_read_records",
                "Shuffle records read by tasks",
                None,
                self.shuffle_read_records,
            ),
            (
                "shuffle_write",
                "Shuffle bytes written by tasks",
                B,
                self.shuffle_write_bytes,
            ),
            (
                "shuffle_write_records",
                "Shuffle records written by tasks",
                None,
                self.shuffle_write_records,
            ),
        ]);
        task_and_block_metrics(
            &mut e,
            [self.tasks_active, self.tasks_completed, self.tasks_failed],
            [
                self.blocks_memory_bytes,
                self.blocks_memory_capacity_bytes,
                self.blocks_disk_bytes,
            ],
        );
        e.finish()
    }
}

/// Task attempts (running, succeeded, failed) and the block manager's bytes (in memory, its
/// memory budget, on disk): the figures driver and executors share.
fn task_and_block_metrics(e: &mut Exposition, tasks: [u64; 3], blocks: [u64; 3]) {
    const B: Option<Unit> = Some(Unit::Bytes);
    let [active, completed, failed] = tasks;
    let [memory, capacity, disk] = blocks;
    e.gauges(&[
        ("tasks_active", "Task attempts running", None, active),
        ("blocks_memory", "Cached blocks held in memory", B, memory),
        (
            "blocks_memory_capacity",
            "Memory for cached blocks",
            B,
            capacity,
        ),
        ("blocks_disk", "Cached blocks held on disk", B, disk),
    ]);
    e.counters(&[
        ("tasks_completed", "Tasks that succeeded", None, completed),
        ("tasks_failed", "Task attempts that failed", None, failed),
    ]);
}

/// A router serving `GET /metrics` from `source`, called at each scrape (the driver fills
/// [`DriverMetrics`], e.g. with [`DriverMetrics::from_state`] of a status store).
pub fn driver_metrics_router(source: impl Fn() -> DriverMetrics + Send + Sync + 'static) -> Router {
    let source = Arc::new(source);
    Router::new().route(
        "/metrics",
        get(move |headers: HeaderMap| {
            let source = Arc::clone(&source);
            async move { response(&headers, source().encode()) }
        }),
    )
}

/// An executor process's figures, as its `/metrics` shows them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExecutorMetrics {
    /// The executor's id (a label of every metric).
    pub executor_id: String,
    /// Task attempts running.
    pub tasks_active: u64,
    /// Task attempts that succeeded.
    pub tasks_completed: u64,
    /// Task attempts that failed.
    pub tasks_failed: u64,
    /// Cached blocks in memory, in bytes.
    pub blocks_memory_bytes: u64,
    /// Memory for cached blocks, in bytes.
    pub blocks_memory_capacity_bytes: u64,
    /// Cached blocks on disk, in bytes.
    pub blocks_disk_bytes: u64,
    /// Map output bytes written here.
    pub shuffle_write_bytes: u64,
    /// Shuffle bytes its tasks read.
    pub shuffle_read_bytes: u64,
    /// The process's resident memory, when `/proc` tells it.
    pub resident_memory_bytes: Option<u64>,
    /// The process's CPU time (user and system), when `/proc` tells it.
    pub cpu_seconds: Option<f64>,
}

impl ExecutorMetrics {
    /// The figures of an executor now.
    pub fn of(runtime: &ExecutorRuntime, blocks: &BlockManager) -> Self {
        let tasks = runtime.task_counts();
        let totals = runtime.task_totals();
        let process = ProcessMetrics::read();
        ExecutorMetrics {
            executor_id: runtime.executor_id().to_string(),
            tasks_active: tasks.active,
            tasks_completed: tasks.completed,
            tasks_failed: tasks.failed,
            blocks_memory_bytes: blocks.memory_used(),
            blocks_memory_capacity_bytes: blocks.capacity(),
            blocks_disk_bytes: blocks.disk_used(),
            shuffle_write_bytes: totals.shuffle_write_bytes,
            shuffle_read_bytes: totals.shuffle_read_bytes,
            resident_memory_bytes: process.resident_bytes,
            cpu_seconds: process.cpu_seconds,
        }
    }

    /// The exposition text; every metric carries the label `executor_id`.
    pub fn encode(&self) -> String {
        let label = [(
            std::borrow::Cow::Borrowed("executor_id"),
            std::borrow::Cow::Owned(self.executor_id.clone()),
        )];
        let mut e = Exposition(Registry::with_prefix_and_labels(
            "ember_executor",
            label.into_iter(),
        ));
        task_and_block_metrics(
            &mut e,
            [self.tasks_active, self.tasks_completed, self.tasks_failed],
            [
                self.blocks_memory_bytes,
                self.blocks_memory_capacity_bytes,
                self.blocks_disk_bytes,
            ],
        );
        const B: Option<Unit> = Some(Unit::Bytes);
        e.counters(&[
            (
                "shuffle_write",
                "Map output bytes written here",
                B,
                self.shuffle_write_bytes,
            ),
            (
                "shuffle_read",
                "Shuffle bytes read by tasks here",
                B,
                self.shuffle_read_bytes,
            ),
        ]);
        if let Some(rss) = self.resident_memory_bytes {
            e.gauge(
                "process_resident_memory",
                "Resident memory of the process",
                B,
                rss,
            );
        }
        if let Some(cpu) = self.cpu_seconds {
            e.seconds_counter(
                "process_cpu",
                "CPU time of the process, user and system",
                cpu,
            );
        }
        e.finish()
    }
}

/// Figures of this process from `/proc/self` (Linux); `None` where it cannot be read.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ProcessMetrics {
    /// Resident memory (`VmRSS` of `/proc/self/status`).
    pub resident_bytes: Option<u64>,
    /// User plus system CPU time (`utime` and `stime` of `/proc/self/stat`).
    pub cpu_seconds: Option<f64>,
}

impl ProcessMetrics {
    /// Linux reports `/proc` times in `USER_HZ` ticks, 100 a second on every architecture.
    const USER_HZ: f64 = 100.0;

    /// Reads `/proc/self`.
    pub fn read() -> Self {
        let resident_bytes = std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| Self::resident_of(&s));
        let cpu_seconds = std::fs::read_to_string("/proc/self/stat")
            .ok()
            .and_then(|s| Self::cpu_of(&s));
        ProcessMetrics {
            resident_bytes,
            cpu_seconds,
        }
    }

    /// `VmRSS:   1234 kB` of a `/proc/<pid>/status` text, in bytes.
    fn resident_of(status: &str) -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb * 1024)
    }

    /// `utime + stime` of a `/proc/<pid>/stat` text, in seconds. The command name (field 2)
    /// may hold spaces and parentheses, so fields are counted after its closing `)`.
    fn cpu_of(stat: &str) -> Option<f64> {
        let rest = &stat[stat.rfind(')')? + 1..];
        let fields: Vec<&str> = rest.split_whitespace().collect();
        // After the name: state is field 3, utime field 14 and stime field 15.
        let utime: u64 = fields.get(11)?.parse().ok()?;
        let stime: u64 = fields.get(12)?.parse().ok()?;
        Some((utime + stime) as f64 / Self::USER_HZ)
    }
}

/// A router serving an executor's `GET /metrics`.
pub fn executor_metrics_router(runtime: Arc<ExecutorRuntime>, blocks: Arc<BlockManager>) -> Router {
    Router::new().route(
        "/metrics",
        get(move |headers: HeaderMap| {
            let text = ExecutorMetrics::of(&runtime, &blocks).encode();
            async move { response(&headers, text) }
        }),
    )
}

/// The `/metrics` server of this executor process, kept for the life of the process.
static EXECUTOR_METRICS: std::sync::OnceLock<UiServer> = std::sync::OnceLock::new();

/// Serves this executor's `/metrics` on an ephemeral port of its host (with the cluster's
/// `secret`, if any, and over HTTPS with its `tls`) for the rest of the process's life, and
/// returns its URL (`http://host:port/metrics`, or `https://`), which the executor announces to its driver at registration.
/// A process serves one executor's metrics: a second call returns the first URL.
pub fn serve_executor_metrics(
    runtime: &Arc<ExecutorRuntime>,
    blocks: &Arc<BlockManager>,
    secret: Option<Secret>,
    tls: Option<&Tls>,
) -> std::result::Result<String, UiError> {
    if let Some(s) = EXECUTOR_METRICS.get() {
        return Ok(format!("{}/metrics", s.url()));
    }
    let settings = UiSettings {
        host: runtime.host().to_string(),
        port: 0,
        max_retries: 0,
        public_host: None,
        secret,
        tls: tls.cloned(),
    };
    let router = executor_metrics_router(Arc::clone(runtime), Arc::clone(blocks));
    let server = serve(router, &settings)?;
    let url = format!("{}/metrics", server.url());
    // A server started by a racing call is dropped (stopped) here.
    let _ = EXECUTOR_METRICS.set(server);
    Ok(url)
}

/// The exposition of a master's snapshot.
pub fn master_metrics(snapshot: &ClusterSnapshot) -> String {
    const B: Option<Unit> = Some(Unit::Bytes);
    let c = snapshot;
    let memory: u64 = c.workers.iter().map(|w| w.memory_bytes).sum();
    let used: u64 = c.workers.iter().map(|w| w.memory_used).sum();
    let mut e = Exposition::new("ember_master");
    e.gauges(&[
        (
            "workers_alive",
            "Workers registered",
            None,
            c.workers.len() as u64,
        ),
        (
            "executors_alive",
            "Executors placed on workers",
            None,
            c.executors.len() as u64,
        ),
        (
            "applications_alive",
            "Applications running",
            None,
            c.applications.len() as u64,
        ),
        ("cores", "Cores the workers offer", None, c.cores_total()),
        ("cores_used", "Cores executors hold", None, c.cores_used()),
        ("memory", "Memory the workers offer", B, memory),
        ("memory_used", "Memory executors hold", B, used),
    ]);
    e.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_figures_are_parsed() {
        let status = "Name:\tember\nVmPeak:\t  9000 kB\nVmRSS:\t  2048 kB\nThreads:\t4\n";
        assert_eq!(ProcessMetrics::resident_of(status), Some(2048 * 1024));
        assert_eq!(ProcessMetrics::resident_of("Name:\tx\n"), None);
        // A command name with spaces and a parenthesis; utime 250, stime 50 ticks.
        let stat = "42 (a (b) c) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 4 0 1 2 3";
        assert_eq!(ProcessMetrics::cpu_of(stat), Some(3.0));
        assert_eq!(ProcessMetrics::cpu_of("garbage"), None);
    }

    #[test]
    fn this_process_is_measured() {
        let p = ProcessMetrics::read();
        assert!(p.resident_bytes.unwrap() > 0);
        assert!(p.cpu_seconds.is_some());
    }

    #[test]
    fn driver_exposition_names_its_figures() {
        let m = DriverMetrics {
            tasks_completed: 7,
            shuffle_write_bytes: 1234,
            ..DriverMetrics::default()
        };
        let text = m.encode();
        assert!(
            text.contains("ember_driver_tasks_completed_total 7\n"),
            "{text}"
        );
        assert!(
            text.contains("ember_driver_shuffle_write_bytes_total 1234\n"),
            "{text}"
        );
        assert!(text.ends_with("# EOF\n"));
        let classic = classic_text(&text);
        assert!(classic.contains("# TYPE ember_driver_tasks_completed_total counter\n"));
        assert!(classic.contains("# HELP ember_driver_tasks_completed_total Tasks that"));
        assert!(classic.contains("# TYPE ember_driver_jobs_active gauge\n"));
        assert!(classic.contains("ember_driver_tasks_completed_total 7\n"));
        assert!(!classic.contains("# EOF") && !classic.contains("# UNIT"));
    }
}

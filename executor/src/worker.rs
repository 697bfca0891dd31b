//! A worker (`ember worker`): offers this host's cores and memory to a master, and launches
//! and supervises the executor processes the master places here. An executor is the
//! application's own program (deployed at the same path on every host), started with its
//! launch settings in the environment; its exit is reported to the master, which tells the
//! driver and replaces an executor that failed (see `ember_scheduler::cluster::master`): the
//! report says whether the program ended by itself with status 0 (`clean`), which is not
//! replaced. Losing the master stops every executor of this worker. With TLS, the worker
//! connects to the master over it and its executors get its TLS files (their paths).

use crate::ExecutorError;
use crate::cluster::{ExecutorSpec, SECRET_VAR, SPEC_VAR};
use ember_proto::PROTOCOL_VERSION;
use ember_proto::auth::{Credentials, Secret};
use ember_proto::tls::Tls;
use ember_proto::v1::master_client::MasterClient;
use ember_proto::v1::{
    ExecutorExited, Heartbeat, LaunchExecutor, RegisterWorker, WorkerMessage, master_message,
    worker_message,
};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedSender;

/// A worker's settings.
#[derive(Clone, Debug)]
pub struct WorkerConfig {
    /// `host:port` of the master.
    pub master: String,
    /// This worker's id.
    pub worker_id: String,
    /// The address executors here serve blocks on (reachable from other hosts).
    pub host: String,
    /// Cores offered.
    pub cores: u32,
    /// Memory offered, in bytes.
    pub memory_bytes: u64,
    /// The cluster's shared secret.
    pub secret: Option<Secret>,
    /// TLS to the master, and for the executors launched here (which get its files).
    pub tls: Option<Tls>,
    /// Where executors' logs go (`<app>/<executor>.log`).
    pub work_dir: PathBuf,
}

type Executors = Arc<Mutex<HashMap<(String, String), Child>>>;

fn send(up: &UnboundedSender<WorkerMessage>, kind: worker_message::Kind) {
    let _ = up.send(WorkerMessage { kind: Some(kind) });
}

/// Starts one executor process.
fn launch(config: &WorkerConfig, l: &LaunchExecutor) -> Result<Child, String> {
    let spec = ExecutorSpec {
        driver: l.driver.clone(),
        executor_id: l.executor_id.clone(),
        host: config.host.clone(),
        cores: l.cores as usize,
        memory_bytes: l.memory_bytes,
        heartbeat_ms: 500,
        job_wait_secs: 300,
        tls: config.tls.as_ref().map(|t| t.files().clone()),
    };
    let dir = config.work_dir.join(&l.app_id);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(format!("{}.log", l.executor_id));
    let log = std::fs::File::create(&path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    let err = log
        .try_clone()
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let mut cmd = Command::new(&l.program);
    cmd.args(&l.args)
        .envs(&l.env)
        .env(SPEC_VAR, spec.to_env())
        .env_remove(SECRET_VAR)
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(err);
    if let Some(s) = &config.secret {
        cmd.env(SECRET_VAR, s.expose());
    }
    cmd.spawn()
        .map_err(|e| format!("cannot start {}: {e}", l.program))
}

/// How long a worker keeps trying to reach its master before it gives up.
const MASTER_WAIT: Duration = Duration::from_secs(60);

/// Runs the worker until its master goes away (an error naming the master) .
pub fn run(config: WorkerConfig) -> Result<(), ExecutorError> {
    let fail = |message: String| ExecutorError::Master {
        master: config.master.clone(),
        message,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("ember-worker")
        .enable_all()
        .build()
        .map_err(|e| fail(format!("cannot start the runtime: {e}")))?;
    let credentials = Credentials::new(config.secret.as_ref()).map_err(|e| fail(e.to_string()))?;
    let endpoint = ember_proto::tls::endpoint(&config.master, config.tls.as_ref())
        .map_err(fail)?
        .connect_timeout(Duration::from_secs(10));
    // A worker started before its master (or while it restarts) keeps trying, as Spark's
    // workers retry their registration.
    let started = Instant::now();
    let channel = loop {
        match runtime.block_on(endpoint.connect()) {
            Ok(c) => break c,
            Err(e) if started.elapsed() < MASTER_WAIT => {
                tracing::info!(master = %config.master, error = %ember_proto::error_chain(&e), "master not reachable yet; retrying");
                std::thread::sleep(Duration::from_millis(500));
            }
            Err(e) => {
                return Err(fail(format!(
                    "cannot connect for {} s: {}",
                    MASTER_WAIT.as_secs(),
                    ember_proto::error_chain(&e)
                )));
            }
        }
    };
    let mut master = MasterClient::with_interceptor(channel, credentials);
    let (up, rx) = tokio::sync::mpsc::unbounded_channel::<WorkerMessage>();
    send(
        &up,
        worker_message::Kind::Register(RegisterWorker {
            protocol_version: PROTOCOL_VERSION,
            worker_id: config.worker_id.clone(),
            host: config.host.clone(),
            cores: config.cores,
            memory_bytes: config.memory_bytes,
        }),
    );
    let outbound =
        futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|m| (m, rx)) });
    let mut inbound = runtime
        .block_on(master.worker_session(outbound))
        .map_err(|s| fail(s.message().to_string()))?
        .into_inner();
    let executors: Executors = Arc::default();
    // Heartbeats.
    let beat = up.clone();
    runtime.spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        loop {
            tick.tick().await;
            if beat
                .send(WorkerMessage {
                    kind: Some(worker_message::Kind::Heartbeat(Heartbeat {})),
                })
                .is_err()
            {
                break;
            }
        }
    });
    // Supervision: report executors that exit.
    let watched = Arc::clone(&executors);
    let report = up.clone();
    std::thread::Builder::new()
        .name("ember-worker-supervisor".into())
        .spawn(move || {
            loop {
                std::thread::sleep(Duration::from_millis(200));
                let mut exited = Vec::new();
                watched.lock().retain(|(app, exec), child| match child.try_wait() {
                    Ok(Some(status)) => {
                        let reason = format!("it exited ({status})");
                        exited.push((app.clone(), exec.clone(), reason, status.success()));
                        false
                    }
                    Ok(None) => true,
                    Err(e) => {
                        let reason = format!("cannot watch it: {e}");
                        exited.push((app.clone(), exec.clone(), reason, false));
                        false
                    }
                });
                for (app_id, executor_id, reason, clean) in exited {
                    tracing::info!(app = %app_id, executor = %executor_id, %reason, "executor ended");
                    send(
                        &report,
                        worker_message::Kind::Exited(ExecutorExited {
                            app_id,
                            executor_id,
                            reason,
                            clean,
                        }),
                    );
                }
                if report.is_closed() {
                    break;
                }
            }
        })
        .map_err(|e| fail(format!("cannot start the supervisor: {e}")))?;
    let outcome = runtime.block_on(async {
        loop {
            match inbound.message().await {
                Ok(Some(m)) => match m.kind {
                    Some(master_message::Kind::Registered(r)) => {
                        tracing::info!(master = %r.master, worker = %config.worker_id, "registered with the master");
                    }
                    Some(master_message::Kind::Launch(l)) => match launch(&config, &l) {
                        Ok(child) => {
                            tracing::info!(app = %l.app_id, executor = %l.executor_id, pid = child.id(), "executor started");
                            executors
                                .lock()
                                .insert((l.app_id.clone(), l.executor_id.clone()), child);
                        }
                        Err(reason) => {
                            tracing::warn!(app = %l.app_id, executor = %l.executor_id, %reason, "executor did not start");
                            send(
                                &up,
                                worker_message::Kind::Exited(ExecutorExited {
                                    app_id: l.app_id,
                                    executor_id: l.executor_id,
                                    reason,
                                    clean: false,
                                }),
                            );
                        }
                    },
                    Some(master_message::Kind::Kill(k)) => {
                        executors.lock().retain(|(app, _), child| {
                            if *app == k.app_id {
                                let _ = child.kill();
                                let _ = child.wait();
                                false
                            } else {
                                true
                            }
                        });
                    }
                    None => {}
                },
                Ok(None) => break "the master closed the session".to_string(),
                Err(s) => break format!("lost the master: {}", s.message()),
            }
        }
    });
    for child in executors.lock().values_mut() {
        let _ = child.kill();
        let _ = child.wait();
    }
    Err(fail(outcome))
}

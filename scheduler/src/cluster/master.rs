//! The standalone cluster manager (`ember master`): workers register their cores and memory;
//! a driver's application asks for executors, which the master places on workers (one per
//! worker with room, spreading the application out) and keeps while the driver's stream is
//! open. A lost worker's executors are reported to their applications; a driver that goes
//! away has its executors stopped.
//!
//! # Executors that die are started again
//!
//! As Spark's standalone master does, the master keeps an application at the number of
//! executors it started with. When one of its executors exits while the application lives,
//! the master tells the driver (`ApplicationEvent` `Exited`) and launches a replacement with a
//! fresh executor id on a worker with room for it, by the placement rule of the application's
//! start (a worker running none of its executors, the most free cores first), then tells the
//! driver (`Launched`, naming the executor it replaces). The replacement joins the driver late
//! and replays the jobs and program steps that ended before it (`Registered` in the protocol).
//! When no worker has room, the replacement waits until a worker registers or resources are
//! freed (another executor or application ends).
//!
//! - An executor that failed (killed by a signal, a non-zero exit status, a failed start)
//!   counts against the application's limit, [`MasterConfig::max_executor_retries`]
//!   (`ember master --max-executor-retries N`, Spark's `spark.deploy.maxExecutorRetries`,
//!   default 10). The failure past the limit stops replacements for the application: the
//!   master logs it and sends the driver `NotReplaced`; the application keeps the executors it
//!   has. Unlike Spark's master, which removes such an application when none of its executors
//!   runs, the driver decides (its jobs fail once no executor is left).
//! - Executors of a lost worker are replaced without counting as failures (the worker, not the
//!   application, failed).
//! - An executor that ended by itself with status 0 (its copy of the program finished) is not
//!   replaced, nor are executors stopped because their application ended.

pub use super::master_info::{ApplicationInfo, ClusterSnapshot, ExecutorInfo, WorkerInfo};
use crate::error::SchedulerError;
use ember_proto::PROTOCOL_VERSION;
use ember_proto::auth::{Guard, Secret, check_listen};
use ember_proto::tls::Tls;
use ember_proto::v1::master_server::{Master, MasterServer};
use ember_proto::v1::{
    ApplicationAccepted, ApplicationEvent, ApplicationRequest, ExecutorExited, ExecutorLaunched,
    ExecutorsNotReplaced, KillApplication, LaunchExecutor, MasterMessage, WorkerMessage,
    WorkerRegistered, application_event, master_message, worker_message,
};
use futures::Stream;
use parking_lot::Mutex;
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};
use tonic::codegen::InterceptedService;
use tonic::transport::server::TcpIncoming;
use tonic::{Request, Response, Status, Streaming};

struct Worker {
    host: String,
    cores: u32,
    memory: u64,
    free_cores: u32,
    free_memory: u64,
    down: UnboundedSender<Result<MasterMessage, Status>>,
    last_heartbeat: Instant,
}

struct Placed {
    worker: String,
    cores: u32,
    memory: u64,
}

struct App {
    /// The order applications were accepted in (replacements are placed in it).
    seq: u64,
    name: String,
    /// When the master accepted it.
    accepted: Instant,
    events: UnboundedSender<Result<ApplicationEvent, Status>>,
    executors: HashMap<String, Placed>,
    /// What its executors are launched with (all but the executor id).
    launch: LaunchExecutor,
    /// The number of the next executor id.
    next_executor: u64,
    /// Executors that exited and wait for a worker with room to be replaced.
    replacing: VecDeque<String>,
    /// Executor failures so far.
    failures: u32,
    /// Failures went past the limit: exited executors are no longer replaced.
    not_replacing: bool,
}

/// Why an executor is gone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Exit {
    /// Its program ended by itself with status 0: not replaced.
    Clean,
    /// It failed: replaced while the application's failures are within the limit.
    Failed,
    /// Its worker was lost: replaced without counting as a failure.
    WorkerLost,
}

/// Settings of a master.
#[derive(Clone, Debug)]
pub struct MasterConfig {
    /// Workers silent for this long are lost.
    pub worker_timeout: Duration,
    /// How many executor failures of one application are replaced; the next one stops its
    /// replacements (`ember.deploy.maxExecutorRetries`, `ember master --max-executor-retries`;
    /// Spark's `spark.deploy.maxExecutorRetries`).
    pub max_executor_retries: u32,
}

/// The default of [`MasterConfig::max_executor_retries`], as in Spark.
pub const DEFAULT_MAX_EXECUTOR_RETRIES: u32 = 10;

impl Default for MasterConfig {
    fn default() -> Self {
        MasterConfig {
            worker_timeout: Duration::from_secs(30),
            max_executor_retries: DEFAULT_MAX_EXECUTOR_RETRIES,
        }
    }
}

#[derive(Default)]
struct State {
    workers: HashMap<String, Worker>,
    apps: HashMap<String, App>,
}

struct Shared {
    state: Mutex<State>,
    next_app: AtomicU64,
    address: SocketAddr,
    config: MasterConfig,
}

fn send_app(app: &App, kind: application_event::Kind) {
    let _ = app.events.send(Ok(ApplicationEvent { kind: Some(kind) }));
}

/// Launches up to `n` executors of `app` on workers with room for one that run none of its
/// executors yet, the most free cores first (then by worker id), so the application spreads
/// out. Returns what was launched.
fn place(
    workers: &mut HashMap<String, Worker>,
    app_id: &str,
    app: &mut App,
    n: usize,
) -> Vec<ExecutorLaunched> {
    let (cores, memory) = (app.launch.cores, app.launch.memory_bytes);
    let mut room: Vec<(&String, &mut Worker)> = workers
        .iter_mut()
        .filter(|(id, w)| {
            w.free_cores >= cores
                && w.free_memory >= memory
                && !app.executors.values().any(|p| p.worker == **id)
        })
        .collect();
    room.sort_by(|a, b| b.1.free_cores.cmp(&a.1.free_cores).then(a.0.cmp(b.0)));
    let mut launched = Vec::new();
    for (wid, w) in room.into_iter().take(n) {
        let executor_id = format!("{app_id}-exec-{}", app.next_executor);
        app.next_executor += 1;
        w.free_cores -= cores;
        w.free_memory -= memory;
        let _ = w.down.send(Ok(MasterMessage {
            kind: Some(master_message::Kind::Launch(LaunchExecutor {
                executor_id: executor_id.clone(),
                ..app.launch.clone()
            })),
        }));
        launched.push(ExecutorLaunched {
            executor_id: executor_id.clone(),
            worker_id: wid.clone(),
            host: w.host.clone(),
            replaces: String::new(),
        });
        app.executors.insert(
            executor_id,
            Placed {
                worker: wid.clone(),
                cores,
                memory,
            },
        );
    }
    launched
}

/// Launches replacements for the exited executors of every application, oldest application
/// first, on workers with room; the rest wait for the next worker or freed resources.
fn schedule(st: &mut State) {
    let State { workers, apps } = st;
    let mut waiting: Vec<(u64, String)> = apps
        .iter()
        .filter(|(_, a)| !a.replacing.is_empty())
        .map(|(id, a)| (a.seq, id.clone()))
        .collect();
    waiting.sort();
    for (_, app_id) in waiting {
        let Some(app) = apps.get_mut(&app_id) else {
            continue;
        };
        for mut l in place(workers, &app_id, app, app.replacing.len()) {
            l.replaces = app.replacing.pop_front().unwrap_or_default();
            tracing::info!(app = %app_id, executor = %l.executor_id, replaces = %l.replaces, worker = %l.worker_id, failures = app.failures, "launched a replacement executor");
            send_app(app, application_event::Kind::Launched(l));
        }
        if !app.replacing.is_empty() {
            tracing::warn!(app = %app_id, waiting = ?app.replacing, "no worker has room for a replacement executor; waiting for one");
        }
    }
}

impl Shared {
    /// Frees a gone executor's resources, tells its application, and replaces the executor
    /// unless it ended cleanly or the application's failures went past the limit.
    fn executor_exited(
        &self,
        st: &mut State,
        app_id: &str,
        executor: &str,
        reason: &str,
        exit: Exit,
    ) {
        let Some(app) = st.apps.get_mut(app_id) else {
            return;
        };
        let Some(placed) = app.executors.remove(executor) else {
            return;
        };
        send_app(
            app,
            application_event::Kind::Exited(ExecutorExited {
                app_id: app_id.to_string(),
                executor_id: executor.to_string(),
                reason: reason.to_string(),
                clean: exit == Exit::Clean,
            }),
        );
        if exit == Exit::Failed {
            app.failures += 1;
        }
        let max = self.config.max_executor_retries;
        if exit == Exit::Failed && app.failures > max && !app.not_replacing {
            app.not_replacing = true;
            app.replacing.clear();
            tracing::error!(app = %app_id, name = %app.name, failures = app.failures, running = app.executors.len(), "the application's executors failed {} times, more than the {max} the master replaces (ember.deploy.maxExecutorRetries): exited executors are no longer replaced", app.failures);
            send_app(
                app,
                application_event::Kind::NotReplaced(ExecutorsNotReplaced {
                    app_id: app_id.to_string(),
                    failures: app.failures,
                    max_retries: max,
                    running: app.executors.len() as u32,
                }),
            );
        }
        if exit != Exit::Clean && !app.not_replacing {
            tracing::info!(app = %app_id, %executor, %reason, failures = app.failures, max_retries = max, "executor exited; replacing it");
            app.replacing.push_back(executor.to_string());
        }
        if let Some(w) = st.workers.get_mut(&placed.worker) {
            w.free_cores += placed.cores;
            w.free_memory += placed.memory;
        }
        schedule(st);
    }

    fn worker_lost(&self, id: &str, reason: &str) {
        let mut st = self.state.lock();
        if st.workers.remove(id).is_none() {
            return;
        }
        tracing::warn!(worker = %id, %reason, "worker lost");
        let on_it: Vec<(String, String)> = st
            .apps
            .iter()
            .flat_map(|(a, app)| {
                app.executors
                    .iter()
                    .filter(|(_, p)| p.worker == id)
                    .map(|(e, _)| (a.clone(), e.clone()))
                    .collect::<Vec<_>>()
            })
            .collect();
        for (a, e) in on_it {
            let why = format!("worker {id} was lost: {reason}");
            self.executor_exited(&mut st, &a, &e, &why, Exit::WorkerLost);
        }
    }

    fn app_ended(&self, app_id: &str) {
        let mut st = self.state.lock();
        let Some(app) = st.apps.remove(app_id) else {
            return;
        };
        tracing::info!(app = %app_id, "application ended; stopping its executors");
        for placed in app.executors.values() {
            if let Some(w) = st.workers.get_mut(&placed.worker) {
                w.free_cores += placed.cores;
                w.free_memory += placed.memory;
                let _ = w.down.send(Ok(MasterMessage {
                    kind: Some(master_message::Kind::Kill(KillApplication {
                        app_id: app_id.to_string(),
                    })),
                }));
            }
        }
        // Freed resources may place other applications' replacements.
        schedule(&mut st);
    }
}

struct MasterService {
    shared: Arc<Shared>,
}

type Down<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send>>;

fn stream_of<T: Send + 'static>(
    rx: tokio::sync::mpsc::UnboundedReceiver<Result<T, Status>>,
) -> Down<T> {
    Box::pin(futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|m| (m, rx))
    }))
}

fn version_check(version: u32, who: &str) -> Result<(), Status> {
    if version != PROTOCOL_VERSION {
        return Err(Status::failed_precondition(format!(
            "protocol version mismatch: {who} speaks version {version}, this master \
             {PROTOCOL_VERSION}"
        )));
    }
    Ok(())
}

#[tonic::async_trait]
impl Master for MasterService {
    type WorkerSessionStream = Down<MasterMessage>;
    type ApplicationStream = Down<ApplicationEvent>;

    async fn worker_session(
        &self,
        request: Request<Streaming<WorkerMessage>>,
    ) -> Result<Response<Down<MasterMessage>>, Status> {
        let mut inbound = request.into_inner();
        let first = inbound
            .message()
            .await?
            .ok_or_else(|| Status::invalid_argument("the session ended before registering"))?;
        let Some(worker_message::Kind::Register(reg)) = first.kind else {
            return Err(Status::invalid_argument(
                "the first message of a worker session must be RegisterWorker",
            ));
        };
        version_check(reg.protocol_version, &format!("worker {}", reg.worker_id))?;
        let (tx, rx) = unbounded_channel();
        {
            let mut st = self.shared.state.lock();
            if st.workers.contains_key(&reg.worker_id) {
                return Err(Status::already_exists(format!(
                    "worker {} is already registered",
                    reg.worker_id
                )));
            }
            let _ = tx.send(Ok(MasterMessage {
                kind: Some(master_message::Kind::Registered(WorkerRegistered {
                    master: self.shared.address.to_string(),
                })),
            }));
            tracing::info!(worker = %reg.worker_id, host = %reg.host, cores = reg.cores, memory = reg.memory_bytes, "worker registered");
            st.workers.insert(
                reg.worker_id.clone(),
                Worker {
                    host: reg.host.clone(),
                    cores: reg.cores,
                    memory: reg.memory_bytes,
                    free_cores: reg.cores,
                    free_memory: reg.memory_bytes,
                    down: tx,
                    last_heartbeat: Instant::now(),
                },
            );
            schedule(&mut st);
        }
        let shared = Arc::clone(&self.shared);
        let id = reg.worker_id;
        tokio::spawn(async move {
            let reason = loop {
                match inbound.message().await {
                    Ok(Some(m)) => {
                        let mut st = shared.state.lock();
                        if let Some(w) = st.workers.get_mut(&id) {
                            w.last_heartbeat = Instant::now();
                        }
                        if let Some(worker_message::Kind::Exited(e)) = m.kind {
                            let exit = if e.clean { Exit::Clean } else { Exit::Failed };
                            let (app, executor) = (&e.app_id, &e.executor_id);
                            shared.executor_exited(&mut st, app, executor, &e.reason, exit);
                        }
                    }
                    Ok(None) => break "its session closed".to_string(),
                    Err(s) => break format!("its session failed: {}", s.message()),
                }
            };
            shared.worker_lost(&id, &reason);
        });
        Ok(Response::new(stream_of(rx)))
    }

    async fn application(
        &self,
        request: Request<ApplicationRequest>,
    ) -> Result<Response<Down<ApplicationEvent>>, Status> {
        let req = request.into_inner();
        version_check(req.protocol_version, &format!("driver of {}", req.name))?;
        let cores = req.executor_cores.max(1);
        let memory = req.executor_memory_bytes;
        let seq = self.shared.next_app.fetch_add(1, Ordering::Relaxed);
        let app_id = format!("app-{seq}");
        let (tx, rx) = unbounded_channel();
        let mut st = self.shared.state.lock();
        let limit = if req.max_executors == 0 {
            usize::MAX
        } else {
            req.max_executors as usize
        };
        let mut app = App {
            seq,
            name: req.name.clone(),
            accepted: Instant::now(),
            events: tx,
            executors: HashMap::new(),
            launch: LaunchExecutor {
                app_id: app_id.clone(),
                executor_id: String::new(),
                program: req.program,
                args: req.args,
                env: req.env,
                driver: req.driver,
                cores,
                memory_bytes: memory,
            },
            next_executor: 0,
            replacing: VecDeque::new(),
            failures: 0,
            not_replacing: false,
        };
        let launched = place(&mut st.workers, &app_id, &mut app, limit);
        if launched.is_empty() {
            return Err(Status::resource_exhausted(format!(
                "no worker has {cores} free cores and {memory} bytes of free memory ({} \
                 workers registered)",
                st.workers.len()
            )));
        }
        tracing::info!(app = %app_id, name = %req.name, executors = launched.len(), "application accepted");
        send_app(
            &app,
            application_event::Kind::Accepted(ApplicationAccepted {
                app_id: app_id.clone(),
                executors: launched.len() as u32,
            }),
        );
        for l in launched {
            send_app(&app, application_event::Kind::Launched(l));
        }
        let closed = app.events.clone();
        st.apps.insert(app_id.clone(), app);
        drop(st);
        let shared = Arc::clone(&self.shared);
        tokio::spawn(async move {
            closed.closed().await;
            shared.app_ended(&app_id);
        });
        Ok(Response::new(stream_of(rx)))
    }
}

/// A running master.
pub struct MasterHandle {
    address: SocketAddr,
    shared: Arc<Shared>,
    _stop: tokio::sync::oneshot::Sender<()>,
    runtime: tokio::runtime::Runtime,
}

impl MasterHandle {
    /// Starts a master on `bind` (`host:port`; port 0 for any), serving over TLS with `tls`.
    /// A non-loopback address needs a secret. Workers silent for `worker_timeout` are lost;
    /// the other settings are [`MasterConfig`]'s defaults.
    pub fn start(
        bind: &str,
        secret: Option<Secret>,
        tls: Option<Tls>,
        worker_timeout: Duration,
    ) -> Result<Self, SchedulerError> {
        let config = MasterConfig {
            worker_timeout,
            ..MasterConfig::default()
        };
        Self::start_with(bind, secret, tls, config)
    }

    /// Starts a master as [`start`](Self::start) does, with the settings of `config`.
    pub fn start_with(
        bind: &str,
        secret: Option<Secret>,
        tls: Option<Tls>,
        config: MasterConfig,
    ) -> Result<Self, SchedulerError> {
        let fail = |message: String| SchedulerError::Cluster {
            address: bind.to_string(),
            message,
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("ember-master")
            .enable_all()
            .build()
            .map_err(|e| fail(format!("cannot start the runtime: {e}")))?;
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind(bind))
            .map_err(|e| fail(format!("cannot listen: {e}")))?;
        let address = listener
            .local_addr()
            .map_err(|e| fail(format!("cannot read the bound address: {e}")))?;
        check_listen(&address, secret.as_ref()).map_err(fail)?;
        let mut server = ember_proto::tls::server(tls.as_ref()).map_err(fail)?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            next_app: AtomicU64::new(0),
            address,
            config,
        });
        let watch = Arc::clone(&shared);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let service = MasterServer::new(MasterService {
            shared: Arc::clone(&shared),
        });
        let guard = Guard::new(secret);
        runtime.spawn(async move {
            let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
            if let Err(e) = server
                .add_service(InterceptedService::new(service, guard))
                .serve_with_incoming_shutdown(incoming, async move {
                    let _ = stopped.await;
                })
                .await
            {
                tracing::error!(error = %e, "the master service stopped");
            }
        });
        runtime.spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(500));
            loop {
                tick.tick().await;
                let silent: Vec<String> = {
                    let st = watch.state.lock();
                    st.workers
                        .iter()
                        .filter(|(_, w)| w.last_heartbeat.elapsed() > watch.config.worker_timeout)
                        .map(|(id, _)| id.clone())
                        .collect()
                };
                for id in silent {
                    watch.worker_lost(&id, "no heartbeat");
                }
            }
        });
        tracing::info!(%address, "master started");
        Ok(MasterHandle {
            address,
            shared,
            _stop: stop,
            runtime,
        })
    }

    /// The address the master listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Registered workers.
    pub fn workers(&self) -> usize {
        self.shared.state.lock().workers.len()
    }

    /// The applications running, in the order they were accepted.
    pub fn applications(&self) -> Vec<ApplicationInfo> {
        self.snapshot().applications
    }

    /// Workers, executors and applications at this instant (the web UI's view).
    pub fn snapshot(&self) -> ClusterSnapshot {
        let st = self.shared.state.lock();
        let mut workers: Vec<WorkerInfo> = st
            .workers
            .iter()
            .map(|(id, w)| WorkerInfo {
                id: id.clone(),
                host: w.host.clone(),
                cores: w.cores,
                cores_used: w.cores.saturating_sub(w.free_cores),
                memory_bytes: w.memory,
                memory_used: w.memory.saturating_sub(w.free_memory),
                state: "ALIVE",
                last_heartbeat: w.last_heartbeat.elapsed(),
            })
            .collect();
        workers.sort_by(|a, b| a.id.cmp(&b.id));
        let mut executors = Vec::new();
        let mut apps: Vec<(u64, ApplicationInfo)> = Vec::new();
        for (app_id, a) in &st.apps {
            for (id, p) in &a.executors {
                executors.push(ExecutorInfo {
                    id: id.clone(),
                    app_id: app_id.clone(),
                    worker: p.worker.clone(),
                    host: st
                        .workers
                        .get(&p.worker)
                        .map(|w| w.host.clone())
                        .unwrap_or_default(),
                    cores: p.cores,
                    memory_bytes: p.memory,
                });
            }
            let mut ids: Vec<String> = a.executors.keys().cloned().collect();
            ids.sort();
            let info = ApplicationInfo {
                id: app_id.clone(),
                name: a.name.clone(),
                executors: ids,
                cores_per_executor: a.launch.cores,
                memory_per_executor: a.launch.memory_bytes,
                duration: a.accepted.elapsed(),
                failures: a.failures,
                waiting: a.replacing.len(),
                not_replacing: a.not_replacing,
            };
            apps.push((a.seq, info));
        }
        executors.sort_by(|a, b| a.id.cmp(&b.id));
        apps.sort_by_key(|(seq, _)| *seq);
        ClusterSnapshot {
            address: self.address.to_string(),
            workers,
            executors,
            applications: apps.into_iter().map(|(_, a)| a).collect(),
        }
    }

    /// Serves until the process is stopped.
    pub fn run_forever(&self) {
        self.runtime.block_on(futures::future::pending::<()>());
    }
}

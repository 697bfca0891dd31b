//! The standalone cluster manager (`ember master`): workers register their cores and memory;
//! a driver's application asks for executors, which the master places on workers (one per
//! worker with room, spreading the application out) and keeps while the driver's stream is
//! open. A lost worker's executors are reported to their applications; a driver that goes
//! away has its executors stopped.

use crate::error::SchedulerError;
use ember_proto::PROTOCOL_VERSION;
use ember_proto::auth::{Guard, Secret, check_listen};
use ember_proto::v1::master_server::{Master, MasterServer};
use ember_proto::v1::{
    ApplicationAccepted, ApplicationEvent, ApplicationRequest, ExecutorExited, ExecutorLaunched,
    KillApplication, LaunchExecutor, MasterMessage, WorkerMessage, WorkerRegistered,
    application_event, master_message, worker_message,
};
use futures::Stream;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};
use tonic::codegen::InterceptedService;
use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;
use tonic::{Request, Response, Status, Streaming};

struct Worker {
    host: String,
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
    events: UnboundedSender<Result<ApplicationEvent, Status>>,
    executors: HashMap<String, Placed>,
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
    worker_timeout: Duration,
}

fn send_app(app: &App, kind: application_event::Kind) {
    let _ = app.events.send(Ok(ApplicationEvent { kind: Some(kind) }));
}

impl Shared {
    /// Frees an exited executor's resources and tells its application.
    fn executor_exited(&self, st: &mut State, app_id: &str, executor: &str, reason: &str) {
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
            }),
        );
        if let Some(w) = st.workers.get_mut(&placed.worker) {
            w.free_cores += placed.cores;
            w.free_memory += placed.memory;
        }
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
            self.executor_exited(&mut st, &a, &e, &format!("worker {id} was lost: {reason}"));
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
                    free_cores: reg.cores,
                    free_memory: reg.memory_bytes,
                    down: tx,
                    last_heartbeat: Instant::now(),
                },
            );
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
                            shared.executor_exited(&mut st, &e.app_id, &e.executor_id, &e.reason);
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
        let app_id = format!(
            "app-{}",
            self.shared.next_app.fetch_add(1, Ordering::Relaxed)
        );
        let (tx, rx) = unbounded_channel();
        let mut st = self.shared.state.lock();
        let mut room: Vec<(&String, &mut Worker)> = st
            .workers
            .iter_mut()
            .filter(|(_, w)| w.free_cores >= cores && w.free_memory >= memory)
            .collect();
        room.sort_by(|a, b| b.1.free_cores.cmp(&a.1.free_cores).then(a.0.cmp(b.0)));
        let limit = if req.max_executors == 0 {
            usize::MAX
        } else {
            req.max_executors as usize
        };
        let mut app = App {
            events: tx,
            executors: HashMap::new(),
        };
        let mut launched = Vec::new();
        for (n, (wid, w)) in room.into_iter().take(limit).enumerate() {
            let executor_id = format!("{app_id}-exec-{n}");
            w.free_cores -= cores;
            w.free_memory -= memory;
            let _ = w.down.send(Ok(MasterMessage {
                kind: Some(master_message::Kind::Launch(LaunchExecutor {
                    app_id: app_id.clone(),
                    executor_id: executor_id.clone(),
                    program: req.program.clone(),
                    args: req.args.clone(),
                    driver: req.driver.clone(),
                    cores,
                    memory_bytes: memory,
                })),
            }));
            launched.push(ExecutorLaunched {
                executor_id: executor_id.clone(),
                worker_id: wid.clone(),
                host: w.host.clone(),
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
    /// Starts a master on `bind` (`host:port`; port 0 for any). A non-loopback address needs a
    /// secret. Workers silent for `worker_timeout` are lost.
    pub fn start(
        bind: &str,
        secret: Option<Secret>,
        worker_timeout: Duration,
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
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            next_app: AtomicU64::new(0),
            address,
            worker_timeout,
        });
        let watch = Arc::clone(&shared);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let service = MasterServer::new(MasterService {
            shared: Arc::clone(&shared),
        });
        let guard = Guard::new(secret);
        runtime.spawn(async move {
            let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
            if let Err(e) = Server::builder()
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
                        .filter(|(_, w)| w.last_heartbeat.elapsed() > watch.worker_timeout)
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

    /// Serves until the process is stopped.
    pub fn run_forever(&self) {
        self.runtime.block_on(futures::future::pending::<()>());
    }
}

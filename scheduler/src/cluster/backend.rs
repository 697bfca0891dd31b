//! The task backend of cluster mode.

use super::registry::{Downlink, Executor, Running, State};
use crate::error::SchedulerError;
use crate::map_output::MapOutputTracker;
use ember_engine::accumulator::AccumulatorRegistry;
use ember_engine::env::Env;
use ember_engine::error::EngineError;
use ember_engine::ids::{ExecutorId, RddId, ShuffleId};
use ember_engine::task::{TaskBackend, TaskCompletion, TaskKind, TaskSpec};
use ember_proto::auth::{Guard, Secret};
use ember_proto::convert::{Launched, completion, completion_of};
use ember_proto::v1::{
    JobEnded, JobValues, LaunchTask, MapLocation, MapOutputsReply, Register, RemoveRdd,
    RemoveShuffle, TaskStatus, driver_message, job_ended,
};
use ember_proto::{PROTOCOL_VERSION, build_id};
use parking_lot::{Condvar, Mutex};
use prost::Message;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};
use tonic::Status;

/// How many bytes of job values the driver keeps for executors that join late.
const REPLAY_LIMIT_BYTES: usize = 256 << 20;

/// Settings of the driver's cluster service.
#[derive(Clone, Debug)]
pub struct ClusterConfig {
    /// The application's id (for logs).
    pub app_id: String,
    /// The address executors connect to (`host:port`, port 0 for any).
    pub bind: String,
    /// The shared secret every peer must present.
    pub secret: Option<Secret>,
    /// An executor silent for this long is lost (`ember.network.timeout`).
    pub heartbeat_timeout: Duration,
    /// With no executor for this long, queued tasks fail (`ember.cluster.executorGracePeriod`).
    pub grace_period: Duration,
}

/// What the gRPC service and the backend share.
pub(super) struct Shared {
    pub(super) state: Mutex<State>,
    changed: Condvar,
    pub(super) map_outputs: Arc<MapOutputTracker>,
    env: Arc<Env>,
    accumulators: Arc<AccumulatorRegistry>,
    pub(super) config: ClusterConfig,
}

/// Runs the scheduler's tasks on executors in other processes.
pub struct ClusterBackend {
    shared: Arc<Shared>,
    address: SocketAddr,
    _stop: tokio::sync::oneshot::Sender<()>,
    // Last: the runtime stops the service and watchdog when dropped.
    runtime: tokio::runtime::Runtime,
}

impl ClusterBackend {
    /// Starts the driver's service on `config.bind`. Executors that register are given tasks
    /// and report map outputs into `map_outputs`; `env` is the driver's own (for `env()`).
    pub fn start(
        config: ClusterConfig,
        map_outputs: Arc<MapOutputTracker>,
        env: Arc<Env>,
        accumulators: Arc<AccumulatorRegistry>,
    ) -> Result<Self, SchedulerError> {
        let fail = |message: String| SchedulerError::Cluster {
            address: config.bind.clone(),
            message,
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("ember-driver-io")
            .enable_all()
            .build()
            .map_err(|e| fail(format!("cannot start the I/O runtime: {e}")))?;
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind(&config.bind))
            .map_err(|e| fail(format!("cannot listen: {e}")))?;
        let address = listener
            .local_addr()
            .map_err(|e| fail(format!("cannot read the bound address: {e}")))?;
        ember_proto::auth::check_listen(&address, config.secret.as_ref()).map_err(fail)?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                empty_since: Some(Instant::now()),
                ..State::default()
            }),
            changed: Condvar::new(),
            map_outputs,
            env,
            accumulators,
            config,
        });
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let guard = Guard::new(shared.config.secret.clone());
        runtime.spawn(super::service::serve(
            listener,
            Arc::clone(&shared),
            guard,
            async move {
                let _ = stopped.await;
            },
        ));
        let watch = Arc::clone(&shared);
        runtime.spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(200));
            loop {
                tick.tick().await;
                watch.watchdog();
            }
        });
        tracing::info!(%address, "driver service started");
        Ok(ClusterBackend {
            shared,
            address,
            _stop: stop,
            runtime,
        })
    }

    /// The address executors connect to.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The tokio runtime of the driver's service (for launchers that need one).
    pub fn runtime(&self) -> &tokio::runtime::Runtime {
        &self.runtime
    }

    /// Waits until `n` executors are registered, or fails after `timeout` naming how many came.
    pub fn wait_for_executors(&self, n: usize, timeout: Duration) -> Result<(), SchedulerError> {
        let deadline = Instant::now() + timeout;
        let mut st = self.shared.state.lock();
        while st.executors.len() < n {
            if self
                .shared
                .changed
                .wait_until(&mut st, deadline)
                .timed_out()
            {
                return Err(SchedulerError::Cluster {
                    address: self.address.to_string(),
                    message: format!(
                        "{} of {n} executors registered within {} s",
                        st.executors.len(),
                        timeout.as_secs()
                    ),
                });
            }
        }
        Ok(())
    }

    /// Tasks queued and running, and whether a job is open: `(0, 0, false)` between jobs (no
    /// state outlives a job).
    pub fn load(&self) -> (usize, usize, bool) {
        let st = self.shared.state.lock();
        (st.queue.len(), st.running.len(), st.job.is_some())
    }

    /// Registered executors and their Flight addresses.
    pub fn executors(&self) -> Vec<(ExecutorId, String)> {
        let st = self.shared.state.lock();
        let mut v: Vec<_> = st
            .executors
            .iter()
            .map(|(id, e)| (id.clone(), e.flight_address.clone()))
            .collect();
        v.sort();
        v
    }

    /// The next job starts: its tasks carry `job` and `description`, which the executors'
    /// copies of the program check against their own.
    pub fn begin_job(&self, job: u64, description: String) {
        self.shared.state.lock().job = Some((job, description));
    }

    /// The job ended: every executor's copy of the program continues with its outcome, and
    /// executors that join later replay it.
    pub fn end_job(&self, job: u64, description: String, outcome: Result<Vec<Vec<u8>>, String>) {
        let ended = JobEnded {
            job,
            job_description: description,
            outcome: Some(match outcome {
                Ok(values) => job_ended::Outcome::Values(JobValues { values }),
                Err(e) => job_ended::Outcome::Error(e),
            }),
        };
        let mut st = self.shared.state.lock();
        st.job = None;
        for e in st.executors.values() {
            e.send(driver_message::Kind::JobEnded(ended.clone()));
        }
        // Kept for executors that join later, up to a bound: past it, a late executor is
        // refused rather than the driver holding every job's values forever.
        if !st.replay_truncated {
            st.replay_bytes += ended.encoded_len();
            if st.replay_bytes > REPLAY_LIMIT_BYTES {
                st.replay_truncated = true;
                st.ended = Vec::new();
            } else {
                st.ended.push(ended);
            }
        }
    }
}

impl Shared {
    /// Checks and records a registering executor; answers with the jobs it must replay.
    pub(super) fn register(&self, r: &Register, down: Downlink) -> Result<(), Status> {
        if r.protocol_version != PROTOCOL_VERSION {
            return Err(Status::failed_precondition(format!(
                "protocol version mismatch: executor {} speaks version {}, this driver {}",
                r.executor_id, r.protocol_version, PROTOCOL_VERSION
            )));
        }
        if r.build_id != build_id() {
            return Err(Status::failed_precondition(format!(
                "executor {} runs another build of the program (build {}, the driver's is {}): \
                 deploy the driver's binary to the workers",
                r.executor_id,
                r.build_id,
                build_id()
            )));
        }
        let id = ExecutorId(r.executor_id.clone());
        let mut st = self.state.lock();
        if st.replay_truncated {
            return Err(Status::failed_precondition(format!(
                "executor {id} joined after the driver's first {} MiB of job values, which it \
                 no longer holds for the executor's copy of the program to replay",
                REPLAY_LIMIT_BYTES >> 20
            )));
        }
        if st.executors.contains_key(&id) {
            return Err(Status::already_exists(format!(
                "executor {id} is already registered"
            )));
        }
        let exec = Executor {
            flight_address: r.flight_address.clone(),
            cores: (r.cores as usize).max(1),
            free: (r.cores as usize).max(1),
            last_heartbeat: Instant::now(),
            down,
            running: Default::default(),
        };
        exec.send(driver_message::Kind::Registered(
            ember_proto::v1::Registered {
                app_id: self.config.app_id.clone(),
                replay: st.ended.clone(),
            },
        ));
        tracing::info!(executor = %id, host = %r.host, pid = r.pid, cores = r.cores, flight = %r.flight_address, "executor registered");
        st.executors.insert(id, exec);
        st.empty_since = None;
        self.dispatch(&mut st);
        self.changed.notify_all();
        Ok(())
    }

    pub(super) fn heartbeat(&self, id: &ExecutorId) {
        if let Some(e) = self.state.lock().executors.get_mut(id) {
            e.last_heartbeat = Instant::now();
        }
    }

    pub(super) fn status(&self, id: &ExecutorId, status: TaskStatus) {
        let mut st = self.state.lock();
        let task = ember_engine::ids::TaskId(status.task_id);
        let Some(run) = st.running.remove(&task) else {
            return;
        };
        if let Some(e) = st.executors.get_mut(id) {
            e.running.remove(&task);
            e.free += 1;
        }
        let _ = run
            .reply
            .send(completion_of(status, &run.launched, id, &self.accumulators));
        self.dispatch(&mut st);
    }

    /// Forgets a lost executor: its map outputs, and its running tasks, which fail.
    pub(super) fn lost(&self, id: &ExecutorId, reason: &str, planned: bool) {
        let mut st = self.state.lock();
        let Some(exec) = st.executors.remove(id) else {
            return;
        };
        let forgotten = self.map_outputs.remove_outputs_on(id);
        if planned || (forgotten == 0 && exec.running.is_empty()) {
            tracing::info!(executor = %id, %reason, "executor left");
        } else {
            tracing::warn!(executor = %id, %reason, map_outputs = forgotten, tasks = exec.running.len(), "executor lost; its map outputs will be recomputed from lineage");
        }
        for t in exec.running {
            if let Some(run) = st.running.remove(&t) {
                let err = EngineError::ExecutorLost {
                    executor: id.0.clone(),
                    reason: reason.to_string(),
                };
                let _ = run
                    .reply
                    .send(completion(&run.launched, Err(err), Duration::ZERO, [0; 4]));
            }
        }
        if st.executors.is_empty() {
            st.empty_since = Some(Instant::now());
        }
        self.dispatch(&mut st);
        self.changed.notify_all();
    }

    /// Where the map outputs of `shuffle` are.
    pub(super) fn map_outputs_of(&self, shuffle: ShuffleId) -> MapOutputsReply {
        let epoch = self.map_outputs.epoch();
        let statuses = self.map_outputs.statuses(shuffle).unwrap_or_default();
        let st = self.state.lock();
        let maps = statuses
            .into_iter()
            .enumerate()
            .map(|(map, s)| {
                let at = s.as_ref().and_then(|s| {
                    st.executors.get(&s.executor).map(|e| {
                        (
                            s.executor.0.clone(),
                            e.flight_address.clone(),
                            s.sizes.clone(),
                        )
                    })
                });
                let (executor_id, flight_address, sizes) = at.unwrap_or_default();
                MapLocation {
                    map: map as u64,
                    executor_id,
                    flight_address,
                    sizes,
                }
            })
            .collect();
        MapOutputsReply { epoch, maps }
    }

    /// Hands queued tasks to executors with free slots.
    fn dispatch(&self, st: &mut State) {
        while let Some((task, reply)) = st.queue.pop_front() {
            let launched = Launched::of(&task);
            if task.cancelled.load(Ordering::Relaxed) {
                let err = EngineError::Cancelled {
                    reason: format!("{} ended before the task started", task.job),
                };
                let _ = reply.send(completion(&launched, Err(err), Duration::ZERO, [0; 4]));
                continue;
            }
            // The executor with the most free slots (spreads tasks evenly).
            let Some((id, exec)) = st
                .executors
                .iter_mut()
                .filter(|(_, e)| e.free > 0)
                .max_by(|a, b| a.1.free.cmp(&b.1.free).then(b.0.cmp(a.0)))
            else {
                st.queue.push_front((task, reply));
                return;
            };
            let (job, description) = st.job.clone().unwrap_or((task.job.0, String::new()));
            let shuffle = match &task.kind {
                TaskKind::ShuffleMap(dep) => Some(dep.shuffle_id().0),
                TaskKind::Result(_) => None,
            };
            let message = LaunchTask {
                task_id: task.task_id.0,
                job,
                job_description: description,
                stage: task.stage.0,
                stage_attempt: task.stage_attempt,
                partition: task.partition as u32,
                attempt: task.attempt,
                shuffle,
                map_output_epoch: self.map_outputs.epoch(),
            };
            exec.free -= 1;
            exec.running.insert(task.task_id);
            let sent = exec.send(driver_message::Kind::Launch(message));
            let id = id.clone();
            st.running.insert(task.task_id, Running { launched, reply });
            if !sent {
                // The session is gone; the watchdog or the session's end reports the loss.
                tracing::debug!(executor = %id, "task sent to a closed session");
            }
        }
    }

    /// Every 200 ms: executors whose heartbeats stopped are lost; with none left past the
    /// grace period, queued tasks fail.
    fn watchdog(&self) {
        let timeout = self.config.heartbeat_timeout;
        let silent: Vec<ExecutorId> = {
            let st = self.state.lock();
            st.executors
                .iter()
                .filter(|(_, e)| e.last_heartbeat.elapsed() > timeout)
                .map(|(id, _)| id.clone())
                .collect()
        };
        for id in silent {
            let why = format!(
                "no heartbeat for {} s (ember.network.timeout)",
                timeout.as_secs_f32()
            );
            self.lost(&id, &why, false);
        }
        let mut st = self.state.lock();
        if let Some(since) = st.empty_since
            && since.elapsed() > self.config.grace_period
            && !st.queue.is_empty()
        {
            let waited_secs = since.elapsed().as_secs();
            for (task, reply) in st.queue.drain(..) {
                let launched = Launched::of(&task);
                let err = EngineError::NoExecutors { waited_secs };
                let _ = reply.send(completion(&launched, Err(err), Duration::ZERO, [0; 4]));
            }
        }
    }
}

impl TaskBackend for ClusterBackend {
    fn launch(&self, task: TaskSpec, reply: Sender<TaskCompletion>) {
        let mut st = self.shared.state.lock();
        st.queue.push_back((task, reply));
        self.shared.dispatch(&mut st);
    }
    fn slots(&self) -> usize {
        let st = self.shared.state.lock();
        st.executors.values().map(|e| e.cores).sum::<usize>().max(1)
    }
    fn env(&self) -> Arc<Env> {
        Arc::clone(&self.shared.env)
    }
    fn remove_shuffle(&self, shuffle: ShuffleId) {
        self.shared.env.shuffles.remove_shuffle(shuffle);
        for e in self.shared.state.lock().executors.values() {
            e.send(driver_message::Kind::RemoveShuffle(RemoveShuffle {
                shuffle: shuffle.0,
            }));
        }
    }
    fn remove_rdd(&self, rdd: RddId) {
        self.shared.env.blocks.remove_rdd(rdd);
        for e in self.shared.state.lock().executors.values() {
            e.send(driver_message::Kind::RemoveRdd(RemoveRdd { rdd: rdd.0 }));
        }
    }
}

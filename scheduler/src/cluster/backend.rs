//! The task backend of cluster mode.

use super::registry::{Downlink, Executor, Running, State};
use crate::error::SchedulerError;
use crate::events::{Event, EventBus, now_ms};
use crate::map_output::MapOutputTracker;
use ember_engine::accumulator::AccumulatorRegistry;
use ember_engine::env::Env;
use ember_engine::error::EngineError;
use ember_engine::ids::{ExecutorId, RddId, ShuffleId};
use ember_engine::rdd::CachedPartition;
use ember_engine::task::{TaskBackend, TaskCompletion, TaskKind, TaskSpec};
use ember_proto::auth::{Guard, Secret};
use ember_proto::convert::{Launched, completion, completion_of};
use ember_proto::v1::{
    JobEnded, JobValues, LaunchTask, MapLocation, MapOutputsReply, ProgramStep, Register,
    RemoveRdd, RemoveShuffle, ReplicateBlock, TaskStatus, driver_message, job_ended, task_status,
};
use ember_proto::{PROTOCOL_VERSION, build_id};
use parking_lot::{Condvar, Mutex};
use prost::Message;
use std::collections::VecDeque;
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
    /// Serve over TLS (`ember.ssl.*`); executors launched for this driver get its files.
    pub tls: Option<ember_proto::tls::Tls>,
    /// An executor silent for this long is lost (`ember.network.timeout`).
    pub heartbeat_timeout: Duration,
    /// With no executor for this long, queued tasks fail (`ember.cluster.executorGracePeriod`).
    pub grace_period: Duration,
    /// How long a task waits for a free slot on an executor holding a cached partition it
    /// reads before it runs elsewhere (`ember.locality.wait`, Spark's `spark.locality.wait`).
    pub locality_wait: Duration,
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
        let server = ember_proto::tls::server(config.tls.as_ref()).map_err(fail)?;
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
            server,
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

    /// Registered executors and the URLs of their Prometheus endpoints (`/metrics`), sorted
    /// by executor id; an executor that serves none is left out.
    pub fn executor_metrics_urls(&self) -> Vec<(ExecutorId, String)> {
        let st = self.shared.state.lock();
        let mut v: Vec<_> = st
            .executors
            .iter()
            .filter(|(_, e)| !e.metrics_url.is_empty())
            .map(|(id, e)| (id.clone(), e.metrics_url.clone()))
            .collect();
        v.sort();
        v
    }

    /// Posts executors joining (`ExecutorAdded`, with `metrics_url`, cores and memory) and
    /// leaving or lost (`ExecutorRemoved`, with the reason) on `bus` from now on. Executors
    /// that joined before are not posted: see [`startup_executor_events`](Self::startup_executor_events).
    pub fn set_events(&self, bus: Arc<EventBus>) {
        self.shared.state.lock().events = Some(bus);
    }

    /// `ExecutorAdded` events, with their registration times, for the executors registered
    /// now that joined before [`set_events`](Self::set_events), whose joining nobody could
    /// hear (a driver waits for its executors before its listeners exist): for the context to
    /// post once its first listeners are in place, or for a listener added later. Oldest
    /// first. An executor that joined after `set_events` was posted then and is not repeated.
    pub fn startup_executor_events(&self) -> Vec<Event> {
        let st = self.shared.state.lock();
        let mut early: Vec<(&ExecutorId, &Executor)> =
            st.executors.iter().filter(|(_, e)| !e.announced).collect();
        early.sort_by(|a, b| (a.1.registered_at, a.0).cmp(&(b.1.registered_at, b.0)));
        early.into_iter().map(|(id, e)| e.added_event(id)).collect()
    }

    /// How many copies of `rdd`'s partitions executors hold, as far as the driver knows.
    pub fn cached_copies(&self, rdd: RddId) -> usize {
        let st = self.shared.state.lock();
        st.cache_locations
            .iter()
            .filter(|((r, _), _)| *r == rdd)
            .map(|(_, holders)| holders.len())
            .sum()
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
        if keep_for_replay(&mut st, ended.encoded_len()) {
            st.ended.push(ended);
        }
    }

    /// Sends one step of the driver's program to every executor (see `ProgramStep` in the
    /// protocol); executors that join later replay every step sent before.
    pub fn send_program(&self, step: Vec<u8>) {
        let mut st = self.shared.state.lock();
        for e in st.executors.values() {
            e.send(driver_message::Kind::Program(ProgramStep {
                step: step.clone(),
            }));
        }
        if keep_for_replay(&mut st, step.len()) {
            st.program.push(step);
        }
    }
}

/// Whether `bytes` more of replay still fit: what executors that join later replay is kept up
/// to a bound; past it, late executors are refused rather than the driver holding every job's
/// values forever.
fn keep_for_replay(st: &mut State, bytes: usize) -> bool {
    if st.replay_truncated {
        return false;
    }
    st.replay_bytes += bytes;
    if st.replay_bytes > REPLAY_LIMIT_BYTES {
        st.replay_truncated = true;
        st.ended = Vec::new();
        st.program = Vec::new();
        return false;
    }
    true
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
        let mut exec = Executor {
            host: r.host.clone(),
            flight_address: r.flight_address.clone(),
            metrics_url: r.metrics_url.clone(),
            cores: (r.cores as usize).max(1),
            max_memory: r.memory_bytes,
            registered_at: now_ms(),
            announced: false,
            free: (r.cores as usize).max(1),
            last_heartbeat: Instant::now(),
            down,
            running: Default::default(),
        };
        exec.send(driver_message::Kind::Registered(
            ember_proto::v1::Registered {
                app_id: self.config.app_id.clone(),
                replay: st.ended.clone(),
                program: st.program.clone(),
            },
        ));
        tracing::info!(executor = %id, host = %r.host, pid = r.pid, cores = r.cores, flight = %r.flight_address, "executor registered");
        // Posted under the state lock, so that its removal cannot be posted before it.
        if let Some(bus) = &st.events {
            bus.post(exec.added_event(&id));
            exec.announced = true;
        }
        st.executors.insert(id, exec);
        st.empty_since = None;
        self.dispatch(&mut st);
        self.changed.notify_all();
        Ok(())
    }

    /// A message from executor `id` shows it alive.
    pub(super) fn alive(&self, id: &ExecutorId) {
        if let Some(e) = self.state.lock().executors.get_mut(id) {
            e.last_heartbeat = Instant::now();
        }
    }

    /// A heartbeat of executor `id`: it is alive, and listeners hear of it.
    pub(super) fn heartbeat(&self, id: &ExecutorId) {
        let events = {
            let mut st = self.state.lock();
            let Some(e) = st.executors.get_mut(id) else {
                return;
            };
            e.last_heartbeat = Instant::now();
            st.events.clone()
        };
        if let Some(bus) = events {
            bus.post(Event::ExecutorHeartbeat {
                executor_id: id.0.clone(),
                time: now_ms(),
            });
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
        if matches!(
            status.outcome,
            Some(task_status::Outcome::Value(_) | task_status::Outcome::Map(_))
        ) {
            // The executor cached what the task computed of persisted RDDs (unless its memory
            // was short: then a task sent there computes the partition again, as it would
            // anywhere else).
            for block in &run.cached {
                let holders = st
                    .cache_locations
                    .entry((block.rdd, block.partition))
                    .or_default();
                if !holders.contains(id) {
                    holders.push(id.clone());
                }
                self.replicate(&mut st, block, id);
            }
        }
        let _ = run
            .reply
            .send(completion_of(status, &run.launched, id, &self.accumulators));
        self.dispatch(&mut st);
    }

    /// Asks executors without a copy of `block` to fetch one from `from` (which holds it) until
    /// the copies held and being made reach its level's replication (`*_2` levels). The
    /// executors are taken in id order after `from`, so copies spread.
    fn replicate(&self, st: &mut State, block: &CachedPartition, from: &ExecutorId) {
        let key = (block.rdd, block.partition);
        let held = st.cache_locations.get(&key).cloned().unwrap_or_default();
        let asked = st.replicating.get(&key).cloned().unwrap_or_default();
        let missing = usize::from(block.level.replication).saturating_sub(held.len() + asked.len());
        let Some(source) = st.executors.get(from).map(|e| e.flight_address.clone()) else {
            return;
        };
        if missing == 0 {
            return;
        }
        let mut ids: Vec<ExecutorId> = st.executors.keys().cloned().collect();
        ids.sort();
        let start = ids.iter().position(|i| i == from).map_or(0, |i| i + 1);
        ids.rotate_left(start);
        let targets = ids
            .into_iter()
            .filter(|i| !held.contains(i) && !asked.contains(i))
            .take(missing);
        for target in targets {
            let sent =
                st.executors[&target].send(driver_message::Kind::Replicate(ReplicateBlock {
                    rdd: block.rdd.0,
                    partition: block.partition as u64,
                    from: source.clone(),
                    use_disk: block.level.use_disk,
                    use_memory: block.level.use_memory,
                }));
            if sent {
                st.replicating.entry(key).or_default().push(target);
            }
        }
    }

    /// An executor stored a replica it was asked for: tasks reading it may run there.
    pub(super) fn stored(&self, id: &ExecutorId, rdd: RddId, partition: usize) {
        let mut st = self.state.lock();
        let key = (rdd, partition);
        if let Some(asked) = st.replicating.get_mut(&key) {
            asked.retain(|a| a != id);
        }
        if st.executors.contains_key(id) {
            let holders = st.cache_locations.entry(key).or_default();
            if !holders.contains(id) {
                holders.push(id.clone());
            }
        }
    }

    /// Forgets a lost executor: its map outputs and cached blocks, and its running tasks, which
    /// fail.
    pub(super) fn lost(&self, id: &ExecutorId, reason: &str, planned: bool) {
        let mut st = self.state.lock();
        let Some(exec) = st.executors.remove(id) else {
            return;
        };
        let forgotten = self.map_outputs.remove_outputs_on(id);
        // Its cached blocks went with it: tasks reading them compute them again elsewhere.
        let state = &mut *st;
        for places in [&mut state.cache_locations, &mut state.replicating] {
            places.retain(|_, holders| {
                holders.retain(|h| h != id);
                !holders.is_empty()
            });
        }
        if let Some(bus) = &st.events {
            bus.post(Event::ExecutorRemoved {
                executor_id: id.0.clone(),
                reason: reason.to_string(),
                time: now_ms(),
            });
        }
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
                    .send(completion(&run.launched, Err(err), Duration::ZERO));
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

    /// Hands queued tasks to executors with free slots: a task that reads cached partitions
    /// goes to an executor holding one, or waits for one to have a free slot for up to the
    /// locality wait (other tasks go first meanwhile); any other task goes to the executor
    /// with the most free slots (spreads tasks evenly).
    fn dispatch(&self, st: &mut State) {
        let mut waiting = VecDeque::new();
        while let Some((task, reply)) = st.queue.pop_front() {
            let launched = Launched::of(&task);
            if task.cancelled.load(Ordering::Relaxed) {
                st.queued_since.remove(&task.task_id);
                let err = EngineError::Cancelled {
                    reason: format!("{} ended before the task started", task.job),
                };
                let _ = reply.send(completion(&launched, Err(err), Duration::ZERO));
                continue;
            }
            if st.executors.values().all(|e| e.free == 0) {
                st.queue.push_front((task, reply));
                break;
            }
            let placed = self.place(st, &task);
            let Some((id, exec)) = placed.and_then(|id| st.executors.get_mut(&id).map(|e| (id, e)))
            else {
                waiting.push_back((task, reply));
                continue;
            };
            st.queued_since.remove(&task.task_id);
            let cached = task.cached.clone();
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
            st.running.insert(
                task.task_id,
                Running {
                    launched,
                    reply,
                    cached,
                },
            );
            if !sent {
                // The session is gone; the watchdog or the session's end reports the loss.
                tracing::debug!(executor = %id, "task sent to a closed session");
            }
        }
        // Tasks waiting for their cached partitions' executors stay first in line.
        while let Some(t) = waiting.pop_back() {
            st.queue.push_front(t);
        }
    }

    /// The executor `task` should run on now, or `None` if it should wait for a busy executor
    /// holding a cached partition it reads.
    fn place(&self, st: &State, task: &TaskSpec) -> Option<ExecutorId> {
        let most_free = |ids: &mut dyn Iterator<Item = &ExecutorId>| {
            ids.filter_map(|id| st.executors.get_key_value(id))
                .filter(|(_, e)| e.free > 0)
                .max_by(|a, b| a.1.free.cmp(&b.1.free).then(b.0.cmp(a.0)))
                .map(|(id, _)| id.clone())
        };
        let holders: Vec<&ExecutorId> = task
            .cached
            .iter()
            .filter_map(|b| st.cache_locations.get(&(b.rdd, b.partition)))
            .flatten()
            .filter(|id| st.executors.contains_key(*id))
            .collect();
        if !holders.is_empty() {
            if let Some(id) = most_free(&mut holders.into_iter()) {
                return Some(id);
            }
            let waited = st
                .queued_since
                .get(&task.task_id)
                .map_or(Duration::ZERO, Instant::elapsed);
            if waited < self.config.locality_wait {
                return None;
            }
        }
        most_free(&mut st.executors.keys())
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
        // Tasks whose locality wait has passed may run elsewhere now.
        if !st.queue.is_empty() {
            self.dispatch(&mut st);
        }
        if let Some(since) = st.empty_since
            && since.elapsed() > self.config.grace_period
            && !st.queue.is_empty()
        {
            let waited_secs = since.elapsed().as_secs();
            st.queued_since.clear();
            for (task, reply) in st.queue.drain(..) {
                let launched = Launched::of(&task);
                let err = EngineError::NoExecutors { waited_secs };
                let _ = reply.send(completion(&launched, Err(err), Duration::ZERO));
            }
        }
    }
}

impl TaskBackend for ClusterBackend {
    fn launch(&self, task: TaskSpec, reply: Sender<TaskCompletion>) {
        let mut st = self.shared.state.lock();
        st.queued_since.insert(task.task_id, Instant::now());
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
    fn places_by_cache(&self) -> bool {
        true
    }
    fn remove_rdd(&self, rdd: RddId) {
        self.shared.env.blocks.remove_rdd(rdd);
        let mut st = self.shared.state.lock();
        st.cache_locations.retain(|(r, _), _| *r != rdd);
        st.replicating.retain(|(r, _), _| *r != rdd);
        for e in st.executors.values() {
            e.send(driver_message::Kind::RemoveRdd(RemoveRdd { rdd: rdd.0 }));
        }
    }
}

//! The executor's session with its driver: registration, heartbeats, tasks in, statuses out.

use super::mirror::{JobMirror, JobOutcome};
use super::shuffle::{ClusterShuffleStore, Locate};
use super::spec::ExecutorSpec;
use crate::ExecutorError;
use crate::flight::client::{BlockClient, BlockClientConfig};
use crate::flight::server::{BlockServer, BlockService};
use crate::shuffle_store::LocalShuffleStore;
use ember_engine::env::{BlockStore, PutOutcome};
use ember_engine::error::EngineError;
use ember_engine::ids::{ExecutorId, JobId, RddId, ShuffleId, StageId, TaskId};
use ember_engine::rdd::RddBase;
use ember_engine::storage::{BlockId, StorageLevel};
use ember_engine::task::{ResultFn, TaskBackend, TaskCompletion, TaskSpec};
use ember_engine::task_context::TaskMetricsSnapshot;
use ember_proto::auth::{Credentials, Guard, Secret};
use ember_proto::convert::{Launched, completion, status_of};
use ember_proto::v1::driver_client::DriverClient;
use ember_proto::v1::{
    BlockStored, DriverMessage, ExecutorMessage, Goodbye, Heartbeat, JobEnded, LaunchTask,
    MapOutputsRequest, Register, ReplicateBlock, driver_message, executor_message, job_ended,
};
use ember_proto::{MAX_MESSAGE_BYTES, PROTOCOL_VERSION, build_id};
use parking_lot::{Condvar, Mutex};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

type Client = DriverClient<InterceptedService<Channel, Credentials>>;

/// A running executor: its connection to the driver, its copy of the driver's jobs, and its
/// shuffle store.
pub struct ExecutorRuntime {
    spec: ExecutorSpec,
    secret: Option<Secret>,
    tls: Option<ember_proto::tls::Tls>,
    runtime: tokio::runtime::Runtime,
    driver: Client,
    mirror: Arc<JobMirror>,
    shuffles: Arc<ClusterShuffleStore>,
    /// Cancel flags of the jobs with tasks here.
    cancels: Arc<Mutex<HashMap<u64, Arc<AtomicBool>>>>,
    /// The stream up to the driver, once started.
    up: std::sync::OnceLock<UnboundedSender<ExecutorMessage>>,
    /// Program steps received and not yet taken by the front end.
    program: Mutex<VecDeque<Vec<u8>>>,
    program_sent: Condvar,
    /// Fetches replicas of cached blocks from other executors.
    client: BlockClient,
    /// The URL of this executor's Prometheus endpoint, announced at registration.
    metrics_url: std::sync::OnceLock<String>,
    /// Task attempts launched, succeeded and failed here.
    launched: AtomicU64,
    succeeded: AtomicU64,
    failed: AtomicU64,
    /// The counters of every task attempt that ended here, summed.
    totals: Mutex<TaskMetricsSnapshot>,
}

/// Task attempts an executor ran: `active = launched - completed - failed`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TaskCounts {
    /// Attempts launched and not ended.
    pub active: u64,
    /// Attempts that succeeded.
    pub completed: u64,
    /// Attempts that failed (errors, cancellations, fetch failures).
    pub failed: u64,
}

impl ExecutorRuntime {
    /// Prepares an executor for `spec`: its runtime, its (lazy) connection to the driver, and
    /// the shuffle store its tasks will use, over `local` for its own map outputs. Nothing is
    /// sent before [`start`](Self::start).
    pub fn connect(
        spec: ExecutorSpec,
        secret: Option<String>,
        local: Arc<LocalShuffleStore>,
    ) -> Result<Arc<Self>, ExecutorError> {
        let driver_err = |message: String| ExecutorError::Driver {
            driver: spec.driver.clone(),
            message,
        };
        let secret = secret.and_then(Secret::new);
        let credentials =
            Credentials::new(secret.as_ref()).map_err(|e| driver_err(e.to_string()))?;
        let tls = spec.tls.as_ref().map(|files| files.load()).transpose();
        let tls = tls.map_err(|e| driver_err(e.to_string()))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("ember-executor-io")
            .enable_all()
            .build()
            .map_err(|e| driver_err(format!("cannot start the I/O runtime: {e}")))?;
        let channel = {
            let _guard = runtime.enter();
            ember_proto::tls::endpoint(&spec.driver, tls.as_ref())
                .map_err(driver_err)?
                .connect_timeout(Duration::from_secs(10))
                .tcp_nodelay(true)
                .connect_lazy()
        };
        let driver = DriverClient::with_interceptor(channel, credentials.clone())
            .max_decoding_message_size(MAX_MESSAGE_BYTES)
            .max_encoding_message_size(MAX_MESSAGE_BYTES);
        let client = BlockClient::with_config(
            runtime.handle().clone(),
            credentials,
            BlockClientConfig {
                tls: tls.clone(),
                ..BlockClientConfig::default()
            },
        )?;
        let locate: Locate = {
            let driver = driver.clone();
            let handle = runtime.handle().clone();
            Arc::new(move |shuffle: ShuffleId| {
                let mut driver = driver.clone();
                let reply =
                    handle.block_on(driver.map_outputs(MapOutputsRequest { shuffle: shuffle.0 }));
                match reply {
                    Ok(r) => {
                        let r = r.into_inner();
                        Some((r.epoch, r.maps))
                    }
                    Err(status) => {
                        tracing::warn!(%shuffle, %status, "driver did not say where map outputs are");
                        None
                    }
                }
            })
        };
        let shuffles = Arc::new(ClusterShuffleStore::new(
            ExecutorId(spec.executor_id.clone()),
            local,
            client.clone(),
            locate,
        ));
        Ok(Arc::new(ExecutorRuntime {
            spec,
            secret,
            tls,
            runtime,
            driver,
            mirror: Arc::new(JobMirror::default()),
            shuffles,
            cancels: Arc::default(),
            up: std::sync::OnceLock::new(),
            program: Mutex::default(),
            program_sent: Condvar::new(),
            client,
            metrics_url: std::sync::OnceLock::new(),
            launched: AtomicU64::new(0),
            succeeded: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            totals: Mutex::default(),
        }))
    }

    /// The shuffle store tasks on this executor use.
    pub fn shuffles(&self) -> Arc<ClusterShuffleStore> {
        Arc::clone(&self.shuffles)
    }

    /// The executor's id.
    pub fn executor_id(&self) -> &str {
        &self.spec.executor_id
    }

    /// The host the executor serves on (its spec's).
    pub fn host(&self) -> &str {
        &self.spec.host
    }

    /// The TLS it serves and connects with (`ember.ssl.*` of its driver), if any.
    pub fn tls(&self) -> Option<&ember_proto::tls::Tls> {
        self.tls.as_ref()
    }

    /// Sets the URL of this executor's Prometheus endpoint, which [`start`](Self::start)
    /// announces to the driver; the first URL set wins. Call it before `start`.
    pub fn announce_metrics(&self, url: String) {
        let _ = self.metrics_url.set(url);
    }

    /// The task attempts this executor ran so far.
    pub fn task_counts(&self) -> TaskCounts {
        // Ended counts first, so `active` never goes below zero.
        let completed = self.succeeded.load(Ordering::SeqCst);
        let failed = self.failed.load(Ordering::SeqCst);
        let launched = self.launched.load(Ordering::SeqCst);
        TaskCounts {
            active: launched.saturating_sub(completed + failed),
            completed,
            failed,
        }
    }

    /// The counters of every task attempt that ended here (shuffle bytes, input, spill), summed.
    pub fn task_totals(&self) -> TaskMetricsSnapshot {
        *self.totals.lock()
    }

    /// Serves blocks over Flight, registers with the driver and starts taking tasks, which
    /// `backend` runs. Returns once the driver has accepted the executor; the process exits
    /// when the driver goes away.
    pub fn start(
        self: &Arc<Self>,
        backend: Arc<dyn TaskBackend>,
        blocks: Arc<dyn BlockStore>,
    ) -> Result<(), ExecutorError> {
        let driver_err = |message: String| ExecutorError::Driver {
            driver: self.spec.driver.clone(),
            message,
        };
        let service = BlockService::new(
            Arc::clone(self.shuffles.local()) as Arc<dyn ember_engine::env::ShuffleStore>,
            blocks,
        );
        let bind = std::net::ToSocketAddrs::to_socket_addrs(&(self.spec.host.as_str(), 0))
            .ok()
            .and_then(|mut a| a.next())
            .ok_or_else(|| driver_err(format!("cannot resolve host {}", self.spec.host)))?;
        ember_proto::auth::check_listen(&bind, self.secret.as_ref()).map_err(driver_err)?;
        let flight = BlockServer::start(
            self.runtime.handle(),
            bind,
            service,
            Guard::new(self.secret.clone()),
            self.tls.clone(),
        )?;
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<ExecutorMessage>();
        let send = |tx: &UnboundedSender<ExecutorMessage>, kind| {
            let _ = tx.send(ExecutorMessage { kind: Some(kind) });
        };
        send(
            &tx,
            executor_message::Kind::Register(Register {
                protocol_version: PROTOCOL_VERSION,
                build_id: build_id().to_string(),
                executor_id: self.spec.executor_id.clone(),
                host: self.spec.host.clone(),
                flight_address: flight.address().to_string(),
                cores: self.spec.cores as u32,
                memory_bytes: self.spec.memory_bytes,
                pid: std::process::id(),
                metrics_url: self.metrics_url.get().cloned().unwrap_or_default(),
            }),
        );
        let outbound =
            futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|m| (m, rx)) });
        let mut driver = self.driver.clone();
        let mut inbound = self
            .runtime
            .block_on(driver.session(outbound))
            .map_err(|s| driver_err(ember_proto::status_text(&s)))?
            .into_inner();
        let first = self
            .runtime
            .block_on(inbound.message())
            .map_err(|s| driver_err(s.message().to_string()))?;
        match first.and_then(|m| m.kind) {
            Some(driver_message::Kind::Registered(r)) => {
                for ended in r.replay {
                    self.job_ended(ended);
                }
                self.program.lock().extend(r.program);
                tracing::info!(app = %r.app_id, executor = %self.spec.executor_id, "registered with the driver");
            }
            _ => {
                return Err(driver_err(
                    "the driver did not accept the registration".into(),
                ));
            }
        }
        let _ = self.up.set(tx.clone());
        // Heartbeats.
        let beat = tx.clone();
        let every = Duration::from_millis(self.spec.heartbeat_ms);
        self.runtime.spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                let m = ExecutorMessage {
                    kind: Some(executor_message::Kind::Heartbeat(Heartbeat {})),
                };
                if beat.send(m).is_err() {
                    break;
                }
            }
        });
        // Completions of the task threads go up the stream.
        let (done_tx, done_rx) = mpsc::channel::<TaskCompletion>();
        let up = tx.clone();
        let me = Arc::clone(self);
        std::thread::Builder::new()
            .name("ember-executor-status".into())
            .spawn(move || {
                while let Ok(done) = done_rx.recv() {
                    match done.result.is_ok() {
                        true => me.succeeded.fetch_add(1, Ordering::SeqCst),
                        false => me.failed.fetch_add(1, Ordering::SeqCst),
                    };
                    me.totals.lock().add(&done.metrics);
                    send(&up, executor_message::Kind::Status(status_of(done)));
                }
            })
            .map_err(|e| driver_err(format!("cannot start the status thread: {e}")))?;
        // Messages from the driver.
        let me = Arc::clone(self);
        self.runtime.spawn(async move {
            let _flight = flight;
            loop {
                match inbound.message().await {
                    Ok(Some(m)) => me.handle(m, &backend, &done_tx),
                    Ok(None) => {
                        tracing::info!("the driver closed the session; executor exiting");
                        std::process::exit(0);
                    }
                    Err(status) => {
                        tracing::warn!(%status, "lost the driver; executor exiting");
                        std::process::exit(1);
                    }
                }
            }
        });
        Ok(())
    }

    fn job_ended(&self, ended: JobEnded) {
        if let Some(flag) = self.cancels.lock().remove(&ended.job) {
            flag.store(true, Ordering::SeqCst);
        }
        let outcome: JobOutcome = match ended.outcome {
            Some(job_ended::Outcome::Values(v)) => Ok(v.values),
            Some(job_ended::Outcome::Error(e)) => Err(e),
            None => Err("the driver ended the job without an outcome".into()),
        };
        self.mirror
            .job_ended(ended.job, ended.job_description, outcome);
    }

    fn handle(
        self: &Arc<Self>,
        m: DriverMessage,
        backend: &Arc<dyn TaskBackend>,
        done: &mpsc::Sender<TaskCompletion>,
    ) {
        match m.kind {
            Some(driver_message::Kind::Launch(task)) => {
                let me = Arc::clone(self);
                let backend = Arc::clone(backend);
                let done = done.clone();
                // Finding the task's function may wait for the program's copy to reach its job.
                self.runtime
                    .spawn_blocking(move || me.launch(task, &backend, done));
            }
            Some(driver_message::Kind::JobEnded(ended)) => self.job_ended(ended),
            Some(driver_message::Kind::Replicate(r)) => {
                let me = Arc::clone(self);
                let blocks = Arc::clone(&backend.env().blocks);
                // A thread outside the runtime: the block client blocks on it.
                let spawned = std::thread::Builder::new()
                    .name("ember-replicate".into())
                    .spawn(move || me.replicate(r, &*blocks));
                if let Err(e) = spawned {
                    tracing::warn!(error = %e, "cannot start a thread to replicate a block");
                }
            }
            Some(driver_message::Kind::Program(p)) => {
                self.program.lock().push_back(p.step);
                self.program_sent.notify_all();
            }
            Some(driver_message::Kind::RemoveShuffle(r)) => {
                ember_engine::env::ShuffleStore::remove_shuffle(
                    &*self.shuffles,
                    ShuffleId(r.shuffle),
                );
            }
            Some(driver_message::Kind::RemoveRdd(r)) => {
                backend
                    .env()
                    .blocks
                    .remove_rdd(ember_engine::ids::RddId(r.rdd));
            }
            Some(driver_message::Kind::CancelJob(c)) => {
                if let Some(flag) = self.cancels.lock().get(&c.job) {
                    flag.store(true, Ordering::SeqCst);
                }
            }
            Some(driver_message::Kind::Registered(_)) | None => {}
        }
    }

    /// Fetches a replica of a cached block and stores it here, then tells the driver. A block
    /// that cannot be fetched or stored is not reported: tasks reading it compute it again.
    fn replicate(&self, r: ReplicateBlock, blocks: &dyn BlockStore) {
        let id = BlockId::Rdd {
            rdd: RddId(r.rdd),
            partition: r.partition as usize,
        };
        let level = StorageLevel::new(r.use_disk, r.use_memory, 1);
        let stored = match self.client.fetch(&r.from, crate::flight::ticket(&id)) {
            Ok(Some(batches)) => blocks.put(id, batches, level).map_err(|e| e.to_string()),
            Ok(None) => Err(format!("{} no longer holds it", r.from)),
            Err(e) => Err(e.to_string()),
        };
        match stored {
            Ok(PutOutcome::Memory | PutOutcome::Disk) => {
                self.send_up(executor_message::Kind::Stored(BlockStored {
                    rdd: r.rdd,
                    partition: r.partition,
                }));
            }
            Ok(PutOutcome::NotStored) => {
                tracing::info!(block = %id, "no room for a replica");
            }
            Err(e) => tracing::warn!(block = %id, error = %e, "cannot replicate a cached block"),
        }
    }

    fn launch(
        &self,
        task: LaunchTask,
        backend: &Arc<dyn TaskBackend>,
        done: mpsc::Sender<TaskCompletion>,
    ) {
        self.launched.fetch_add(1, Ordering::SeqCst);
        self.shuffles.observe_epoch(task.map_output_epoch);
        let kind = self.mirror.task_kind(
            &self.spec.executor_id,
            task.job,
            &task.job_description,
            task.shuffle.map(ShuffleId),
            Duration::from_secs(self.spec.job_wait_secs),
        );
        let launched = Launched {
            task_id: TaskId(task.task_id),
            stage: StageId(task.stage),
            stage_attempt: task.stage_attempt,
            partition: task.partition as usize,
            attempt: task.attempt,
        };
        match kind {
            Ok(kind) => {
                let cancelled = Arc::clone(self.cancels.lock().entry(task.job).or_default());
                backend.launch(
                    TaskSpec {
                        job: JobId(task.job),
                        stage: launched.stage,
                        stage_attempt: launched.stage_attempt,
                        partition: launched.partition,
                        attempt: launched.attempt,
                        task_id: launched.task_id,
                        kind,
                        cancelled,
                        cached: Vec::new(),
                    },
                    done,
                );
            }
            Err(e) => {
                let _ = done.send(completion(&launched, Err(e), Duration::ZERO));
            }
        }
    }

    /// The program's copy ended: tells the driver, which forgets this executor without
    /// treating it as a failure.
    pub fn goodbye(&self) {
        if self.send_up(executor_message::Kind::Goodbye(Goodbye {})) {
            // Let the message leave before the process exits.
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Sends a message up the session; false before it started or after it ended.
    fn send_up(&self, kind: executor_message::Kind) -> bool {
        self.up
            .get()
            .is_some_and(|up| up.send(ExecutorMessage { kind: Some(kind) }).is_ok())
    }

    /// The next step of the driver's program (see `ProgramStep` in the protocol), waiting for
    /// the driver to send it. Front ends whose executors replay the driver's program (Python,
    /// the SQL shell) call this in a loop; the process exits when the driver goes away.
    pub fn next_program_step(&self) -> Vec<u8> {
        let mut queue = self.program.lock();
        loop {
            if let Some(step) = queue.pop_front() {
                return step;
            }
            self.program_sent.wait(&mut queue);
        }
    }

    /// Runs the next job of the program's copy: waits for the driver to end it and returns its
    /// values (encoded by the action), or the driver's error.
    pub fn run_job(
        &self,
        rdd: &Arc<dyn RddBase>,
        func: ResultFn,
        description: String,
    ) -> Result<Vec<Vec<u8>>, EngineError> {
        let (_, outcome) = self.mirror.run_job(rdd, func, description);
        outcome.map_err(|message| EngineError::DriverJobFailed { message })
    }
}

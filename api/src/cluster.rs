//! Where a context's jobs run: in this process (local mode), on executor processes this
//! context drives (`local-cluster[N,C,M]`), or, in a process a driver launched as its
//! executor, nowhere: the context is then the executor's copy of the driver's program, and each
//! action waits for the driver's outcome of the same job (see
//! `ember_executor::cluster::mirror`).
//!
//! In cluster mode a job's per-partition values cross processes, so every action says how its
//! value is encoded ([`Codec`]); local mode passes values by reference as before.

use crate::conf::{Conf, Master};
use crate::context::Context;
use crate::error::{Error, Result};
use ember_engine::EngineError;
use ember_engine::accumulator::AccumulatorRegistry;
use ember_engine::env::{BlockStore, Env, ShuffleStore};
use ember_engine::ids::ExecutorId;
use ember_engine::rdd::RddBase;
use ember_engine::task::{ResultFn, TaskBackend};
use ember_engine::task_context::TaskContext;
use ember_executor::block_manager::BlockManager;
use ember_executor::cluster::{ExecutorRuntime, ExecutorSpec};
use ember_executor::local::LocalBackend;
use ember_executor::shuffle_store::LocalShuffleStore;
use ember_proto::auth::Secret;
use ember_proto::tls::{self, Tls, TlsFiles};
use ember_scheduler::cluster::{ClusterBackend, ClusterConfig};
use ember_scheduler::events::Event;
use ember_scheduler::map_output::MapOutputTracker;
use ember_scheduler::{DagScheduler, SchedulerConfig, SchedulerError};
use parking_lot::Mutex;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::any::Any;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How one action's per-partition values cross processes.
pub(crate) struct Codec<R> {
    pub(crate) encode: fn(&R) -> Result<Vec<u8>, EngineError>,
    pub(crate) decode: fn(&[u8]) -> Result<R, EngineError>,
}

fn conversion(what: &str, e: impl std::fmt::Display) -> EngineError {
    EngineError::Conversion {
        type_name: "job value".into(),
        message: format!("{what} a job's value for another process: {e}"),
    }
}

/// Values encoded with postcard.
pub(crate) fn serde_codec<R: Serialize + DeserializeOwned>() -> Codec<R> {
    Codec {
        encode: |v| postcard::to_stdvec(v).map_err(|e| conversion("cannot encode", e)),
        decode: |b| postcard::from_bytes(b).map_err(|e| conversion("cannot decode", e)),
    }
}

/// Record batches as Arrow IPC.
pub(crate) fn batches_codec() -> Codec<Vec<arrow::record_batch::RecordBatch>> {
    Codec {
        // No batches (a partition without rows) travel as no bytes.
        encode: |v| match v.is_empty() {
            true => Ok(Vec::new()),
            false => ember_engine::ipc::encode(v, "a job's value"),
        },
        decode: |b| match b.is_empty() {
            true => Ok(Vec::new()),
            false => ember_engine::ipc::decode(b, "a job's value"),
        },
    }
}

/// An action's per-partition function.
type Compute<R> = Box<dyn Fn(&Arc<TaskContext>) -> Result<R, EngineError> + Send + Sync>;

/// The executor processes of a `local-cluster` driver; killed when the context goes.
pub(crate) struct Children(Mutex<Vec<Child>>);

impl Drop for Children {
    fn drop(&mut self) {
        for c in self.0.lock().iter_mut() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// A context's part in running jobs.
pub(crate) enum Role {
    /// Tasks run on this process's threads.
    Local,
    /// Tasks run on executor processes.
    Driver {
        backend: Arc<ClusterBackend>,
        jobs: AtomicU64,
        one_job: Mutex<()>,
        _children: Children,
    },
    /// This process is an executor; its program's jobs mirror the driver's.
    Executor(Arc<ExecutorRuntime>),
}

impl Role {
    /// `ExecutorAdded` events for the executors a cluster driver waited for at startup,
    /// before anyone could listen (see [`ClusterBackend::startup_executor_events`]); empty
    /// outside a cluster driver. Executors that join later are posted as they join.
    pub(crate) fn startup_executor_events(&self) -> Vec<Event> {
        match self {
            Role::Driver { backend, .. } => backend.startup_executor_events(),
            _ => Vec::new(),
        }
    }
}

impl Drop for Role {
    fn drop(&mut self) {
        if let Role::Executor(runtime) = self {
            runtime.goodbye();
        }
    }
}

/// What [`start`] builds for a context.
pub(crate) struct Started {
    pub(crate) role: Role,
    pub(crate) env: Arc<Env>,
    pub(crate) shuffles: Arc<LocalShuffleStore>,
    pub(crate) scheduler: DagScheduler,
}

/// Builds the executor side of a context: local threads, a cluster of executor processes, or
/// (in a launched executor) the executor itself.
pub(crate) fn start(
    conf: &Conf,
    master: &Master,
    blocks: Arc<BlockManager>,
    local_dir: &Path,
    shuffle_mem: u64,
    accumulators: Arc<AccumulatorRegistry>,
    config: SchedulerConfig,
) -> Result<Started> {
    let local_shuffles = |id: &ExecutorId| {
        Arc::new(LocalShuffleStore::new(
            id.clone(),
            shuffle_mem,
            local_dir.join("shuffle"),
        ))
    };
    let env_of = |id: ExecutorId, shuffles: Arc<dyn ShuffleStore>| {
        Arc::new(Env {
            executor_id: id,
            blocks: Arc::clone(&blocks) as Arc<dyn BlockStore>,
            shuffles,
            checkpoint_dir: Default::default(),
        })
    };
    static EXECUTOR_TAKEN: std::sync::atomic::AtomicBool =
        std::sync::atomic::AtomicBool::new(false);
    let cluster_master = !matches!(master, Master::Local { .. });
    // In a launched executor, the program's first cluster context is the executor; its
    // local-mode contexts stay local.
    let spec = if cluster_master && !EXECUTOR_TAKEN.swap(true, Ordering::SeqCst) {
        ExecutorSpec::from_env()
    } else {
        None
    };
    if let Some(spec) = spec {
        let spec = spec?;
        let id = ExecutorId(spec.executor_id.clone());
        let local = local_shuffles(&id);
        let cores = spec.cores;
        let secret = ExecutorSpec::secret_from_env();
        let runtime = ExecutorRuntime::connect(spec, secret.clone(), Arc::clone(&local))?;
        // Its Prometheus endpoint, announced to the driver at registration.
        let secret = secret.and_then(Secret::new);
        match crate::ui::metrics::serve_executor_metrics(&runtime, &blocks, secret, runtime.tls()) {
            Ok(url) => runtime.announce_metrics(url),
            Err(e) => tracing::warn!(error = %e, "this executor serves no /metrics"),
        }
        let env = env_of(id, runtime.shuffles() as Arc<dyn ShuffleStore>);
        let backend = Arc::new(LocalBackend::new(cores, Arc::clone(&env))?);
        runtime.start(
            Arc::clone(&backend) as Arc<dyn TaskBackend>,
            Arc::clone(&blocks) as Arc<dyn BlockStore>,
        )?;
        let config = SchedulerConfig {
            show_progress: false,
            ..config
        };
        return Ok(Started {
            role: Role::Executor(runtime),
            env,
            shuffles: local,
            scheduler: DagScheduler::new(backend, config),
        });
    }
    let driver = ExecutorId::driver();
    let local = local_shuffles(&driver);
    let env = env_of(driver, Arc::clone(&local) as Arc<dyn ShuffleStore>);
    match master {
        Master::Local { threads } => {
            let backend = Arc::new(LocalBackend::new(*threads, Arc::clone(&env))?);
            Ok(Started {
                role: Role::Local,
                env,
                shuffles: local,
                scheduler: DagScheduler::new(backend, config),
            })
        }
        Master::LocalCluster {
            executors,
            cores,
            memory_mb,
        } => {
            let secret = secret_of(conf);
            let map_outputs = Arc::new(MapOutputTracker::default());
            let cluster = cluster_config(conf, "127.0.0.1:0".into(), secret.clone())?;
            let tls_files = cluster.tls.as_ref().map(|t| t.files().clone());
            let backend = Arc::new(ClusterBackend::start(
                cluster,
                Arc::clone(&map_outputs),
                Arc::clone(&env),
                accumulators,
            )?);
            let spec = |i: usize| ExecutorSpec {
                driver: backend.address().to_string(),
                executor_id: format!("exec-{i}"),
                host: "127.0.0.1".into(),
                cores: *cores,
                memory_bytes: memory_mb << 20,
                heartbeat_ms: 500,
                job_wait_secs: 300,
                tls: tls_files.clone(),
            };
            let mut children = Vec::with_capacity(*executors);
            for i in 0..*executors {
                children.push(launch(conf, &spec(i), secret.as_ref(), local_dir)?);
            }
            let timeout = conf.get_duration(
                "ember.executor.registrationTimeout",
                Duration::from_secs(120),
            )?;
            if let Err(e) = backend.wait_for_executors(*executors, timeout) {
                let logs = (0..*executors)
                    .map(|i| log_tail(&local_dir.join(format!("executor-{i}.log"))))
                    .collect::<Vec<_>>()
                    .join("\n");
                drop(Children(Mutex::new(children)));
                return Err(Error::Job(match e {
                    SchedulerError::Cluster { address, message } => SchedulerError::Cluster {
                        address,
                        message: format!("{message}; executor logs:\n{logs}"),
                    },
                    other => other,
                }));
            }
            let scheduler = DagScheduler::with_map_outputs(
                Arc::clone(&backend) as Arc<dyn TaskBackend>,
                config,
                map_outputs,
            );
            backend.set_events(Arc::clone(scheduler.events()));
            Ok(Started {
                role: Role::Driver {
                    backend,
                    jobs: AtomicU64::new(0),
                    one_job: Mutex::new(()),
                    _children: Children(Mutex::new(children)),
                },
                env,
                shuffles: local,
                scheduler,
            })
        }
        Master::Standalone { address } => {
            let (backend, scheduler) =
                standalone(conf, address, Arc::clone(&env), accumulators, config)?;
            Ok(Started {
                role: Role::Driver {
                    backend,
                    jobs: AtomicU64::new(0),
                    one_job: Mutex::new(()),
                    _children: Children(Mutex::new(Vec::new())),
                },
                env,
                shuffles: local,
                scheduler,
            })
        }
    }
}

/// The shared secret: `ember.authenticate.secret`, else `EMBER_AUTHENTICATE_SECRET`.
pub(crate) fn secret_of(conf: &Conf) -> Option<Secret> {
    conf.get("ember.authenticate.secret")
        .map(str::to_string)
        .or_else(|| std::env::var("EMBER_AUTHENTICATE_SECRET").ok())
        .and_then(Secret::new)
}

/// TLS on every endpoint when `ember.ssl.enabled` (keys in `ember_proto::tls`), its files
/// read and checked; an error names the key and the file at fault.
pub(crate) fn tls_of(conf: &Conf) -> Result<Option<Tls>> {
    if !conf.get_bool(tls::ENABLED, false)? {
        return Ok(None);
    }
    let files = TlsFiles::new(
        conf.get(tls::CERT_FILE),
        conf.get(tls::KEY_FILE),
        conf.get(tls::TRUST_FILE),
    );
    files
        .and_then(|f| f.load())
        .map(Some)
        .map_err(|e| Error::Conf {
            key: e.key,
            value: e.path.unwrap_or_default(),
            message: e.message,
        })
}

/// The settings of the driver's cluster service.
fn cluster_config(conf: &Conf, bind: String, secret: Option<Secret>) -> Result<ClusterConfig> {
    Ok(ClusterConfig {
        app_id: conf.get_app_name().to_string(),
        bind,
        secret,
        tls: tls_of(conf)?,
        heartbeat_timeout: conf.get_duration("ember.network.timeout", Duration::from_secs(30))?,
        grace_period: conf
            .get_duration("ember.cluster.executorGracePeriod", Duration::from_secs(30))?,
        locality_wait: conf.get_duration("ember.locality.wait", Duration::from_secs(3))?,
    })
}

/// The local address this host reaches `master` from (no packet is sent).
fn local_ip_towards(master: &str) -> Option<std::net::IpAddr> {
    let target = std::net::ToSocketAddrs::to_socket_addrs(master)
        .ok()?
        .next()?;
    let any = if target.is_ipv4() {
        "0.0.0.0:0"
    } else {
        "[::]:0"
    };
    let socket = std::net::UdpSocket::bind(any).ok()?;
    socket.connect(target).ok()?;
    Some(socket.local_addr().ok()?.ip())
}

/// The arguments executors start with: `ember.executor.args`, else this process's own.
fn executor_args(conf: &Conf) -> Vec<String> {
    match conf.get("ember.executor.args") {
        Some(a) => a.split_whitespace().map(str::to_string).collect(),
        None => std::env::args().skip(1).collect(),
    }
}

/// The program executors run: `ember.executor.program`, else this program (its own build, so
/// its copy of `main` builds the same lineage). Front ends whose executors replay the driver's
/// program set it (the Python package sets its interpreter).
fn executor_program(conf: &Conf) -> std::result::Result<std::path::PathBuf, String> {
    match conf.get("ember.executor.program") {
        Some(p) => Ok(p.into()),
        None => std::env::current_exe().map_err(|e| format!("cannot find this program: {e}")),
    }
}

/// The executors' environment variables: `ember.executorEnv.NAME=value` (Spark's
/// `spark.executorEnv.NAME`).
fn executor_env(conf: &Conf) -> impl Iterator<Item = (String, String)> + '_ {
    conf.all().filter_map(|(k, v)| {
        k.strip_prefix("ember.executorEnv.")
            .map(|name| (name.to_string(), v.to_string()))
    })
}

/// Asks the master at `address` for executors and waits for them to join the driver.
fn standalone(
    conf: &Conf,
    address: &str,
    env: Arc<Env>,
    accumulators: Arc<AccumulatorRegistry>,
    config: SchedulerConfig,
) -> Result<(Arc<ClusterBackend>, DagScheduler)> {
    use ember_proto::v1::master_client::MasterClient;
    use ember_proto::v1::{ApplicationRequest, application_event};
    let fail = |message: String| {
        Error::Job(SchedulerError::Cluster {
            address: address.to_string(),
            message,
        })
    };
    let secret = secret_of(conf);
    let host = match conf.get("ember.driver.host") {
        Some(h) => h.to_string(),
        None => local_ip_towards(address)
            .ok_or_else(|| fail("cannot resolve the master's address".into()))?
            .to_string(),
    };
    let port = conf.get_usize("ember.driver.port", 0)?;
    let bind = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let map_outputs = Arc::new(MapOutputTracker::default());
    let cluster = cluster_config(conf, bind, secret.clone())?;
    let tls = cluster.tls.clone();
    let backend = Arc::new(ClusterBackend::start(
        cluster,
        Arc::clone(&map_outputs),
        env,
        accumulators,
    )?);
    let program = executor_program(conf).map_err(fail)?;
    let request = ApplicationRequest {
        protocol_version: ember_proto::PROTOCOL_VERSION,
        name: conf.get_app_name().to_string(),
        driver: backend.address().to_string(),
        program: program.display().to_string(),
        args: executor_args(conf),
        env: executor_env(conf).collect(),
        executor_cores: conf.get_usize("ember.executor.cores", 1)? as u32,
        executor_memory_bytes: conf.get_bytes("ember.executor.memory", 1 << 30)?,
        max_executors: conf.get_usize("ember.executor.instances", 2)? as u32,
    };
    let credentials =
        ember_proto::auth::Credentials::new(secret.as_ref()).map_err(|e| fail(e.to_string()))?;
    let rt = backend.runtime();
    let mut events = rt
        .block_on(async {
            let channel = tls::endpoint(address, tls.as_ref())?
                .connect_timeout(Duration::from_secs(10))
                .connect()
                .await
                .map_err(|e| format!("cannot connect: {}", ember_proto::error_chain(&e)))?;
            MasterClient::with_interceptor(channel, credentials)
                .application(request)
                .await
                .map(tonic::Response::into_inner)
                .map_err(|s| s.message().to_string())
        })
        .map_err(fail)?;
    let accepted = rt
        .block_on(events.message())
        .map_err(|s| fail(s.message().to_string()))?;
    let Some(application_event::Kind::Accepted(accepted)) = accepted.and_then(|e| e.kind) else {
        return Err(fail("the master did not accept the application".into()));
    };
    tracing::info!(app = %accepted.app_id, executors = accepted.executors, "application accepted by the master");
    // The stream stays open for the driver's life: closing it stops the executors.
    rt.spawn(async move {
        while let Ok(Some(e)) = events.message().await {
            match e.kind {
                Some(application_event::Kind::Launched(l)) if !l.replaces.is_empty() => {
                    tracing::info!(executor = %l.executor_id, replaces = %l.replaces, worker = %l.worker_id, host = %l.host, "the master launched a replacement executor");
                }
                Some(application_event::Kind::Launched(l)) => {
                    tracing::info!(executor = %l.executor_id, worker = %l.worker_id, host = %l.host, "executor launched");
                }
                Some(application_event::Kind::Exited(x)) => {
                    tracing::warn!(executor = %x.executor_id, reason = %x.reason, "executor exited");
                }
                Some(application_event::Kind::NotReplaced(n)) => {
                    tracing::error!(app = %n.app_id, failures = n.failures, running = n.running, "executors failed {} times, more than the master replaces ({}, ember.deploy.maxExecutorRetries): executors that exit are no longer replaced", n.failures, n.max_retries);
                }
                _ => {}
            }
        }
    });
    let timeout = conf.get_duration(
        "ember.executor.registrationTimeout",
        Duration::from_secs(120),
    )?;
    backend.wait_for_executors(accepted.executors as usize, timeout)?;
    let scheduler = DagScheduler::with_map_outputs(
        Arc::clone(&backend) as Arc<dyn TaskBackend>,
        config,
        map_outputs,
    );
    backend.set_events(Arc::clone(scheduler.events()));
    Ok((backend, scheduler))
}

/// The last lines of an executor's log.
fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(20)..].join("\n");
    format!("--- {} ---\n{tail}", path.display())
}

/// Starts one executor process: this program again (the same build, so its copy of `main`
/// builds the same lineage), with `ember.executor.args` as its arguments (default: this
/// process's own) and its launch settings in the environment. Output goes to
/// `executor-<i>.log` in the context's local directory.
fn launch(conf: &Conf, spec: &ExecutorSpec, secret: Option<&Secret>, dir: &Path) -> Result<Child> {
    let fail = |message: String| Error::Conf {
        key: "master".into(),
        value: conf.get_master().into(),
        message,
    };
    let program = executor_program(conf).map_err(fail)?;
    let args = executor_args(conf);
    let n = spec.executor_id.trim_start_matches("exec-");
    let log_path = dir.join(format!("executor-{n}.log"));
    let log = std::fs::File::create(&log_path)
        .map_err(|e| fail(format!("cannot create {}: {e}", log_path.display())))?;
    let err = log
        .try_clone()
        .map_err(|e| fail(format!("cannot open {}: {e}", log_path.display())))?;
    let mut cmd = Command::new(&program);
    cmd.args(&args)
        .envs(executor_env(conf))
        .env(ember_executor::cluster::SPEC_VAR, spec.to_env())
        .env_remove(ember_executor::cluster::SECRET_VAR)
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(err);
    if let Some(s) = secret {
        cmd.env(ember_executor::cluster::SECRET_VAR, s.expose());
    }
    cmd.spawn().map_err(|e| {
        fail(format!(
            "cannot start executor {} ({}): {e}",
            spec.executor_id,
            program.display()
        ))
    })
}

impl Context {
    /// Runs `compute` over `partitions` of `rdd` as one job and returns the values in the order
    /// of `partitions`; in cluster mode the values cross processes through `codec`.
    pub(crate) fn run_job<R: Send + 'static>(
        &self,
        rdd: Arc<dyn RddBase>,
        partitions: Vec<usize>,
        description: String,
        codec: Codec<R>,
        compute: impl Fn(&Arc<TaskContext>) -> Result<R, EngineError> + Send + Sync + 'static,
    ) -> Result<Vec<R>> {
        let scheduler = &self.inner.scheduler;
        let encoded = |compute: Compute<R>| -> ResultFn {
            let encode = codec.encode;
            Arc::new(move |tc| {
                let v = compute(tc)?;
                Ok(Box::new(encode(&v)?) as Box<dyn Any + Send>)
            })
        };
        let decode_all = |values: Vec<Vec<u8>>| -> Result<Vec<R>> {
            values
                .iter()
                .map(|b| (codec.decode)(b).map_err(Error::from))
                .collect()
        };
        match &self.inner.role {
            Role::Local => {
                let func: ResultFn =
                    Arc::new(move |tc| Ok(Box::new(compute(tc)?) as Box<dyn Any + Send>));
                let values = scheduler.run_job(rdd, partitions, func, description)?;
                Ok(values
                    .into_iter()
                    .map(|v| {
                        *v.downcast::<R>()
                            .expect("a job's values have the type its function returns")
                    })
                    .collect())
            }
            Role::Driver {
                backend,
                jobs,
                one_job,
                ..
            } => {
                let _one = one_job.lock();
                let job = jobs.fetch_add(1, Ordering::SeqCst);
                backend.begin_job(job, description.clone());
                let func = encoded(Box::new(compute));
                let outcome = scheduler.run_job(rdd, partitions, func, description.clone());
                let outcome = outcome.map(|values| {
                    values
                        .into_iter()
                        .map(|v| *v.downcast::<Vec<u8>>().expect("cluster values are bytes"))
                        .collect::<Vec<Vec<u8>>>()
                });
                backend.end_job(job, description, outcome.clone().map_err(|e| e.to_string()));
                decode_all(outcome?)
            }
            Role::Executor(runtime) => {
                let func = encoded(Box::new(compute));
                decode_all(runtime.run_job(&rdd, func, description)?)
            }
        }
    }

    /// The executors a `local-cluster` driver started: id, process id, and block service
    /// address while registered (for tests that stop one).
    #[doc(hidden)]
    pub fn cluster_executors(&self) -> Vec<(String, u32, Option<String>)> {
        match &self.inner.role {
            Role::Driver {
                backend, _children, ..
            } => {
                let live: std::collections::HashMap<String, String> = backend
                    .executors()
                    .into_iter()
                    .map(|(id, a)| (id.0, a))
                    .collect();
                _children
                    .0
                    .lock()
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let id = format!("exec-{i}");
                        let at = live.get(&id).cloned();
                        (id, c.id(), at)
                    })
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    /// The executors registered with a cluster driver and the URLs of their Prometheus
    /// endpoints (`http://host:port/metrics`), sorted by executor id; empty outside a cluster
    /// driver.
    pub fn executor_metrics_urls(&self) -> Vec<(String, String)> {
        match &self.inner.role {
            Role::Driver { backend, .. } => backend
                .executor_metrics_urls()
                .into_iter()
                .map(|(id, url)| (id.0, url))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The ids of the executors registered with a cluster driver, sorted (for tests that watch
    /// executors come and go); empty outside a cluster driver.
    #[doc(hidden)]
    pub fn cluster_registered_executors(&self) -> Vec<String> {
        match &self.inner.role {
            Role::Driver { backend, .. } => backend
                .executors()
                .into_iter()
                .map(|(id, _)| id.0)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The cluster backend's tasks queued and running and whether a job is open (for tests
    /// that check nothing outlives a job); `None` outside cluster mode.
    #[doc(hidden)]
    pub fn cluster_load(&self) -> Option<(usize, usize, bool)> {
        match &self.inner.role {
            Role::Driver { backend, .. } => Some(backend.load()),
            _ => None,
        }
    }

    /// How many copies of the partitions of the RDD `rdd` executors hold, as far as a cluster
    /// driver knows (for tests of locality and replication); `None` outside a cluster driver.
    #[doc(hidden)]
    pub fn cluster_cached_copies(&self, rdd: u64) -> Option<usize> {
        match &self.inner.role {
            Role::Driver { backend, .. } => {
                Some(backend.cached_copies(ember_engine::ids::RddId(rdd)))
            }
            _ => None,
        }
    }

    /// The address of a `local-cluster` driver's service (for tests).
    #[doc(hidden)]
    pub fn cluster_driver_address(&self) -> Option<String> {
        match &self.inner.role {
            Role::Driver { backend, .. } => Some(backend.address().to_string()),
            _ => None,
        }
    }

    /// Whether a driver started this process as one of its executors (its cluster context
    /// will be the executor). A test or program that starts cluster processes itself checks
    /// this to not start them again in its executors' copies.
    pub fn is_executor_process() -> bool {
        std::env::var_os(ember_executor::cluster::SPEC_VAR).is_some()
    }

    /// Whether this context drives executor processes (cluster mode, in the driver).
    pub fn is_cluster_driver(&self) -> bool {
        matches!(self.inner.role, Role::Driver { .. })
    }

    /// Sends one step of the driver's program to every executor, now and to executors that
    /// join later; does nothing outside a cluster driver. For front ends whose executors replay
    /// the program the driver runs instead of running their own copy (Python, the SQL shell):
    /// each executor's front end takes the steps with
    /// [`next_program_step`](Self::next_program_step) and replays them, so it builds the same
    /// lineage and reaches the same actions in the same order as the driver.
    pub fn send_program_step(&self, step: Vec<u8>) {
        if let Role::Driver { backend, .. } = &self.inner.role {
            backend.send_program(step);
        }
    }

    /// In an executor process, the next step of the driver's program, waiting for the driver
    /// to send it (the process exits when the driver goes away); `None` in any other context.
    pub fn next_program_step(&self) -> Option<Vec<u8>> {
        match &self.inner.role {
            Role::Executor(runtime) => Some(runtime.next_program_step()),
            _ => None,
        }
    }

    /// Whether this process is the driver (not an executor's copy of the program). Code with
    /// effects only the driver should have (printing results, writing local files) can check
    /// it; jobs must not depend on it.
    pub fn is_driver(&self) -> bool {
        !matches!(self.inner.role, Role::Executor(_))
    }
}

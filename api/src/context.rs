//! [`Context`]: the entry point (Spark's `SparkContext`). It owns the scheduler, the local
//! executor and its stores, hands out ids, and creates source RDDs.

use crate::conf::{Conf, Master};
use crate::error::{Error, Result};
use crate::rdd::Rdd;
use crate::status::StatusView;
use crate::ui::driver::{DriverUi, retention_of};
use crate::ui::event_log::{EventLogWriter, redacted};
use crate::ui::store::StatusStore;
use ember_engine::accumulator::{Accumulator, AccumulatorParam, AccumulatorRegistry, AddParam};
use ember_engine::broadcast::Broadcast;
use ember_engine::cleaner::{Cleaner, CleanupTask};
use ember_engine::data::Data;
use ember_engine::env::{BlockStore, Env, ShuffleStore};
use ember_engine::ids::{AccumulatorId, BroadcastId, RddId, ShuffleId};
use ember_engine::rdd::{
    FileSplit, ParallelizeRdd, RangeRdd, RddCompute, RddMeta, TextFileRdd, UnionRdd, decode_stream,
    plan_splits,
};
use ember_engine::storage::BlockId;
use ember_engine::store::{SourceFile, Stores, is_remote, list_files, read_all};
use ember_engine::task_context::abort;
use ember_executor::block_manager::BlockManager;
use ember_executor::shuffle_store::LocalShuffleStore;
use ember_scheduler::events::{Event, Listener, now_ms};
use ember_scheduler::{DagScheduler, SchedulerConfig};
use parking_lot::Mutex;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::io::Read;
use std::ops::AddAssign;
use std::panic::Location;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Receiver;

/// Writes the checkpoint of one RDD (set by `Rdd::checkpoint`, run after the next job).
pub(crate) type CheckpointWriter = Box<dyn Fn() -> Result<()> + Send + Sync>;

pub(crate) struct Inner {
    pub(crate) conf: Conf,
    pub(crate) master: Master,
    pub(crate) scheduler: DagScheduler,
    /// Accumulators by id, for updates from executors in other processes.
    pub(crate) accumulators: Arc<AccumulatorRegistry>,
    /// Where jobs run: here, on executor processes, or (in an executor) on the driver.
    pub(crate) role: crate::cluster::Role,
    pub(crate) env: Arc<Env>,
    pub(crate) blocks: Arc<BlockManager>,
    pub(crate) shuffles: Arc<LocalShuffleStore>,
    pub(crate) default_parallelism: usize,
    pub(crate) parallelism_set: bool,
    pub(crate) max_split_bytes: u64,
    /// The smallest split of a DataFrame read (`ember.files.openCostInBytes`).
    pub(crate) open_cost_bytes: u64,
    /// The object stores of remote paths (shared with the SQL session).
    pub(crate) stores: Arc<Stores>,
    next_rdd: AtomicU64,
    next_shuffle: AtomicU64,
    next_accumulator: AtomicU64,
    next_broadcast: AtomicU64,
    next_partitioner: AtomicU64,
    pub(crate) pending_checkpoints: Mutex<HashMap<RddId, CheckpointWriter>>,
    pub(crate) cleaner: Cleaner,
    cleanups: Mutex<Receiver<CleanupTask>>,
    /// DataFusion's session for SQL and DataFrames.
    pub(crate) sql: datafusion::prelude::SessionContext,
    /// The application id (`app-<start ms>-<pid>`).
    pub(crate) app_id: String,
    /// The event log, when `ember.eventLog.enabled`.
    pub(crate) event_log: Option<Arc<EventLogWriter>>,
    /// The web UI, when `ember.ui.enabled` (the default) on a driver.
    pub(crate) ui: Option<DriverUi>,
    _local_dir: tempfile::TempDir,
}

/// The entry point of an Ember program. Cheap to clone; clones share one context.
///
/// ```
/// let ctx = ember::Context::new(ember::Conf::new().master("local[2]"))?;
/// let squares = ctx.parallelize((1..=4).collect::<Vec<i64>>(), 2).map(|x| x * x);
/// assert_eq!(squares.collect()?, vec![1, 4, 9, 16]);
/// # Ok::<(), ember::Error>(())
/// ```
#[derive(Clone)]
pub struct Context {
    pub(crate) inner: Arc<Inner>,
}

/// `file:line` of a caller, as Spark's call sites (`map at wordcount.rs:31`).
pub(crate) fn call_site(loc: &Location<'_>) -> String {
    let file = std::path::Path::new(loc.file()).file_name().map_or_else(
        || loc.file().to_string(),
        |f| f.to_string_lossy().into_owned(),
    );
    format!("{file}:{}", loc.line())
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("EMBER_LOG").unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

impl Context {
    /// A context for `conf`. Logging goes to stderr through `tracing`, filtered by `EMBER_LOG`
    /// (e.g. `EMBER_LOG=debug` shows scheduler events; default `warn`).
    pub fn new(conf: Conf) -> Result<Self> {
        init_logging();
        let master = Master::parse(conf.get_master())?;
        let slots = match master {
            // Fixed by the conf (not by what the master grants), so that the executors' copies
            // of the program compute the same default parallelism as the driver.
            Master::Standalone { .. } => {
                conf.get_usize("ember.executor.instances", 2)?
                    * conf.get_usize("ember.executor.cores", 1)?
            }
            _ => master.slots(),
        };
        let parallelism_set = conf.get("ember.default.parallelism").is_some();
        let default_parallelism = conf.get_usize("ember.default.parallelism", slots)?;
        let max_failures = conf.get_usize("ember.task.maxFailures", 4)? as u32;
        let storage = conf.get_bytes("ember.memory.storage", 2 << 30)?;
        let shuffle_mem = conf.get_bytes("ember.memory.shuffle", 1 << 30)?;
        let max_split_bytes = conf.get_bytes("ember.files.maxPartitionBytes", 128 << 20)?;
        let open_cost_bytes = conf.get_bytes("ember.files.openCostInBytes", 4 << 20)?;
        let show_progress = conf.get_bool("ember.ui.showConsoleProgress", true)?;
        // A fresh directory per context, removed when the context goes away.
        let parent = conf
            .get("ember.local.dir")
            .map_or_else(std::env::temp_dir, PathBuf::from);
        let temp = std::fs::create_dir_all(&parent)
            .and_then(|()| {
                tempfile::Builder::new()
                    .prefix("ember-")
                    .tempdir_in(&parent)
            })
            .map_err(|e| Error::Conf {
                key: "ember.local.dir".into(),
                value: parent.display().to_string(),
                message: format!("cannot create a directory for spills and shuffle files: {e}"),
            })?;
        let local_dir = temp.path().to_path_buf();
        let blocks = Arc::new(BlockManager::new(storage, local_dir.join("blocks")));
        let accumulators = Arc::new(AccumulatorRegistry::default());
        let crate::cluster::Started {
            role,
            env,
            shuffles,
            scheduler,
        } = crate::cluster::start(
            &conf,
            &master,
            Arc::clone(&blocks),
            &local_dir,
            shuffle_mem,
            Arc::clone(&accumulators),
            SchedulerConfig {
                max_task_failures: max_failures,
                show_progress,
                ..SchedulerConfig::default()
            },
        )?;
        let (cleaner, cleanups) = Cleaner::channel();
        let stores = Arc::new(Stores::new(conf.all()));
        let sql = crate::sql::session::new_session(&conf, default_parallelism, &stores)?;
        let app_id = format!("app-{}-{}", now_ms(), std::process::id());
        let (event_log, ui) = match matches!(role, crate::cluster::Role::Executor(_)) {
            true => (None, None),
            false => {
                let local = matches!(master, Master::Local { .. });
                let driver = DriverFacts {
                    app_id: &app_id,
                    slots,
                    storage,
                    local,
                };
                let started = start_listeners(&conf, &scheduler, &driver, &blocks)?;
                // The executors the driver waited for joined before anyone listened.
                for e in role.startup_executor_events() {
                    scheduler.events().post(e);
                }
                started
            }
        };
        tracing::info!(
            master = conf.get_master(),
            app = conf.get_app_name(),
            "context started"
        );
        Ok(Context {
            inner: Arc::new(Inner {
                conf,
                master,
                scheduler,
                accumulators,
                role,
                env,
                blocks,
                shuffles,
                default_parallelism,
                parallelism_set,
                max_split_bytes,
                open_cost_bytes,
                stores,
                next_rdd: AtomicU64::new(0),
                next_shuffle: AtomicU64::new(0),
                next_accumulator: AtomicU64::new(0),
                next_broadcast: AtomicU64::new(0),
                next_partitioner: AtomicU64::new(0),
                pending_checkpoints: Mutex::new(HashMap::new()),
                cleaner,
                cleanups: Mutex::new(cleanups),
                sql,
                app_id,
                event_log,
                ui,
                _local_dir: temp,
            }),
        })
    }

    /// The application id (`app-<start ms>-<pid>`), as the event log and the UI name it.
    pub fn application_id(&self) -> &str {
        &self.inner.app_id
    }

    /// The event log file this context writes, when `ember.eventLog.enabled` is true.
    pub fn event_log_path(&self) -> Option<PathBuf> {
        self.inner
            .event_log
            .as_ref()
            .map(|w| w.path().to_path_buf())
    }

    /// Where this driver's web UI is served (`http://host:4040`), or `None` when
    /// `ember.ui.enabled` is false (or on an executor).
    pub fn ui_url(&self) -> Option<&str> {
        self.inner.ui.as_ref().map(DriverUi::url)
    }

    /// Adds a listener of this context's scheduler events (Spark's `addSparkListener`).
    pub fn add_listener(&self, listener: Arc<dyn Listener>) {
        self.inner.scheduler.events().add_listener(listener);
    }

    /// A context on `local[*]` with default settings.
    pub fn local() -> Result<Self> {
        Context::new(Conf::new().master("local[*]"))
    }

    /// The configuration.
    pub fn conf(&self) -> &Conf {
        &self.inner.conf
    }
    /// The master.
    pub fn master(&self) -> &Master {
        &self.inner.master
    }
    /// The application name.
    pub fn app_name(&self) -> &str {
        self.inner.conf.get_app_name()
    }
    /// Partitions used when none are given (`ember.default.parallelism`, else the cores).
    pub fn default_parallelism(&self) -> usize {
        self.inner.default_parallelism
    }
    /// Drops an RDD's cached blocks here (the backend's environment holds this context's
    /// block store) and on every executor.
    pub(crate) fn remove_rdd_blocks(&self, rdd: RddId) {
        self.inner.scheduler.backend().remove_rdd(rdd);
    }
    /// Spark's `defaultMinPartitions`: `min(default_parallelism, 2)`.
    pub fn default_min_partitions(&self) -> usize {
        self.inner.default_parallelism.min(2)
    }
    /// The splits of a DataFrame read over `files`, by Spark's rule for file sources: a split
    /// holds at most `ember.files.maxPartitionBytes` and, unless that is smaller, at least
    /// `ember.files.openCostInBytes` (4 MiB), so a small input is read whole rather than in
    /// slivers (and a FAILFAST read of it reports its first bad line).
    pub(crate) fn reader_splits(&self, files: &[SourceFile]) -> Vec<FileSplit> {
        let total: u64 = files.iter().map(|f| f.size).sum();
        let floor = self
            .inner
            .open_cost_bytes
            .min(self.inner.max_split_bytes)
            .max(1);
        let wanted = self.default_min_partitions() as u64;
        let min_partitions = wanted.min(total / floor).max(1) as usize;
        plan_splits(
            files,
            min_partitions,
            self.inner.max_split_bytes,
            self.default_parallelism(),
        )
    }
    /// Jobs, stages and tasks run so far.
    pub fn status_tracker(&self) -> StatusView {
        StatusView::new(Arc::clone(self.inner.scheduler.status()))
    }

    pub(crate) fn new_meta(&self, op: &'static str, loc: &Location<'_>) -> RddMeta {
        RddMeta::new(self.new_rdd_id(), op, call_site(loc)).with_cleaner(self.inner.cleaner.clone())
    }

    /// Frees shuffle outputs and cached blocks that no RDD refers to any more (run before each
    /// job, as Spark's `ContextCleaner` does in the background).
    pub(crate) fn clean_up(&self) {
        let tasks: Vec<CleanupTask> = self.inner.cleanups.lock().try_iter().collect();
        for t in tasks {
            tracing::debug!(?t, "cleaning up");
            match t {
                CleanupTask::Shuffle(s) => self.inner.scheduler.remove_shuffle(s),
                CleanupTask::Rdd(r) => {
                    self.remove_rdd_blocks(r);
                    // A persisted RDD no longer referenced: gone from the Storage page too.
                    let events = self.inner.scheduler.events();
                    if events.is_active() {
                        events.post(Event::RddUnpersisted { rdd_id: r.0 });
                    }
                }
            }
        }
    }
    pub(crate) fn new_rdd_id(&self) -> RddId {
        RddId(self.inner.next_rdd.fetch_add(1, Ordering::Relaxed))
    }
    pub(crate) fn new_shuffle_id(&self) -> ShuffleId {
        ShuffleId(self.inner.next_shuffle.fetch_add(1, Ordering::Relaxed))
    }
    pub(crate) fn new_partitioner_id(&self) -> u64 {
        self.inner.next_partitioner.fetch_add(1, Ordering::Relaxed)
    }

    pub(crate) fn wrap<T: Data>(&self, node: Arc<dyn RddCompute<T>>) -> Rdd<T> {
        Rdd::from_node(self.clone(), node)
    }

    /// Distributes a local collection over `slices` partitions (at least 1).
    #[track_caller]
    pub fn parallelize<T: Data>(&self, data: Vec<T>, slices: usize) -> Rdd<T> {
        let meta = self.new_meta("parallelize", Location::caller());
        self.wrap(Arc::new(ParallelizeRdd::new(meta, data, slices.max(1))))
    }

    /// `start, start+step, ...` below `end` (above it for a negative step) in `slices`
    /// partitions. A zero step is an error.
    #[track_caller]
    pub fn range(&self, start: i64, end: i64, step: i64, slices: usize) -> Result<Rdd<i64>> {
        let meta = self.new_meta("range", Location::caller());
        Ok(self.wrap(Arc::new(RangeRdd::new(meta, start, end, step, slices)?)))
    }

    /// Lines of a text file, a directory's visible files, a glob, or several of these separated
    /// by commas (see [`list_files`] for the glob forms: `*`, `?`, `[..]`, `{a,b}`, `**`),
    /// local or remote (`s3://bucket/key`, `gs://`, `az://`, `http(s)://`: see
    /// [`Context::stores`]).
    /// Plain files are split into byte ranges aligned to lines, at least `min_partitions` in
    /// all. Files ending in `.gz`, `.bz2`, `.zst`/`.zstd`, `.xz` or `.deflate` are decompressed,
    /// each as one partition (a compressed file cannot be split). A path that matches nothing
    /// is an error naming it; a corrupt compressed file fails the job naming the file.
    #[track_caller]
    pub fn text_file(&self, path: &str, min_partitions: usize) -> Result<Rdd<String>> {
        let meta = self.new_meta("textFile", Location::caller());
        let files = list_files(&self.inner.stores, path)?;
        let splits = plan_splits(
            &files,
            min_partitions,
            self.inner.max_split_bytes,
            self.default_parallelism(),
        );
        let stores = Arc::clone(&self.inner.stores);
        Ok(self.wrap(Arc::new(TextFileRdd::new(meta, splits, stores))))
    }

    /// Each file a path names (a file, a directory's visible files, a glob, or several of these
    /// separated by commas, resolved as [`text_file`](Self::text_file) does) as one record
    /// `(file:<absolute path>, contents)`, in `min_partitions` partitions (fewer when there
    /// are fewer files). The contents are the file's bytes as stored: compressed files are not
    /// decompressed, as in Spark. A path that matches nothing is an error naming it; a file
    /// that cannot be read fails the job naming it.
    #[track_caller]
    pub fn binary_files(
        &self,
        path: &str,
        min_partitions: usize,
    ) -> Result<Rdd<(String, Vec<u8>)>> {
        let stores = Arc::clone(&self.inner.stores);
        Ok(self.file_records(path, min_partitions)?.map(move |name| {
            let file = name.strip_prefix("file:").unwrap_or(&name);
            match read_all(&stores, file) {
                Ok(contents) => (name, contents),
                Err(e) => abort(e),
            }
        }))
    }

    /// Each file a path names, resolved as [`binary_files`](Self::binary_files) does, as one
    /// record `(file:<absolute path>, text)`. Files ending in `.gz`, `.bz2`, `.zst`/`.zstd`,
    /// `.xz` or `.deflate` are decompressed, as Hadoop's codecs do for Spark. A file that is
    /// not UTF-8, or a corrupt compressed file, fails the job naming it.
    #[track_caller]
    pub fn whole_text_files(
        &self,
        path: &str,
        min_partitions: usize,
    ) -> Result<Rdd<(String, String)>> {
        let stores = Arc::clone(&self.inner.stores);
        Ok(self.file_records(path, min_partitions)?.map(move |name| {
            let file = name.strip_prefix("file:").unwrap_or(&name);
            let stored = read_all(&stores, file).unwrap_or_else(|e| abort(e));
            let size = stored.len() as u64;
            let mut contents = Vec::new();
            let path = std::path::Path::new(file);
            decode_stream(path, Box::new(std::io::Cursor::new(stored)), size)
                .read_to_end(&mut contents)
                .unwrap_or_else(|e| abort(ember_engine::rdd::corrupt(path, &e)));
            match String::from_utf8(contents) {
                Ok(text) => (name, text),
                Err(e) => abort(ember_engine::EngineError::invalid(
                    "wholeTextFiles",
                    format!("{name} is not UTF-8 text: {e}"),
                )),
            }
        }))
    }

    /// The names of the files `path` names (`file:<absolute path>` for local files, the URL
    /// for remote ones), in `min_partitions` partitions (fewer when there are fewer files).
    #[track_caller]
    fn file_records(&self, path: &str, min_partitions: usize) -> Result<Rdd<String>> {
        let mut names = Vec::new();
        for file in list_files(&self.inner.stores, path)? {
            if is_remote(&file.path) {
                names.push(file.path);
                continue;
            }
            let abs = std::path::absolute(&file.path)
                .map_err(|e| ember_engine::EngineError::io(&file.path, &e))?;
            names.push(format!("file:{}", abs.display()));
        }
        let slices = min_partitions.clamp(1, names.len().max(1));
        Ok(self.parallelize(names, slices))
    }

    /// The object stores remote paths are read and written through: one client per bucket,
    /// configured from the environment (`AWS_ACCESS_KEY_ID`, `AWS_ENDPOINT_URL`, ...) and the
    /// conf (`ember.s3.endpoint`, per bucket `ember.s3.bucket.<bucket>.endpoint`, ...; see
    /// [`Stores`]). SQL and DataFrames use the same stores.
    pub fn stores(&self) -> &Arc<Stores> {
        &self.inner.stores
    }

    /// The union of several RDDs of the same type.
    #[track_caller]
    pub fn union<T: Data>(&self, rdds: &[Rdd<T>]) -> Rdd<T> {
        let meta = self.new_meta("union", Location::caller());
        let parents = rdds.iter().map(|r| Arc::clone(r.node())).collect();
        self.wrap(Arc::new(UnionRdd::new(meta, parents)))
    }

    /// An RDD with no partitions.
    #[track_caller]
    pub fn empty<T: Data>(&self) -> Rdd<T> {
        let meta = self.new_meta("emptyRDD", Location::caller());
        self.wrap(Arc::new(ParallelizeRdd::new(meta, Vec::new(), 0)))
    }

    /// A read-only value shared by every task.
    pub fn broadcast<T: Send + Sync + 'static>(&self, value: T) -> Broadcast<T> {
        let id = BroadcastId(self.inner.next_broadcast.fetch_add(1, Ordering::Relaxed));
        Broadcast::new(id, value)
    }

    /// A numeric accumulator (anything with `+=` and a zero `Default`).
    pub fn accumulator<T>(&self, initial: T) -> Accumulator<T>
    where
        T: AddAssign + Default + Clone + Send + Serialize + DeserializeOwned + 'static,
    {
        self.accumulator_with(initial, AddParam)
    }

    /// An accumulator with a user-defined way of adding values. Its values are serde types so
    /// that updates made on executors in other processes reach the driver.
    pub fn accumulator_with<T>(&self, initial: T, param: impl AccumulatorParam<T>) -> Accumulator<T>
    where
        T: Clone + Send + Serialize + DeserializeOwned + 'static,
    {
        let id = AccumulatorId(self.inner.next_accumulator.fetch_add(1, Ordering::Relaxed));
        let acc = Accumulator::encodable(id, initial, param);
        self.inner.accumulators.register(&acc);
        acc
    }

    /// Sets the directory RDD checkpoints are written to (created if missing).
    pub fn set_checkpoint_dir(&self, dir: impl Into<PathBuf>) -> Result<()> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)
            .map_err(|e| ember_engine::EngineError::io(dir.display(), &e))?;
        *self.inner.env.checkpoint_dir.write() = Some(dir);
        Ok(())
    }

    /// The checkpoint directory, if set.
    pub fn checkpoint_dir(&self) -> Option<PathBuf> {
        self.inner.env.checkpoint_dir.read().clone()
    }

    /// Drops a block from the block store, as losing an executor would. The next task that
    /// needs it recomputes it from lineage. Returns whether it was held.
    pub fn remove_block(&self, block: BlockId) -> bool {
        self.inner.blocks.remove(&block)
    }

    /// Drops the output of one map task of a shuffle, as losing an executor would. The next job
    /// that reads it gets a fetch failure and the scheduler reruns that map task.
    pub fn remove_map_output(&self, shuffle: ShuffleId, map: usize) -> bool {
        self.inner.shuffles.remove_map_output(shuffle, map)
    }

    /// Bytes of cached blocks held in memory.
    pub fn storage_memory_used(&self) -> u64 {
        self.inner.blocks.memory_used()
    }
}

/// What the first events say of the driver.
struct DriverFacts<'a> {
    app_id: &'a str,
    slots: usize,
    storage: u64,
    local: bool,
}

/// Starts the event log (when `ember.eventLog.enabled`) and the web UI (unless
/// `ember.ui.enabled` is false), and posts the application's first events to them (start,
/// environment, the driver's executor in local mode).
fn start_listeners(
    conf: &Conf,
    scheduler: &DagScheduler,
    driver: &DriverFacts<'_>,
    blocks: &Arc<BlockManager>,
) -> Result<(Option<Arc<EventLogWriter>>, Option<DriverUi>)> {
    let bus = scheduler.events();
    let event_log =
        match conf.get_bool("ember.eventLog.enabled", false)? {
            false => None,
            true => {
                let dir = conf
                    .get("ember.eventLog.dir")
                    .unwrap_or("/tmp/ember-events");
                let writer = EventLogWriter::create(std::path::Path::new(dir), driver.app_id)
                    .map_err(|e| Error::Conf {
                        key: "ember.eventLog.dir".into(),
                        value: dir.into(),
                        message: format!("cannot write the event log there: {e}"),
                    })?;
                let writer = Arc::new(writer);
                bus.add_listener(Arc::clone(&writer) as Arc<dyn Listener>);
                Some(writer)
            }
        };
    let store = match conf.get_bool("ember.ui.enabled", true)? {
        false => None,
        true => {
            let store = Arc::new(StatusStore::new(retention_of(conf)?));
            bus.add_listener(Arc::clone(&store) as Arc<dyn Listener>);
            Some(store)
        }
    };
    if !bus.is_active() {
        return Ok((None, None));
    }
    bus.post(Event::ApplicationStart {
        app_id: driver.app_id.to_string(),
        app_name: conf.get_app_name().to_string(),
        master: conf.get_master().to_string(),
        user: std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .unwrap_or_default(),
        time: now_ms(),
    });
    bus.post(Event::Environment {
        properties: redacted(conf.all().map(|(k, v)| (k.to_string(), v.to_string()))),
    });
    if driver.local {
        bus.post(Event::ExecutorAdded {
            executor_id: "driver".into(),
            host: "localhost".into(),
            cores: driver.slots,
            max_memory: driver.storage,
            metrics_url: None,
            time: now_ms(),
        });
    }
    let ui = store
        .map(|s| DriverUi::start(s, conf, Arc::clone(blocks)))
        .transpose()?;
    Ok((event_log, ui))
}

impl Drop for Inner {
    fn drop(&mut self) {
        if self.event_log.is_some() || self.ui.is_some() {
            self.scheduler
                .events()
                .post(Event::ApplicationEnd { time: now_ms() });
        }
    }
}

//! `ember._ember`: the thin Rust layer under the `ember` Python package.
//!
//! Python elements travel through the engine as opaque bytes: an RDD of the Python API is an
//! `Rdd<Vec<u8>>` whose elements are pickled batches (lists) of Python objects, or, straight
//! from `textFile`, an `Rdd<String>` of lines. Python functions never run in this process: each
//! task hands its partition to a worker process of the context's pool (see `worker.rs`), which
//! runs the cloudpickled function and streams pickled batches back. Shuffles route
//! `(partition, pickled batch)` pairs by the partition the worker computed. The API, its
//! documentation and pyspark's semantics live in the Python package; see `python/README.md`.

mod sql;
mod worker;

use ember::rdd::save::Codec;
use ember::{Conf, Context, Partitioner, Rdd, StorageLevel};
use pyo3::exceptions::{
    PyException, PyFileExistsError, PyFileNotFoundError, PyRuntimeError, PyValueError,
};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use worker::{InputKind, OutputKind, WorkerPool, WorkerSpec, run_in_worker};

pyo3::create_exception!(
    _ember,
    WorkerError,
    PyException,
    "A Python function failed in a worker: args are (pickled exception or None, type name, message, traceback)."
);

/// Identities of the partitioners of Python shuffles, far from the engine's own.
static NEXT_PARTITIONER: AtomicU64 = AtomicU64::new(1 << 48);

/// Turns an Ember error into a Python exception: a user error in a worker becomes
/// `WorkerError` carrying the pickled exception; a missing path `FileNotFoundError`.
fn to_py_err(err: ember::Error) -> PyErr {
    if let Some(ember::EngineError::UserError { payload, .. }) = err.engine_error() {
        return Python::attach(|py| WorkerError::new_err((PyBytes::new(py, payload).unbind(),)));
    }
    if let ember::Error::OutputExists { path } = &err {
        return PyFileExistsError::new_err(format!("Output directory {path} already exists"));
    }
    match err.engine_error() {
        Some(ember::EngineError::PathNotFound { path }) => {
            PyFileNotFoundError::new_err(format!("Input path does not exist: {path}"))
        }
        Some(ember::EngineError::InvalidArgument { .. }) => PyValueError::new_err(err.to_string()),
        _ => PyRuntimeError::new_err(err.to_string()),
    }
}

/// A running Ember context with its pool of Python workers.
#[pyclass(frozen, module = "ember._ember")]
struct NativeContext {
    ctx: Context,
    pool: Arc<WorkerPool>,
}

#[pymethods]
impl NativeContext {
    /// Starts a context. `conf` holds `ember.*` keys; `python` and `worker_env` say how to start
    /// workers.
    #[new]
    fn new(
        master: &str,
        app_name: &str,
        conf: Vec<(String, String)>,
        python: String,
        worker_env: Vec<(String, String)>,
    ) -> PyResult<Self> {
        let mut c = Conf::new().master(master).app_name(app_name);
        for (k, v) in conf {
            c = c.set(k, v);
        }
        let ctx = Context::new(c).map_err(to_py_err)?;
        let spec = WorkerSpec {
            python,
            env: worker_env,
        };
        let pool = Arc::new(WorkerPool::new(spec, &ctx));
        Ok(NativeContext { ctx, pool })
    }

    /// Partitions of `parallelize` and shuffles when nothing else says.
    fn default_parallelism(&self) -> usize {
        self.ctx.default_parallelism()
    }

    /// One partition per pickled slice.
    fn parallelize(&self, slices: Vec<Bound<'_, PyBytes>>) -> NativeRdd {
        let slices: Vec<Vec<u8>> = slices.iter().map(|b| b.as_bytes().to_vec()).collect();
        let n = slices.len().max(1);
        let rdd = self.ctx.parallelize(slices, n);
        NativeRdd::pickled(rdd, &self.pool)
    }

    /// The lines of text files (a path, directory, glob or comma-separated list).
    fn text_file(&self, path: &str, min_partitions: usize) -> PyResult<NativeRdd> {
        let rdd = self
            .ctx
            .text_file(path, min_partitions)
            .map_err(to_py_err)?;
        Ok(NativeRdd {
            data: Data::Lines(rdd),
            pool: Arc::clone(&self.pool),
        })
    }

    /// Each file a path names as one frame `u32 len + "file:<path>" + contents`.
    fn binary_files(&self, path: &str, min_partitions: usize) -> PyResult<NativeRdd> {
        let files = self
            .ctx
            .binary_files(path, min_partitions)
            .map_err(to_py_err)?;
        let frames = files.map(|(name, contents)| pair_frame(name.as_bytes(), &contents));
        Ok(NativeRdd::raw(frames, &self.pool))
    }

    /// Sets the directory checkpoints are written to (created if missing).
    fn set_checkpoint_dir(&self, dir: &str) -> PyResult<()> {
        self.ctx.set_checkpoint_dir(dir).map_err(to_py_err)
    }

    /// The union of RDDs, partitions side by side.
    fn union(&self, rdds: Vec<PyRef<'_, NativeRdd>>) -> NativeRdd {
        let parts: Vec<Rdd<Vec<u8>>> = rdds.iter().map(|r| r.as_pickled()).collect();
        NativeRdd::pickled(self.ctx.union(&parts), &self.pool)
    }

    /// Sets the local properties (a pickled dict) the next tasks' workers see.
    fn set_job_properties(&self, properties: Vec<u8>) {
        self.pool.set_properties(properties);
    }

    /// Makes every worker drop broadcast `id` from its cache (with its next request).
    fn drop_broadcast(&self, id: u64) {
        self.pool.drop_broadcast(id);
    }

    /// The accumulator updates (pickled dicts) of the tasks that succeeded since the last call.
    fn take_accumulator_updates<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(
            py,
            self.pool.take_updates().iter().map(|u| PyBytes::new(py, u)),
        )
    }

    /// Stops the workers; the context's threads end when it is dropped.
    fn stop(&self) {
        self.pool.shutdown();
    }

    /// The retained jobs and their stages, as JSON (`ember.status.JobInfo` list).
    fn status_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.ctx.status_tracker().jobs())
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }

    /// Where the driver's web UI is served, if it runs.
    fn ui_url(&self) -> Option<String> {
        self.ctx.ui_url().map(str::to_string)
    }

    /// Whether this context drives executor processes (which replay its recorded calls).
    fn is_cluster_driver(&self) -> bool {
        self.ctx.is_cluster_driver()
    }

    /// Sends one recorded call to the executors.
    fn send_program_step(&self, step: Vec<u8>) {
        self.ctx.send_program_step(step);
    }

    /// In an executor, the driver's next recorded call (the GIL is released while waiting);
    /// `None` in any other context.
    fn next_program_step<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        let ctx = self.ctx.clone();
        let step = py.detach(move || ctx.next_program_step());
        step.map(|s| PyBytes::new(py, &s))
    }
}

enum Data {
    Pickled(Rdd<Vec<u8>>),
    Lines(Rdd<String>),
    /// Frames only a worker decodes (zipped or crossed batch pairs, whole files): the Python
    /// API runs a function over them before anything else.
    Raw(Rdd<Vec<u8>>),
}

/// `u32 len + a + b`: two byte strings in one frame.
fn pair_frame(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut frame = Vec::with_capacity(4 + a.len() + b.len());
    frame.extend_from_slice(&(a.len() as u32).to_be_bytes());
    frame.extend_from_slice(a);
    frame.extend_from_slice(b);
    frame
}

/// An RDD of the Python API: pickled batches, text lines, or raw frames for a worker.
#[pyclass(frozen, module = "ember._ember")]
struct NativeRdd {
    data: Data,
    pool: Arc<WorkerPool>,
}

impl NativeRdd {
    fn pickled(rdd: Rdd<Vec<u8>>, pool: &Arc<WorkerPool>) -> NativeRdd {
        NativeRdd {
            data: Data::Pickled(rdd),
            pool: Arc::clone(pool),
        }
    }

    fn raw(rdd: Rdd<Vec<u8>>, pool: &Arc<WorkerPool>) -> NativeRdd {
        NativeRdd {
            data: Data::Raw(rdd),
            pool: Arc::clone(pool),
        }
    }

    /// The RDD as frames for a worker, with their kind.
    fn frames(&self) -> (Rdd<Vec<u8>>, InputKind) {
        match &self.data {
            Data::Pickled(r) => (r.clone(), InputKind::Pickled),
            Data::Lines(r) => (lines_to_frames(r), InputKind::Lines),
            Data::Raw(r) => (r.clone(), InputKind::Raw),
        }
    }

    /// The pickled batches, or an error for data a worker must convert first.
    fn batches(&self) -> PyResult<Rdd<Vec<u8>>> {
        match &self.data {
            Data::Pickled(r) => Ok(r.clone()),
            _ => Err(PyValueError::new_err(
                "this RDD holds text lines or raw frames; run a Python function over it first",
            )),
        }
    }

    fn as_pickled(&self) -> Rdd<Vec<u8>> {
        self.frames().0
    }

    fn is_lines(&self) -> bool {
        matches!(self.data, Data::Lines(_))
    }

    fn run_python(&self, command: &[u8], output: OutputKind) -> (Rdd<Vec<u8>>, InputKind) {
        let (rdd, kind) = self.frames();
        let command = Arc::new(command.to_vec());
        let pool = Arc::clone(&self.pool);
        let rdd = rdd.map_partitions_with_index(move |split, it| {
            run_in_worker(&pool, &command, split, kind, output, it)
        });
        (rdd, kind)
    }
}

/// Batches of lines joined by `\n` (lines never contain one), one frame per chunk of lines.
fn lines_to_frames(rdd: &Rdd<String>) -> Rdd<Vec<u8>> {
    rdd.map_partitions(|it| {
        let mut it = it.peekable();
        std::iter::from_fn(move || {
            it.peek()?;
            let mut frame = Vec::with_capacity(1 << 16);
            for (i, line) in it.by_ref().take(4096).enumerate() {
                if i > 0 {
                    frame.push(b'\n');
                }
                frame.extend_from_slice(line.as_bytes());
            }
            Some(frame)
        })
    })
}

#[pymethods]
impl NativeRdd {
    /// Number of partitions.
    fn num_partitions(&self) -> usize {
        match &self.data {
            Data::Pickled(r) | Data::Raw(r) => r.num_partitions(),
            Data::Lines(r) => r.num_partitions(),
        }
    }

    /// The engine's id of this RDD.
    fn id(&self) -> u64 {
        match &self.data {
            Data::Pickled(r) | Data::Raw(r) => r.id().0,
            Data::Lines(r) => r.id().0,
        }
    }

    /// Pairs the i-th batch of each partition with `other`'s (both of pickled batches of the
    /// same sizes): frames of `u32 len + batch + other batch`.
    fn zip(&self, other: PyRef<'_, NativeRdd>) -> PyResult<NativeRdd> {
        let zipped = self.batches()?.zip(&other.batches()?).map_err(to_py_err)?;
        Ok(NativeRdd::raw(
            zipped.map(|(a, b)| pair_frame(&a, &b)),
            &self.pool,
        ))
    }

    /// Every pair of a batch of this RDD and a batch of `other`: frames of
    /// `u32 len + batch + other batch`, one partition per pair of partitions.
    fn cartesian(&self, other: PyRef<'_, NativeRdd>) -> PyResult<NativeRdd> {
        let crossed = self.batches()?.cartesian(&other.batches()?);
        Ok(NativeRdd::raw(
            crossed.map(|(a, b)| pair_frame(&a, &b)),
            &self.pool,
        ))
    }

    /// Runs `func(split, iterator)`, which yields `bytes`, in workers and writes those bytes
    /// as they are to `part-NNNNN` files under `path` (compressed with the Hadoop codec named
    /// `codec`, if any), committed with `_SUCCESS` when every task succeeded.
    fn save_as_bytes_file(
        &self,
        py: Python<'_>,
        command: &[u8],
        path: &str,
        codec: Option<&str>,
    ) -> PyResult<()> {
        let codec = codec.map(Codec::from_name).transpose().map_err(to_py_err)?;
        let (rdd, _) = self.run_python(command, OutputKind::Raw);
        let path = path.to_string();
        py.detach(move || rdd.save_as_bytes_file(path, codec))
            .map_err(to_py_err)
    }

    /// Marks the RDD for checkpointing after the next job that computes it.
    fn checkpoint(&self) -> PyResult<()> {
        match &self.data {
            Data::Pickled(r) | Data::Raw(r) => r.checkpoint(),
            Data::Lines(r) => r.checkpoint(),
        }
        .map_err(to_py_err)
    }

    /// Where the checkpoint was written (`None` until it is).
    fn checkpoint_file(&self) -> Option<String> {
        let (id, dir) = match &self.data {
            Data::Pickled(r) | Data::Raw(r) => (r.id(), r.node().meta().checkpoint_dir()),
            Data::Lines(r) => (r.id(), r.node().meta().checkpoint_dir()),
        };
        dir.map(|d| format!("file:{}", d.join(format!("rdd-{}", id.0)).display()))
    }

    /// `True` for an RDD of text lines (collect returns `str`s), else pickled batches.
    fn lines(&self) -> bool {
        self.is_lines()
    }

    /// `True` for raw frames, which only a worker decodes.
    fn is_raw(&self) -> bool {
        matches!(self.data, Data::Raw(_))
    }

    /// How many partitions are held in the block store (cached).
    fn cached_partitions(&self) -> usize {
        let (ctx, id) = match &self.data {
            Data::Pickled(r) | Data::Raw(r) => (r.context(), r.id()),
            Data::Lines(r) => (r.context(), r.id()),
        };
        ctx.rdd_storage_info(id).cached_partitions
    }

    /// Runs the cloudpickled `func(split, iterator)` over every partition in workers.
    fn map_partitions(&self, command: &[u8]) -> NativeRdd {
        let (rdd, _) = self.run_python(command, OutputKind::Pickled);
        NativeRdd::pickled(rdd, &self.pool)
    }

    /// Runs `func(split, iterator)`, which yields `(partition, pickled batch)`, in workers, and
    /// shuffles each batch to its partition: the reduce side of a Python shuffle.
    fn partition_by(&self, command: &[u8], partitions: usize) -> PyResult<NativeRdd> {
        if partitions == 0 {
            return Err(PyValueError::new_err(
                "partitionBy needs numPartitions >= 1, got 0",
            ));
        }
        let (keyed, _) = self.run_python(command, OutputKind::Keyed);
        let keyed = keyed.map(|mut frame| {
            let rest = frame.split_off(4.min(frame.len()));
            let mut p = [0u8; 4];
            p.copy_from_slice(&frame);
            (u32::from_be_bytes(p), rest)
        });
        let id = NEXT_PARTITIONER.fetch_add(1, Ordering::Relaxed);
        let partitioner = Partitioner::custom(partitions, id, |p: &u32| *p as usize);
        Ok(NativeRdd::pickled(
            keyed.partition_by_with(partitioner).values(),
            &self.pool,
        ))
    }

    /// Fewer partitions, without a shuffle unless `shuffle`.
    fn coalesce(&self, partitions: usize, shuffle: bool) -> NativeRdd {
        NativeRdd::pickled(
            self.as_pickled().coalesce(partitions.max(1), shuffle),
            &self.pool,
        )
    }

    /// Keeps the partitions in the block manager at the level given as (disk, memory, replicas),
    /// under the Python RDD's `setName` name if it has one (the UI's Storage page shows it).
    #[pyo3(signature = (use_disk, use_memory, replication, name=None))]
    fn persist(
        &self,
        use_disk: bool,
        use_memory: bool,
        replication: u8,
        name: Option<String>,
    ) -> NativeRdd {
        let level = StorageLevel::new(use_disk, use_memory, replication);
        if let Some(n) = name {
            // Names the shared node, so the persisted RDD below carries it.
            match &self.data {
                Data::Pickled(r) | Data::Raw(r) => drop(r.clone().set_name(n)),
                Data::Lines(r) => drop(r.clone().set_name(n)),
            }
        }
        let data = match &self.data {
            Data::Pickled(r) => Data::Pickled(r.persist(level)),
            Data::Lines(r) => Data::Lines(r.persist(level)),
            Data::Raw(r) => Data::Raw(r.persist(level)),
        };
        NativeRdd {
            data,
            pool: Arc::clone(&self.pool),
        }
    }

    /// Drops the cached partitions.
    fn unpersist(&self) {
        match &self.data {
            Data::Pickled(r) | Data::Raw(r) => drop(r.unpersist()),
            Data::Lines(r) => drop(r.unpersist()),
        }
    }

    /// The lineage, with shuffle boundaries.
    fn debug_string(&self) -> String {
        match &self.data {
            Data::Pickled(r) | Data::Raw(r) => r.to_debug_string(),
            Data::Lines(r) => r.to_debug_string(),
        }
    }

    /// Runs a job over the given partitions only; like `collect`, for those partitions.
    fn collect_partitions<'py>(
        &self,
        py: Python<'py>,
        partitions: Vec<usize>,
    ) -> PyResult<Bound<'py, PyList>> {
        match &self.data {
            Data::Pickled(_) | Data::Raw(_) => {
                let r = self.batches()?;
                let parts = py
                    .detach(move || r.collect_partitions(partitions))
                    .map_err(to_py_err)?;
                PyList::new(py, parts.iter().flatten().map(|b| PyBytes::new(py, b)))
            }
            Data::Lines(r) => {
                let r = r.clone();
                let parts = py
                    .detach(move || r.collect_partitions(partitions))
                    .map_err(to_py_err)?;
                PyList::new(py, parts.into_iter().flatten())
            }
        }
    }

    /// Runs the job; a list of pickled batches (`bytes`), or of `str` for text lines. The GIL
    /// is released while the job runs.
    fn collect<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        match &self.data {
            Data::Pickled(_) | Data::Raw(_) => {
                let r = self.batches()?;
                let batches = py.detach(move || r.collect()).map_err(to_py_err)?;
                PyList::new(py, batches.iter().map(|b| PyBytes::new(py, b)))
            }
            Data::Lines(r) => {
                let r = r.clone();
                let lines = py.detach(move || r.collect()).map_err(to_py_err)?;
                PyList::new(py, lines)
            }
        }
    }
}

/// The extension module.
#[pymodule]
fn _ember(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<NativeContext>()?;
    m.add_class::<NativeRdd>()?;
    m.add("WorkerError", m.py().get_type::<WorkerError>())?;
    sql::register(m)?;
    Ok(())
}

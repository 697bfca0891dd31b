//! `ember._ember`: the thin Rust layer under the `ember` Python package.
//!
//! Python elements travel through the engine as opaque bytes: an RDD of the Python API is an
//! `Rdd<Vec<u8>>` whose elements are pickled batches (lists) of Python objects, or, straight
//! from `textFile`, an `Rdd<String>` of lines. Python functions never run in this process: each
//! task hands its partition to a worker process of the context's pool (see `worker.rs`), which
//! runs the cloudpickled function and streams pickled batches back. Shuffles route
//! `(partition, pickled batch)` pairs by the partition the worker computed. The API, its
//! documentation and pyspark's semantics live in the Python package; see `python/README.md`.

mod worker;

use ember::{Conf, Context, Partitioner, Rdd, StorageLevel};
use pyo3::exceptions::{PyException, PyFileNotFoundError, PyRuntimeError, PyValueError};
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
    if let Some(ember::EngineError::UserPanic { message }) = err.engine_error()
        && let Some(rest) = message.strip_prefix(worker::ERROR_MARK)
        && let Ok(id) = rest.split(':').next().unwrap_or_default().parse::<u64>()
        && let Some(payload) = worker::PYTHON_ERRORS
            .lock()
            .as_mut()
            .and_then(|m| m.remove(&id))
    {
        return Python::attach(|py| WorkerError::new_err((PyBytes::new(py, &payload).unbind(),)));
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
        let pool = Arc::new(WorkerPool::new(WorkerSpec {
            python,
            env: worker_env,
        }));
        Ok(NativeContext { ctx, pool })
    }

    /// Task slots of the master (N of `local[N]`).
    fn slots(&self) -> usize {
        self.ctx.master().slots()
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

    /// The union of RDDs, partitions side by side.
    fn union(&self, rdds: Vec<PyRef<'_, NativeRdd>>) -> NativeRdd {
        let parts: Vec<Rdd<Vec<u8>>> = rdds.iter().map(|r| r.as_pickled()).collect();
        NativeRdd::pickled(self.ctx.union(&parts), &self.pool)
    }

    /// Stops the workers; the context's threads end when it is dropped.
    fn stop(&self) {
        self.pool.shutdown();
    }
}

enum Data {
    Pickled(Rdd<Vec<u8>>),
    Lines(Rdd<String>),
}

/// An RDD of the Python API: pickled batches, or text lines.
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

    /// The RDD as frames for a worker, with their kind.
    fn frames(&self) -> (Rdd<Vec<u8>>, InputKind) {
        match &self.data {
            Data::Pickled(r) => (r.clone(), InputKind::Pickled),
            Data::Lines(r) => (lines_to_frames(r), InputKind::Lines),
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
            Data::Pickled(r) => r.num_partitions(),
            Data::Lines(r) => r.num_partitions(),
        }
    }

    /// `True` for an RDD of text lines (collect returns `str`s), else pickled batches.
    fn lines(&self) -> bool {
        self.is_lines()
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

    /// Keeps the partitions in the block manager at the level given as (disk, memory, replicas).
    fn persist(&self, use_disk: bool, use_memory: bool, replication: u8) -> NativeRdd {
        let level = StorageLevel::new(use_disk, use_memory, replication);
        let data = match &self.data {
            Data::Pickled(r) => Data::Pickled(r.persist(level)),
            Data::Lines(r) => Data::Lines(r.persist(level)),
        };
        NativeRdd {
            data,
            pool: Arc::clone(&self.pool),
        }
    }

    /// Drops the cached partitions.
    fn unpersist(&self) {
        match &self.data {
            Data::Pickled(r) => drop(r.unpersist()),
            Data::Lines(r) => drop(r.unpersist()),
        }
    }

    /// The lineage, with shuffle boundaries.
    fn debug_string(&self) -> String {
        match &self.data {
            Data::Pickled(r) => r.to_debug_string(),
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
            Data::Pickled(r) => {
                let r = r.clone();
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
            Data::Pickled(r) => {
                let r = r.clone();
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
    Ok(())
}

//! Python worker processes: the pool of an executor, and the protocol a task speaks with one.
//!
//! A worker is `python -m ember.worker`, reading requests on its stdin and answering on its
//! stdout. All integers are big-endian; a frame is `i32 len + bytes`. A request is a common
//! header, then a body whose layout depends on the request kind:
//!
//! ```text
//! u8 request kind          0: a Python function over an RDD partition (other kinds: later)
//! u32 partition id | u64 stage id | u32 stage attempt | u32 attempt number | u64 task attempt id
//! frame: the job's local properties (a pickled dict from the driver; empty: none)
//! i32 n + n x u64: broadcast ids this worker must drop from its cache
//! -- kind 0 --
//! u32 split | u8 input kind | u8 output kind
//!   input kinds: 0 pickled batches, 1 UTF-8 lines joined by `\n`, 2 raw (each frame is one
//!   `bytes` element); output kinds: 0 pickled batches, 1 keyed (every frame is a u32
//!   partition and a pickled batch of pairs), 2 raw (each `bytes` the function yields)
//! frame: the command (a cloudpickled `func(split, iterator) -> iterator`)
//! frames: the input, then i32 -1 (end of input)
//! ```
//!
//! The worker answers with frames, then `i32 -1` (done) followed by one frame holding the
//! task's accumulator updates (a pickled `{accumulator id: value}`; empty: none), or `i32 -2`
//! followed by two frames when the user's function raised: a UTF-8 summary (type, message, and
//! the file and line where it was raised), then a pickled `(exception or None, type name,
//! message, traceback text)`. The worker reads its whole input even after an error, so the
//! request always ends cleanly and the worker goes back to the pool.
//!
//! Accumulator updates are recorded in the running task's context as the pending update of the
//! pool's engine accumulator: the scheduler applies them once, when the first attempt of the
//! task succeeds, and drops them when it fails. The driver then takes them with
//! [`WorkerPool::take_updates`] and adds them into its Python accumulators.
//!
//! Input is written on the task thread (where the upstream iterators must run) while a reader
//! thread drains the worker's output into a channel, so neither side can block the other.

use crossbeam_channel::{Receiver, unbounded};
use ember::{Accumulator, AccumulatorParam, EngineError};
use ember_engine::task_context::{TaskContext, abort};
use parking_lot::Mutex;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::thread::JoinHandle;

/// How a worker is started: the interpreter and the environment it needs.
#[derive(Clone, Debug)]
pub struct WorkerSpec {
    /// The Python executable (the driver's `sys.executable`).
    pub python: String,
    /// Extra environment variables (PYTHONPATH, PYTHONHASHSEED).
    pub env: Vec<(String, String)>,
}

/// One live worker process.
struct Worker {
    child: Child,
    stdin: BufWriter<ChildStdin>,
    /// With the reader thread while a request runs.
    stdout: Option<BufReader<ChildStdout>>,
    /// How many of the pool's dropped broadcasts this worker has been told about.
    drops_seen: usize,
}

impl Worker {
    fn spawn(spec: &WorkerSpec) -> Result<Worker, EngineError> {
        let mut cmd = Command::new(&spec.python);
        cmd.args(["-m", "ember.worker"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (k, v) in &spec.env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().map_err(|e| EngineError::Io {
            path: spec.python.clone(),
            message: format!(
                "cannot start the Python worker `{} -m ember.worker`: {e}",
                spec.python
            ),
        })?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(EngineError::invalid(
                "python worker",
                "worker pipes are missing",
            ));
        };
        Ok(Worker {
            child,
            stdin: BufWriter::with_capacity(1 << 16, stdin),
            stdout: Some(BufReader::with_capacity(1 << 16, stdout)),
            drops_seen: 0,
        })
    }
}

/// Accumulator updates of successful tasks: pickled `{accumulator id: value}` dicts, in the
/// order the tasks were committed. Clones share the list.
#[derive(Clone, Default)]
pub struct Updates(Arc<Mutex<Vec<Vec<u8>>>>);

impl serde::Serialize for Updates {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.lock().serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for Updates {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Updates(Arc::new(Mutex::new(Vec::deserialize(d)?))))
    }
}

/// Adds updates by appending them (a task's own updates start from a fresh empty list).
struct AppendUpdates;

impl AccumulatorParam<Updates> for AppendUpdates {
    fn zero(&self, _initial: &Updates) -> Updates {
        Updates::default()
    }
    fn add_in_place(&self, acc: &mut Updates, value: Updates) {
        let mut v = std::mem::take(&mut *value.0.lock());
        acc.0.lock().append(&mut v);
    }
}

/// The idle workers of one context. Each task takes one (starting a new process when none is
/// idle) and gives it back when its request ended cleanly; with `local[N]` at most N tasks run
/// at once, so the pool settles at N processes.
pub struct WorkerPool {
    spec: WorkerSpec,
    idle: Mutex<Vec<Worker>>,
    /// The local properties of the running jobs, sent with every request.
    properties: Mutex<Arc<Vec<u8>>>,
    /// Broadcast ids unpersisted on the driver, in order; each worker is told once.
    dropped: Mutex<Vec<u64>>,
    /// The engine accumulator that carries the workers' accumulator updates to the driver.
    updates: Accumulator<Updates>,
}

impl WorkerPool {
    /// An empty pool; workers start on first use. `ctx` hands out the accumulator that carries
    /// the workers' accumulator updates.
    pub fn new(spec: WorkerSpec, ctx: &ember::Context) -> Self {
        WorkerPool {
            spec,
            idle: Mutex::new(Vec::new()),
            properties: Mutex::new(Arc::new(Vec::new())),
            dropped: Mutex::new(Vec::new()),
            updates: ctx.accumulator_with(Updates::default(), AppendUpdates),
        }
    }

    /// Sets the local properties (opaque bytes) sent with the requests of the next tasks.
    pub fn set_properties(&self, properties: Vec<u8>) {
        *self.properties.lock() = Arc::new(properties);
    }

    /// Tells every worker, with its next request, to drop broadcast `id` from its cache.
    pub fn drop_broadcast(&self, id: u64) {
        self.dropped.lock().push(id);
    }

    /// Takes the accumulator updates of the tasks that succeeded since the last call.
    pub fn take_updates(&self) -> Vec<Vec<u8>> {
        std::mem::take(&mut *self.updates.value().0.lock())
    }

    fn take(&self) -> Result<Worker, EngineError> {
        if let Some(w) = self.idle.lock().pop() {
            return Ok(w);
        }
        Worker::spawn(&self.spec)
    }

    fn give_back(&self, w: Worker) {
        self.idle.lock().push(w);
    }

    /// Ends every idle worker (closing its stdin makes it exit) and waits for it.
    pub fn shutdown(&self) {
        for mut w in self.idle.lock().drain(..) {
            drop(w.stdin);
            let _ = w.child.wait();
        }
    }
}

impl Drop for WorkerPool {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// The kind of frames a task sends to its worker.
#[derive(Clone, Copy, Debug)]
pub enum InputKind {
    /// Pickled lists of Python objects.
    Pickled = 0,
    /// UTF-8 text lines joined by `\n`.
    Lines = 1,
    /// Bytes handed to the function as they are (Arrow IPC streams of DataFrame rows and of
    /// the arguments of SQL functions written in Python).
    Raw = 2,
}

/// The kind of frames a worker answers with.
#[derive(Clone, Copy, Debug)]
pub enum OutputKind {
    /// Pickled lists of Python objects.
    Pickled = 0,
    /// `u32` partition followed by a pickled list of `(key, value)` pairs.
    Keyed = 1,
    /// The `bytes` the function yields, as they are.
    Raw = 2,
}

enum Reply {
    Frame(Vec<u8>),
    /// The end of the output, with the task's accumulator updates (empty: none).
    Done(BufReader<ChildStdout>, Vec<u8>),
    Failed(EngineError, Option<BufReader<ChildStdout>>),
}

fn io_err(what: &str, e: &io::Error) -> EngineError {
    EngineError::Io {
        path: "python worker".into(),
        message: format!("{what}: {e}"),
    }
}

fn write_frame(w: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    w.write_all(&(bytes.len() as i32).to_be_bytes())?;
    w.write_all(bytes)
}

fn read_i32(r: &mut impl Read) -> io::Result<i32> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)?;
    Ok(i32::from_be_bytes(b))
}

fn read_frame(r: &mut impl Read, len: i32) -> io::Result<Vec<u8>> {
    let len = usize::try_from(len).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("bad frame length {len}"),
        )
    })?;
    let mut buf = vec![0u8; len];
    r.read_exact(&mut buf)?;
    Ok(buf)
}

/// The kinds of request a worker serves.
#[derive(Clone, Copy, Debug)]
pub enum RequestKind {
    /// A Python function over the frames of one RDD partition.
    Rdd = 0,
}

/// Writes the header every request starts with: its kind, the running task (from the engine's
/// task context), the job's local properties and the broadcasts the worker must forget.
fn write_header(
    w: &mut impl Write,
    kind: RequestKind,
    pool: &WorkerPool,
    drops_seen: &mut usize,
) -> io::Result<()> {
    let tc = TaskContext::get();
    let partition = tc.as_ref().map_or(0, |t| t.partition_id() as u32);
    let stage = tc.as_ref().map_or(0, |t| t.stage_id().0);
    let stage_attempt = tc.as_ref().map_or(0, |t| t.stage_attempt_number());
    let attempt = tc.as_ref().map_or(0, |t| t.attempt_number());
    let task = tc.as_ref().map_or(0, |t| t.task_attempt_id().0);
    w.write_all(&[kind as u8])?;
    w.write_all(&partition.to_be_bytes())?;
    w.write_all(&stage.to_be_bytes())?;
    w.write_all(&stage_attempt.to_be_bytes())?;
    w.write_all(&attempt.to_be_bytes())?;
    w.write_all(&task.to_be_bytes())?;
    let properties = Arc::clone(&pool.properties.lock());
    write_frame(w, &properties)?;
    let drops: Vec<u64> = pool.dropped.lock()[*drops_seen..].to_vec();
    *drops_seen += drops.len();
    w.write_all(&(drops.len() as i32).to_be_bytes())?;
    for id in drops {
        w.write_all(&id.to_be_bytes())?;
    }
    Ok(())
}

/// Reads the worker's answer to one request, sending frames as they come.
fn read_replies(mut out: BufReader<ChildStdout>, tx: crossbeam_channel::Sender<Reply>) {
    loop {
        let reply = match read_i32(&mut out) {
            Ok(-1) => match read_i32(&mut out).and_then(|n| read_frame(&mut out, n)) {
                Ok(updates) => Reply::Done(out, updates),
                Err(e) => Reply::Failed(
                    io_err("reading the accumulator updates of a task", &e),
                    None,
                ),
            },
            Ok(-2) => {
                let mut frame = || read_i32(&mut out).and_then(|n| read_frame(&mut out, n));
                let error = frame()
                    .and_then(|summary| Ok((summary, frame()?)))
                    .map_err(|e| io_err("reading the error of a Python worker", &e));
                match error {
                    Ok((summary, payload)) => Reply::Failed(
                        python_error(&String::from_utf8_lossy(&summary), payload),
                        Some(out),
                    ),
                    Err(e) => Reply::Failed(e, None),
                }
            }
            Ok(n) if n >= 0 => match read_frame(&mut out, n) {
                Ok(frame) => {
                    if tx.send(Reply::Frame(frame)).is_err() {
                        return;
                    }
                    continue;
                }
                Err(e) => Reply::Failed(io_err("Python worker output ended early", &e), None),
            },
            Ok(n) => Reply::Failed(
                EngineError::invalid("python worker", format!("bad frame length {n}")),
                None,
            ),
            Err(e) => Reply::Failed(
                io_err("Python worker exited before finishing its task", &e),
                None,
            ),
        };
        let _ = tx.send(reply);
        return;
    }
}

/// A user error: the task fails with the pickled exception, which the driver raises again.
fn python_error(summary: &str, payload: Vec<u8>) -> EngineError {
    EngineError::UserError {
        message: summary.to_string(),
        payload,
    }
}

/// Runs `command` over one partition in a worker of `pool`: writes `input` as frames, and
/// returns the worker's output frames as they arrive. Failures stop the task with the error.
pub fn run_in_worker(
    pool: &Arc<WorkerPool>,
    command: &Arc<Vec<u8>>,
    split: usize,
    input_kind: InputKind,
    output_kind: OutputKind,
    input: impl Iterator<Item = Vec<u8>>,
) -> WorkerOutput {
    let mut worker = pool.take().unwrap_or_else(|e| abort(e));
    let (tx, rx) = unbounded();
    let Some(stdout) = worker.stdout.take() else {
        abort(EngineError::invalid(
            "python worker",
            "a pooled worker has no stdout",
        ));
    };
    let reader = std::thread::Builder::new()
        .name("ember-python-reader".into())
        .spawn(move || read_replies(stdout, tx))
        .unwrap_or_else(|e| abort(io_err("cannot start a reader thread", &e)));
    let written = (|| -> io::Result<()> {
        let w = &mut worker.stdin;
        write_header(w, RequestKind::Rdd, pool, &mut worker.drops_seen)?;
        w.write_all(&(split as u32).to_be_bytes())?;
        w.write_all(&[input_kind as u8, output_kind as u8])?;
        write_frame(w, command)?;
        for frame in input {
            write_frame(w, &frame)?;
        }
        w.write_all(&(-1i32).to_be_bytes())?;
        w.flush()
    })();
    let mut output = WorkerOutput {
        pool: Arc::clone(pool),
        worker: Some(worker),
        rx,
        reader: Some(reader),
    };
    if let Err(e) = written {
        // The worker died; its exit (and any error it printed) is what the reader reports.
        let reply = output.rx.recv().ok();
        output.kill();
        match reply {
            Some(Reply::Failed(err, _)) => abort(err),
            _ => abort(io_err("writing to a Python worker", &e)),
        }
    }
    output
}

/// The output frames of one request, as an iterator. The worker returns to the pool when the
/// request ends cleanly; a worker abandoned mid-request (an early stop) is killed.
pub struct WorkerOutput {
    pool: Arc<WorkerPool>,
    worker: Option<Worker>,
    rx: Receiver<Reply>,
    reader: Option<JoinHandle<()>>,
}

impl WorkerOutput {
    fn kill(&mut self) {
        if let Some(mut w) = self.worker.take() {
            let _ = w.child.kill();
            let _ = w.child.wait();
        }
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
    }

    fn finish(&mut self, stdout: BufReader<ChildStdout>) {
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
        if let Some(mut w) = self.worker.take() {
            w.stdout = Some(stdout);
            self.pool.give_back(w);
        }
    }
}

impl Iterator for WorkerOutput {
    type Item = Vec<u8>;

    fn next(&mut self) -> Option<Vec<u8>> {
        self.worker.as_ref()?;
        match self.rx.recv() {
            Ok(Reply::Frame(f)) => Some(f),
            Ok(Reply::Done(out, updates)) => {
                self.finish(out);
                if !updates.is_empty() {
                    // Pending in the task's context until the task succeeds.
                    self.pool
                        .updates
                        .add(Updates(Arc::new(Mutex::new(vec![updates]))));
                }
                None
            }
            Ok(Reply::Failed(err, out)) => {
                match out {
                    Some(out) => self.finish(out),
                    None => self.kill(),
                }
                abort(err)
            }
            Err(_) => {
                self.kill();
                abort(EngineError::invalid(
                    "python worker",
                    "the reader of a Python worker stopped without an answer",
                ))
            }
        }
    }
}

impl Drop for WorkerOutput {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Runs `command` (a cloudpickled `func(split, iterator of bytes) -> iterator of bytes`) over
/// one input frame in a worker of `pool`, and returns its one output frame: how SQL functions
/// written in Python evaluate a batch of arguments (Arrow IPC in, Arrow IPC out). Must run on
/// an Ember task thread; a failure stops the task with the worker's error.
pub fn run_udf(pool: &Arc<WorkerPool>, command: &Arc<Vec<u8>>, input: &[u8]) -> Vec<u8> {
    let split = TaskContext::get().map_or(0, |t| t.partition_id());
    let frames = run_in_worker(
        pool,
        command,
        split,
        InputKind::Raw,
        OutputKind::Raw,
        std::iter::once(input.to_vec()),
    );
    let mut out: Vec<Vec<u8>> = frames.collect();
    match out.len() {
        1 => out.pop().unwrap_or_default(),
        n => abort(EngineError::invalid(
            "python udf",
            format!("a Python function answered with {n} result batches instead of 1"),
        )),
    }
}

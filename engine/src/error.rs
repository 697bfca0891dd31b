//! The engine's error type. Every variant names the thing at fault; all fields are plain data so
//! an error can cross threads (and, later, processes) unchanged.

use crate::ids::{RddId, ShuffleId};
use serde::{Deserialize, Serialize};

/// Errors raised while building or computing RDDs.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum EngineError {
    /// A source path (file, directory or glob) matched nothing.
    #[error("input path does not exist: {path}")]
    PathNotFound {
        /// The path or pattern as the user gave it.
        path: String,
    },
    /// Reading or writing a file failed.
    #[error("I/O error on {path}: {message}")]
    Io {
        /// The file involved.
        path: String,
        /// The operating system's message.
        message: String,
    },
    /// An object store refused or failed a request (other than for a missing object or
    /// rejected credentials).
    #[error("object store error on {path}: {message}")]
    Store {
        /// The object's URL.
        path: String,
        /// The store's message.
        message: String,
    },
    /// An object store's credentials are missing or were rejected.
    #[error("credentials for {store}: {message}")]
    Credentials {
        /// The store: `scheme://bucket`.
        store: String,
        /// What is wrong.
        message: String,
    },
    /// An element could not be converted to or from Arrow.
    #[error("cannot convert {type_name} to or from Arrow: {message}")]
    Conversion {
        /// The Rust element type.
        type_name: String,
        /// What went wrong.
        message: String,
    },
    /// User code in a task panicked.
    #[error("user function panicked: {message}")]
    UserPanic {
        /// The panic message.
        message: String,
    },
    /// A user function raised an error that its front end encoded (a Python exception,
    /// pickled), so the driver's front end can raise the same error again, whichever process
    /// the task ran in.
    #[error("user function failed: {message}")]
    UserError {
        /// The error as text: type, message and where it was raised.
        message: String,
        /// The front end's encoding of the error.
        payload: Vec<u8>,
    },
    /// A shuffle block that the map-output tracker said existed could not be fetched.
    #[error("fetch failed: shuffle {shuffle} map {map} reduce {reduce} is missing")]
    FetchFailed {
        /// The shuffle.
        shuffle: ShuffleId,
        /// The map partition whose output is missing.
        map: usize,
        /// The reduce partition being read.
        reduce: usize,
    },
    /// An operation was called with arguments it cannot accept.
    #[error("invalid argument to {operation}: {message}")]
    InvalidArgument {
        /// The operation, e.g. `zip`.
        operation: String,
        /// Why the argument is wrong.
        message: String,
    },
    /// The block store could not hold or return a block.
    #[error("block store error for {block}: {message}")]
    Storage {
        /// The block id, rendered.
        block: String,
        /// What went wrong.
        message: String,
    },
    /// An RDD was checkpointed but no checkpoint directory is set.
    #[error("checkpoint directory has not been set for {rdd}; call set_checkpoint_dir first")]
    NoCheckpointDir {
        /// The RDD asked to be checkpointed.
        rdd: RddId,
    },
    /// DataFusion failed to plan or run a query; the message names the table, file or
    /// expression at fault (and, for a parse error, its line and column).
    #[error("{message}")]
    Query {
        /// DataFusion's message.
        message: String,
    },
    /// The task was cancelled because its job ended.
    #[error("task cancelled: {reason}")]
    Cancelled {
        /// Why the job ended.
        reason: String,
    },
    /// An executor died or stopped answering while it ran the task.
    #[error("executor {executor} was lost: {reason}")]
    ExecutorLost {
        /// The executor.
        executor: String,
        /// What the driver saw (the session closed, heartbeats stopped).
        reason: String,
    },
    /// Every executor is gone and none came back within the grace period.
    #[error(
        "no executors: none has been registered for {waited_secs} s \
         (ember.cluster.executorGracePeriod); the cluster lost them all"
    )]
    NoExecutors {
        /// Seconds waited.
        waited_secs: u64,
    },
    /// An executor's copy of the program did not reach the job the driver ran: a Rust cluster
    /// job needs the driver's own binary running the same, deterministic driver code.
    #[error("executor {executor} diverged from the driver: {detail}")]
    Diverged {
        /// The executor.
        executor: String,
        /// What differed.
        detail: String,
    },
    /// A task failed on an executor that is not a Rust build of this program, with this
    /// message.
    #[error("on executor {executor}: {message}")]
    Remote {
        /// The executor.
        executor: String,
        /// Its error message.
        message: String,
    },
    /// A job failed on the driver; an executor's copy of the program sees this in its place.
    #[error("the job failed on the driver: {message}")]
    DriverJobFailed {
        /// The driver's error message.
        message: String,
    },
    /// A CSV or JSON record could not be parsed and the read mode is `FAILFAST`.
    #[error(
        "malformed record in {path} at line {line}: {reason}; the record: {record} \
         (mode FAILFAST; mode PERMISSIVE or DROPMALFORMED reads past malformed records)"
    )]
    MalformedRecord {
        /// The file.
        path: String,
        /// The record's line in the file, counted from 1.
        line: u64,
        /// The record's text (cut after 1000 characters).
        record: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl EngineError {
    /// An [`EngineError::Io`] for `path`.
    pub fn io(path: impl std::fmt::Display, err: &std::io::Error) -> Self {
        EngineError::Io {
            path: path.to_string(),
            message: err.to_string(),
        }
    }

    /// An [`EngineError::InvalidArgument`].
    pub fn invalid(operation: &str, message: impl Into<String>) -> Self {
        EngineError::InvalidArgument {
            operation: operation.to_string(),
            message: message.into(),
        }
    }
}

/// Result alias used throughout the engine.
pub type Result<T, E = EngineError> = std::result::Result<T, E>;

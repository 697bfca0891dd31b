//! The error type of the `ember` crate.

use ember_engine::EngineError;
use ember_executor::ExecutorError;
use ember_scheduler::SchedulerError;

/// Everything that can go wrong in Ember's Rust API.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Building or computing an RDD failed (bad path, bad argument, conversion, I/O).
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// A job failed: a task failed too often, or a stage lost its input too often.
    #[error(transparent)]
    Job(#[from] SchedulerError),
    /// The executor could not start.
    #[error(transparent)]
    Executor(#[from] ExecutorError),
    /// A configuration value is not valid.
    #[error("invalid configuration {key}={value}: {message}")]
    Conf {
        /// The key.
        key: String,
        /// The value given.
        value: String,
        /// What is expected.
        message: String,
    },
    /// An action that needs at least one element ran on an empty RDD.
    #[error("{operation} of an empty RDD")]
    EmptyRdd {
        /// The action, e.g. `reduce`.
        operation: &'static str,
    },
    /// An event log cannot be read or written.
    #[error("event log {path}: {message}")]
    EventLog {
        /// The log file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// An output path already exists.
    #[error("output directory {path} already exists")]
    OutputExists {
        /// The path.
        path: String,
    },
}

impl Error {
    /// The engine error at the root of this error, if any (for example the user panic that made
    /// a job fail).
    pub fn engine_error(&self) -> Option<&EngineError> {
        match self {
            Error::Engine(e) => Some(e),
            Error::Job(SchedulerError::TaskFailed { error, .. })
            | Error::Job(SchedulerError::StageFailed { error, .. }) => Some(error),
            _ => None,
        }
    }
}

/// Result alias of the `ember` crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

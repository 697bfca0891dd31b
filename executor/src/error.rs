//! The executor's error type.

/// Errors starting or configuring an executor.
#[derive(Debug, thiserror::Error)]
pub enum ExecutorError {
    /// The local directory for spills and shuffle files could not be created.
    #[error("cannot create local directory {path}: {message}")]
    LocalDir {
        /// The directory.
        path: String,
        /// The operating system's message.
        message: String,
    },
    /// A task thread could not be started.
    #[error("cannot start task thread {index}: {message}")]
    Thread {
        /// Which thread.
        index: usize,
        /// The operating system's message.
        message: String,
    },
}

//! The executor's error type.

/// Errors starting or configuring an executor, and of its block service and client.
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
    /// The executor could not join its driver, or lost it.
    #[error("executor cannot reach its driver at {driver}: {message}")]
    Driver {
        /// The driver's address.
        driver: String,
        /// What went wrong.
        message: String,
    },
    /// A worker could not join its master, or lost it.
    #[error("worker cannot reach its master at {master}: {message}")]
    Master {
        /// The master's address.
        master: String,
        /// What went wrong.
        message: String,
    },
    /// `EMBER_EXECUTOR`, set by whoever launched this process as an executor, is malformed.
    #[error("bad executor launch settings (EMBER_EXECUTOR) at {field}: {message}")]
    Spec {
        /// The setting at fault.
        field: String,
        /// Why.
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
    /// A block could not be fetched from a peer: the peer could not be reached, the connection
    /// was lost or went silent, or the peer failed reading the block. For a shuffle block the
    /// reading task reports a fetch failure.
    #[error("cannot fetch block {block} from {address}: {message}")]
    Fetch {
        /// The peer's `host:port`.
        address: String,
        /// The block (`shuffle_0_2_5`, `rdd_3_1`).
        block: String,
        /// What went wrong.
        message: String,
    },
    /// A peer refused this executor's shared secret (`ember.authenticate.secret`).
    #[error("{address} refused the call: {message}")]
    Unauthenticated {
        /// The peer's `host:port`.
        address: String,
        /// The peer's message.
        message: String,
    },
    /// The block service could not listen on its address or stopped with an error.
    #[error("block service at {address}: {message}")]
    Serve {
        /// The address it serves (or was to serve) on.
        address: String,
        /// What went wrong.
        message: String,
    },
    /// A blocking network call was made where it cannot block, or its runtime failed it.
    #[error("{message}")]
    Runtime {
        /// What went wrong.
        message: String,
    },
}

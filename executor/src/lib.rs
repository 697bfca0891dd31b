//! # ember-executor: where tasks run and blocks live
//!
//! Start at [`local::LocalBackend`], the in-process executor of local mode: a pool of task
//! threads that runs what the scheduler launches through [`task_runner::run_task`]. Tasks reach
//! two stores through the engine's `Env`:
//!
//! - [`block_manager::BlockManager`]: cached RDD partitions as Arrow record batches within a
//!   memory budget, least recently used blocks evicted first, `MEMORY_AND_DISK` and `DISK_ONLY`
//!   blocks written to disk as Arrow IPC files;
//! - [`shuffle_store::LocalShuffleStore`]: map outputs as Arrow IPC bytes in memory, spilled to
//!   files when over budget.
//!
//! In cluster mode, [`flight`] serves both stores to other executors over Arrow Flight and
//! fetches their blocks.

pub mod block_manager;
pub mod cluster;
pub mod error;
pub mod flight;
pub mod local;
pub mod shuffle_store;
pub mod task_runner;
pub mod worker;

pub use error::ExecutorError;

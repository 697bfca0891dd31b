//! # ember-engine: the lineage model
//!
//! Start at [`rdd`]: the [`rdd::RddBase`] and [`rdd::RddCompute`] traits are Spark's five RDD
//! properties, and each kind of node (source, narrow transformation, shuffle, cogroup) has its
//! own file there. Around them:
//!
//! - [`data`]: what an element may be ([`data::Data`]) and its conversion to Arrow record batches
//!   at shuffle, cache and checkpoint boundaries;
//! - [`partitioner`] and [`aggregator`]: where keys go and how their values combine;
//! - [`env`](mod@env): the contracts of the executor services a task uses (block store, shuffle store),
//!   implemented by the `ember-executor` crate;
//! - [`task`] and [`task_context`]: the unit of work the scheduler hands to a backend, and what
//!   user code sees while it runs;
//! - [`accumulator`] and [`broadcast`]: shared variables;
//! - [`combine`]: the per-task map that combines values by key (the hot loop of every
//!   aggregation), [`ipc`]: Arrow IPC for shuffle blocks, spills and checkpoints, and
//!   [`cleaner`]: freeing the data of RDDs nobody holds any more;
//! - [`sql`]: SQL and DataFrame jobs, DataFusion physical plans cut into Ember stages;
//! - [`store`]: the one path layer of every source and sink: local paths, globs, and objects
//!   of S3, GCS, Azure and HTTP stores through `object_store`.
//!
//! ```text
//!  user API ──builds──► RDD nodes (this crate) ──action──► DAG scheduler ──tasks──► backend
//!                          ▲  compute(partition)                                 │
//!                          └──── block store / shuffle store (env) ◄─────────────┘
//! ```
//!
//! The engine knows nothing of threads, cluster networking or Python (object stores are
//! reached through `object_store`'s clients). No code pointer ever leaves the
//! process: a task is rebuilt where it runs from the lineage its program built.

pub mod accumulator;
pub mod aggregator;
pub mod broadcast;
pub mod cleaner;
pub mod combine;
pub mod data;
pub mod env;
pub mod error;
pub mod ids;
pub mod ipc;
pub mod partitioner;
pub mod rdd;
pub mod sql;
pub mod storage;
pub mod store;
pub mod task;
pub mod task_context;

pub use error::{EngineError, Result};

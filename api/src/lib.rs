//! # Ember: Spark's programming model on Arrow, in Rust
//!
//! Start with [`Context`] (Spark's `SparkContext`) and [`Rdd`]: build a lineage of lazy
//! transformations, then run it with an action.
//!
//! ```
//! use ember::{Conf, Context};
//!
//! let ctx = Context::new(Conf::new().master("local[2]").app_name("doc"))?;
//! let lines = ctx.parallelize(vec!["a b".to_string(), "b c b".to_string()], 2);
//! let mut counts = lines
//!     .flat_map(|l| l.split_whitespace().map(str::to_string).collect::<Vec<_>>())
//!     .map(|w| (w, 1u64))
//!     .reduce_by_key(|a, b| a + b)
//!     .collect()?;
//! counts.sort();
//! assert_eq!(counts, vec![("a".into(), 1), ("b".into(), 3), ("c".into(), 1)]);
//! # Ok::<(), ember::Error>(())
//! ```
//!
//! How it fits together:
//! - the lineage model (RDD nodes, dependencies, partitioners, Arrow conversion) is the
//!   `ember-engine` crate;
//! - each action is a job for the DAG scheduler (`ember-scheduler`), which cuts the lineage into
//!   stages at shuffles, skips stages whose output exists, and retries failed tasks;
//! - tasks run on the executor (`ember-executor`): task threads, the block manager for cached
//!   partitions, the shuffle store;
//! - SQL and DataFrames ([`Context::sql`], [`DataFrame`], module [`sql`]) are planned by
//!   DataFusion and cut into Ember stages at their exchanges, then run by the same scheduler.
//!
//! Elements are any `Clone + Send + Sync + serde` type ([`Data`]); at cache, shuffle and
//! checkpoint boundaries they are stored as Arrow record batches.

mod cluster;
mod commit;
pub mod conf;
pub mod context;
pub mod error;
pub mod rdd;
pub mod sql;
pub mod status;
pub mod text;
pub mod ui;

pub use conf::{Conf, Master};
pub use context::Context;
pub use ember_engine::EngineError;
pub use ember_engine::accumulator::{Accumulator, AccumulatorParam};
pub use ember_engine::broadcast::Broadcast;
pub use ember_engine::data::{Data, Key};
pub use ember_engine::ids::{JobId, RddId, ShuffleId, StageId};
pub use ember_engine::partitioner::{Partitioner, PartitionerKind};
pub use ember_engine::storage::{BlockId, StorageLevel};
pub use ember_engine::task_context::TaskContext;
pub use error::{Error, Result};
pub use rdd::Rdd;
pub use rdd::numeric::{Numeric, StatCounter};
pub use sql::DataFrame;
pub use status::{JobInfo, JobStatus, StageInfo, StageStatus, StatusView};

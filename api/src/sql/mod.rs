//! SQL and DataFrames: DataFusion plans the query, Ember runs it.
//!
//! [`Context::sql`](crate::Context::sql) parses and plans a statement with DataFusion (DDL runs
//! at once); a query stays a lazy [`DataFrame`] until an action. An action turns the logical
//! plan into DataFusion's physical plan, cuts it into stages at its exchanges
//! (`ember_engine::sql::planner`) and runs them as one Ember job: the same scheduler, shuffle
//! store, retries and progress bar as RDD jobs.
//!
//! - [`session`]: the DataFusion session behind a context and the `Context::sql` entry point;
//! - [`dataframe`]: [`DataFrame`], its transformations and actions;
//! - [`explain`]: `EXPLAIN` and `EXPLAIN ANALYZE` showing Ember's stages;
//! - [`read`] and [`write`](mod@write): Spark's `spark.read` and `df.write` (formats, options, save
//!   modes, `partition_by`, committed atomically);
//! - [`rows`]: Spark's `Row`, for `df.rdd()` and `rdd.to_df()`.

mod cache;
pub mod dataframe;
mod execution;
pub mod explain;
mod external;
mod input_metrics;
mod query_rdd;
pub mod read;
mod read_paths;
mod row_batches;
pub mod rows;
mod run;
pub mod session;
mod spark;
pub mod write;

pub use dataframe::{DataFrame, GroupedData};
pub use datafusion::prelude::{Expr, col, lit};
pub use read::DataFrameReader;
pub use rows::{Row, Value};
pub use write::{DataFrameWriter, SaveMode};

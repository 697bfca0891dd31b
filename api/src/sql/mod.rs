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
//! - [`explain`]: `EXPLAIN` and `EXPLAIN ANALYZE` showing Ember's stages.

mod cache;
pub mod dataframe;
pub mod explain;
mod run;
pub mod session;

pub use dataframe::DataFrame;
pub use datafusion::prelude::{Expr, col, lit};
pub mod read;
pub mod rows;
pub mod write;
pub use read::DataFrameReader;
pub use rows::{Row, Value};
pub use write::{DataFrameWriter, SaveMode};

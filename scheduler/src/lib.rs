//! # ember-scheduler: from an action to tasks
//!
//! Start at [`dag_scheduler::DagScheduler::run_job`]. A job's lineage is cut into stages at
//! shuffle dependencies ([`dag`]); each stage moves through the states drawn in [`stage`]; map
//! stages whose output the [`map_output::MapOutputTracker`] already holds are skipped; tasks go
//! to an `ember_engine::task::TaskBackend` (local threads or remote executors). [`status`] is
//! the status API and [`progress`] the console progress bar; [`events`] carries what happens to
//! the UI's status store and the event log; [`sql_execution`] ties jobs to the SQL query they
//! run for.

pub mod cluster;
pub mod dag;
pub mod dag_scheduler;
pub mod error;
pub mod events;
pub mod map_output;
pub mod progress;
pub mod sql_execution;
pub mod stage;
pub mod status;

pub use dag_scheduler::{DagScheduler, SchedulerConfig};
pub use error::SchedulerError;

//! The driver's side of cluster mode, and the standalone master ([`master`]): executors
//! register with the driver over gRPC (the `ember.v1.Driver` service), the
//! [`backend::ClusterBackend`] hands them the scheduler's tasks and turns their statuses back
//! into completions, and watches for lost executors: a closed session or silent heartbeats
//! forget the executor's map outputs (the scheduler recomputes them from lineage) and fail its
//! running tasks so they are retried elsewhere; with no executor left past the grace period,
//! queued tasks fail with a clear error instead of waiting forever.

pub mod backend;
pub mod master;
mod master_info;
mod registry;
mod service;

pub use backend::{ClusterBackend, ClusterConfig};
pub use master::MasterHandle;

#[cfg(test)]
mod events_tests;

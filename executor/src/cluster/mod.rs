//! An executor in a cluster: a process that joins its driver over gRPC, runs the tasks the
//! driver sends on its task threads, and serves its blocks to other executors over Flight.
//!
//! Rust applications run their own binary as the executor (nothing is shipped as code): the
//! launcher sets `EMBER_EXECUTOR` ([`ExecutorSpec`]), the program's `Context::new` sees it and
//! becomes an executor instead of a driver, and the program's copy of `main` builds the same
//! lineage as the driver's ([`mirror::JobMirror`]). Start at [`ExecutorRuntime`].

pub mod mirror;
mod session;
pub mod shuffle;
mod spec;

pub use session::{ExecutorRuntime, TaskCounts};
pub use spec::{ExecutorSpec, SECRET_VAR, SPEC_VAR};

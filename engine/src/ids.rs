//! Identifier newtypes. Each id is its own type so a stage id can never be passed where a job id
//! is expected:
//!
//! ```compile_fail
//! use ember_engine::ids::{JobId, StageId};
//! fn wants_job(_: JobId) {}
//! wants_job(StageId(3));
//! ```

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub struct $name(pub u64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }
    };
}

id_type!(
    /// An RDD in a context's lineage graph. Ids are handed out in creation order, so the same
    /// program builds the same ids in every process that runs it.
    RddId,
    "rdd_"
);
id_type!(
    /// A shuffle dependency (one set of map outputs).
    ShuffleId,
    "shuffle_"
);
id_type!(
    /// A stage of the DAG scheduler.
    StageId,
    "stage_"
);
id_type!(
    /// A job: the work one action starts.
    JobId,
    "job_"
);
id_type!(
    /// One attempt of one task, unique within a context.
    TaskId,
    "task_"
);
id_type!(
    /// An accumulator registered with a context.
    AccumulatorId,
    "acc_"
);
id_type!(
    /// A broadcast variable.
    BroadcastId,
    "broadcast_"
);

/// The executor that ran a task or holds a block. Local mode has the single executor `driver`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ExecutorId(pub String);

impl ExecutorId {
    /// The in-process executor of local mode.
    pub fn driver() -> Self {
        ExecutorId("driver".to_string())
    }
}

impl fmt::Display for ExecutorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

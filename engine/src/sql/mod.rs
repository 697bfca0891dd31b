//! SQL and DataFrame jobs as Ember stages.
//!
//! DataFusion plans a query into a physical plan; [`planner::cut`] cuts that plan at its
//! exchanges (hash or round-robin repartition, coalesce to one partition, sort-preserving
//! merge) into plan fragments, the way Spark cuts an RDD lineage at shuffles:
//!
//! ```text
//!   SortPreservingMergeExec                     stage 3 (1 task): merge of 2 sorted streams
//!     ShuffleReaderExec(s2, per map)   <------- shuffle s2: every map output to reduce 0
//!   ------------------------------------------
//!     SortExec                                  stage 2 (2 tasks)
//!       AggregateExec(Final)
//!         ShuffleReaderExec(s1)        <------- shuffle s1: hash of the group keys
//!   ------------------------------------------
//!         AggregateExec(Partial)                stage 1 (2 tasks, one per file group)
//!           DataSourceExec
//! ```
//!
//! Each fragment becomes a [`PlanRdd`], whose shuffle dependencies ([`PlanShuffle`]) are what
//! the DAG scheduler already knows how to run: a map task executes one partition of the
//! fragment below an exchange and splits its batches with DataFusion's `BatchPartitioner`
//! into the shuffle store; a reduce-side [`ShuffleReaderExec`] reads them back. So SQL jobs get
//! Ember's tasks, retries, stage skipping, shuffle store and progress bar.
//!
//! Start with [`planner::cut`]; [`runtime`] holds the tokio runtime DataFusion's streams are
//! driven on (one task thread polls one stream: CPU work stays on Ember's task slots).

mod cached;
pub mod planner;
mod reader;
pub mod runtime;
mod stage;

pub use cached::CachedExec;
pub use reader::{ReadMode, ShuffleReaderExec};
pub use stage::{PlanRdd, PlanShuffle, ShuffleKind};

use crate::error::EngineError;
use datafusion::error::DataFusionError;

/// Turns a DataFusion error into an engine error, keeping an engine error that travelled
/// through DataFusion (a fetch failure raised by a shuffle reader must reach the scheduler as
/// one, so that it reruns the lost map task instead of failing the job).
pub fn from_datafusion(err: DataFusionError) -> EngineError {
    if let Some(e) = find_engine_error(&err) {
        return e;
    }
    EngineError::Query {
        message: err.to_string(),
    }
}

fn find_engine_error(err: &DataFusionError) -> Option<EngineError> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(engine) = e.downcast_ref::<EngineError>() {
            return Some(engine.clone());
        }
        if let Some(DataFusionError::Shared(inner)) = e.downcast_ref::<DataFusionError>()
            && let Some(found) = find_engine_error(inner)
        {
            return Some(found);
        }
        cur = e.source();
    }
    None
}

/// Wraps an engine error so it can travel through a DataFusion stream.
pub fn to_datafusion(err: EngineError) -> DataFusionError {
    DataFusionError::External(Box::new(err))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::ShuffleId;
    use std::sync::Arc;

    #[test]
    fn fetch_failure_survives_datafusion_wrapping() {
        let fetch = EngineError::FetchFailed {
            shuffle: ShuffleId(3),
            map: 1,
            reduce: 0,
        };
        let wrapped = DataFusionError::Shared(Arc::new(
            to_datafusion(fetch.clone()).context("while joining"),
        ));
        assert_eq!(from_datafusion(wrapped), fetch);
        let plain = from_datafusion(DataFusionError::Plan("no such table: t".into()));
        assert!(
            matches!(plain, EngineError::Query { message } if message.contains("no such table: t"))
        );
    }
}

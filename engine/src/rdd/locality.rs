//! Which cached partitions a task touches, so a cluster can run it where they are.

use super::{Dependency, NarrowKind, RddBase};
use crate::ids::RddId;
use crate::storage::StorageLevel;
use std::sync::Arc;

/// A partition of a persisted RDD, and how the RDD is persisted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CachedPartition {
    /// The RDD.
    pub rdd: RddId,
    /// The partition.
    pub partition: usize,
    /// The RDD's storage level (its `replication` copies are kept on as many executors).
    pub level: StorageLevel,
}

/// At most this many cached partitions are listed for one task.
const MAX_LISTED: usize = 16;

/// The partitions of persisted RDDs that a task computing partition `partition` of `rdd`
/// reads or writes through narrow dependencies: `rdd`'s own partition if it is persisted,
/// else those of its nearest persisted ancestors (not past a persisted RDD, whose block the
/// task reads instead of its parents, nor past a dependency whose partitions cannot be told
/// apart: coalesce, cartesian). A cluster backend prefers the executors that hold these
/// blocks, and records that the executor which ran the task now holds them.
pub fn persisted_partitions(rdd: &Arc<dyn RddBase>, partition: usize) -> Vec<CachedPartition> {
    let mut out = Vec::new();
    let mut stack = vec![(Arc::clone(rdd), partition)];
    while let Some((r, p)) = stack.pop() {
        if out.len() >= MAX_LISTED {
            break;
        }
        let level = r.meta().storage_level();
        if level != StorageLevel::NONE {
            out.push(CachedPartition {
                rdd: r.id(),
                partition: p,
                level,
            });
            continue;
        }
        for dep in r.dependencies() {
            let Dependency::Narrow { parent, kind } = dep else {
                continue;
            };
            let parent_partition = match kind {
                NarrowKind::OneToOne => Some(p),
                NarrowKind::Range {
                    in_start,
                    out_start,
                    len,
                } => (out_start..out_start + len)
                    .contains(&p)
                    .then(|| p - out_start + in_start),
                NarrowKind::Many => None,
            };
            if let Some(pp) = parent_partition {
                stack.push((parent, pp));
            }
        }
    }
    out
}

//! `/applications/{app}/storage/rdd` and `/storage/rdd/{id}`: Spark's `RDDStorageInfo`. As
//! Spark, the list shows the persisted RDDs with at least one cached partition; one RDD is
//! found while it is persisted, cached partitions or not.

use super::{Answer, Apps, by_id, with_app};
use crate::ui::store::RddRecord;
use axum::extract::{Path, State};
use serde::Serialize;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RddStorageInfo {
    id: u64,
    name: String,
    num_partitions: usize,
    num_cached_partitions: usize,
    storage_level: String,
    memory_used: u64,
    disk_used: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    partitions: Option<Vec<PartitionInfo>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PartitionInfo {
    block_name: String,
    storage_level: String,
    memory_used: u64,
    disk_used: u64,
    executors: Vec<String>,
}

impl RddStorageInfo {
    fn of(r: &RddRecord, with_partitions: bool) -> Self {
        let partitions = with_partitions.then(|| {
            r.blocks
                .iter()
                .map(|(p, b)| PartitionInfo {
                    block_name: format!("rdd_{}_{p}", r.rdd_id),
                    storage_level: r.level.clone(),
                    memory_used: b.memory_bytes,
                    disk_used: b.disk_bytes,
                    executors: vec![b.executor_id.clone()],
                })
                .collect()
        });
        RddStorageInfo {
            id: r.rdd_id,
            name: r.name.clone(),
            num_partitions: r.num_partitions,
            num_cached_partitions: r.blocks.len(),
            storage_level: r.level.clone(),
            memory_used: r.memory_bytes(),
            disk_used: r.disk_bytes(),
            partitions,
        }
    }
}

/// `GET .../storage/rdd`: the RDDs with cached partitions.
pub(super) async fn list(
    State(apps): Apps,
    Path(app): Path<String>,
) -> Answer<Vec<RddStorageInfo>> {
    with_app(apps.as_ref(), &app, |s| {
        Ok(s.rdds
            .values()
            .filter(|r| !r.blocks.is_empty())
            .map(|r| RddStorageInfo::of(r, false))
            .collect())
    })
}

/// `GET .../storage/rdd/{id}`: one RDD with its cached partitions.
pub(super) async fn one(
    State(apps): Apps,
    Path((app, rdd)): Path<(String, String)>,
) -> Answer<RddStorageInfo> {
    by_id(apps.as_ref(), (&app, "rdd", &rdd), |s, id| {
        s.rdds.get(&id).map(|r| RddStorageInfo::of(r, true))
    })
}

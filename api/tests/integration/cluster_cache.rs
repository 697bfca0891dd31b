//! Cached partitions on a local cluster: later jobs run their tasks on the executors that hold
//! the blocks, so nothing is computed twice.

use super::cluster::{cluster, kill};
use ember::{Accumulator, Context, Rdd, StorageLevel};
use std::time::{Duration, Instant};

/// The sum of the doubles of `0..6000`.
const EXPECTED: u64 = 6000 * 5999;

/// The doubles of `0..6000` in 6 partitions, persisted at `level`, and an accumulator counting
/// the elements computed (so a partition computed again shows).
fn counted_doubles(ctx: &Context, level: StorageLevel) -> (Accumulator<u64>, Rdd<u64>) {
    let computed = ctx.accumulator(0u64);
    let c = computed.clone();
    let doubled = ctx
        .parallelize((0..6000u64).collect::<Vec<_>>(), 6)
        .map(move |x| {
            c.add(1);
            x * 2
        })
        .persist(level);
    (computed, doubled)
}

#[test]
fn later_jobs_run_where_the_cached_partitions_are() {
    let ctx = cluster(
        "cluster_cache::later_jobs_run_where_the_cached_partitions_are",
        3,
        &[("ember.locality.wait", "60s")],
    );
    let (computed, doubled) = counted_doubles(&ctx, StorageLevel::MEMORY_ONLY);
    assert_eq!(doubled.reduce(|a, b| a + b).unwrap(), EXPECTED);
    // Jobs on top of the cached RDD (through narrow dependencies, and itself) find every
    // partition on the executor that computed it: no element is computed again.
    for _ in 0..3 {
        assert_eq!(doubled.map(|x| x + 1).count().unwrap(), 6000);
        assert_eq!(doubled.reduce(|a, b| a + b).unwrap(), EXPECTED);
    }
    if ctx.is_driver() {
        assert_eq!(computed.value(), 6000);
        assert_eq!(ctx.cluster_load(), Some((0, 0, false)));
    }
    // Without the cache, every job computes every element again.
    doubled.unpersist();
    assert_eq!(doubled.count().unwrap(), 6000);
    if ctx.is_driver() {
        assert_eq!(computed.value(), 12_000);
    }
}

#[test]
fn a_replicated_cache_survives_the_loss_of_an_executor() {
    let name = "cluster_cache::a_replicated_cache_survives_the_loss_of_an_executor";
    let ctx = cluster(name, 3, &[("ember.locality.wait", "60s")]);
    let (computed, doubled) = counted_doubles(&ctx, StorageLevel::MEMORY_ONLY_2);
    assert_eq!(doubled.reduce(|a, b| a + b).unwrap(), EXPECTED);
    if ctx.is_driver() {
        // Each of the 6 partitions gets a second copy on another executor.
        let deadline = Instant::now() + Duration::from_secs(30);
        while ctx.cluster_cached_copies(doubled.id().0) != Some(12) {
            assert!(
                Instant::now() < deadline,
                "replicas not stored: {:?} copies",
                ctx.cluster_cached_copies(doubled.id().0)
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let (_, pid, _) = ctx.cluster_executors()[0].clone();
        kill(pid);
    }
    // Every partition the lost executor held has a copy elsewhere: nothing is computed again.
    for _ in 0..2 {
        assert_eq!(doubled.reduce(|a, b| a + b).unwrap(), EXPECTED);
    }
    if ctx.is_driver() {
        assert_eq!(computed.value(), 6000);
        assert_eq!(ctx.cluster_load(), Some((0, 0, false)));
    }
}

//! cache / persist / unpersist, eviction and recomputation, spilling to disk, checkpoints.

use crate::common::{ctx, ctx_with, sorted};
use ember::{BlockId, Context, Rdd, StorageLevel};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// `0..n` in `parts` partitions through a map that counts its calls in the returned counter.
fn counted(ctx: &Context, n: i64, parts: usize) -> (Rdd<i64>, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let c = Arc::clone(&calls);
    let rdd = ctx.parallelize((0..n).collect(), parts).map(move |x| {
        c.fetch_add(1, Ordering::SeqCst);
        x * 2
    });
    (rdd, calls)
}

/// Bytes a cached partition of 10,000 `i64` takes in memory (about 80 KB as Arrow).
fn partition_bytes() -> u64 {
    let ctx = ctx();
    let rdd = ctx.parallelize((0..10_000i64).collect(), 1).cache();
    rdd.count().unwrap();
    ctx.rdd_storage_info(rdd.id()).memory_bytes
}

/// A context whose storage memory holds one such partition but not two.
fn ctx_with_room_for_one_partition() -> (Context, u64) {
    let one = partition_bytes();
    assert!(one >= 80_000, "{one}");
    let budget = one + one / 2;
    (
        ctx_with("local[2]", &[("ember.memory.storage", &budget.to_string())]),
        budget,
    )
}

fn doubled(n: i64) -> Vec<i64> {
    (0..n).map(|x| x * 2).collect()
}

#[test]
fn cache_computes_once_and_unpersist_drops_blocks() {
    let ctx = ctx();
    let (rdd, calls) = counted(&ctx, 100, 4);
    assert_eq!(rdd.storage_level(), StorageLevel::NONE);
    rdd.collect().unwrap();
    rdd.collect().unwrap();
    assert_eq!(
        calls.load(Ordering::SeqCst),
        200,
        "not cached: computed twice"
    );

    let cached = rdd.cache();
    assert_eq!(cached.id(), rdd.id());
    assert_eq!(rdd.storage_level(), StorageLevel::MEMORY_ONLY);
    assert_eq!(cached.collect().unwrap(), doubled(100));
    assert_eq!(calls.load(Ordering::SeqCst), 300);
    assert_eq!(cached.collect().unwrap(), doubled(100));
    assert_eq!(cached.count().unwrap(), 100);
    assert_eq!(cached.map(|x| x + 1).sum().unwrap(), 100 + 2 * 4950);
    assert_eq!(
        calls.load(Ordering::SeqCst),
        300,
        "later jobs read the cache"
    );
    let info = ctx.rdd_storage_info(rdd.id());
    assert_eq!(info.cached_partitions, 4);
    assert!(info.memory_bytes > 0);
    assert_eq!(info.disk_bytes, 0);
    assert!(ctx.storage_memory_used() >= info.memory_bytes);

    rdd.unpersist();
    assert_eq!(rdd.storage_level(), StorageLevel::NONE);
    assert_eq!(ctx.rdd_storage_info(rdd.id()).cached_partitions, 0);
    assert_eq!(rdd.collect().unwrap(), doubled(100));
    assert_eq!(calls.load(Ordering::SeqCst), 400);
}

#[test]
fn removed_block_is_recomputed_from_lineage() {
    let ctx = ctx();
    let (rdd, calls) = counted(&ctx, 100, 4);
    let rdd = rdd.cache();
    assert_eq!(rdd.collect().unwrap(), doubled(100));
    assert_eq!(calls.load(Ordering::SeqCst), 100);
    let block = BlockId::Rdd {
        rdd: rdd.id(),
        partition: 0,
    };
    assert!(ctx.remove_block(block));
    assert!(!ctx.remove_block(block), "already gone");
    assert_eq!(ctx.rdd_storage_info(rdd.id()).cached_partitions, 3);
    assert_eq!(rdd.collect().unwrap(), doubled(100));
    // Only partition 0 (25 elements) was computed again, and cached again.
    assert_eq!(calls.load(Ordering::SeqCst), 125);
    assert_eq!(ctx.rdd_storage_info(rdd.id()).cached_partitions, 4);
    assert_eq!(rdd.collect().unwrap(), doubled(100));
    assert_eq!(calls.load(Ordering::SeqCst), 125);
}

#[test]
fn memory_only_blocks_that_do_not_fit_are_recomputed() {
    let (ctx, budget) = ctx_with_room_for_one_partition();
    let (rdd, calls) = counted(&ctx, 40_000, 4);
    let rdd = rdd.cache();
    assert_eq!(rdd.collect().unwrap(), doubled(40_000));
    assert_eq!(calls.load(Ordering::SeqCst), 40_000);
    let info = ctx.rdd_storage_info(rdd.id());
    assert_eq!(info.cached_partitions, 1, "{info:?}");
    assert_eq!(info.disk_bytes, 0);
    assert!(ctx.storage_memory_used() <= budget);
    assert_eq!(rdd.collect().unwrap(), doubled(40_000));
    // The three partitions not stored are computed again; the stored one is read.
    assert_eq!(calls.load(Ordering::SeqCst), 70_000);
}

#[test]
fn evicted_memory_only_block_is_recomputed() {
    let (ctx, _) = ctx_with_room_for_one_partition();
    let (a, a_calls) = counted(&ctx, 10_000, 1);
    let a = a.cache();
    assert_eq!(a.sum().unwrap(), 99_990_000);
    assert_eq!(ctx.rdd_storage_info(a.id()).cached_partitions, 1);
    let (b, b_calls) = counted(&ctx, 10_000, 1);
    let b = b.cache();
    assert_eq!(b.count().unwrap(), 10_000);
    // Caching b evicted a's only block (least recently used, another RDD).
    assert_eq!(ctx.rdd_storage_info(b.id()).cached_partitions, 1);
    assert_eq!(ctx.rdd_storage_info(a.id()).cached_partitions, 0);
    assert_eq!(a_calls.load(Ordering::SeqCst), 10_000);
    assert_eq!(a.collect().unwrap(), doubled(10_000));
    assert_eq!(a_calls.load(Ordering::SeqCst), 20_000, "a was recomputed");
    assert_eq!(b_calls.load(Ordering::SeqCst), 10_000);
}

#[test]
fn memory_and_disk_spills_and_reads_back() {
    let (ctx, _) = ctx_with_room_for_one_partition();
    let (rdd, calls) = counted(&ctx, 40_000, 4);
    let rdd = rdd.persist(StorageLevel::MEMORY_AND_DISK);
    assert_eq!(rdd.collect().unwrap(), doubled(40_000));
    let info = ctx.rdd_storage_info(rdd.id());
    assert_eq!(info.cached_partitions, 4, "{info:?}");
    assert!(info.memory_bytes > 0, "{info:?}");
    assert!(info.disk_bytes > 0, "{info:?}");
    assert_eq!(rdd.collect().unwrap(), doubled(40_000));
    assert_eq!(rdd.map(|x| x / 2).sum().unwrap(), 39_999 * 40_000 / 2);
    assert_eq!(
        calls.load(Ordering::SeqCst),
        40_000,
        "read back, never recomputed"
    );
    let debug = rdd.to_debug_string();
    assert!(
        debug.contains("Disk Memory Serialized 1x Replicated"),
        "{debug}"
    );
    assert!(debug.contains("CachedPartitions: 4"), "{debug}");

    // A MEMORY_AND_DISK block evicted by another RDD goes to disk, not away.
    let (a, a_calls) = counted(&ctx, 10_000, 1);
    let a = a.persist(StorageLevel::MEMORY_AND_DISK);
    a.count().unwrap();
    let (b, _) = counted(&ctx, 10_000, 1);
    b.cache().count().unwrap();
    let info = ctx.rdd_storage_info(a.id());
    assert_eq!(
        (info.cached_partitions, info.memory_bytes),
        (1, 0),
        "{info:?}"
    );
    assert!(info.disk_bytes > 0);
    assert_eq!(a.collect().unwrap(), doubled(10_000));
    assert_eq!(a_calls.load(Ordering::SeqCst), 10_000);
}

#[test]
fn disk_only() {
    let ctx = ctx();
    let (rdd, calls) = counted(&ctx, 1000, 3);
    let rdd = rdd.persist(StorageLevel::DISK_ONLY);
    assert_eq!(rdd.collect().unwrap(), doubled(1000));
    let info = ctx.rdd_storage_info(rdd.id());
    assert_eq!(info.cached_partitions, 3);
    assert_eq!(info.memory_bytes, 0);
    assert!(info.disk_bytes > 0);
    assert_eq!(rdd.collect().unwrap(), doubled(1000));
    assert_eq!(calls.load(Ordering::SeqCst), 1000);
    assert!(
        rdd.to_debug_string()
            .contains("Disk Serialized 1x Replicated")
    );
    rdd.unpersist();
    assert_eq!(ctx.rdd_storage_info(rdd.id()).disk_bytes, 0);
}

#[test]
fn cached_shuffle_output_and_debug_string() {
    let ctx = ctx();
    let words = ctx.parallelize(vec!["a b a".to_string(), "c a b".to_string()], 2);
    let counts = words
        .flat_map(|l| l.split(' ').map(str::to_string).collect::<Vec<_>>())
        .map(|w| (w, 1u32))
        .reduce_by_key(|a, b| a + b)
        .cache();
    let before = counts.to_debug_string();
    assert!(
        before.contains("Memory Serialized 1x Replicated"),
        "{before}"
    );
    assert!(before.contains("CachedPartitions: 0"), "{before}");
    assert!(before.contains("+-"), "{before}");
    assert_eq!(
        sorted(counts.collect().unwrap()),
        vec![
            ("a".to_string(), 3),
            ("b".to_string(), 2),
            ("c".to_string(), 1)
        ]
    );
    let after = counts.to_debug_string();
    assert!(after.contains("CachedPartitions: 2"), "{after}");
    assert_eq!(counts.filter(|(_, n)| *n > 1).count().unwrap(), 2);
}

#[test]
fn checkpoint_cuts_the_lineage() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = ctx();
    ctx.set_checkpoint_dir(dir.path().join("cp")).unwrap();
    assert_eq!(ctx.checkpoint_dir(), Some(dir.path().join("cp")));
    let (base, calls) = counted(&ctx, 10, 2);
    let sums = base.map(|x| (x % 3, x)).reduce_by_key(|a, b| a + b).cache();
    sums.checkpoint().unwrap();
    assert!(!sums.is_checkpointed(), "written only after the next job");
    let before = sums.to_debug_string();
    assert!(before.contains("ParallelCollectionRDD"), "{before}");
    assert!(before.contains("+-"), "{before}");

    // Doubled 0..10 = 0,2,..,18; by x % 3: 0: 0+6+12+18 = 36; 1: 4+10+16 = 30; 2: 2+8+14 = 24.
    assert_eq!(
        sorted(sums.collect().unwrap()),
        vec![(0, 36), (1, 30), (2, 24)]
    );
    assert!(sums.is_checkpointed());
    let after = sums.to_debug_string();
    assert!(!after.contains("ParallelCollectionRDD"), "{after}");
    assert!(!after.contains("+-"), "{after}");
    assert!(after.contains("(checkpointed)"), "{after}");
    assert_eq!(
        after.lines().filter(|l| l.contains("RDD[")).count(),
        1,
        "{after}"
    );
    let files = std::fs::read_dir(dir.path().join("cp").join(format!("rdd-{}", sums.id().0)))
        .unwrap()
        .count();
    assert_eq!(files, 2, "one file per partition");

    // Without the cache the data now comes from the checkpoint files.
    sums.unpersist();
    assert_eq!(sums.map_values(|v| v / 2).values().sum().unwrap(), 45);
    assert_eq!(
        sorted(sums.collect().unwrap()),
        vec![(0, 36), (1, 30), (2, 24)]
    );
    assert_eq!(
        calls.load(Ordering::SeqCst),
        10,
        "the lineage is never run again"
    );
    // A second checkpoint call is a no-op.
    sums.checkpoint().unwrap();
    assert!(sums.is_checkpointed());
    let job = ctx.status_tracker().last_job().unwrap();
    assert_eq!(
        job.stages.len(),
        1,
        "no shuffle stage after the checkpoint: {job:?}"
    );
}

#[test]
fn checkpoint_of_a_narrow_rdd_used_by_a_child() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = ctx();
    ctx.set_checkpoint_dir(dir.path()).unwrap();
    let (base, calls) = counted(&ctx, 6, 3);
    base.checkpoint().unwrap();
    let child = base.map(|x| x + 1);
    // The job runs over the child; the pending checkpoint of its parent is written after it.
    assert_eq!(child.collect().unwrap(), vec![1, 3, 5, 7, 9, 11]);
    assert!(base.is_checkpointed());
    // Once for the job and once for the checkpoint job (the RDD was not cached).
    assert_eq!(calls.load(Ordering::SeqCst), 12);
    assert_eq!(child.collect().unwrap(), vec![1, 3, 5, 7, 9, 11]);
    assert_eq!(calls.load(Ordering::SeqCst), 12);
    assert!(!child.to_debug_string().contains("ParallelCollectionRDD"));
}

#[test]
fn dropping_a_cached_rdd_frees_its_blocks() {
    let ctx = ctx();
    // (Shadowing would keep the uncached handle alive, so take the cached one directly.)
    let rdd = counted(&ctx, 1000, 4).0.cache();
    let id = rdd.id();
    assert_eq!(rdd.count().unwrap(), 1000);
    assert_eq!(ctx.rdd_storage_info(id).cached_partitions, 4);
    // A child keeps the cached parent alive.
    let child = rdd.map(|x| x + 1);
    drop(rdd);
    assert_eq!(child.count().unwrap(), 1000);
    assert_eq!(ctx.rdd_storage_info(id).cached_partitions, 4);
    drop(child);
    // Freed before the next job runs.
    ctx.parallelize(vec![1], 1).count().unwrap();
    assert_eq!(ctx.rdd_storage_info(id).cached_partitions, 0);
    assert_eq!(ctx.storage_memory_used(), 0);
}

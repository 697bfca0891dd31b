//! Pair-RDD operations: aggregation by key, grouping, partitioning, lookup.

use crate::common::{ctx, kv, sorted};
use ember::{Partitioner, PartitionerKind, Rdd, StorageLevel};

fn sample(ctx: &ember::Context) -> Rdd<(String, i64)> {
    ctx.parallelize(
        kv(&[("a", 1), ("b", 2), ("a", 3), ("c", 4), ("b", 5), ("a", 6)]),
        3,
    )
}

#[test]
fn map_values_flat_map_values_keys_values() {
    let ctx = ctx();
    let p = sample(&ctx);
    assert_eq!(
        p.map_values(|v| v * 10).collect().unwrap(),
        kv(&[
            ("a", 10),
            ("b", 20),
            ("a", 30),
            ("c", 40),
            ("b", 50),
            ("a", 60)
        ])
    );
    assert_eq!(
        p.flat_map_values(|v| 0..(v % 3)).collect().unwrap(),
        kv(&[("a", 0), ("b", 0), ("b", 1), ("c", 0), ("b", 0), ("b", 1)])
    );
    assert_eq!(
        p.keys().collect().unwrap(),
        vec!["a", "b", "a", "c", "b", "a"]
    );
    assert_eq!(p.values().collect().unwrap(), vec![1, 2, 3, 4, 5, 6]);
}

#[test]
fn reduce_fold_aggregate_combine_by_key() {
    let ctx = ctx();
    let p = sample(&ctx);
    let expected = kv(&[("a", 10), ("b", 7), ("c", 4)]);
    let r = p.reduce_by_key(|a, b| a + b);
    assert_eq!(r.num_partitions(), 3);
    assert_eq!(sorted(r.collect().unwrap()), expected);
    let r5 = p.reduce_by_key_n(|a, b| a + b, 5);
    assert_eq!(r5.num_partitions(), 5);
    assert_eq!(sorted(r5.collect().unwrap()), expected);
    assert_eq!(
        sorted(p.fold_by_key(0, |a, b| a + b).collect().unwrap()),
        expected
    );
    assert_eq!(
        sorted(p.fold_by_key(0, i64::max).collect().unwrap()),
        kv(&[("a", 6), ("b", 5), ("c", 4)])
    );
    assert_eq!(
        sorted(
            p.aggregate_by_key(
                (0i64, 0u32),
                |(s, n), v| (s + v, n + 1),
                |x, y| (x.0 + y.0, x.1 + y.1)
            )
            .collect()
            .unwrap()
        ),
        kv(&[("a", (10, 3)), ("b", (7, 2)), ("c", (4, 1))])
    );
    let combined = p.combine_by_key(
        |v| vec![v],
        |mut c: Vec<i64>, v| {
            c.push(v);
            c
        },
        |mut a, mut b| {
            a.append(&mut b);
            a
        },
    );
    assert_eq!(
        sorted(combined.map_values(sorted).collect().unwrap()),
        kv(&[("a", vec![1, 3, 6]), ("b", vec![2, 5]), ("c", vec![4])])
    );
    let c2 = p.combine_by_key_n(
        |v| v.to_string(),
        |c, v| format!("{c}+{v}"),
        |a, b| format!("{a}|{b}"),
        2,
    );
    assert_eq!(c2.num_partitions(), 2);
    let mut got = c2.collect().unwrap();
    got.sort();
    // Map-side combine per input partition (slices [a1,b2], [a3,c4], [b5,a6]); the order of the
    // merged pieces is not defined, so compare the multiset of numbers per key.
    let nums: Vec<(String, Vec<i64>)> = got
        .into_iter()
        .map(|(k, s)| {
            (
                k,
                sorted(s.split(['+', '|']).map(|x| x.parse().unwrap()).collect()),
            )
        })
        .collect();
    assert_eq!(
        nums,
        kv(&[("a", vec![1, 3, 6]), ("b", vec![2, 5]), ("c", vec![4])])
    );
}

#[test]
fn group_by_key_and_counts() {
    let ctx = ctx();
    let p = sample(&ctx);
    let g = p.group_by_key();
    assert_eq!(
        sorted(g.map_values(sorted).collect().unwrap()),
        kv(&[("a", vec![1, 3, 6]), ("b", vec![2, 5]), ("c", vec![4])])
    );
    let g4 = p.group_by_key_n(4);
    assert_eq!(g4.num_partitions(), 4);
    assert_eq!(g4.count().unwrap(), 3);
    let counts = p.count_by_key().unwrap();
    assert_eq!(counts.len(), 3);
    assert_eq!((counts["a"], counts["b"], counts["c"]), (3, 2, 1));
    let by_value = p.values().map(|v| v % 2).count_by_value().unwrap();
    assert_eq!(by_value.len(), 2);
    assert_eq!((by_value[&0], by_value[&1]), (3, 3));
    let m = p.reduce_by_key(|a, b| a.max(b)).collect_as_map().unwrap();
    assert_eq!((m["a"], m["b"], m["c"]), (6, 5, 4));
}

#[test]
fn pair_operations_on_empty_rdds() {
    let ctx = ctx();
    for e in [
        ctx.empty::<(String, i64)>(),
        ctx.parallelize(Vec::<(String, i64)>::new(), 3),
    ] {
        assert_eq!(e.reduce_by_key(|a, b| a + b).count().unwrap(), 0);
        assert_eq!(e.group_by_key().count().unwrap(), 0);
        assert!(e.count_by_key().unwrap().is_empty());
        assert!(e.lookup("a".into()).unwrap().is_empty());
        assert_eq!(e.partition_by(2).count().unwrap(), 0);
    }
}

#[test]
fn partition_by_keeps_every_element_and_sets_the_partitioner() {
    let ctx = ctx();
    let pairs: Vec<(u32, u32)> = (0..1000).map(|i| (i % 37, i)).collect();
    let rdd = ctx.parallelize(pairs, 3);
    assert_eq!(rdd.partitioner(), None);
    let p = rdd.partition_by(4);
    assert_eq!(p.num_partitions(), 4);
    assert_eq!(
        p.partitioner(),
        Some(PartitionerKind::Hash { partitions: 4 })
    );
    assert_eq!(p.count().unwrap(), 1000);
    assert_eq!(
        sorted(p.values().collect().unwrap()),
        (0..1000).collect::<Vec<_>>()
    );
    // Every key lives in exactly one partition, the one the hash partitioner names.
    let h = Partitioner::<u32>::hash(4);
    let located = p
        .map_partitions_with_index(move |i, it| it.map(move |(k, _)| (k, i)))
        .distinct()
        .collect()
        .unwrap();
    assert_eq!(located.len(), 37);
    assert!(located.iter().all(|(k, i)| h.partition_of(k) == *i));
    // Partitioning is kept by map_values and filter, dropped by map.
    assert_eq!(p.map_values(|v| v + 1).partitioner(), p.partitioner());
    assert_eq!(p.filter(|kv| kv.1 > 3).partitioner(), p.partitioner());
    assert_eq!(p.map(|kv| kv).partitioner(), None);
    // Partitioning again the same way is a no-op; a different count is a new shuffle.
    assert_eq!(p.partition_by(4).id(), p.id());
    assert_ne!(p.partition_by(5).id(), p.id());
    // Aggregating a partitioned RDD with its own partitioner needs no shuffle.
    let sums = p.reduce_by_key(|a, b| a + b);
    assert_eq!(sums.partitioner(), p.partitioner());
    let debug = sums.to_debug_string();
    assert_eq!(debug.matches("+-").count(), 1, "{debug}");
    let total: u32 = sums.values().sum().unwrap();
    assert_eq!(total, 999 * 1000 / 2);
}

#[test]
fn lookup_on_hash_partitioned_and_plain_rdds() {
    let ctx = ctx();
    let plain = sample(&ctx);
    assert_eq!(sorted(plain.lookup("a".into()).unwrap()), vec![1, 3, 6]);
    assert!(plain.lookup("zz".into()).unwrap().is_empty());
    let job = ctx.status_tracker().last_job().unwrap();
    assert_eq!(
        job.stages.last().unwrap().num_tasks,
        3,
        "scans every partition"
    );

    let hashed = plain.partition_by(5).persist(StorageLevel::MEMORY_ONLY);
    assert_eq!(sorted(hashed.lookup("a".into()).unwrap()), vec![1, 3, 6]);
    let job = ctx.status_tracker().last_job().unwrap();
    let result = job.stages.last().unwrap();
    assert_eq!(
        result.num_tasks, 1,
        "scans only the key's partition: {job:?}"
    );
    assert_eq!(sorted(hashed.lookup("b".into()).unwrap()), vec![2, 5]);
    assert_eq!(hashed.lookup("c".into()).unwrap(), vec![4]);
    assert!(hashed.lookup("nope".into()).unwrap().is_empty());
}

#[test]
fn skewed_keys_through_reduce_and_group() {
    let ctx = ctx();
    // Key 0 has 10,000 values (1..=10000); keys 1..=5 have three values each (k, 10k, 100k).
    let mut pairs: Vec<(u32, u64)> = (1..=10_000u64).map(|v| (0, v)).collect();
    for k in 1..=5u32 {
        for m in [1u64, 10, 100] {
            pairs.push((k, k as u64 * m));
        }
    }
    let rdd = ctx.parallelize(pairs, 4);
    let sums = sorted(rdd.reduce_by_key(|a, b| a + b).collect().unwrap());
    assert_eq!(
        sums,
        vec![
            (0, 50_005_000),
            (1, 111),
            (2, 222),
            (3, 333),
            (4, 444),
            (5, 555)
        ]
    );
    let groups = sorted(
        rdd.group_by_key_n(3)
            .map_values(|v| (v.len(), v.iter().max().copied()))
            .collect()
            .unwrap(),
    );
    assert_eq!(
        groups,
        vec![
            (0, (10_000, Some(10_000))),
            (1, (3, Some(100))),
            (2, (3, Some(200))),
            (3, (3, Some(300))),
            (4, (3, Some(400))),
            (5, (3, Some(500)))
        ]
    );
    let big = rdd
        .group_by_key()
        .filter(|(k, _)| *k == 0)
        .values()
        .collect()
        .unwrap();
    assert_eq!(big.len(), 1);
    assert_eq!(sorted(big[0].clone()), (1..=10_000).collect::<Vec<u64>>());
}

#[test]
fn fold_and_aggregate_by_key_apply_zero_once_per_key_and_map_partition() {
    let ctx = ctx();
    // Slices [a1, b2], [a3, c4], [b5, a6]: "a" is in 3 partitions, "b" in 2, "c" in 1.
    let p = sample(&ctx);
    assert_eq!(
        sorted(p.fold_by_key(1, |a, b| a + b).collect().unwrap()),
        kv(&[("a", 13), ("b", 9), ("c", 5)])
    );
    assert_eq!(
        sorted(
            p.aggregate_by_key(100, |a, b| a + b, |a, b| a + b)
                .collect()
                .unwrap()
        ),
        kv(&[("a", 310), ("b", 207), ("c", 104)])
    );
    // Already partitioned by key: one combine per key, so the zero counts once.
    let hashed = p.partition_by(3);
    assert_eq!(
        sorted(hashed.fold_by_key(1, |a, b| a + b).collect().unwrap()),
        kv(&[("a", 11), ("b", 8), ("c", 5)])
    );
}

#[test]
fn shuffles_spilled_to_disk() {
    let ctx = crate::common::ctx_with("local[2]", &[("ember.memory.shuffle", "16k")]);
    let pairs = ctx
        .parallelize((0..100_000u64).collect::<Vec<_>>(), 4)
        .map(|x| (x % 1000, x));
    let sums = sorted(pairs.reduce_by_key(|a, b| a + b).collect().unwrap());
    assert_eq!(sums.len(), 1000);
    // Key k sums k, k+1000, ..., k+99000: 100 k + 1000 * (0 + ... + 99).
    assert_eq!(sums[0], (0, 4_950_000));
    assert_eq!(sums[999], (999, 99_900 + 4_950_000));
    let sizes = sorted(
        pairs
            .map(|(k, v)| (k % 7, v))
            .group_by_key()
            .map_values(|v| v.len())
            .collect()
            .unwrap(),
    );
    // Keys 0..1000 mod 7: residues 0..=5 get 143 keys, residue 6 gets 142; 100 values each.
    assert_eq!(
        sizes,
        vec![
            (0, 14_300),
            (1, 14_300),
            (2, 14_300),
            (3, 14_300),
            (4, 14_300),
            (5, 14_300),
            (6, 14_200)
        ]
    );
}

#[test]
fn diamond_of_shuffles() {
    let ctx = ctx();
    let base = ctx
        .parallelize((1..=30u32).collect::<Vec<_>>(), 3)
        .map(|x| (x % 5, x))
        .reduce_by_key(|a, b| a + b);
    // Keys 0..5: 0: 5+10+..+30 = 105; 1: 1+6+..+26 = 81; 2: 87; 3: 93; 4: 99.
    let doubled = base.map_values(|v| v * 2).reduce_by_key_n(|a, b| a + b, 3);
    let grouped = base.group_by_key_n(5);
    let joined = doubled
        .join(&grouped)
        .map_values(|(d, g)| d + g.iter().sum::<u32>());
    assert_eq!(
        sorted(joined.collect().unwrap()),
        vec![(0, 315), (1, 243), (2, 261), (3, 279), (4, 297)]
    );
    let job = ctx.status_tracker().last_job().unwrap();
    // doubled keeps base's 3-way hash partitioning, so it needs no shuffle of its own. Map
    // stages: base's shuffle, grouped's, and the join's shuffle of doubled (3 -> 5 partitions;
    // grouped is read in place); each runs once.
    assert_eq!(job.stages.len(), 4, "{job:?}");
    assert_eq!(job.stages[0].tasks_launched, 3, "{job:?}");
    assert!(job.stages.iter().all(|s| s.num_failed_tasks == 0));
}

//! Joins, cogroup and subtract_by_key, with duplicate keys, empty sides, skew and
//! co-partitioned inputs.

use crate::common::{ctx, sorted};
use ember::{Context, Rdd, StageStatus};

type S = String;

fn s(x: &str) -> String {
    x.to_string()
}

/// Key 1 twice on the left and three times on the right; key 2 once on each side; key 3 only
/// on the left; key 4 only on the right.
type Side = Rdd<(u32, S)>;

fn sides(ctx: &Context) -> (Side, Side) {
    let left = ctx.parallelize(vec![(1, s("a")), (1, s("b")), (2, s("c")), (3, s("d"))], 2);
    let right = ctx.parallelize(
        vec![
            (1, s("x")),
            (2, s("w")),
            (1, s("y")),
            (4, s("v")),
            (1, s("z")),
        ],
        3,
    );
    (left, right)
}

#[test]
fn inner_join_is_the_product_per_key() {
    let ctx = ctx();
    let (left, right) = sides(&ctx);
    let j = left.join(&right);
    assert_eq!(j.num_partitions(), 3);
    assert_eq!(
        sorted(j.collect().unwrap()),
        vec![
            (1, (s("a"), s("x"))),
            (1, (s("a"), s("y"))),
            (1, (s("a"), s("z"))),
            (1, (s("b"), s("x"))),
            (1, (s("b"), s("y"))),
            (1, (s("b"), s("z"))),
            (2, (s("c"), s("w"))),
        ]
    );
    let j7 = left.join_n(&right, 7);
    assert_eq!(j7.num_partitions(), 7);
    assert_eq!(j7.count().unwrap(), 7);
    // Swapped sides give the swapped pairs.
    assert_eq!(right.join(&left).count().unwrap(), 7);
}

#[test]
fn outer_joins() {
    let ctx = ctx();
    let (left, right) = sides(&ctx);
    assert_eq!(
        sorted(left.left_outer_join(&right).collect().unwrap()),
        vec![
            (1, (s("a"), Some(s("x")))),
            (1, (s("a"), Some(s("y")))),
            (1, (s("a"), Some(s("z")))),
            (1, (s("b"), Some(s("x")))),
            (1, (s("b"), Some(s("y")))),
            (1, (s("b"), Some(s("z")))),
            (2, (s("c"), Some(s("w")))),
            (3, (s("d"), None)),
        ]
    );
    assert_eq!(
        sorted(left.right_outer_join(&right).collect().unwrap()),
        vec![
            (1, (Some(s("a")), s("x"))),
            (1, (Some(s("a")), s("y"))),
            (1, (Some(s("a")), s("z"))),
            (1, (Some(s("b")), s("x"))),
            (1, (Some(s("b")), s("y"))),
            (1, (Some(s("b")), s("z"))),
            (2, (Some(s("c")), s("w"))),
            (4, (None, s("v"))),
        ]
    );
    assert_eq!(
        sorted(left.full_outer_join(&right).collect().unwrap()),
        vec![
            (1, (Some(s("a")), Some(s("x")))),
            (1, (Some(s("a")), Some(s("y")))),
            (1, (Some(s("a")), Some(s("z")))),
            (1, (Some(s("b")), Some(s("x")))),
            (1, (Some(s("b")), Some(s("y")))),
            (1, (Some(s("b")), Some(s("z")))),
            (2, (Some(s("c")), Some(s("w")))),
            (3, (Some(s("d")), None)),
            (4, (None, Some(s("v")))),
        ]
    );
}

#[test]
fn cogroup_group_with_and_subtract_by_key() {
    let ctx = ctx();
    let (left, right) = sides(&ctx);
    let groups = left
        .cogroup(&right)
        .map_values(|(l, r)| (sorted(l), sorted(r)));
    assert_eq!(
        sorted(groups.collect().unwrap()),
        vec![
            (1, (vec![s("a"), s("b")], vec![s("x"), s("y"), s("z")])),
            (2, (vec![s("c")], vec![s("w")])),
            (3, (vec![s("d")], vec![])),
            (4, (vec![], vec![s("v")])),
        ]
    );
    assert_eq!(left.group_with(&right).count().unwrap(), 4);
    assert_eq!(
        left.subtract_by_key(&right).collect().unwrap(),
        vec![(3, s("d"))]
    );
    assert_eq!(
        right.subtract_by_key(&left).collect().unwrap(),
        vec![(4, s("v"))]
    );
    // The other side's value type does not matter, and duplicates on the left are kept.
    let dup = ctx.parallelize(vec![(5u32, 1), (5, 2), (6, 3)], 2);
    let other = ctx.parallelize(vec![(6u32, ())], 1);
    assert_eq!(
        sorted(dup.subtract_by_key(&other).collect().unwrap()),
        vec![(5, 1), (5, 2)]
    );
}

#[test]
fn joins_with_empty_sides() {
    let ctx = ctx();
    let (left, right) = sides(&ctx);
    for empty in [
        ctx.empty::<(u32, S)>(),
        ctx.parallelize(Vec::<(u32, S)>::new(), 4),
    ] {
        assert_eq!(empty.join(&right).count().unwrap(), 0);
        assert_eq!(left.join(&empty).count().unwrap(), 0);
        assert_eq!(
            sorted(left.left_outer_join(&empty).collect().unwrap()),
            vec![
                (1, (s("a"), None)),
                (1, (s("b"), None)),
                (2, (s("c"), None)),
                (3, (s("d"), None)),
            ]
        );
        assert_eq!(empty.left_outer_join(&right).count().unwrap(), 0);
        assert_eq!(
            sorted(empty.right_outer_join(&left).collect().unwrap()),
            vec![
                (1, (None, s("a"))),
                (1, (None, s("b"))),
                (2, (None, s("c"))),
                (3, (None, s("d"))),
            ]
        );
        assert_eq!(empty.full_outer_join(&right).count().unwrap(), 5);
        assert_eq!(empty.full_outer_join(&empty).count().unwrap(), 0);
        assert_eq!(empty.cogroup(&empty).count().unwrap(), 0);
        assert_eq!(
            sorted(left.subtract_by_key(&empty).collect().unwrap()),
            sorted(left.collect().unwrap())
        );
        assert_eq!(empty.subtract_by_key(&left).count().unwrap(), 0);
    }
}

#[test]
fn skewed_join() {
    let ctx = ctx();
    // Key 0: 10,000 values on the left, two on the right; key 1: 3 on the left, 1 on the right;
    // key 2: left only.
    let mut l: Vec<(u32, u32)> = (0..10_000).map(|i| (0, i)).collect();
    l.extend([(1, 1), (1, 2), (1, 3), (2, 9)]);
    let left = ctx.parallelize(l, 4);
    let right = ctx.parallelize(vec![(0u32, s("zero")), (0, s("nil")), (1, s("one"))], 2);
    let j = left.join(&right);
    assert_eq!(j.count().unwrap(), 20_003);
    let per_key = sorted(
        j.map(|(k, (v, w))| ((k, w), v as u64))
            .reduce_by_key(|a, b| a + b)
            .collect()
            .unwrap(),
    );
    assert_eq!(
        per_key,
        vec![
            ((0, s("nil")), 49_995_000),
            ((0, s("zero")), 49_995_000),
            ((1, s("one")), 6),
        ]
    );
    let full = left.full_outer_join(&right);
    assert_eq!(full.count().unwrap(), 20_004);
}

#[test]
fn co_partitioned_join_adds_no_shuffle() {
    let ctx = ctx();
    let (left, right) = sides(&ctx);
    let lp = left.partition_by(4).cache();
    let rp = right.partition_by(4).cache();
    assert_eq!(lp.count().unwrap(), 4);
    assert_eq!(rp.count().unwrap(), 5);
    let j = lp.join(&rp);
    assert_eq!(j.num_partitions(), 4);
    assert_eq!(j.count().unwrap(), 7);
    let job = ctx.status_tracker().last_job().unwrap();
    // Only the two partition_by shuffles (already written, so skipped) and the result stage.
    assert_eq!(job.stages.len(), 3, "{job:?}");
    assert_eq!(job.skipped_stages(), 2, "{job:?}");
    assert!(
        job.stages
            .iter()
            .filter(|st| st.status == StageStatus::Skipped)
            .all(|st| st.tasks_launched == 0)
    );
    // One side partitioned: only the other side is shuffled.
    let half = lp.join(&right);
    assert_eq!(half.count().unwrap(), 7);
    let job = ctx.status_tracker().last_job().unwrap();
    assert_eq!(job.stages.len(), 3, "{job:?}");
    assert_eq!(job.skipped_stages(), 1, "{job:?}");
}

#[test]
fn self_join_and_join_of_a_join() {
    let ctx = ctx();
    let r = ctx.parallelize(vec![(1u8, 'a'), (1, 'b'), (2, 'c')], 2);
    assert_eq!(
        sorted(r.join(&r).collect().unwrap()),
        vec![
            (1, ('a', 'a')),
            (1, ('a', 'b')),
            (1, ('b', 'a')),
            (1, ('b', 'b')),
            (2, ('c', 'c')),
        ]
    );
    // A join result is hash-partitioned: joining it again with a co-partitioned RDD reads it
    // in place, and lookup scans one partition.
    let other = ctx.parallelize(vec![(1u8, 10u32), (2, 20), (3, 30)], 3);
    let j = r.join(&other);
    assert_eq!(
        j.partitioner(),
        Some(ember::PartitionerKind::Hash { partitions: 3 })
    );
    let jj = j.join(&other);
    assert_eq!(
        sorted(jj.collect().unwrap()),
        vec![
            (1, (('a', 10), 10)),
            (1, (('b', 10), 10)),
            (2, (('c', 20), 20)),
        ]
    );
    assert_eq!(sorted(j.lookup(1).unwrap()), vec![('a', 10), ('b', 10)]);
    let job = ctx.status_tracker().last_job().unwrap();
    assert_eq!(job.stages.last().unwrap().num_tasks, 1, "{job:?}");
}

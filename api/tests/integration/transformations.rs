//! Narrow and wide transformations of single-element RDDs.

use crate::common::{ctx, ctx_on, sorted, strings};
use std::collections::HashSet;

#[test]
fn map_flat_map_filter() {
    let ctx = ctx();
    let rdd = ctx.parallelize((1..=6).collect::<Vec<i64>>(), 3);
    assert_eq!(
        rdd.map(|x| x * x).collect().unwrap(),
        vec![1, 4, 9, 16, 25, 36]
    );
    assert_eq!(rdd.filter(|x| x % 2 == 0).collect().unwrap(), vec![2, 4, 6]);
    assert_eq!(
        rdd.flat_map(|x| vec![x; (x % 3) as usize])
            .collect()
            .unwrap(),
        vec![1, 2, 2, 4, 5, 5]
    );
    let words = ctx.parallelize(strings(&["a b", "", "c d e"]), 2);
    assert_eq!(
        words
            .flat_map(|l| l.split_whitespace().map(str::to_string).collect::<Vec<_>>())
            .collect()
            .unwrap(),
        strings(&["a", "b", "c", "d", "e"])
    );
    // A chain of narrow operators is one pass and keeps the order.
    let chained = rdd
        .map(|x| x + 1)
        .filter(|x| *x != 4)
        .flat_map(|x| vec![x, -x])
        .map(|x| x * 2);
    assert_eq!(
        chained.collect().unwrap(),
        vec![4, -4, 6, -6, 10, -10, 12, -12, 14, -14]
    );
}

#[test]
fn flat_map_with_large_fan_out() {
    let ctx = ctx();
    let rdd = ctx.parallelize(vec![3000u32, 5], 2);
    let out = rdd.flat_map(|n| 0..n);
    assert_eq!(out.count().unwrap(), 3005);
    assert_eq!(out.sum().unwrap(), 2999 * 3000 / 2 + 10);
}

#[test]
fn map_partitions_and_with_index() {
    let ctx = ctx();
    let rdd = ctx.parallelize((1..=10).collect::<Vec<i32>>(), 3);
    // Slices: [1,2,3], [4,5,6], [7,8,9,10].
    assert_eq!(
        rdd.map_partitions(|it| vec![it.sum::<i32>()])
            .collect()
            .unwrap(),
        vec![6, 15, 34]
    );
    assert_eq!(
        rdd.map_partitions_with_index(|i, it| it.map(move |x| (i, x)).filter(|p| p.1 % 3 == 0))
            .collect()
            .unwrap(),
        vec![(0, 3), (1, 6), (2, 9)]
    );
    // An empty partition still gets its function called.
    let sparse = ctx.parallelize(vec![1, 2], 4);
    assert_eq!(
        sparse
            .map_partitions_with_index(|i, it| vec![(i, it.count())])
            .collect()
            .unwrap(),
        vec![(0, 0), (1, 1), (2, 0), (3, 1)]
    );
}

#[test]
fn glom_and_key_by() {
    let ctx = ctx();
    let rdd = ctx.parallelize(strings(&["apple", "kiwi", "fig", "banana"]), 2);
    assert_eq!(
        rdd.glom().collect().unwrap(),
        vec![strings(&["apple", "kiwi"]), strings(&["fig", "banana"])]
    );
    assert_eq!(
        rdd.key_by(|s| s.len()).collect().unwrap(),
        vec![
            (5, "apple".to_string()),
            (4, "kiwi".to_string()),
            (3, "fig".to_string()),
            (6, "banana".to_string())
        ]
    );
}

#[test]
fn distinct_union_intersection_subtract() {
    let ctx = ctx();
    let a = ctx.parallelize(vec![1, 2, 2, 3, 4, 5, 1], 3);
    let b = ctx.parallelize(vec![2, 2, 4, 6], 2);
    assert_eq!(sorted(a.distinct().collect().unwrap()), vec![1, 2, 3, 4, 5]);
    let u = a.union(&b);
    assert_eq!(u.num_partitions(), 5);
    assert_eq!(u.collect().unwrap(), vec![1, 2, 2, 3, 4, 5, 1, 2, 2, 4, 6]);
    assert_eq!(sorted(a.intersection(&b).collect().unwrap()), vec![2, 4]);
    // Duplicates of the left side are kept by subtract.
    assert_eq!(sorted(a.subtract(&b).collect().unwrap()), vec![1, 1, 3, 5]);
    assert_eq!(sorted(b.subtract(&a).collect().unwrap()), vec![6]);
    let e = ctx.empty::<i32>();
    assert_eq!(e.distinct().count().unwrap(), 0);
    assert_eq!(a.intersection(&e).count().unwrap(), 0);
    assert_eq!(
        sorted(a.subtract(&e).collect().unwrap()),
        vec![1, 1, 2, 2, 3, 4, 5]
    );
    assert_eq!(e.union(&b).collect().unwrap(), vec![2, 2, 4, 6]);
}

#[test]
fn distinct_of_strings_on_three_threads() {
    let ctx = ctx_on("local[3]");
    let words: Vec<String> = (0..3000).map(|i| format!("w{}", i % 7)).collect();
    let d = ctx.parallelize(words, 6).distinct();
    assert_eq!(
        sorted(d.collect().unwrap()),
        strings(&["w0", "w1", "w2", "w3", "w4", "w5", "w6"])
    );
}

#[test]
fn cartesian_product() {
    let ctx = ctx();
    let a = ctx.parallelize(vec![1, 2], 2);
    let b = ctx.parallelize(strings(&["x", "y", "z"]), 3);
    let c = a.cartesian(&b);
    assert_eq!(c.num_partitions(), 6);
    assert_eq!(
        sorted(c.collect().unwrap()),
        vec![
            (1, "x".to_string()),
            (1, "y".to_string()),
            (1, "z".to_string()),
            (2, "x".to_string()),
            (2, "y".to_string()),
            (2, "z".to_string())
        ]
    );
    assert_eq!(a.cartesian(&ctx.empty::<u8>()).count().unwrap(), 0);
    assert_eq!(a.cartesian(&a).count().unwrap(), 4);
}

#[test]
fn zip_and_indices() {
    let ctx = ctx();
    let a = ctx.parallelize(vec![1, 2, 3, 4, 5], 2);
    let b = a.map(|x| x * 100);
    assert_eq!(
        a.zip(&b).unwrap().collect().unwrap(),
        vec![(1, 100), (2, 200), (3, 300), (4, 400), (5, 500)]
    );
    let letters = ctx.parallelize(strings(&["a", "b", "c", "d", "e"]), 2);
    assert_eq!(
        letters.zip_with_index().unwrap().collect().unwrap(),
        vec![
            ("a".to_string(), 0),
            ("b".to_string(), 1),
            ("c".to_string(), 2),
            ("d".to_string(), 3),
            ("e".to_string(), 4)
        ]
    );
    // Slices [a, b] and [c, d, e]; partition k gets k, k+2, k+4, ...
    assert_eq!(
        letters.zip_with_unique_id().collect().unwrap(),
        vec![
            ("a".to_string(), 0),
            ("b".to_string(), 2),
            ("c".to_string(), 1),
            ("d".to_string(), 3),
            ("e".to_string(), 5)
        ]
    );
    // Empty partitions before, between and after the elements.
    let sparse = ctx.parallelize(vec![10, 20, 30], 8);
    assert_eq!(
        sparse.zip_with_index().unwrap().collect().unwrap(),
        vec![(10, 0), (20, 1), (30, 2)]
    );
    assert_eq!(
        sparse.zip_with_unique_id().collect().unwrap(),
        vec![(10, 2), (20, 5), (30, 7)]
    );
    assert_eq!(
        ctx.empty::<i32>()
            .zip_with_index()
            .unwrap()
            .count()
            .unwrap(),
        0
    );
}

#[test]
fn sample_with_and_without_replacement() {
    let ctx = ctx();
    let rdd = ctx.parallelize((0..1000).collect::<Vec<i32>>(), 4);
    assert_eq!(rdd.sample(false, 0.0, 1).unwrap().count().unwrap(), 0);
    assert_eq!(
        rdd.sample(false, 1.0, 1).unwrap().collect().unwrap(),
        (0..1000).collect::<Vec<_>>()
    );
    let s1 = rdd.sample(false, 0.5, 42).unwrap().collect().unwrap();
    let s2 = rdd.sample(false, 0.5, 42).unwrap().collect().unwrap();
    let s3 = rdd.sample(false, 0.5, 43).unwrap().collect().unwrap();
    assert_eq!(s1, s2, "the same seed gives the same sample");
    assert_ne!(s1, s3, "another seed gives another sample");
    assert!((400..=600).contains(&s1.len()), "{}", s1.len());
    // Without replacement: a strictly increasing subset.
    assert!(s1.windows(2).all(|w| w[0] < w[1]));
    let with = rdd.sample(true, 2.0, 7).unwrap().collect().unwrap();
    assert!((1800..=2200).contains(&with.len()), "{}", with.len());
    assert!(with.iter().all(|x| (0..1000).contains(x)));
    let distinct: HashSet<i32> = with.iter().copied().collect();
    assert!(
        distinct.len() < with.len(),
        "with replacement repeats elements"
    );
}

#[test]
fn coalesce_and_repartition() {
    let ctx = ctx();
    let rdd = ctx.parallelize((1..=10).collect::<Vec<i32>>(), 5);
    let c = rdd.coalesce(2, false);
    assert_eq!(c.num_partitions(), 2);
    // Groups of parent partitions: 0..2 and 2..5.
    assert_eq!(
        c.glom().collect().unwrap(),
        vec![vec![1, 2, 3, 4], vec![5, 6, 7, 8, 9, 10]]
    );
    // Without a shuffle, coalesce never adds partitions.
    assert_eq!(rdd.coalesce(10, false).num_partitions(), 5);
    assert_eq!(rdd.coalesce(0, false).num_partitions(), 1);
    assert_eq!(
        rdd.coalesce(1, false).collect().unwrap(),
        (1..=10).collect::<Vec<_>>()
    );
    let up = rdd.coalesce(7, true);
    assert_eq!(up.num_partitions(), 7);
    assert_eq!(sorted(up.collect().unwrap()), (1..=10).collect::<Vec<_>>());

    let big = ctx.parallelize((1..=100).collect::<Vec<i32>>(), 2);
    let r = big.repartition(4);
    assert_eq!(r.num_partitions(), 4);
    let sizes = r.glom().map(|p| p.len()).collect().unwrap();
    assert_eq!(sizes.iter().sum::<usize>(), 100);
    assert!(sizes.iter().all(|s| (24..=26).contains(s)), "{sizes:?}");
    assert_eq!(sorted(r.collect().unwrap()), (1..=100).collect::<Vec<_>>());
    assert_eq!(ctx.empty::<i32>().repartition(3).count().unwrap(), 0);
}

#[test]
fn group_by_a_function() {
    let ctx = ctx();
    let rdd = ctx.parallelize(
        strings(&["ant", "bee", "cat", "dog", "eel", "fox", "gnu"]),
        3,
    );
    let by_first_vowel: Vec<(bool, Vec<String>)> = rdd
        .group_by(|w| w.starts_with(['a', 'e', 'i', 'o', 'u']))
        .map_values(sorted)
        .collect()
        .unwrap();
    assert_eq!(
        sorted(by_first_vowel),
        vec![
            (false, strings(&["bee", "cat", "dog", "fox", "gnu"])),
            (true, strings(&["ant", "eel"]))
        ]
    );
    let by_len = ctx
        .parallelize((1..=9).collect::<Vec<u32>>(), 2)
        .group_by(|x| x % 3);
    assert_eq!(
        sorted(by_len.map_values(sorted).collect().unwrap()),
        vec![(0, vec![3, 6, 9]), (1, vec![1, 4, 7]), (2, vec![2, 5, 8])]
    );
}

#[test]
fn one_partition_pipeline() {
    let ctx = ctx_on("local[1]");
    let rdd = ctx.parallelize((1..=20).collect::<Vec<u64>>(), 1);
    let out = rdd
        .filter(|x| x % 4 != 0)
        .map(|x| (x % 3, x))
        .reduce_by_key(|a, b| a + b);
    assert_eq!(out.num_partitions(), 1);
    // Keys mod 3 of 1..=20 without multiples of 4 (4, 8, 12, 16, 20):
    // 0: 3+6+9+15+18 = 51; 1: 1+7+10+13+19 = 50; 2: 2+5+11+14+17 = 49.
    assert_eq!(
        sorted(out.collect().unwrap()),
        vec![(0, 51), (1, 50), (2, 49)]
    );
}

//! `sort_by_key(_n)` and `sort_by`: global order across partitions, ascending and descending.

use crate::common::{ctx, ctx_on, kv, strings};
use ember::PartitionerKind;
use rand::{Rng, SeedableRng};

/// Asserts that the partitions of `parts`, concatenated, are in order (`ascending` or not).
fn assert_globally_ordered<K: Ord + std::fmt::Debug>(parts: &[Vec<K>], ascending: bool) {
    let flat: Vec<&K> = parts.iter().flatten().collect();
    for w in flat.windows(2) {
        if ascending {
            assert!(w[0] <= w[1], "{:?} before {:?}", w[0], w[1]);
        } else {
            assert!(w[0] >= w[1], "{:?} before {:?}", w[0], w[1]);
        }
    }
}

#[test]
fn sort_by_key_ascending_and_descending() {
    let ctx = ctx();
    let pairs = kv(&[("d", 4), ("a", 1), ("e", 5), ("c", 3), ("b", 2), ("f", 6)]);
    let rdd = ctx.parallelize(pairs, 3);
    let up = rdd.sort_by_key(true).unwrap();
    assert_eq!(up.num_partitions(), 3);
    assert_eq!(
        up.collect().unwrap(),
        kv(&[("a", 1), ("b", 2), ("c", 3), ("d", 4), ("e", 5), ("f", 6)])
    );
    assert!(matches!(
        up.partitioner(),
        Some(PartitionerKind::Range { .. })
    ));
    let down = rdd.sort_by_key(false).unwrap();
    assert_eq!(
        down.collect().unwrap(),
        kv(&[("f", 6), ("e", 5), ("d", 4), ("c", 3), ("b", 2), ("a", 1)])
    );
    assert_eq!(down.keys().take(2).unwrap(), strings(&["f", "e"]));
    assert_eq!(down.first().unwrap(), ("f".to_string(), 6));
    let one = rdd.sort_by_key_n(false, 1).unwrap();
    assert_eq!(one.num_partitions(), 1);
    assert_eq!(one.values().collect().unwrap(), vec![6, 5, 4, 3, 2, 1]);
}

#[test]
fn descending_sort_across_many_partitions() {
    let ctx = ctx_on("local[3]");
    // 1000 keys, shuffled deterministically: i * 7919 mod 1000 is a permutation.
    let pairs: Vec<(u32, u32)> = (0..1000u32).map(|i| ((i * 7919) % 1000, i)).collect();
    let rdd = ctx.parallelize(pairs, 5);
    let sorted = rdd.sort_by_key_n(false, 4).unwrap();
    assert_eq!(sorted.num_partitions(), 4);
    let parts = sorted.keys().glom().collect().unwrap();
    assert_eq!(parts.len(), 4);
    assert!(parts.iter().all(|p| !p.is_empty()), "every range gets keys");
    assert_globally_ordered(&parts, false);
    // Partition 0 holds the largest keys.
    assert_eq!(parts[0][0], 999);
    assert_eq!(*parts[3].last().unwrap(), 0);
    let keys = sorted.keys().collect().unwrap();
    assert_eq!(keys, (0..1000).rev().collect::<Vec<u32>>());
    // Values follow their keys: key k came from i with i*7919 = k (mod 1000).
    let firsts = sorted.take(2).unwrap();
    assert_eq!(firsts, vec![(999, 321), (998, 642)]);
}

#[test]
fn sort_by_a_function() {
    let ctx = ctx();
    let words = ctx.parallelize(
        strings(&["pear", "fig", "banana", "kiwi", "apple", "date"]),
        3,
    );
    let by_len_desc = words.sort_by(|w| (w.len(), w.clone()), false).unwrap();
    assert_eq!(
        by_len_desc.collect().unwrap(),
        strings(&["banana", "apple", "pear", "kiwi", "date", "fig"])
    );
    let by_last = words
        .sort_by(|w| w.chars().last().unwrap(), true)
        .unwrap()
        .map(|w| w.chars().last().unwrap())
        .collect()
        .unwrap();
    assert_eq!(by_last, vec!['a', 'e', 'e', 'g', 'i', 'r']);
    let nums = ctx.parallelize(vec![5i64, -3, 12, 0, -8, 7, 7], 4);
    assert_eq!(
        nums.sort_by(|x| *x, true).unwrap().collect().unwrap(),
        vec![-8, -3, 0, 5, 7, 7, 12]
    );
    assert_eq!(
        nums.sort_by(|x| x.abs(), false).unwrap().collect().unwrap()[..3],
        [12, -8, 7]
    );
}

#[test]
fn sort_of_empty_and_tiny_rdds() {
    let ctx = ctx();
    assert_eq!(
        ctx.empty::<(i32, i32)>()
            .sort_by_key(true)
            .unwrap()
            .count()
            .unwrap(),
        0
    );
    let e = ctx.parallelize(Vec::<(i32, i32)>::new(), 3);
    assert_eq!(e.sort_by_key(false).unwrap().collect().unwrap(), vec![]);
    let sparse = ctx.parallelize(vec![(3, 'c'), (1, 'a'), (2, 'b')], 8);
    let s = sparse.sort_by_key_n(true, 8).unwrap();
    assert_eq!(s.collect().unwrap(), vec![(1, 'a'), (2, 'b'), (3, 'c')]);
    let dup = ctx
        .parallelize(vec![(1, 1); 50], 4)
        .sort_by_key(false)
        .unwrap();
    assert_eq!(dup.count().unwrap(), 50);
}

#[test]
fn sort_100k_random_keys_matches_std_sort() {
    let ctx = ctx_on("local[3]");
    let mut rng = rand::rngs::StdRng::seed_from_u64(2024);
    let keys: Vec<i64> = (0..100_000)
        .map(|_| rng.random_range(-1_000_000..1_000_000))
        .collect();
    let pairs: Vec<(i64, u32)> = keys.iter().copied().zip(0..).collect();
    let rdd = ctx.parallelize(pairs, 8);

    let mut expected = keys.clone();
    expected.sort();
    let up = rdd.sort_by_key(true).unwrap();
    assert_eq!(up.num_partitions(), 8);
    assert_eq!(up.keys().collect().unwrap(), expected);
    let parts = up.keys().glom().collect().unwrap();
    assert_globally_ordered(&parts, true);
    // Sampled bounds give roughly balanced ranges.
    assert!(
        parts.iter().all(|p| p.len() > 5_000 && p.len() < 25_000),
        "{:?}",
        parts.iter().map(Vec::len).collect::<Vec<_>>()
    );
    // Each value stays with its key.
    assert!(
        up.collect()
            .unwrap()
            .iter()
            .all(|(k, i)| keys[*i as usize] == *k)
    );

    expected.reverse();
    let down = rdd.sort_by(|(k, _)| *k, false).unwrap().keys();
    assert_eq!(down.collect().unwrap(), expected);
    assert_globally_ordered(&down.glom().collect().unwrap(), false);
}

//! Broadcast variables and accumulators, including accumulators under task retries.

use crate::common::{assert_close, ctx, ctx_on, sorted};
use ember::{AccumulatorParam, TaskContext};
use std::collections::{BTreeSet, HashMap};

#[test]
fn broadcast_value_used_in_closures() {
    let ctx = ctx();
    let table: HashMap<u32, String> = [(1, "one"), (2, "two"), (3, "three")]
        .into_iter()
        .map(|(k, v)| (k, v.to_string()))
        .collect();
    let b = ctx.broadcast(table);
    assert_eq!(b.value().len(), 3);
    let b2 = b.clone();
    assert_eq!(b2.id(), b.id());
    let names = ctx.parallelize(vec![3u32, 1, 4, 2, 1], 3).map(move |k| {
        b2.value()
            .get(&k)
            .cloned()
            .unwrap_or_else(|| "?".to_string())
    });
    assert_eq!(
        names.collect().unwrap(),
        vec!["three", "one", "?", "two", "one"]
    );
    // Used in a filter and on the map side of a shuffle.
    let b3 = b.clone();
    let weights = ctx.broadcast(vec![10u64, 20, 30]);
    let w = weights.clone();
    let sums = ctx
        .parallelize(vec![(0usize, 1u64), (1, 2), (2, 3), (1, 4), (7, 5)], 2)
        .filter(move |(k, _)| b3.value().contains_key(&(*k as u32 + 1)))
        .map(move |(k, v)| (k, v * w.value()[k]))
        .reduce_by_key(|a, b| a + b);
    assert_eq!(
        sorted(sums.collect().unwrap()),
        vec![(0, 10), (1, 120), (2, 90)]
    );
    assert_ne!(weights.id(), b.id());
}

#[test]
fn numeric_accumulators() {
    let ctx = ctx_on("local[3]");
    let total = ctx.accumulator(0u64);
    let evens = ctx.accumulator(0i32);
    let mass = ctx.accumulator(0.0f64);
    let (t, e, m) = (total.clone(), evens.clone(), mass.clone());
    ctx.parallelize((1..=100u64).collect::<Vec<_>>(), 7)
        .foreach(move |x| {
            t.add(x);
            if x % 2 == 0 {
                e.add(1);
            }
            m.add(x as f64 * 0.5);
        })
        .unwrap();
    assert_eq!(total.value(), 5050);
    assert_eq!(evens.value(), 50);
    assert_close(mass.value(), 2525.0);
    // On the driver, add applies at once; set_value replaces.
    total.add(50);
    assert_eq!(total.value(), 5100);
    total.set_value(7);
    assert_eq!(total.value(), 7);
    // An initial value is kept and added to.
    let start = ctx.accumulator(1000i64);
    let s = start.clone();
    ctx.parallelize(vec![1i64, 2, 3], 2)
        .foreach(move |x| s.add(x))
        .unwrap();
    assert_eq!(start.value(), 1006);
}

#[test]
fn accumulator_in_a_recomputed_map_counts_per_computation() {
    let ctx = ctx();
    let seen = ctx.accumulator(0u32);
    let s = seen.clone();
    let rdd = ctx
        .parallelize((0..10).collect::<Vec<u32>>(), 2)
        .map(move |x| {
            s.add(1);
            x
        });
    rdd.count().unwrap();
    assert_eq!(seen.value(), 10);
    rdd.count().unwrap();
    assert_eq!(
        seen.value(),
        20,
        "not cached: each job computes the map again"
    );
    let cached = rdd.cache();
    cached.count().unwrap();
    cached.count().unwrap();
    assert_eq!(seen.value(), 30, "cached: computed once more, then read");
}

#[test]
fn accumulator_counts_each_element_once_when_first_attempts_panic() {
    let ctx = ctx();
    let seen = ctx.accumulator(0u64);
    let s = seen.clone();
    // Every task fails on its first attempt after having added some elements.
    let rdd = ctx
        .parallelize((0..100u64).collect::<Vec<_>>(), 4)
        .map(move |x| {
            s.add(1);
            let tc = TaskContext::get().unwrap();
            if tc.attempt_number() == 0 && x % 25 == 10 {
                panic!("first attempt of partition {} fails", tc.partition_id());
            }
            x * 3
        });
    assert_eq!(rdd.sum().unwrap(), 3 * 4950);
    assert_eq!(seen.value(), 100);
    let job = ctx.status_tracker().last_job().unwrap();
    let stage = job.stages.last().unwrap();
    assert_eq!(stage.num_failed_tasks, 4, "{job:?}");
    assert_eq!(stage.tasks_launched, 8, "{job:?}");
}

#[test]
fn accumulator_in_a_map_stage_with_a_retried_task() {
    let ctx = ctx();
    let seen = ctx.accumulator(0u64);
    let s = seen.clone();
    let pairs = ctx
        .parallelize((1..=60u64).collect::<Vec<_>>(), 3)
        .map(move |x| {
            s.add(x);
            let tc = TaskContext::get().unwrap();
            if tc.attempt_number() == 0 && tc.partition_id() == 1 && x == 35 {
                panic!("map task 1 fails once");
            }
            (x % 3, x)
        });
    let sums = pairs.reduce_by_key(|a, b| a + b);
    // 1..=60 by x % 3: 0: 3+6+..+60 = 630; 1: 1+4+..+58 = 590; 2: 2+5+..+59 = 610.
    assert_eq!(
        sorted(sums.collect().unwrap()),
        vec![(0, 630), (1, 590), (2, 610)]
    );
    assert_eq!(seen.value(), 1830, "each element added once");
    // The second action skips the map stage: nothing is added again.
    assert_eq!(sums.count().unwrap(), 3);
    assert_eq!(seen.value(), 1830);
}

/// Keeps the largest value added.
struct MaxParam;

impl AccumulatorParam<i64> for MaxParam {
    fn zero(&self, _initial: &i64) -> i64 {
        i64::MIN
    }
    fn add_in_place(&self, acc: &mut i64, value: i64) {
        *acc = (*acc).max(value);
    }
}

/// Collects the distinct strings added.
struct SetParam;

impl AccumulatorParam<BTreeSet<String>> for SetParam {
    fn zero(&self, _initial: &BTreeSet<String>) -> BTreeSet<String> {
        BTreeSet::new()
    }
    fn add_in_place(&self, acc: &mut BTreeSet<String>, value: BTreeSet<String>) {
        acc.extend(value);
    }
}

#[test]
fn user_defined_accumulators() {
    let ctx = ctx_on("local[3]");
    let max = ctx.accumulator_with(-5i64, MaxParam);
    let m = max.clone();
    let rdd = ctx.parallelize(vec![3i64, -20, 17, 4, 9, -1], 3);
    rdd.foreach(move |x| m.add(x)).unwrap();
    assert_eq!(max.value(), 17);
    // The initial value takes part: nothing above it, it stays.
    let low = ctx.accumulator_with(100i64, MaxParam);
    let l = low.clone();
    rdd.foreach(move |x| l.add(x)).unwrap();
    assert_eq!(low.value(), 100);

    let initial: BTreeSet<String> = ["seed".to_string()].into_iter().collect();
    let tags = ctx.accumulator_with(initial, SetParam);
    let t = tags.clone();
    ctx.parallelize(
        vec!["b x", "a", "x c", "", "a b"]
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>(),
        4,
    )
    .foreach(move |line| {
        t.add(line.split_whitespace().map(str::to_string).collect());
    })
    .unwrap();
    assert_eq!(
        tags.value().into_iter().collect::<Vec<_>>(),
        vec!["a", "b", "c", "seed", "x"]
    );
    // A panicking first attempt does not leak its updates into a custom accumulator either.
    let firsts = ctx.accumulator_with(BTreeSet::new(), SetParam);
    let f = firsts.clone();
    ctx.parallelize(vec![1u8, 2, 3], 3)
        .foreach(move |x| {
            let tc = TaskContext::get().unwrap();
            f.add(
                [format!("{x}@{}", tc.attempt_number())]
                    .into_iter()
                    .collect(),
            );
            if tc.attempt_number() == 0 && x == 2 {
                panic!("retry me");
            }
        })
        .unwrap();
    assert_eq!(
        firsts.value().into_iter().collect::<Vec<_>>(),
        vec!["1@0", "2@1", "3@0"]
    );
}

//! Determinism levels and what the scheduler does when an indeterminate shuffle output is lost
//! mid-job: roll back the stages that read it, or fail with a named error when result
//! partitions were already computed; determinate and unordered outputs rerun only the lost map
//! tasks.

use crate::common::{ctx, ctx_on, sorted};
use ember::rdd::determinism::Determinism;
use ember::{Context, Error, JobInfo, Rdd, ShuffleId};
use ember_scheduler::SchedulerError;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// `0..40` in two partitions whose order flips each time a partition is computed again (as a
/// source that reads a queue would): the same elements, in another order.
fn flipping_source(ctx: &Context) -> Rdd<u32> {
    gated_flipping_source(ctx, None)
}

/// [`flipping_source`] whose recomputations first wait for `gate` (and 100 ms more).
fn gated_flipping_source(ctx: &Context, gate: Option<Arc<AtomicBool>>) -> Rdd<u32> {
    let computed: Arc<[AtomicUsize; 2]> = Arc::new([AtomicUsize::new(0), AtomicUsize::new(0)]);
    ctx.parallelize((0..40u32).collect(), 2)
        .map_partitions_with_index(move |i, it| {
            let mut v: Vec<u32> = it.collect();
            if computed[i].fetch_add(1, Ordering::SeqCst) % 2 == 1 {
                if let Some(gate) = &gate {
                    wait_for(gate);
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                v.reverse();
            }
            v
        })
}

/// `rdd` with map output 0 of shuffle 0 removed just before partition 1 first reads it (the
/// reading task then gets a fetch failure), as losing an executor mid-stage would.
fn losing_map_output_0(ctx: &Context, rdd: &Rdd<u32>) -> Rdd<u32> {
    let ctx = ctx.clone();
    let lost = Arc::new(AtomicBool::new(false));
    rdd.map_partitions_with_index(move |i, it| {
        if i == 1 && !lost.swap(true, Ordering::SeqCst) {
            assert!(ctx.remove_map_output(ShuffleId(0), 0));
        }
        it.collect::<Vec<u32>>()
    })
}

/// Every element of `rdd` once, through a second shuffle (a stage that reads shuffle 0 and
/// writes shuffle 1), sorted.
fn through_second_shuffle(rdd: &Rdd<u32>) -> Vec<u32> {
    let groups = rdd
        .map(|x| (x % 3, vec![x]))
        .reduce_by_key(|mut a, b| {
            a.extend(b);
            a
        })
        .collect()
        .unwrap();
    sorted(groups.into_iter().flat_map(|(_, v)| v).collect())
}

fn tasks(job: &JobInfo) -> Vec<usize> {
    job.stages.iter().map(|s| s.tasks_launched).collect()
}

/// Checks that `rdd` (shuffle 0's reduce side, `0..40`) has `level`, loses map output 0 while
/// a second shuffle reads it, and still gives every element once. Returns the tasks launched
/// by each stage of the job (shuffle 0's map stage, the reading stage, the result stage).
fn tasks_after_losing_map_output_0(
    ctx: &Context,
    rdd: &Rdd<u32>,
    level: Determinism,
) -> Vec<usize> {
    assert_eq!(rdd.output_determinism(), level);
    let got = through_second_shuffle(&losing_map_output_0(ctx, rdd));
    assert_eq!(got, (0..40).collect::<Vec<u32>>());
    tasks(&ctx.status_tracker().last_job().unwrap())
}

#[test]
fn levels_follow_the_lineage() {
    let ctx = ctx();
    let plain = ctx.parallelize((0..10u32).collect(), 2);
    assert_eq!(plain.output_determinism(), Determinism::Determinate);
    // Round-robin over a determinate input deals every element as before.
    assert_eq!(
        plain.repartition(3).output_determinism(),
        Determinism::Determinate
    );
    let unordered = plain.map(|x| x + 1).mark_unordered();
    assert_eq!(unordered.output_determinism(), Determinism::Unordered);
    assert_eq!(
        unordered.map(|x| x * 2).output_determinism(),
        Determinism::Unordered
    );
    // A hash shuffle sends every element to the same partition, in another order.
    let summed = unordered.map(|x| (x % 2, x)).reduce_by_key(|a, b| a + b);
    assert_eq!(summed.output_determinism(), Determinism::Unordered);
    // Position-dependent operators make an unordered input indeterminate.
    for r in [
        unordered.repartition(3),
        unordered.coalesce(4, true),
        unordered.sample(false, 0.5, 7).unwrap(),
        unordered.zip_with_index().unwrap().map(|(x, _)| x),
        unordered.zip_with_unique_id().map(|(x, _)| x),
        unordered.glom().map(|v| v.len() as u32),
        unordered.zip(&plain).unwrap().map(|(x, _)| x),
    ] {
        assert_eq!(
            r.output_determinism(),
            Determinism::Indeterminate,
            "{}",
            r.to_debug_string()
        );
    }
    // ... and stay so through later shuffles; a determinate input does not.
    let after = unordered
        .repartition(3)
        .map(|x| (x, 1u32))
        .reduce_by_key(|a, b| a + b);
    assert_eq!(after.output_determinism(), Determinism::Indeterminate);
    assert_eq!(
        plain.zip_with_unique_id().output_determinism(),
        Determinism::Determinate
    );
    // Declarations only add non-determinism.
    let random = plain.map(|x| x + 1).mark_indeterminate();
    assert_eq!(random.output_determinism(), Determinism::Indeterminate);
    assert_eq!(
        random.mark_unordered().output_determinism(),
        Determinism::Indeterminate
    );
    let numbered = plain.map_partitions(|it| it.enumerate().map(|(j, x)| x + j as u32));
    assert_eq!(numbered.output_determinism(), Determinism::Determinate);
    let numbered = unordered
        .map_partitions(|it| it.enumerate().map(|(j, x)| x + j as u32))
        .mark_order_sensitive();
    assert_eq!(numbered.output_determinism(), Determinism::Indeterminate);
}

#[test]
fn query_results_are_unordered_and_a_checkpoint_is_determinate() {
    let ctx = ctx();
    let rows = ctx
        .sql("SELECT x FROM (VALUES (1), (2), (3)) AS t(x)")
        .unwrap()
        .rdd()
        .unwrap();
    assert_eq!(rows.output_determinism(), Determinism::Unordered);
    assert_eq!(
        rows.repartition(2).output_determinism(),
        Determinism::Indeterminate
    );

    let dir = tempfile::tempdir().unwrap();
    ctx.set_checkpoint_dir(dir.path()).unwrap();
    let dealt = ctx
        .parallelize((0..10u32).collect(), 2)
        .mark_unordered()
        .repartition(2);
    assert_eq!(dealt.output_determinism(), Determinism::Indeterminate);
    dealt.checkpoint().unwrap();
    assert_eq!(dealt.count().unwrap(), 10);
    // Read back from files: the same on every read.
    assert_eq!(dealt.output_determinism(), Determinism::Determinate);
    assert_eq!(
        dealt.map(|x| x + 1).output_determinism(),
        Determinism::Determinate
    );
}

#[test]
fn a_deep_lineage_has_a_level() {
    let ctx = ctx();
    let mut rdd = ctx.parallelize(vec![1u32, 2, 3], 2).mark_unordered();
    for _ in 0..10_000 {
        rdd = rdd.map(|x| x + 1);
    }
    assert_eq!(rdd.output_determinism(), Determinism::Unordered);
    assert_eq!(
        rdd.repartition(2).output_determinism(),
        Determinism::Indeterminate
    );
}

#[test]
fn a_lost_indeterminate_output_reruns_the_map_stage_and_its_readers() {
    // One slot: the reading stage's partition 0 finishes before partition 1 loses its input.
    let ctx = ctx_on("local[1]");
    let dealt = flipping_source(&ctx).mark_unordered().repartition(2);
    // Rerunning only map task 0 would deal its 20 elements the other way round: partition 1
    // would get the ten that partition 0 already has, and ten would be lost. Instead both map
    // tasks ran twice, and the reading stage fully again (its first partition 1 failed).
    let tasks = tasks_after_losing_map_output_0(&ctx, &dealt, Determinism::Indeterminate);
    assert_eq!(tasks, vec![4, 4, 2]);
}

#[test]
fn a_lost_indeterminate_output_fails_the_job_once_results_are_in() {
    let ctx = ctx_on("local[1]");
    let dealt = flipping_source(&ctx).mark_unordered().repartition(2);
    let reading = losing_map_output_0(&ctx, &dealt);
    let err = reading.collect().unwrap_err();
    match &err {
        Error::Job(SchedulerError::IndeterminateOutputLost {
            operation,
            finished,
            partitions,
            ..
        }) => {
            assert!(operation.starts_with("repartition at "), "{operation}");
            assert_eq!((*finished, *partitions), (1, 2));
        }
        other => panic!("expected IndeterminateOutputLost, got {other:?}"),
    }
    let message = err.to_string();
    assert!(message.contains("indeterminate"), "{message}");
    assert!(message.contains("cannot be rolled back"), "{message}");
    // The context stays usable: the next job finds the map output half lost and, the output
    // being indeterminate, runs every map task again rather than the lost one alone.
    assert_eq!(
        sorted(reading.collect().unwrap()),
        (0..40).collect::<Vec<u32>>()
    );
    let job = ctx.status_tracker().last_job().unwrap();
    assert_eq!(tasks(&job), vec![2, 2], "{job:?}");
}

#[test]
fn a_lost_determinate_output_reruns_only_the_lost_map_task() {
    let ctx = ctx_on("local[1]");
    let dealt = ctx.parallelize((0..40u32).collect(), 2).repartition(2);
    // Map task 0 once more; the reading stage's partition 1 once more.
    let tasks = tasks_after_losing_map_output_0(&ctx, &dealt, Determinism::Determinate);
    assert_eq!(tasks, vec![3, 3, 2]);
}

#[test]
fn a_lost_unordered_output_reruns_only_the_lost_map_task() {
    let ctx = ctx_on("local[1]");
    // A hash shuffle of an unordered input: the rerun sends every element where it went before.
    let keyed = flipping_source(&ctx)
        .mark_unordered()
        .map(|x| (x % 2, x))
        .partition_by(2)
        .values();
    let tasks = tasks_after_losing_map_output_0(&ctx, &keyed, Determinism::Unordered);
    assert_eq!(tasks, vec![3, 3, 2]);
}

/// Waits until `flag` is set (at most ten seconds).
fn wait_for(flag: &AtomicBool) {
    let start = std::time::Instant::now();
    while !flag.load(Ordering::SeqCst) && start.elapsed() < std::time::Duration::from_secs(10) {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

#[test]
fn a_reader_of_rolled_back_output_that_finishes_late_is_dropped() {
    // Two slots: result partition 0 reads all of shuffle 0, then stays busy until partition 1
    // has lost map output 0 and the stages were rolled back (no result was in yet), and
    // finishes while the map stage runs again. Its value, computed from the old run, must not
    // be delivered next to partition 1's, computed from the new one.
    let ctx = ctx_on("local[2]");
    let finished0 = Arc::new(AtomicBool::new(false));
    let dealt = gated_flipping_source(&ctx, Some(Arc::clone(&finished0)))
        .mark_unordered()
        .repartition(2);
    let c = ctx.clone();
    // Partition 0 has read its input, partition 1 has removed the map output, and each
    // partition's first run has started.
    let [read, removed, first0, first1] = [0, 1, 2, 3];
    let f: Arc<[AtomicBool; 4]> = Arc::new(std::array::from_fn(|_| AtomicBool::new(false)));
    let reading = dealt.map_partitions_with_index(move |i, it| match i {
        0 if !f[first0].swap(true, Ordering::SeqCst) => {
            let v: Vec<u32> = it.collect();
            f[read].store(true, Ordering::SeqCst);
            wait_for(&f[removed]);
            // Time for the scheduler to handle partition 1's fetch failure.
            std::thread::sleep(std::time::Duration::from_millis(100));
            finished0.store(true, Ordering::SeqCst);
            v
        }
        1 if !f[first1].swap(true, Ordering::SeqCst) => {
            wait_for(&f[read]);
            assert!(c.remove_map_output(ShuffleId(0), 0));
            f[removed].store(true, Ordering::SeqCst);
            it.collect()
        }
        _ => it.collect(),
    });
    // The result stage reads the shuffle: partition 0's late value must not be delivered.
    assert_eq!(
        sorted(reading.collect().unwrap()),
        (0..40).collect::<Vec<u32>>()
    );
    let job = ctx.status_tracker().last_job().unwrap();
    // Both map tasks twice; both result tasks twice (the first run of partition 1 failed).
    assert_eq!(tasks(&job), vec![4, 4], "{job:?}");
}

#[test]
fn a_rollback_forgets_shuffles_of_earlier_jobs_computed_from_the_old_output() {
    let ctx = ctx_on("local[1]");
    let dealt = flipping_source(&ctx).mark_unordered().repartition(2);
    // Shuffle 1, computed from shuffle 0 by the first job.
    let sums = dealt.map(|x| (x % 3, x)).reduce_by_key(|a, b| a + b);
    let expected = vec![(0, 273), (1, 247), (2, 260)];
    assert_eq!(sorted(sums.collect().unwrap()), expected);
    // The second job reads shuffle 0 (kept from the first) through shuffle 2 and rolls shuffle 0
    // back: both of its map tasks run.
    let tasks = tasks_after_losing_map_output_0(&ctx, &dealt, Determinism::Indeterminate);
    assert_eq!(tasks, vec![2, 4, 2]);
    // Shuffle 1 was computed from the old output: it runs again, from the new one.
    assert_eq!(sorted(sums.collect().unwrap()), expected);
    let job = ctx.status_tracker().last_job().unwrap();
    assert_eq!(job.skipped_stages(), 1, "{job:?}");
    assert_eq!(self::tasks(&job), vec![0, 2, 2], "{job:?}");
}

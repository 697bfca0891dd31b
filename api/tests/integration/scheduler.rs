//! The DAG scheduler as seen through the API: stages, skipping, lost map output, retries,
//! deep lineages, the status tracker and `to_debug_string`.

use crate::common::{ctx, ctx_on, sorted};
use ember::{JobStatus, ShuffleId, StageStatus, TaskContext};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

#[test]
fn second_action_skips_the_finished_map_stage() {
    let ctx = ctx();
    let r = ctx
        .parallelize((1..=12).collect::<Vec<u32>>(), 3)
        .map(|x| (x % 4, x))
        .reduce_by_key(|a, b| a + b);
    // 1..=12 by x % 4: 0: 4+8+12; 1: 1+5+9; 2: 2+6+10; 3: 3+7+11.
    assert_eq!(
        sorted(r.collect().unwrap()),
        vec![(0, 24), (1, 15), (2, 18), (3, 21)]
    );
    let first = ctx.status_tracker().last_job().unwrap();
    assert_eq!(first.status, JobStatus::Succeeded);
    assert_eq!(first.stages.len(), 2);
    let map_stage = first.stages[0].clone();
    assert_eq!(map_stage.status, StageStatus::Complete);
    assert_eq!(map_stage.tasks_launched, 3, "{first:?}");
    // Slices [1..=4], [5..=8], [9..=12] each hold the four keys once.
    assert_eq!(map_stage.shuffle_write_records, 12);
    assert_eq!(first.stages[1].tasks_launched, 3);

    assert_eq!(r.count().unwrap(), 4);
    let second = ctx.status_tracker().last_job().unwrap();
    assert_ne!(second.job_id, first.job_id);
    assert_eq!(second.stages.len(), 2);
    let skipped = second.stage(map_stage.stage_id).expect("same map stage id");
    assert_eq!(skipped.status, StageStatus::Skipped);
    assert_eq!(skipped.tasks_launched, 0);
    assert_eq!(second.skipped_stages(), 1);
    assert_eq!(second.tasks_launched(), 3, "only the result tasks ran");
    assert_eq!(second.stages.last().unwrap().status, StageStatus::Complete);
}

#[test]
fn lost_map_output_reruns_only_the_lost_map_task() {
    let ctx = ctx();
    let r = ctx
        .parallelize((1..=12).collect::<Vec<u32>>(), 3)
        .map(|x| (x % 2, x))
        .reduce_by_key(|a, b| a + b);
    assert_eq!(sorted(r.collect().unwrap()), vec![(0, 42), (1, 36)]);
    // The first shuffle of a fresh context has id 0.
    assert!(ctx.remove_map_output(ShuffleId(0), 1));
    assert!(!ctx.remove_map_output(ShuffleId(0), 1));
    assert_eq!(sorted(r.collect().unwrap()), vec![(0, 42), (1, 36)]);
    let job = ctx.status_tracker().last_job().unwrap();
    assert_eq!(job.status, JobStatus::Succeeded);
    assert_eq!(job.stages[0].tasks_launched, 1, "{job:?}");
    assert_eq!(job.stages[0].status, StageStatus::Complete);
    let first = ctx.status_tracker().jobs()[0].clone();
    // Slices [1..=4], [5..=8], [9..=12] each hold both keys: 2 records per map task.
    assert_eq!(first.stages[0].shuffle_write_records, 6);
}

#[test]
fn several_lost_map_outputs_are_recomputed() {
    let ctx = ctx();
    let counts = ctx
        .parallelize((0..100).collect::<Vec<u32>>(), 4)
        .map(|x| (x % 5, 1u32))
        .reduce_by_key(|a, b| a + b);
    let expected = vec![(0, 20), (1, 20), (2, 20), (3, 20), (4, 20)];
    assert_eq!(sorted(counts.collect().unwrap()), expected);
    let first = ctx.status_tracker().last_job().unwrap();
    // Map-side combine: each of the 4 map tasks writes one record per key.
    assert_eq!(first.stages[0].shuffle_write_records, 20);
    assert!(ctx.remove_map_output(ShuffleId(0), 0));
    assert!(ctx.remove_map_output(ShuffleId(0), 2));
    assert_eq!(sorted(counts.collect().unwrap()), expected);
    let job = ctx.status_tracker().last_job().unwrap();
    assert_eq!(job.status, JobStatus::Succeeded);
    assert_eq!(job.stages[0].tasks_launched, 2, "{job:?}");
    // Everything is back: the next job skips the map stage again.
    assert_eq!(counts.count().unwrap(), 5);
    let job = ctx.status_tracker().last_job().unwrap();
    assert_eq!(job.stages[0].status, StageStatus::Skipped);
}

#[test]
fn ten_thousand_deep_lineage() {
    let ctx = ctx();
    let mut rdd = ctx.parallelize(vec![0i64, 10, 20], 2);
    for _ in 0..10_000 {
        rdd = rdd.map(|x| x + 1);
    }
    assert_eq!(rdd.collect().unwrap(), vec![10_000, 10_010, 10_020]);
    assert_eq!(rdd.count().unwrap(), 3);
    let debug = rdd.to_debug_string();
    assert_eq!(debug.lines().count(), 10_001);
    assert!(
        debug
            .lines()
            .last()
            .unwrap()
            .contains("ParallelCollectionRDD")
    );
    let summed = rdd.map(|x| (x % 2, x)).reduce_by_key(|a, b| a + b);
    assert_eq!(sorted(summed.collect().unwrap()), vec![(0, 30_030)]);
    drop(summed);
    drop(rdd);
}

#[test]
fn to_debug_string_marks_shuffles() {
    let ctx = ctx();
    let rdd = ctx
        .parallelize(vec![("a".to_string(), 1)], 2)
        .map_values(|v| v + 1)
        .reduce_by_key(|a, b| a + b)
        .set_name("sums");
    assert_eq!(rdd.name().as_deref(), Some("sums"));
    let debug = rdd.to_debug_string();
    let lines: Vec<&str> = debug.lines().collect();
    assert_eq!(lines.len(), 3, "{debug}");
    assert!(lines[0].starts_with("(2) sums ShuffledRDD["), "{debug}");
    assert!(lines[0].contains("reduceByKey"), "{debug}");
    assert!(lines[1].contains("+-(2) MapPartitionsRDD["), "{debug}");
    assert!(lines[1].contains("mapValues"), "{debug}");
    assert!(lines[2].contains("|  ParallelCollectionRDD["), "{debug}");
    assert!(
        lines[2].contains("scheduler.rs"),
        "call sites name the test file: {debug}"
    );
    // A narrow chain has no shuffle marker.
    let narrow = ctx.parallelize(vec![1], 1).map(|x| x).filter(|_| true);
    assert!(!narrow.to_debug_string().contains("+-"));
    // Two shuffles nest.
    let two = rdd.map(|(k, v)| (v, k)).group_by_key();
    assert_eq!(two.to_debug_string().matches("+-").count(), 2);
}

#[test]
fn task_context_inside_and_outside_tasks() {
    assert!(TaskContext::get().is_none());
    let ctx = ctx_on("local[3]");
    let rdd = ctx.parallelize(vec!['a', 'b', 'c', 'd'], 4).map(|c| {
        let tc = TaskContext::get().expect("inside a task");
        (c, tc.partition_id(), tc.attempt_number())
    });
    assert_eq!(
        rdd.collect().unwrap(),
        vec![('a', 0, 0), ('b', 1, 0), ('c', 2, 0), ('d', 3, 0)]
    );
    assert!(TaskContext::get().is_none());
}

#[test]
fn tasks_run_in_parallel_on_local_n() {
    for (master, threads) in [("local[1]", 1usize), ("local[3]", 3)] {
        let ctx = ctx_on(master);
        assert_eq!(ctx.default_parallelism(), threads);
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let (r, p) = (Arc::clone(&running), Arc::clone(&peak));
        ctx.parallelize((0..12).collect::<Vec<u32>>(), 6)
            .foreach_partition(move |_| {
                let now = r.fetch_add(1, Ordering::SeqCst) + 1;
                p.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(50));
                r.fetch_sub(1, Ordering::SeqCst);
            })
            .unwrap();
        let peak = peak.load(Ordering::SeqCst);
        assert!(peak <= threads, "{master}: {peak} tasks at once");
        if threads == 1 {
            assert_eq!(peak, 1);
        } else {
            assert!(peak >= 2, "{master}: tasks never overlapped");
        }
    }
}

#[test]
fn status_tracker_records_jobs() {
    let ctx = ctx();
    assert!(ctx.status_tracker().last_job().is_none());
    let rdd = ctx.parallelize(vec![1, 2, 3], 3);
    rdd.count().unwrap();
    let _ = rdd
        .map(|x: i32| if x == 2 { panic!("two") } else { x })
        .collect();
    let jobs = ctx.status_tracker().jobs();
    assert_eq!(jobs.len(), 2);
    assert_eq!(jobs[0].status, JobStatus::Succeeded);
    assert!(
        jobs[0].description.starts_with("count at scheduler.rs:"),
        "{}",
        jobs[0].description
    );
    assert_eq!(jobs[1].status, JobStatus::Failed);
    assert!(jobs[1].error.as_deref().unwrap().contains("two"));
    assert!(jobs[1].description.starts_with("collect at"));
    assert_eq!(jobs[1].stages[0].num_failed_tasks, 4, "{:?}", jobs[1]);
    assert!(ctx.status_tracker().active_job_ids().is_empty());
    assert!(ctx.status_tracker().active_stages().is_empty());
    assert_eq!(
        ctx.status_tracker().job(jobs[0].job_id).unwrap().job_id,
        jobs[0].job_id
    );
}

#[test]
fn dropped_shuffles_are_cleaned_and_live_ones_kept() {
    let ctx = ctx();
    let sums = ctx
        .parallelize((1..=12).collect::<Vec<u32>>(), 3)
        .map(|x| (x % 2, x))
        .reduce_by_key(|a, b| a + b);
    let doubled = sums.map_values(|v| v * 2);
    assert_eq!(sorted(doubled.collect().unwrap()), vec![(0, 84), (1, 72)]);
    // The shuffle is still reachable through `doubled`: the next job skips its map stage.
    drop(sums);
    assert_eq!(doubled.count().unwrap(), 2);
    let job = ctx.status_tracker().last_job().unwrap();
    assert_eq!(job.skipped_stages(), 1, "{job:?}");
    // Once nothing refers to it, its map outputs are removed before the next job.
    drop(doubled);
    ctx.parallelize(vec![1], 1).count().unwrap();
    assert!(
        !ctx.remove_map_output(ShuffleId(0), 0),
        "map output 0 was already freed"
    );
    assert!(!ctx.remove_map_output(ShuffleId(0), 2));
}

#[test]
fn two_thousand_deep_union_chain() {
    let ctx = ctx();
    let mut rdd = ctx.parallelize(vec![0u32], 1);
    for i in 1..=2_000u32 {
        rdd = rdd.union(&ctx.parallelize(vec![i], 1));
    }
    assert_eq!(rdd.num_partitions(), 2_001);
    assert_eq!(rdd.count().unwrap(), 2_001);
    assert_eq!(rdd.take(3).unwrap(), vec![0, 1, 2]);
    let total: u64 = rdd.map(u64::from).sum().unwrap();
    assert_eq!(total, 2_000 * 2_001 / 2);
    drop(rdd);
}

//! A non-deterministic stage on executors: when part of its output is lost, it runs again
//! whole, so a repartition of rows whose order differs between processes never duplicates or
//! loses a row.

use super::cluster::{cluster, kill_executor};

#[test]
fn an_indeterminate_map_stage_on_executors_runs_again_whole() {
    let ctx = cluster(
        "cluster_rollback::an_indeterminate_map_stage_on_executors_runs_again_whole",
        3,
        &[],
    );
    // Each process orders a partition's rows its own way, as a source without a fixed order
    // would: a map task run again on another executor deals the rows out differently.
    let salt = u64::from(std::process::id());
    let spread = ctx
        .parallelize((0..600u64).collect(), 6)
        .map_partitions(move |rows| {
            let mut v: Vec<u64> = rows.collect();
            v.sort_by_key(|x| (x ^ salt).wrapping_mul(0x9e37_79b9_7f4a_7c15));
            v
        })
        .mark_unordered()
        .repartition(4);
    assert_eq!(spread.count().unwrap(), 600);
    kill_executor(&ctx, 1);
    let mut got = spread.collect().unwrap();
    got.sort();
    if ctx.is_driver() {
        assert_eq!(got, (0..600u64).collect::<Vec<_>>());
        // The whole map stage ran again (6 map tasks), not only the lost executor's two.
        let job = ctx.status_tracker().last_job().unwrap();
        assert!(job.tasks_launched() >= 6 + 4, "{job:?}");
    }
}

//! SQL jobs through Ember's scheduler: stage cutting, shuffles, errors, EXPLAIN, cancellation
//! of nothing, DataFrame operations. Answers are hand-computed.

use crate::common::display_rows;
use arrow::array::AsArray;
use arrow::datatypes::Int64Type;
use ember::sql::{col, lit};
use ember::{Conf, Context};

fn ctx() -> Context {
    Context::new(
        Conf::new()
            .master("local[2]")
            .set("ember.ui.showConsoleProgress", "false"),
    )
    .unwrap()
}

/// Rows of `sql` as strings `a|b|..`, in result order.
fn rows(ctx: &Context, sql: &str) -> Vec<String> {
    display_rows(&ctx.sql(sql).unwrap().collect().unwrap())
}

#[test]
fn group_by_runs_as_two_stages_with_a_shuffle() {
    let ctx = ctx();
    let got = rows(
        &ctx,
        "SELECT k, sum(v) AS s, count(*) AS n FROM (VALUES ('a', 1), ('b', 2), ('a', 3), ('c', 4), ('b', 5)) AS t(k, v) GROUP BY k ORDER BY k",
    );
    assert_eq!(got, ["a|4|2", "b|7|2", "c|4|1"]);
    let jobs = ctx.status_tracker().jobs();
    let last = jobs.last().unwrap();
    assert!(last.stages.len() >= 2, "stages: {:?}", last.stages);
}

#[test]
fn joins_with_duplicate_keys_and_outer_nulls() {
    let ctx = ctx();
    ctx.sql(
        "CREATE VIEW l AS SELECT * FROM (VALUES (1, 'x'), (1, 'y'), (2, 'z'), (4, 'w')) AS t(k, a)",
    )
    .unwrap();
    ctx.sql("CREATE VIEW r AS SELECT * FROM (VALUES (1, 10), (1, 11), (3, 30)) AS t(k, b)")
        .unwrap();
    let inner = rows(
        &ctx,
        "SELECT l.k, a, b FROM l JOIN r ON l.k = r.k ORDER BY a, b",
    );
    assert_eq!(inner, ["1|x|10", "1|x|11", "1|y|10", "1|y|11"]);
    let full = rows(
        &ctx,
        "SELECT l.k, r.k, a, b FROM l FULL JOIN r ON l.k = r.k ORDER BY l.k NULLS LAST, a, b",
    );
    assert_eq!(
        full,
        [
            "1|1|x|10", "1|1|x|11", "1|1|y|10", "1|1|y|11", "2||z|", "4||w|", "|3||30"
        ]
    );
}

#[test]
fn order_by_over_a_file_with_many_partitions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("n.csv");
    let mut text = String::from("n,g\n");
    for i in 0..5000 {
        text.push_str(&format!("{},{}\n", (i * 7919) % 5000, i % 3));
    }
    std::fs::write(&path, text).unwrap();
    let ctx = ctx();
    let q = format!(
        "SELECT n FROM '{}' WHERE g = 1 ORDER BY n DESC LIMIT 3",
        path.display()
    );
    // g = 1 holds for i % 3 == 1; n = 7919 i mod 5000 is a permutation of 0..5000, so the
    // largest n with i % 3 == 1: check by brute force here (an independent computation).
    let mut expect: Vec<i64> = (0..5000i64)
        .filter(|i| i % 3 == 1)
        .map(|i| (i * 7919) % 5000)
        .collect();
    expect.sort_unstable_by(|a, b| b.cmp(a));
    let expect: Vec<String> = expect[..3].iter().map(|n| n.to_string()).collect();
    assert_eq!(rows(&ctx, &q), expect);
    let total = rows(
        &ctx,
        &format!("SELECT count(*), sum(n) FROM '{}'", path.display()),
    );
    assert_eq!(total, [format!("5000|{}", 4999 * 5000 / 2)]);
}

#[test]
fn errors_name_what_is_at_fault() {
    let ctx = ctx();
    let missing = ctx
        .sql("SELECT * FROM '/no/such/dir/file.parquet'")
        .err()
        .expect("a missing file is an error")
        .to_string();
    assert!(missing.contains("/no/such/dir/file.parquet"), "{missing}");
    let parse = ctx.sql("SELEC 1").err().unwrap().to_string();
    assert!(parse.contains("SELEC"), "{parse}");
    let table = ctx.sql("SELECT * FROM nowhere").err().unwrap().to_string();
    assert!(table.contains("nowhere"), "{table}");
    // A runtime error fails at once (no retries) with DataFusion's message, and the context
    // stays usable.
    let cast = ctx
        .sql("SELECT CAST(s AS INT) FROM (VALUES ('1'), ('x')) AS t(s)")
        .unwrap()
        .collect()
        .err()
        .unwrap()
        .to_string();
    assert!(cast.contains("'x'") || cast.contains("x"), "{cast}");
    assert_eq!(rows(&ctx, "SELECT 1 + 1"), ["2"]);
}

#[test]
fn explain_shows_ember_stages() {
    let ctx = ctx();
    let batches = ctx
        .sql("EXPLAIN SELECT k, count(*) FROM (VALUES (1), (2), (1)) AS t(k) GROUP BY k ORDER BY k")
        .unwrap()
        .collect()
        .unwrap();
    let b = &batches[0];
    let kinds = b.column(0).as_string::<i32>();
    let plans = b.column(1).as_string::<i32>();
    let stages = (0..b.num_rows())
        .find(|&i| kinds.value(i) == "ember_stages")
        .map(|i| plans.value(i).to_string())
        .expect("an ember_stages row");
    assert!(stages.contains("Stage 1"), "{stages}");
    assert!(stages.contains("ShuffleReaderExec"), "{stages}");
    // DataFrame::explain gives the same three plans as text.
    let text = ctx
        .sql("SELECT k, count(*) FROM (VALUES (1), (2), (1)) AS t(k) GROUP BY k")
        .unwrap()
        .explain()
        .unwrap();
    for part in [
        "logical_plan",
        "physical_plan",
        "ember_stages",
        "ShuffleReaderExec",
    ] {
        assert!(text.contains(part), "{part} missing from:\n{text}");
    }
    let analyzed = ctx
        .sql("EXPLAIN ANALYZE SELECT k, count(*) FROM (VALUES (1), (2), (1)) AS t(k) GROUP BY k")
        .unwrap()
        .collect()
        .unwrap();
    let text = analyzed[0]
        .column(1)
        .as_string::<i32>()
        .value(0)
        .to_string();
    assert!(text.contains("output_rows"), "{text}");
}

#[test]
fn create_table_as_and_dataframe_operations() {
    let ctx = ctx();
    ctx.sql("CREATE TABLE t AS SELECT * FROM (VALUES ('a', 1), ('b', 2), ('a', 3)) AS v(k, x)")
        .unwrap();
    let df = ctx.sql("SELECT * FROM t").unwrap();
    assert_eq!(df.count().unwrap(), 3);
    let out = df
        .filter(col("x").gt(lit(1)))
        .unwrap()
        .with_column("y", col("x") * lit(10))
        .unwrap()
        .order_by(vec![col("y").sort(true, false)])
        .unwrap()
        .select_columns(&["k", "y"])
        .unwrap()
        .collect()
        .unwrap();
    let ys: Vec<i64> = out
        .iter()
        .flat_map(|b| {
            let c = b.column(1).as_primitive::<Int64Type>();
            (0..c.len()).map(|i| c.value(i)).collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(ys, [20, 30]);
}

#[test]
fn cached_dataframe_skips_its_stages_and_recomputes_a_dropped_block() {
    let ctx = ctx();
    let df = ctx
        .sql("SELECT k, sum(v) AS s FROM (VALUES ('a', 1), ('b', 2), ('a', 3), ('c', 4)) AS t(k, v) GROUP BY k")
        .unwrap()
        .cache()
        .unwrap();
    assert_eq!(df.storage_level(), ember::StorageLevel::MEMORY_AND_DISK);
    let sorted = |df: &ember::DataFrame| {
        let mut r: Vec<String> = df
            .collect()
            .unwrap()
            .iter()
            .flat_map(|b| {
                (0..b.num_rows())
                    .map(|i| {
                        format!(
                            "{}={}",
                            arrow::util::display::array_value_to_string(b.column(0), i).unwrap(),
                            arrow::util::display::array_value_to_string(b.column(1), i).unwrap()
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        r.sort();
        r
    };
    let expect = ["a=4", "b=2", "c=4"];
    assert_eq!(sorted(&df), expect);
    assert!(ctx.storage_memory_used() > 0, "blocks are cached");
    // The second action reads the blocks: the aggregation's map stage is skipped.
    assert_eq!(sorted(&df), expect);
    let job = ctx.status_tracker().jobs().last().unwrap().clone();
    assert!(
        job.stages
            .iter()
            .any(|s| s.status == ember::StageStatus::Skipped),
        "{:?}",
        job.stages
    );
    // A dropped block is recomputed from the query, transparently.
    let rdd = df.cached_rdd_id().unwrap();
    for p in 0..2 {
        ctx.remove_block(ember::BlockId::Rdd { rdd, partition: p });
    }
    assert_eq!(sorted(&df), expect);
    df.unpersist().unwrap();
    assert_eq!(df.storage_level(), ember::StorageLevel::NONE);
    assert_eq!(sorted(&df), expect);
}

#[test]
fn lost_shuffle_output_of_a_sql_stage_is_recomputed() {
    let ctx = ctx();
    let df = ctx
        .sql("SELECT k, count(*) AS n FROM (VALUES (1), (2), (1), (3), (1)) AS t(k) GROUP BY k")
        .unwrap()
        .cache()
        .unwrap();
    let mut first = rows_of(&df);
    first.sort();
    assert_eq!(first, ["1|3", "2|1", "3|1"]);
    // Lose everything: the cached blocks and every map output of this context's shuffles.
    let rdd = df.cached_rdd_id().unwrap();
    for p in 0..2 {
        ctx.remove_block(ember::BlockId::Rdd { rdd, partition: p });
    }
    let mut removed = 0;
    for s in 0..8 {
        for m in 0..4 {
            removed += usize::from(ctx.remove_map_output(ember::ShuffleId(s), m));
        }
    }
    assert!(removed > 0, "the aggregation wrote map outputs");
    // The reader's fetch failure travels through DataFusion to the scheduler, which reruns
    // the lost map tasks; the answer is the same.
    let mut again = rows_of(&df);
    again.sort();
    assert_eq!(again, first);
    let job = ctx.status_tracker().jobs().last().unwrap().clone();
    assert!(
        job.tasks_launched() > 2,
        "map tasks reran: {:?}",
        job.stages
    );
}

fn rows_of(df: &ember::DataFrame) -> Vec<String> {
    display_rows(&df.collect().unwrap())
}

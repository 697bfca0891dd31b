//! Actions: collect, count, take, first, reduce, fold, aggregate, numeric actions, foreach,
//! save_as_text_file, and each on empty RDDs.

use crate::common::{assert_close, ctx, ctx_on, sorted, strings};
use ember::{Error, Rdd, StatCounter};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

fn is_empty_rdd_error<T: std::fmt::Debug>(r: ember::Result<T>, op: &str) {
    match r {
        Err(Error::EmptyRdd { operation }) => assert_eq!(operation, op),
        other => panic!("expected EmptyRdd for {op}, got {other:?}"),
    }
}

#[test]
fn actions_on_empty_rdds() {
    let ctx = ctx();
    let cases: Vec<Rdd<i64>> = vec![
        ctx.empty(),
        ctx.parallelize(vec![], 3),
        ctx.parallelize(vec![1, 2, 3], 2).filter(|_| false),
    ];
    for e in cases {
        assert_eq!(e.collect().unwrap(), Vec::<i64>::new());
        assert_eq!(e.count().unwrap(), 0);
        is_empty_rdd_error(e.reduce(|a, b| a + b), "reduce");
        is_empty_rdd_error(e.first(), "first");
        is_empty_rdd_error(e.max(), "max");
        is_empty_rdd_error(e.min(), "min");
        assert_eq!(e.take(5).unwrap(), Vec::<i64>::new());
        assert!(e.is_empty().unwrap());
        assert_eq!(e.take_ordered(2).unwrap(), Vec::<i64>::new());
        assert_eq!(e.top(2).unwrap(), Vec::<i64>::new());
        assert_eq!(e.sum().unwrap(), 0);
        let st = e.stats().unwrap();
        assert_eq!(st.count(), 0);
        assert!(st.mean().is_nan());
        assert!(e.mean().unwrap().is_nan());
        assert_eq!(e.aggregate(0u32, |n, _| n + 1, |a, b| a + b).unwrap(), 0);
        assert!(e.count_by_value().unwrap().is_empty());
        e.foreach(|_| panic!("no element")).unwrap();
    }
    // fold applies `zero` once per partition and once more on the driver.
    assert_eq!(ctx.empty::<i64>().fold(0, |a, b| a + b).unwrap(), 0);
    assert_eq!(ctx.empty::<i64>().fold(1, |a, b| a + b).unwrap(), 1);
    assert_eq!(
        ctx.parallelize(Vec::<i64>::new(), 3)
            .fold(1, |a, b| a + b)
            .unwrap(),
        4
    );
}

#[test]
fn collect_count_reduce_fold_aggregate() {
    let ctx = ctx();
    let rdd = ctx.parallelize((1..=6).collect::<Vec<i64>>(), 3);
    assert_eq!(rdd.collect().unwrap(), vec![1, 2, 3, 4, 5, 6]);
    assert_eq!(rdd.count().unwrap(), 6);
    assert_eq!(rdd.reduce(|a, b| a + b).unwrap(), 21);
    assert_eq!(rdd.reduce(|a, b| a.max(b)).unwrap(), 6);
    assert_eq!(rdd.fold(0, |a, b| a + b).unwrap(), 21);
    // Three partitions each start from 1, then the driver starts from 1: 21 + 3 + 1.
    assert_eq!(rdd.fold(1, |a, b| a + b).unwrap(), 25);
    assert_eq!(rdd.fold(1, |a, b| a * b).unwrap(), 720);
    assert_eq!(
        rdd.aggregate(
            (0i64, 0usize),
            |(s, n), x| (s + x, n + 1),
            |a, b| (a.0 + b.0, a.1 + b.1)
        )
        .unwrap(),
        (21, 6)
    );
    let strs = rdd.aggregate(String::new(), |acc, x| format!("{acc}{x}"), |a, b| a + &b);
    assert_eq!(strs.unwrap(), "123456");
    let single = ctx.parallelize(vec![42i64], 1);
    assert_eq!(single.reduce(|a, b| a + b).unwrap(), 42);
    assert_eq!(single.first().unwrap(), 42);
}

#[test]
fn take_first_and_is_empty() {
    let ctx = ctx();
    let rdd = ctx.parallelize((0..80).collect::<Vec<u32>>(), 8);
    assert_eq!(rdd.take(0).unwrap(), Vec::<u32>::new());
    assert_eq!(rdd.take(3).unwrap(), vec![0, 1, 2]);
    assert_eq!(rdd.take(25).unwrap(), (0..25).collect::<Vec<_>>());
    assert_eq!(rdd.take(1000).unwrap(), (0..80).collect::<Vec<_>>());
    assert_eq!(rdd.first().unwrap(), 0);
    assert!(!rdd.is_empty().unwrap());
    // Each partition holds 10 consecutive numbers: this empties partitions 0..5.
    let tail = rdd.filter(|x| *x >= 50);
    assert_eq!(tail.take(3).unwrap(), vec![50, 51, 52]);
    assert_eq!(tail.first().unwrap(), 50);
    assert_eq!(tail.take(100).unwrap(), (50..80).collect::<Vec<_>>());
    assert!(!tail.is_empty().unwrap());
    // Only the last partition has elements.
    let last = rdd.filter(|x| *x >= 75);
    assert_eq!(last.take(2).unwrap(), vec![75, 76]);
    // More partitions than elements.
    let sparse = ctx.parallelize(vec![7, 8, 9], 8);
    assert_eq!(sparse.first().unwrap(), 7);
    assert_eq!(sparse.take(2).unwrap(), vec![7, 8]);
    assert_eq!(sparse.take(5).unwrap(), vec![7, 8, 9]);
}

#[test]
fn take_scans_partitions_incrementally() {
    let ctx = ctx();
    let rdd = ctx.parallelize((0..80).collect::<Vec<u32>>(), 8);
    let before = ctx.status_tracker().jobs().len();
    assert_eq!(rdd.take(5).unwrap(), vec![0, 1, 2, 3, 4]);
    let jobs = ctx.status_tracker().jobs();
    assert_eq!(jobs.len(), before + 1, "the first partition was enough");
    assert_eq!(jobs.last().unwrap().tasks_launched(), 1);
}

#[test]
fn take_ordered_top_max_min() {
    let ctx = ctx();
    let rdd = ctx.parallelize(vec![5, 1, 4, 9, 2, 8, 3], 3);
    assert_eq!(rdd.take_ordered(3).unwrap(), vec![1, 2, 3]);
    assert_eq!(rdd.top(2).unwrap(), vec![9, 8]);
    assert_eq!(rdd.top(100).unwrap(), vec![9, 8, 5, 4, 3, 2, 1]);
    assert_eq!(rdd.take_ordered(0).unwrap(), Vec::<i32>::new());
    assert_eq!(rdd.max().unwrap(), 9);
    assert_eq!(rdd.min().unwrap(), 1);
    let words = ctx.parallelize(strings(&["pear", "apple", "zucchini", "fig"]), 2);
    assert_eq!(words.max().unwrap(), "zucchini");
    assert_eq!(words.min().unwrap(), "apple");
    assert_eq!(words.top(1).unwrap(), strings(&["zucchini"]));
}

#[test]
fn numeric_actions_and_stats() {
    let ctx = ctx();
    let rdd = ctx.parallelize(vec![2.0f64, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0], 3);
    let st: StatCounter = rdd.stats().unwrap();
    assert_eq!(st.count(), 8);
    assert_close(st.mean(), 5.0);
    assert_close(st.sum(), 40.0);
    assert_close(st.variance(), 4.0);
    assert_close(st.stdev(), 2.0);
    assert_close(st.sample_variance(), 32.0 / 7.0);
    assert_eq!((st.min(), st.max()), (2.0, 9.0));
    assert_close(rdd.sum().unwrap(), 40.0);
    assert_close(rdd.mean().unwrap(), 5.0);
    assert_close(rdd.variance().unwrap(), 4.0);
    assert_close(rdd.stdev().unwrap(), 2.0);
    let ints = ctx.parallelize((1..=100).collect::<Vec<u64>>(), 7);
    assert_eq!(ints.sum().unwrap(), 5050);
    assert_close(ints.mean().unwrap(), 50.5);
    let one = ctx.parallelize(vec![3i32], 4).stats().unwrap();
    assert_eq!((one.count(), one.min(), one.max()), (1, 3.0, 3.0));
    assert!(one.sample_variance().is_nan());
}

#[test]
fn foreach_and_foreach_partition_run_on_every_element() {
    let ctx = ctx_on("local[3]");
    let rdd = ctx.parallelize((1..=100).collect::<Vec<usize>>(), 5);
    let sum = Arc::new(AtomicUsize::new(0));
    let s2 = Arc::clone(&sum);
    rdd.foreach(move |x| {
        s2.fetch_add(x, Ordering::SeqCst);
    })
    .unwrap();
    assert_eq!(sum.load(Ordering::SeqCst), 5050);
    let parts = Arc::new(AtomicUsize::new(0));
    let sizes = ctx.accumulator(0usize);
    let (p2, s3) = (Arc::clone(&parts), sizes.clone());
    rdd.foreach_partition(move |it| {
        p2.fetch_add(1, Ordering::SeqCst);
        s3.add(it.count());
    })
    .unwrap();
    assert_eq!(parts.load(Ordering::SeqCst), 5);
    assert_eq!(sizes.value(), 100);
}

#[test]
fn count_by_value() {
    let ctx = ctx();
    let rdd = ctx.parallelize(strings(&["a", "b", "a", "c", "a", "b"]), 4);
    let counts = rdd.count_by_value().unwrap();
    let mut got: Vec<(String, u64)> = counts.into_iter().collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("a".to_string(), 3),
            ("b".to_string(), 2),
            ("c".to_string(), 1)
        ]
    );
}

fn read_dir_names(dir: &std::path::Path) -> Vec<String> {
    sorted(
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect(),
    )
}

#[test]
fn save_as_text_file_writes_parts_and_success() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let ctx = ctx();
    let rdd = ctx.parallelize((1..=7).collect::<Vec<i32>>(), 3);
    rdd.save_as_text_file(&out).unwrap();
    assert_eq!(
        read_dir_names(&out),
        strings(&["_SUCCESS", "part-00000", "part-00001", "part-00002"])
    );
    // Slices of 7 in 3: [1,2], [3,4], [5,6,7].
    assert_eq!(
        std::fs::read_to_string(out.join("part-00000")).unwrap(),
        "1\n2\n"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("part-00001")).unwrap(),
        "3\n4\n"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("part-00002")).unwrap(),
        "5\n6\n7\n"
    );
    assert_eq!(std::fs::read_to_string(out.join("_SUCCESS")).unwrap(), "");
    // Reading the directory back skips _SUCCESS.
    let back = ctx.text_file(out.to_str().unwrap(), 1).unwrap();
    assert_eq!(
        back.map(|l| l.parse::<i32>().unwrap()).collect().unwrap(),
        (1..=7).collect::<Vec<_>>()
    );
    // The directory exists now: a second save fails and leaves it alone.
    let err = rdd.save_as_text_file(&out).unwrap_err();
    assert!(matches!(err, Error::OutputExists { .. }), "{err:?}");
    assert!(err.to_string().contains(out.to_str().unwrap()), "{err}");
    assert_eq!(read_dir_names(&out).len(), 4);
    // An empty partition is an empty file.
    let sparse_out = tmp.path().join("sparse");
    ctx.parallelize(vec!["only".to_string()], 2)
        .save_as_text_file(&sparse_out)
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(sparse_out.join("part-00000")).unwrap(),
        ""
    );
    assert_eq!(
        std::fs::read_to_string(sparse_out.join("part-00001")).unwrap(),
        "only\n"
    );
}

#[test]
fn save_as_text_file_with_a_retried_task_has_no_duplicates() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("retried");
    let ctx = ctx();
    // 3000 elements in one partition: flat_map emits chunks of 1024, so the first attempt writes
    // two chunks before it panics on element 2500.
    let rdd = ctx
        .parallelize(vec![3000u32, 10], 2)
        .flat_map(|n| 0..n)
        .map(|x| {
            let tc = ember::TaskContext::get().unwrap();
            if tc.attempt_number() == 0 && x == 2500 {
                panic!("first attempt fails at 2500");
            }
            x
        });
    rdd.save_as_text_file(&out).unwrap();
    assert_eq!(
        read_dir_names(&out),
        strings(&["_SUCCESS", "part-00000", "part-00001"])
    );
    let lines: Vec<u32> = std::fs::read_to_string(out.join("part-00000"))
        .unwrap()
        .lines()
        .map(|l| l.parse().unwrap())
        .collect();
    assert_eq!(lines, (0..3000).collect::<Vec<_>>());
    assert_eq!(
        std::fs::read_to_string(out.join("part-00001")).unwrap(),
        "0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n"
    );
    let job = ctx.status_tracker().last_job().unwrap();
    assert_eq!(job.stages.last().unwrap().num_failed_tasks, 1, "{job:?}");
}

#[test]
fn save_as_text_file_of_a_failing_job_leaves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("failed");
    let ctx = ctx();
    let rdd = ctx
        .parallelize((0..10).collect::<Vec<i32>>(), 2)
        .map(|x| if x == 7 { panic!("bad record 7") } else { x });
    let err = rdd.save_as_text_file(&out).unwrap_err();
    assert!(err.to_string().contains("bad record 7"), "{err}");
    assert!(!out.exists(), "no partial output is left");
}

#[test]
fn save_as_compressed_text_file_writes_codec_files() {
    use ember::rdd::save::Codec;
    let tmp = tempfile::tempdir().unwrap();
    let ctx = ctx();
    let rdd = ctx.parallelize((1..=5).collect::<Vec<i32>>(), 2);
    let decoders = crate::common::text_codecs();
    for (codec, decode) in decoders {
        let out = tmp.path().join(format!("{codec:?}"));
        rdd.save_as_compressed_text_file(&out, codec).unwrap();
        let ext = codec.extension();
        assert_eq!(
            read_dir_names(&out),
            vec![
                "_SUCCESS".to_string(),
                format!("part-00000{ext}"),
                format!("part-00001{ext}")
            ]
        );
        let part = |i: usize| std::fs::read(out.join(format!("part-0000{i}{ext}"))).unwrap();
        assert_eq!(decode(&part(0)), "1\n2\n");
        assert_eq!(decode(&part(1)), "3\n4\n5\n");
    }
    assert_eq!(
        Codec::from_name("org.apache.hadoop.io.compress.GzipCodec").unwrap(),
        Codec::Gzip
    );
    assert_eq!(Codec::from_name("DefaultCodec").unwrap(), Codec::Deflate);
    let err = Codec::from_name("org.apache.hadoop.io.compress.SnappyCodec").unwrap_err();
    assert!(err.to_string().contains("SnappyCodec"), "{err}");
}

#[test]
fn save_as_bytes_file_writes_elements_as_they_are() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("bytes");
    let ctx = ctx();
    let chunks = vec![b"a\n\xff\n".to_vec(), b"b\n".to_vec(), b"c\n".to_vec()];
    ctx.parallelize(chunks, 2)
        .save_as_bytes_file(&out, None)
        .unwrap();
    assert_eq!(std::fs::read(out.join("part-00000")).unwrap(), b"a\n\xff\n");
    assert_eq!(std::fs::read(out.join("part-00001")).unwrap(), b"b\nc\n");
    assert!(out.join("_SUCCESS").exists());
}

//! Source RDDs: `parallelize`, `range`, `empty`, `union` of the context, `text_file`.

use crate::common::{ctx, ctx_with, sorted, strings};
use std::io::Write;

#[test]
fn parallelize_keeps_order_and_slices_like_spark() {
    let ctx = ctx();
    let rdd = ctx.parallelize((1..=5).collect::<Vec<i32>>(), 3);
    assert_eq!(rdd.num_partitions(), 3);
    assert_eq!(rdd.collect().unwrap(), vec![1, 2, 3, 4, 5]);
    // Slice i holds elements i*n/s .. (i+1)*n/s: cuts at 1, 3, 5.
    assert_eq!(
        rdd.glom().collect().unwrap(),
        vec![vec![1], vec![2, 3], vec![4, 5]]
    );
    assert_eq!(rdd.count().unwrap(), 5);
}

#[test]
fn parallelize_into_one_partition() {
    let ctx = ctx();
    let rdd = ctx.parallelize(vec!["x".to_string(), "y".to_string(), "z".to_string()], 1);
    assert_eq!(rdd.num_partitions(), 1);
    assert_eq!(
        rdd.glom().collect().unwrap(),
        vec![strings(&["x", "y", "z"])]
    );
    assert_eq!(
        rdd.map(|s| s.to_uppercase()).collect().unwrap(),
        strings(&["X", "Y", "Z"])
    );
    // Zero slices are raised to one.
    let one = ctx.parallelize(vec![1u8, 2], 0);
    assert_eq!(one.num_partitions(), 1);
    assert_eq!(one.collect().unwrap(), vec![1, 2]);
}

#[test]
fn more_partitions_than_elements() {
    let ctx = ctx();
    let rdd = ctx.parallelize(vec![1i64, 2, 3], 8);
    assert_eq!(rdd.num_partitions(), 8);
    // Cuts (i+1)*3/8 for i in 0..8: 0,0,1,1,1,2,2,3.
    let e: Vec<i64> = vec![];
    assert_eq!(
        rdd.glom().collect().unwrap(),
        vec![
            e.clone(),
            e.clone(),
            vec![1],
            e.clone(),
            e.clone(),
            vec![2],
            e.clone(),
            vec![3]
        ]
    );
    assert_eq!(rdd.collect().unwrap(), vec![1, 2, 3]);
    assert_eq!(rdd.count().unwrap(), 3);
    assert_eq!(rdd.map(|x| x * 10).reduce(|a, b| a + b).unwrap(), 60);
    assert_eq!(rdd.first().unwrap(), 1);
    assert_eq!(rdd.take(2).unwrap(), vec![1, 2]);
    assert_eq!(
        sorted(
            rdd.map(|x| (x % 2, x))
                .reduce_by_key(|a, b| a + b)
                .collect()
                .unwrap()
        ),
        vec![(0, 2), (1, 4)]
    );
}

#[test]
fn empty_sources() {
    let ctx = ctx();
    let e = ctx.empty::<i32>();
    assert_eq!(e.num_partitions(), 0);
    assert_eq!(e.collect().unwrap(), Vec::<i32>::new());
    assert_eq!(e.count().unwrap(), 0);
    assert!(
        e.to_debug_string().contains("EmptyRDD"),
        "{}",
        e.to_debug_string()
    );
    let p = ctx.parallelize(Vec::<i32>::new(), 4);
    assert_eq!(p.num_partitions(), 4);
    assert_eq!(p.collect().unwrap(), Vec::<i32>::new());
    assert_eq!(p.glom().collect().unwrap(), vec![Vec::<i32>::new(); 4]);
}

#[test]
fn range_forward_backward_and_empty() {
    let ctx = ctx();
    let r = ctx.range(0, 10, 3, 2).unwrap();
    assert_eq!(r.collect().unwrap(), vec![0, 3, 6, 9]);
    assert_eq!(r.glom().collect().unwrap(), vec![vec![0, 3], vec![6, 9]]);
    let down = ctx.range(10, 0, -4, 1).unwrap();
    assert_eq!(down.collect().unwrap(), vec![10, 6, 2]);
    assert_eq!(ctx.range(5, 5, 1, 3).unwrap().count().unwrap(), 0);
    // A step going away from `end` gives nothing.
    assert_eq!(ctx.range(0, 10, -1, 2).unwrap().count().unwrap(), 0);
    // Near the ends of i64, without overflow.
    assert_eq!(
        ctx.range(i64::MAX - 5, i64::MAX, 2, 2)
            .unwrap()
            .collect()
            .unwrap(),
        vec![i64::MAX - 5, i64::MAX - 3, i64::MAX - 1]
    );
    assert_eq!(
        ctx.range(i64::MIN, i64::MIN + 3, 1, 5)
            .unwrap()
            .collect()
            .unwrap(),
        vec![i64::MIN, i64::MIN + 1, i64::MIN + 2]
    );
    let big = ctx.range(0, 100_000, 1, 7).unwrap();
    assert_eq!(big.count().unwrap(), 100_000);
    assert_eq!(big.sum().unwrap(), 4_999_950_000);
}

#[test]
fn context_union_of_several() {
    let ctx = ctx();
    let a = ctx.parallelize(vec![1, 2], 2);
    let b = ctx.parallelize(vec![3], 1);
    let c = ctx.parallelize(vec![4, 5, 6], 3);
    let u = ctx.union(&[a, b, c]);
    assert_eq!(u.num_partitions(), 6);
    assert_eq!(u.collect().unwrap(), vec![1, 2, 3, 4, 5, 6]);
    let none = ctx.union::<i32>(&[]);
    assert_eq!(none.num_partitions(), 0);
    assert_eq!(none.count().unwrap(), 0);
}

fn write(path: &std::path::Path, text: &str) {
    std::fs::File::create(path)
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
}

#[test]
fn text_file_over_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("a.txt");
    write(&f, "alpha beta\r\n\ngamma\nlast line without newline");
    let ctx = ctx();
    let lines = ctx.text_file(f.to_str().unwrap(), 1).unwrap();
    assert_eq!(
        lines.collect().unwrap(),
        strings(&["alpha beta", "", "gamma", "last line without newline"])
    );
    // More partitions asked for than the file has lines: every line still read once.
    let split = ctx.text_file(f.to_str().unwrap(), 5).unwrap();
    assert!(split.num_partitions() >= 5, "{}", split.num_partitions());
    assert_eq!(
        split.collect().unwrap(),
        strings(&["alpha beta", "", "gamma", "last line without newline"])
    );
    // file:// prefix.
    let url = format!("file://{}", f.display());
    assert_eq!(ctx.text_file(&url, 1).unwrap().count().unwrap(), 4);
}

#[test]
fn text_file_over_a_directory_a_glob_and_a_list() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(&d.join("1.txt"), "one\ntwo\n");
    write(&d.join("2.txt"), "three\n");
    write(&d.join("3.log"), "four\nfive\n");
    write(&d.join("_SUCCESS"), "hidden\n");
    write(&d.join(".part.crc"), "hidden too\n");
    std::fs::create_dir(d.join("sub")).unwrap();
    write(&d.join("sub").join("6.txt"), "six\n");
    let ctx = ctx();

    let all = ctx.text_file(d.to_str().unwrap(), 1).unwrap();
    assert_eq!(
        sorted(all.collect().unwrap()),
        strings(&["five", "four", "one", "three", "two"])
    );

    let glob = format!("{}/*.txt", d.display());
    let txt = ctx.text_file(&glob, 1).unwrap();
    assert_eq!(
        sorted(txt.collect().unwrap()),
        strings(&["one", "three", "two"])
    );

    let list = format!("{},{}", d.join("2.txt").display(), d.join("sub").display());
    assert_eq!(
        sorted(ctx.text_file(&list, 1).unwrap().collect().unwrap()),
        strings(&["six", "three"])
    );
}

#[test]
fn text_file_missing_paths_are_errors_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = ctx();
    let missing = dir.path().join("nope.txt");
    let err = ctx.text_file(missing.to_str().unwrap(), 1).err().unwrap();
    assert!(err.to_string().contains(missing.to_str().unwrap()), "{err}");
    assert!(matches!(
        err,
        ember::Error::Engine(ember::EngineError::PathNotFound { .. })
    ));
    let glob = format!("{}/*.csv", dir.path().display());
    let err = ctx.text_file(&glob, 1).err().unwrap();
    assert!(err.to_string().contains(&glob), "{err}");
    // One bad path in a list is enough to fail.
    let ok = dir.path().join("ok.txt");
    write(&ok, "x\n");
    let list = format!("{},{}", ok.display(), missing.display());
    let err = ctx.text_file(&list, 1).err().unwrap();
    assert!(err.to_string().contains("nope.txt"), "{err}");
}

#[test]
fn big_text_file_in_many_splits_reads_each_line_once() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("big.txt");
    // 250,000 lines of 13 bytes = 3,250,000 bytes.
    let mut w = std::io::BufWriter::new(std::fs::File::create(&f).unwrap());
    for i in 0..250_000u32 {
        writeln!(w, "line-{i:07}").unwrap();
    }
    w.flush().unwrap();
    drop(w);
    assert_eq!(std::fs::metadata(&f).unwrap().len(), 3_250_000);

    let ctx = ctx_with("local[2]", &[("ember.files.maxPartitionBytes", "256k")]);
    let lines = ctx.text_file(f.to_str().unwrap(), 2).unwrap();
    // ceil(3,250,000 / 262,144) = 13 splits, rounded up to a multiple of the 2 cores: 14.
    assert_eq!(lines.num_partitions(), 14);
    let got = lines.collect().unwrap();
    assert_eq!(got.len(), 250_000);
    // In file order, every line exactly once.
    for (i, l) in got.iter().enumerate() {
        assert_eq!(*l, format!("line-{i:07}"));
    }
    let sizes = lines.glom().map(|p| p.len()).collect().unwrap();
    assert_eq!(sizes.len(), 14);
    assert!(sizes.iter().all(|&s| s > 15_000), "{sizes:?}");
    assert_eq!(lines.distinct().count().unwrap(), 250_000);
}

#[test]
fn text_file_split_boundaries_with_mixed_line_endings() {
    use rand::{Rng, SeedableRng};
    let dir = tempfile::tempdir().unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut expected = Vec::new();
    for f in 0..3 {
        let mut text = String::new();
        let n = 400 + f * 100;
        for i in 0..n {
            // Lines from empty to much longer than a split, some with multi-byte characters.
            let len = match i % 50 {
                0 => 0,
                1 => 3000,
                _ => rng.random_range(1..120),
            };
            let line: String = (0..len)
                .map(|j| {
                    if (i + j) % 97 == 0 {
                        'é'
                    } else {
                        (b'a' + (j % 26) as u8) as char
                    }
                })
                .collect();
            text.push_str(&line);
            expected.push(line);
            let last = i + 1 == n;
            if !(last && f == 1) {
                text.push_str(if rng.random_bool(0.3) { "\r\n" } else { "\n" });
            }
        }
        write(&dir.path().join(format!("f{f}.txt")), &text);
    }
    let ctx = ctx_with("local[3]", &[("ember.files.maxPartitionBytes", "1k")]);
    let lines = ctx.text_file(dir.path().to_str().unwrap(), 1).unwrap();
    assert!(lines.num_partitions() > 100, "{}", lines.num_partitions());
    // Files are read in name order, each split in order: the exact sequence comes back.
    assert_eq!(lines.collect().unwrap(), expected);
    assert_eq!(lines.count().unwrap(), 1500);
}

#[test]
fn binary_and_whole_text_files_read_each_file_as_one_record() {
    let ctx = ctx();
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("1.txt"), "123\nsecond line").unwrap();
    std::fs::write(d.path().join("2.txt"), "xyz").unwrap();
    std::fs::write(d.path().join("_SUCCESS"), "").unwrap();
    let dir = d.path().to_str().unwrap();
    let abs = std::path::absolute(d.path()).unwrap();
    let whole = ctx.whole_text_files(dir, 4).unwrap();
    // Two files: two partitions, not four.
    assert_eq!(whole.num_partitions(), 2);
    assert_eq!(
        sorted(whole.collect().unwrap()),
        vec![
            (
                format!("file:{}/1.txt", abs.display()),
                "123\nsecond line".to_string()
            ),
            (format!("file:{}/2.txt", abs.display()), "xyz".to_string()),
        ]
    );
    std::fs::write(d.path().join("3.bin"), [0u8, 255, 10]).unwrap();
    let glob = format!("{dir}/*.bin");
    assert_eq!(
        ctx.binary_files(&glob, 1).unwrap().collect().unwrap(),
        vec![(format!("file:{}/3.bin", abs.display()), vec![0u8, 255, 10])]
    );
    // Not UTF-8: the job fails naming the file.
    let err = ctx
        .whole_text_files(&glob, 1)
        .unwrap()
        .collect()
        .unwrap_err();
    assert!(err.to_string().contains("3.bin"), "{err}");
    let missing = format!("{dir}/nope");
    let Err(err) = ctx.binary_files(&missing, 1) else {
        panic!("a missing path is an error")
    };
    assert!(err.to_string().contains("nope"), "{err}");
}

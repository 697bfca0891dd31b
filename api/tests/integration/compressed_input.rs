//! Compressed input of the file sources: `text_file` and `whole_text_files` decompress `.gz`,
//! `.bz2`, `.zst`/`.zstd`, `.xz` and `.deflate` files by extension, one partition per
//! compressed file; `binary_files` gives the stored bytes. The fixtures are written here with
//! the codecs' own encoders.

use crate::common::{ctx, ctx_with, strings};
use std::io::Write;
use std::path::Path;

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn bzip2(data: &[u8]) -> Vec<u8> {
    let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn zstd(data: &[u8]) -> Vec<u8> {
    zstd::encode_all(data, 3).unwrap()
}

fn xz(data: &[u8]) -> Vec<u8> {
    let mut e = liblzma::write::XzEncoder::new(Vec::new(), 6);
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// `n` lines `<tag>-<i>`, as text (with a final newline) and as the expected lines.
fn numbered(tag: &str, n: usize) -> (String, Vec<String>) {
    let lines: Vec<String> = (0..n).map(|i| format!("{tag}-{i:05}")).collect();
    (lines.iter().map(|l| format!("{l}\n")).collect(), lines)
}

type Encode = fn(&[u8]) -> Vec<u8>;

/// A file name for each codec and extension, in name order, with its encoder.
const CODECS: [(&str, Encode); 6] = [
    ("a.txt.gz", gzip),
    ("b.txt.bz2", bzip2),
    ("c.txt.zst", zstd),
    ("d.txt.zstd", zstd),
    ("e.txt.xz", xz),
    ("f.txt.deflate", deflate),
];

#[test]
fn text_file_decompresses_every_codec_one_partition_per_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut expected = Vec::new();
    for (name, encode) in CODECS {
        let (text, lines) = numbered(name, 3000);
        std::fs::write(dir.path().join(name), encode(text.as_bytes())).unwrap();
        expected.push(lines);
    }
    // A plain file of 42,000 bytes, after the compressed ones in name order.
    let (text, plain) = numbered("g.txt__", 3000);
    assert_eq!(text.len(), 3000 * 14);
    std::fs::write(dir.path().join("g.txt"), &text).unwrap();

    // 4 KiB splits: the plain file is cut into ceil(42,000 / 4,096) = 11 ranges (the last
    // 1,040 bytes are more than the 10% slop), each compressed file is one partition.
    let ctx = ctx_with("local[1]", &[("ember.files.maxPartitionBytes", "4k")]);
    let rdd = ctx.text_file(dir.path().to_str().unwrap(), 1).unwrap();
    assert_eq!(rdd.num_partitions(), 6 + 11);
    let parts = rdd.glom().collect().unwrap();
    for (i, lines) in expected.iter().enumerate() {
        assert_eq!(&parts[i], lines, "partition {i} is all of {}", CODECS[i].0);
    }
    assert_eq!(parts[6..].concat(), plain);
    let all: Vec<String> = expected.into_iter().flatten().chain(plain).collect();
    assert_eq!(rdd.collect().unwrap(), all);
    // One compressed file by name, with min_partitions asking for more: still one partition.
    let one = ctx
        .text_file(dir.path().join("e.txt.xz").to_str().unwrap(), 8)
        .unwrap();
    assert_eq!(one.num_partitions(), 1);
    assert_eq!(one.count().unwrap(), 3000);
}

#[test]
fn concatenated_members_and_empty_compressed_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // `cat a.gz b.gz`, and the same for every codec: all members are read, in order.
    for (name, encode) in CODECS {
        let mut bytes = encode(b"first\nsecond");
        bytes.extend(encode(b" half\nthird\n"));
        std::fs::write(d.join(name), bytes).unwrap();
    }
    std::fs::write(d.join("z.txt.gz"), b"").unwrap();
    let ctx = ctx();
    for (name, _) in CODECS {
        let rdd = ctx.text_file(d.join(name).to_str().unwrap(), 1).unwrap();
        assert_eq!(
            rdd.collect().unwrap(),
            strings(&["first", "second half", "third"]),
            "{name}"
        );
    }
    let empty = ctx
        .text_file(d.join("z.txt.gz").to_str().unwrap(), 1)
        .unwrap();
    assert_eq!(empty.collect().unwrap(), Vec::<String>::new());
}

fn collect_error(path: &Path) -> String {
    let ctx = ctx();
    let rdd = ctx.text_file(path.to_str().unwrap(), 1).unwrap();
    rdd.collect().unwrap_err().to_string()
}

#[test]
fn corrupt_or_truncated_compressed_files_fail_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Not gzip at all.
    let garbage = d.join("garbage.gz");
    std::fs::write(&garbage, b"this is plain text, not gzip\n").unwrap();
    let err = collect_error(&garbage);
    assert!(
        err.contains("garbage.gz") && err.contains("corrupt"),
        "{err}"
    );
    // Cut in the middle of the stream: the lines read so far are not passed off as the file.
    let (text, _) = numbered("t", 5000);
    for (name, encode) in CODECS {
        let bytes = encode(text.as_bytes());
        let path = d.join(format!("cut-{name}"));
        std::fs::write(&path, &bytes[..bytes.len() * 2 / 3]).unwrap();
        let err = collect_error(&path);
        assert!(err.contains(&format!("cut-{name}")), "{name}: {err}");
    }
    // A flipped byte in gzip's CRC-checked payload.
    let mut bytes = gzip(text.as_bytes());
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    let flipped = d.join("flipped.gz");
    std::fs::write(&flipped, bytes).unwrap();
    let err = collect_error(&flipped);
    assert!(err.contains("flipped.gz"), "{err}");
    // whole_text_files reports it the same way.
    let ctx = ctx();
    let err = ctx
        .whole_text_files(garbage.to_str().unwrap(), 1)
        .unwrap()
        .collect()
        .unwrap_err()
        .to_string();
    assert!(err.contains("garbage.gz"), "{err}");
}

#[test]
fn whole_text_files_decompresses_and_binary_files_gives_stored_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut expected = Vec::new();
    let abs = std::path::absolute(d).unwrap();
    for (name, encode) in CODECS {
        let text = format!("contents of\n{name}\n");
        std::fs::write(d.join(name), encode(text.as_bytes())).unwrap();
        expected.push((format!("file:{}/{name}", abs.display()), text));
    }
    let ctx = ctx();
    let whole = ctx.whole_text_files(d.to_str().unwrap(), 3).unwrap();
    assert_eq!(whole.num_partitions(), 3);
    assert_eq!(whole.collect().unwrap(), expected);
    let gz = d.join("a.txt.gz");
    let binary = ctx.binary_files(gz.to_str().unwrap(), 1).unwrap();
    assert_eq!(
        binary.collect().unwrap(),
        vec![(
            format!("file:{}/a.txt.gz", abs.display()),
            std::fs::read(&gz).unwrap()
        )]
    );
}

#[test]
fn compressed_text_files_saved_by_ember_read_back() {
    use ember::rdd::save::Codec;
    let dir = tempfile::tempdir().unwrap();
    let ctx = ctx();
    let words = strings(&["alpha", "", "beta gamma", "delta"]);
    let rdd = ctx.parallelize(words.clone(), 2);
    for codec in [Codec::Gzip, Codec::Deflate, Codec::BZip2, Codec::Zstd] {
        let out = dir.path().join(format!("{codec:?}"));
        rdd.save_as_compressed_text_file(&out, codec).unwrap();
        let back = ctx.text_file(out.to_str().unwrap(), 1).unwrap();
        // Two part files, one partition each; `_SUCCESS` is skipped.
        assert_eq!(back.num_partitions(), 2, "{codec:?}");
        assert_eq!(back.collect().unwrap(), words, "{codec:?}");
    }
}

#[test]
fn text_dataframe_reads_compressed_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt.bz2"), bzip2(b"x\ny\n")).unwrap();
    std::fs::write(dir.path().join("b.txt.xz"), xz(b"z")).unwrap();
    let ctx = ctx();
    let df = ctx.read().text(dir.path().to_str().unwrap()).unwrap();
    assert_eq!(df.count().unwrap(), 3);
}

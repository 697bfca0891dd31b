//! `text_file`: lines of files, local or remote (see [`crate::store::list_files`]), split
//! into byte ranges aligned to line boundaries as Hadoop's `TextInputFormat` does; a remote
//! split is read by ranged GETs.
//!
//! A line belongs to the split that holds its first byte. A split that does not start at byte 0
//! skips the partial line it starts in; every split reads past its end to finish its last line.
//! A compressed file ([`InputCodec`]) is one split, read whole through its decoder.

use super::codec::{InputCodec, corrupt, decode_stream};
use super::{BatchIter, Dependency, RddBase, RddCompute, RddMeta};
use crate::data::CHUNK_ROWS;
use crate::error::Result;
use crate::store::{SourceFile, Stores, open_range};
use crate::task_context::{TaskContext, abort};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A byte range of one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileSplit {
    /// The file: a local path or a remote URL.
    pub path: String,
    /// First byte.
    pub start: u64,
    /// Number of bytes.
    pub len: u64,
    /// The file's size.
    pub file_size: u64,
}

/// Cuts `files` into splits. A compressed file ([`InputCodec::of`]) or an `http(s)://` object
/// is one split of its own.
/// The plain files are cut by a split size of `total / min_partitions` (`total` being their
/// bytes), capped at `max_split_bytes`; when that gives more splits than `parallelism`, their
/// number is rounded up to a multiple of `parallelism` so the last wave of tasks keeps every
/// core busy. A last piece under 10% of a split joins the one before it (Hadoop's split slop).
pub fn plan_splits(
    files: &[SourceFile],
    min_partitions: usize,
    max_split_bytes: u64,
    parallelism: usize,
) -> Vec<FileSplit> {
    // Compressed files cannot be split, nor can objects of plain HTTP servers, which need not
    // answer ranged GETs.
    let splittable = |f: &SourceFile| {
        InputCodec::of(Path::new(&f.path)).is_none()
            && !f.path.starts_with("http://")
            && !f.path.starts_with("https://")
    };
    let total: u64 = files.iter().filter(|f| splittable(f)).map(|f| f.size).sum();
    let goal = total.div_ceil(min_partitions.max(1) as u64);
    let mut split = goal.min(max_split_bytes).max(1);
    let count = total.div_ceil(split);
    let p = parallelism.max(1) as u64;
    if count > p && !count.is_multiple_of(p) {
        split = total.div_ceil(count.div_ceil(p) * p).max(1);
    }
    let mut out = Vec::new();
    for f in files {
        let size = f.size;
        let mut start = 0;
        while splittable(f) && size - start > split + split / 10 {
            out.push(FileSplit {
                path: f.path.clone(),
                start,
                len: split,
                file_size: size,
            });
            start += split;
        }
        out.push(FileSplit {
            path: f.path.clone(),
            start,
            len: size - start,
            file_size: size,
        });
    }
    out
}

/// Lines of text files (Spark's `HadoopRDD` + `MapPartitionsRDD` of `textFile`).
pub struct TextFileRdd {
    meta: RddMeta,
    splits: Vec<FileSplit>,
    stores: Arc<Stores>,
}

impl TextFileRdd {
    /// An RDD over `splits`, whose remote files are read through `stores`.
    pub fn new(meta: RddMeta, splits: Vec<FileSplit>, stores: Arc<Stores>) -> Self {
        TextFileRdd {
            meta,
            splits,
            stores,
        }
    }
    /// The splits.
    pub fn splits(&self) -> &[FileSplit] {
        &self.splits
    }
}

impl RddBase for TextFileRdd {
    fn meta(&self) -> &RddMeta {
        &self.meta
    }
    fn kind(&self) -> &'static str {
        "TextFileRDD"
    }
    fn num_partitions(&self) -> usize {
        self.splits.len()
    }
    fn dependencies(&self) -> Vec<Dependency> {
        Vec::new()
    }
}

struct Lines {
    reader: BufReader<Box<dyn Read + Send>>,
    pos: u64,
    end: u64,
    path: PathBuf,
    /// Capacity for the next line's buffer: the longest line so far (up to 4 KiB), so buffers
    /// rarely grow.
    line_capacity: usize,
}

impl Lines {
    fn open(split: &FileSplit, stores: &Stores) -> Result<Self> {
        let path = PathBuf::from(&split.path);
        let io = |e: std::io::Error| corrupt(&path, &e);
        if InputCodec::of(&path).is_some() {
            // A compressed file is one split: every decoded line, however long the output.
            let raw = open_range(stores, &split.path, 0, split.file_size, split.file_size)?;
            return Ok(Lines {
                reader: BufReader::with_capacity(
                    1 << 20,
                    decode_stream(&path, raw, split.file_size),
                ),
                pos: 0,
                end: u64::MAX,
                path,
                line_capacity: 64,
            });
        }
        let mut pos = split.start;
        let end = split.start + split.len;
        let raw = open_range(
            stores,
            &split.path,
            pos.saturating_sub(1),
            end,
            split.file_size,
        )?;
        let mut reader = BufReader::with_capacity(1 << 20, raw);
        if pos > 0 {
            // Skip the tail of the line that began in the previous split: from the byte before
            // our start through the next newline. If that byte is a newline, nothing is skipped.
            let mut skip = Vec::new();
            pos = pos - 1 + reader.read_until(b'\n', &mut skip).map_err(io)? as u64;
        }
        Ok(Lines {
            reader,
            pos,
            end,
            path,
            line_capacity: 64,
        })
    }

    fn next_line(&mut self) -> Option<String> {
        if self.pos >= self.end {
            return None;
        }
        // Read straight into the line's own buffer: one copy from the reader, none after.
        let mut buf = Vec::with_capacity(self.line_capacity);
        let n = match self.reader.read_until(b'\n', &mut buf) {
            Ok(n) => n,
            Err(e) => abort(corrupt(&self.path, &e)),
        };
        if n == 0 {
            return None;
        }
        self.pos += n as u64;
        if buf.last() == Some(&b'\n') {
            buf.pop();
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
        }
        // Capped, so one huge line does not make every later line's buffer huge.
        self.line_capacity = self.line_capacity.max(buf.len() + 2).min(4096);
        Some(match String::from_utf8(buf) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        })
    }
}

impl Iterator for Lines {
    type Item = Vec<String>;
    fn next(&mut self) -> Option<Vec<String>> {
        let mut chunk = Vec::with_capacity(CHUNK_ROWS);
        while chunk.len() < CHUNK_ROWS {
            match self.next_line() {
                Some(l) => chunk.push(l),
                None => break,
            }
        }
        if chunk.is_empty() { None } else { Some(chunk) }
    }
}

impl RddCompute<String> for TextFileRdd {
    fn compute(&self, split: usize, tc: &Arc<TaskContext>) -> Result<BatchIter<String>> {
        let split = &self.splits[split];
        tc.metrics.record_input(0, split.len);
        let tc = Arc::clone(tc);
        let lines = Lines::open(split, &self.stores)?;
        Ok(Box::new(lines.inspect(move |chunk| {
            tc.metrics.record_input(chunk.len() as u64, 0)
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rdd::resolve_paths;
    use crate::store::list_files;
    use std::io::Write;

    fn lines_of(split: &FileSplit) -> Vec<String> {
        let stores = Stores::new(Vec::<(String, String)>::new());
        Lines::open(split, &stores).unwrap().flatten().collect()
    }

    fn source(path: &Path) -> SourceFile {
        SourceFile {
            path: path.to_string_lossy().into_owned(),
            size: std::fs::metadata(path).unwrap().len(),
        }
    }

    #[test]
    fn every_split_size_reads_every_line_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.txt");
        let text = "alpha\nbe\r\n\ngamma delta\nlast-no-newline";
        std::fs::File::create(&path)
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        let expected: Vec<String> = vec!["alpha", "be", "", "gamma delta", "last-no-newline"]
            .into_iter()
            .map(String::from)
            .collect();
        for split in 1..=text.len() as u64 + 1 {
            let mut got = Vec::new();
            let mut start = 0;
            while start < text.len() as u64 {
                let len = split.min(text.len() as u64 - start);
                got.extend(lines_of(&FileSplit {
                    path: path.to_string_lossy().into_owned(),
                    start,
                    len,
                    file_size: text.len() as u64,
                }));
                start += len;
            }
            assert_eq!(got, expected, "split size {split}");
        }
    }

    #[test]
    fn plans_balanced_splits_and_names_missing_paths() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.txt");
        std::fs::write(&path, vec![b'x'; 1000]).unwrap();
        std::fs::write(dir.path().join("_SUCCESS"), b"").unwrap();
        let stores = Stores::new(Vec::<(String, String)>::new());
        let files = list_files(&stores, dir.path().to_str().unwrap()).unwrap();
        assert_eq!(files, vec![source(&path)]);
        // 1000 bytes, 32-byte cap: 32 splits would be needed; rounded to a multiple of 3.
        let splits = plan_splits(&files, 2, 32, 3);
        assert_eq!(splits.len() % 3, 0, "{}", splits.len());
        assert_eq!(splits.iter().map(|s| s.len).sum::<u64>(), 1000);
        let err = resolve_paths("/definitely/not/here.txt").unwrap_err();
        assert!(err.to_string().contains("/definitely/not/here.txt"));
        let globbed = resolve_paths(&format!("{}/*.txt", dir.path().display())).unwrap();
        assert_eq!(globbed, vec![path]);
    }

    #[test]
    fn a_compressed_file_is_one_split_whatever_its_size() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("a.txt");
        let gz = dir.path().join("b.txt.gz");
        std::fs::write(&plain, vec![b'x'; 1000]).unwrap();
        std::fs::write(&gz, vec![b'y'; 1000]).unwrap();
        let splits = plan_splits(&[source(&plain), source(&gz)], 4, 32, 1);
        let plain = plain.to_string_lossy();
        let (plain_splits, gz_splits): (Vec<_>, Vec<_>) =
            splits.iter().partition(|s| s.path == plain);
        // 1000 plain bytes over 4 partitions, capped at 32: 31 splits of 32 bytes and a last
        // one of 8 (40 bytes left exceed the 35-byte slop); the .gz is one split of 1000 bytes.
        assert_eq!(plain_splits.len(), 32);
        assert_eq!(plain_splits[31].len, 8);
        assert_eq!(gz_splits.len(), 1);
        assert_eq!((gz_splits[0].start, gz_splits[0].len), (0, 1000));
    }
}

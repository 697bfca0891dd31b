//! Saving RDDs as files: one `part-NNNNN` file per partition under a new directory (local, or
//! a remote store's `s3://bucket/dir`, `gs://`, `az://`), optionally compressed with one of
//! Hadoop's codecs, committed only when the whole job succeeded.
//!
//! Tasks write below `path/_temporary/<job>/attempt-<id>/`; once every task succeeded the
//! committed attempts' files are moved into place and `_SUCCESS` is written (the protocol of
//! `api/src/commit`). A failed job leaves no part files.

use super::Rdd;
use crate::commit::{Job, Output, PartWriter, SaveMode, Staging};
use crate::error::Result;
use ember_engine::EngineError;
use ember_engine::data::Data;
use ember_engine::ids::TaskId;
use ember_engine::rdd::BatchIter;
use ember_engine::task_context::{TaskContext, abort};
use std::fmt::Display;
use std::io::{self, Write};
use std::panic::Location;
use std::path::Path;

/// A compression codec for saved files, as Hadoop names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Codec {
    /// `GzipCodec`: gzip, `.gz`.
    Gzip,
    /// `DefaultCodec` or `DeflateCodec`: zlib-wrapped deflate, `.deflate`.
    Deflate,
    /// `BZip2Codec`: bzip2, `.bz2`.
    BZip2,
    /// `ZStandardCodec`: zstd, `.zst`.
    Zstd,
}

impl Codec {
    /// The codec named by a Hadoop class (`org.apache.hadoop.io.compress.GzipCodec`), its
    /// short class name (`GzipCodec`) or a plain name (`gzip`, `deflate`, `bzip2`, `zstd`).
    pub fn from_name(name: &str) -> Result<Codec> {
        let short = name.rsplit('.').next().unwrap_or(name);
        let short = short.strip_suffix("Codec").unwrap_or(short);
        match short.to_ascii_lowercase().as_str() {
            "gzip" | "gz" => Ok(Codec::Gzip),
            "default" | "deflate" | "zlib" => Ok(Codec::Deflate),
            "bzip2" | "bz2" => Ok(Codec::BZip2),
            "zstandard" | "zstd" | "zst" => Ok(Codec::Zstd),
            _ => Err(EngineError::invalid(
                "compression codec",
                format!(
                    "unsupported codec {name}; Ember writes GzipCodec, DefaultCodec, \
                     DeflateCodec, BZip2Codec and ZStandardCodec"
                ),
            )
            .into()),
        }
    }

    /// The extension Hadoop gives this codec's files.
    pub fn extension(self) -> &'static str {
        match self {
            Codec::Gzip => ".gz",
            Codec::Deflate => ".deflate",
            Codec::BZip2 => ".bz2",
            Codec::Zstd => ".zst",
        }
    }
}

/// A part file being written, through the codec's encoder if any.
enum Sink {
    Plain(PartWriter),
    Gzip(flate2::write::GzEncoder<PartWriter>),
    Deflate(flate2::write::ZlibEncoder<PartWriter>),
    BZip2(bzip2::write::BzEncoder<PartWriter>),
    Zstd(zstd::stream::write::Encoder<'static, PartWriter>),
}

impl Sink {
    fn new(w: PartWriter, codec: Option<Codec>) -> io::Result<Sink> {
        Ok(match codec {
            None => Sink::Plain(w),
            Some(Codec::Gzip) => Sink::Gzip(flate2::write::GzEncoder::new(w, Default::default())),
            Some(Codec::Deflate) => {
                Sink::Deflate(flate2::write::ZlibEncoder::new(w, Default::default()))
            }
            Some(Codec::BZip2) => Sink::BZip2(bzip2::write::BzEncoder::new(w, Default::default())),
            Some(Codec::Zstd) => Sink::Zstd(zstd::stream::write::Encoder::new(w, 0)?),
        })
    }

    fn inner(&mut self) -> &mut dyn Write {
        match self {
            Sink::Plain(w) => w,
            Sink::Gzip(w) => w,
            Sink::Deflate(w) => w,
            Sink::BZip2(w) => w,
            Sink::Zstd(w) => w,
        }
    }

    /// Writes the codec's trailer; the part file it was writing.
    fn finish(self) -> io::Result<PartWriter> {
        Ok(match self {
            Sink::Plain(w) => w,
            Sink::Gzip(e) => e.finish()?,
            Sink::Deflate(e) => e.finish()?,
            Sink::BZip2(e) => e.finish()?,
            Sink::Zstd(e) => e.finish()?,
        })
    }
}

impl<T: Data> Rdd<T> {
    /// Writes each partition as a text file `part-NNNNN` under the directory `path` (a local
    /// path or a remote store's URL, `s3://bucket/dir`), one element per line (its `Display`
    /// form). Fails if `path` exists (remote: if any object is stored below it); a failed job
    /// leaves no part files. A remote part file over 5 MiB is written as a multipart upload.
    #[track_caller]
    pub fn save_as_text_file(&self, path: impl AsRef<Path>) -> Result<()>
    where
        T: Display,
    {
        self.save_with(path.as_ref(), None, Location::caller(), |w, x| {
            writeln!(w, "{x}")
        })
    }

    /// [`save_as_text_file`](Self::save_as_text_file) through a compression codec: the files
    /// are `part-NNNNN.gz` and so on.
    #[track_caller]
    pub fn save_as_compressed_text_file(&self, path: impl AsRef<Path>, codec: Codec) -> Result<()>
    where
        T: Display,
    {
        self.save_with(path.as_ref(), Some(codec), Location::caller(), |w, x| {
            writeln!(w, "{x}")
        })
    }

    /// Runs the job that writes every partition with `write` (per element) and commits it
    /// (see `api/src/commit`).
    fn save_with(
        &self,
        dir: &Path,
        codec: Option<Codec>,
        loc: &Location<'_>,
        write: impl Fn(&mut dyn Write, T) -> io::Result<()> + Send + Sync + 'static,
    ) -> Result<()> {
        let out = match dir.to_str() {
            Some(path) => Output::new(self.context().stores(), path)?,
            None => Output::local(dir, &dir.to_string_lossy())?,
        };
        let Some(job) = Job::begin(out, SaveMode::ErrorIfExists)? else {
            return Ok(());
        };
        let staging = job.staging().clone();
        let written = self.run_all("saveAsTextFile", loc, move |it| {
            write_part(&staging, codec, it, &write).unwrap_or_else(|e| abort(e))
        });
        let committed = written.map(|attempts| attempts.into_iter().enumerate().collect());
        job.finish(committed, |_, file| file.to_string())
    }
}

impl Rdd<Vec<u8>> {
    /// Writes each partition's elements byte for byte (the caller puts in line ends) to
    /// `part-NNNNN` files under `path`, through `codec` if given, committed like
    /// [`save_as_text_file`](Self::save_as_text_file). What the Python API's
    /// `saveAsTextFile` is built on.
    #[track_caller]
    pub fn save_as_bytes_file(&self, path: impl AsRef<Path>, codec: Option<Codec>) -> Result<()> {
        self.save_with(path.as_ref(), codec, Location::caller(), |w, x| {
            w.write_all(&x)
        })
    }
}

/// Writes one task's partition to `part-NNNNN` in its attempt's own directory (a retried task
/// never appends to an earlier attempt's file, and only the successful attempt's file is
/// committed); the attempt's id.
fn write_part<T>(
    staging: &Staging,
    codec: Option<Codec>,
    it: BatchIter<T>,
    write: &(dyn Fn(&mut dyn Write, T) -> io::Result<()> + Send + Sync),
) -> std::result::Result<TaskId, EngineError> {
    let _running = staging.task()?;
    let tc = TaskContext::get().expect("runs inside a task");
    let attempt = tc.task_attempt_id();
    let ext = codec.map_or("", Codec::extension);
    let name = format!("part-{:05}{ext}", tc.partition_id());
    let io = |e: io::Error| EngineError::io(staging.attempt_url(attempt) + "/" + &name, &e);
    let mut sink = Sink::new(staging.create(attempt, &name)?, codec).map_err(io)?;
    for chunk in it {
        staging.check()?;
        tc.metrics.record_output(chunk.len() as u64, 0);
        for x in chunk {
            write(sink.inner(), x).map_err(io)?;
        }
    }
    let file = sink.finish().map_err(io)?;
    staging.check()?;
    file.finish()?;
    Ok(attempt)
}

//! Saving RDDs as files: one `part-NNNNN` file per partition under a new directory, optionally
//! compressed with one of Hadoop's codecs, committed only when the whole job succeeded.
//!
//! Tasks write under `path/_temporary`, one file per attempt; once every task succeeded the
//! files are moved into place and `_SUCCESS` is written. A failed job leaves no part files.

use super::Rdd;
use crate::error::{Error, Result};
use ember_engine::EngineError;
use ember_engine::data::Data;
use ember_engine::rdd::BatchIter;
use ember_engine::task_context::{TaskContext, abort};
use std::fmt::Display;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::panic::Location;
use std::path::{Path, PathBuf};

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
    Plain(BufWriter<File>),
    Gzip(flate2::write::GzEncoder<BufWriter<File>>),
    Deflate(flate2::write::ZlibEncoder<BufWriter<File>>),
    BZip2(bzip2::write::BzEncoder<BufWriter<File>>),
    Zstd(zstd::stream::write::Encoder<'static, BufWriter<File>>),
}

impl Sink {
    fn create(file: &Path, codec: Option<Codec>) -> io::Result<Sink> {
        let w = BufWriter::with_capacity(1 << 16, File::create(file)?);
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

    /// Writes the codec's trailer and flushes the file.
    fn finish(self) -> io::Result<()> {
        let mut w = match self {
            Sink::Plain(w) => w,
            Sink::Gzip(e) => e.finish()?,
            Sink::Deflate(e) => e.finish()?,
            Sink::BZip2(e) => e.finish()?,
            Sink::Zstd(e) => e.finish()?,
        };
        w.flush()
    }
}

impl<T: Data> Rdd<T> {
    /// Writes each partition as a text file `part-NNNNN` under the directory `path`, one element
    /// per line (its `Display` form). Fails if `path` exists; a failed job leaves no part files.
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

    /// Runs the job that writes every partition with `write` (per element) and commits it.
    fn save_with(
        &self,
        dir: &Path,
        codec: Option<Codec>,
        loc: &Location<'_>,
        write: impl Fn(&mut dyn Write, T) -> io::Result<()> + Send + Sync + 'static,
    ) -> Result<()> {
        if dir.exists() {
            return Err(Error::OutputExists {
                path: dir.display().to_string(),
            });
        }
        let tmp = dir.join("_temporary");
        std::fs::create_dir_all(&tmp).map_err(|e| EngineError::io(tmp.display(), &e))?;
        let tmp_task = tmp.clone();
        let written = self.run_all("saveAsTextFile", loc, move |it| {
            write_part(&tmp_task, codec, it, &write).unwrap_or_else(|e| abort(e))
        });
        let outcome = written.and_then(|files| commit(dir, &tmp, codec, files));
        if outcome.is_err() {
            let _ = std::fs::remove_dir_all(dir);
        }
        outcome
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

/// Writes one task's partition to its own attempt file: a retried task never appends to an
/// earlier attempt's file, and only the successful attempt's file is committed.
fn write_part<T>(
    tmp: &Path,
    codec: Option<Codec>,
    it: BatchIter<T>,
    write: &(dyn Fn(&mut dyn Write, T) -> io::Result<()> + Send + Sync),
) -> std::result::Result<PathBuf, EngineError> {
    let tc = TaskContext::get().expect("runs inside a task");
    let file = tmp.join(format!(
        "part-{:05}-attempt-{}",
        tc.partition_id(),
        tc.attempt_number()
    ));
    let io = |e: io::Error| EngineError::io(file.display(), &e);
    let mut sink = Sink::create(&file, codec).map_err(io)?;
    for chunk in it {
        for x in chunk {
            write(sink.inner(), x).map_err(io)?;
        }
    }
    sink.finish().map_err(io)?;
    Ok(file)
}

/// Moves the part files into place, removes `_temporary` and writes `_SUCCESS`.
fn commit(dir: &Path, tmp: &Path, codec: Option<Codec>, files: Vec<PathBuf>) -> Result<()> {
    let ext = codec.map_or("", Codec::extension);
    for (i, f) in files.into_iter().enumerate() {
        let dest = dir.join(format!("part-{i:05}{ext}"));
        std::fs::rename(&f, &dest).map_err(|e| EngineError::io(dest.display(), &e))?;
    }
    std::fs::remove_dir_all(tmp).map_err(|e| EngineError::io(tmp.display(), &e))?;
    let ok = dir.join("_SUCCESS");
    std::fs::write(&ok, b"").map_err(|e| EngineError::io(ok.display(), &e))?;
    Ok(())
}

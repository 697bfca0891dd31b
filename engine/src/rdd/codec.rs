//! Compressed input of file sources, chosen by file extension as Hadoop's
//! `CompressionCodecFactory` does: gzip (`.gz`), bzip2 (`.bz2`), zstd (`.zst`, `.zstd`), xz
//! (`.xz`) and zlib-wrapped deflate (`.deflate`, what Hadoop's `DefaultCodec` writes).
//!
//! A compressed file cannot be split into byte ranges: it is read whole, as one partition.
//! Concatenated members or frames (as `cat a.gz b.gz` makes) are read one after another. A
//! corrupt or truncated file is an error naming the file.

use crate::error::{EngineError, Result};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// A compression format of input files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputCodec {
    /// gzip, `.gz`.
    Gzip,
    /// bzip2, `.bz2`.
    BZip2,
    /// Zstandard, `.zst` or `.zstd`.
    Zstd,
    /// xz (LZMA2), `.xz`.
    Xz,
    /// zlib-wrapped deflate, `.deflate`.
    Deflate,
}

impl InputCodec {
    /// The codec of `path` by its extension (case-insensitive), or `None` for a plain file.
    pub fn of(path: &Path) -> Option<InputCodec> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "gz" => Some(InputCodec::Gzip),
            "bz2" => Some(InputCodec::BZip2),
            "zst" | "zstd" => Some(InputCodec::Zstd),
            "xz" => Some(InputCodec::Xz),
            "deflate" => Some(InputCodec::Deflate),
            _ => None,
        }
    }

    /// A reader of the decompressed bytes of `input`. Read errors (corrupt or truncated
    /// data) come out of the reader's `read`.
    pub fn decoder<'a, R: Read + Send + 'a>(self, input: R) -> Box<dyn Read + Send + 'a> {
        let input = BufReader::with_capacity(1 << 16, input);
        match self {
            InputCodec::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(input)),
            InputCodec::BZip2 => Box::new(bzip2::bufread::MultiBzDecoder::new(input)),
            InputCodec::Zstd => match zstd::stream::read::Decoder::with_buffer(input) {
                Ok(d) => Box::new(d),
                // Only fails when zstd cannot allocate its context; report it on first read.
                Err(e) => Box::new(FailingReader(Some(e))),
            },
            InputCodec::Xz => Box::new(liblzma::bufread::XzDecoder::new_multi_decoder(input)),
            InputCodec::Deflate => Box::new(MultiZlib {
                decoder: Some(flate2::bufread::ZlibDecoder::new(input)),
            }),
        }
    }
}

/// Concatenated zlib streams, read one after another (flate2's `ZlibDecoder` stops after the
/// first and would silently drop the rest). Bytes after a stream that do not start a valid
/// one are a read error.
struct MultiZlib<R: BufRead> {
    decoder: Option<flate2::bufread::ZlibDecoder<R>>,
}

impl<R: BufRead> Read for MultiZlib<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let Some(decoder) = self.decoder.as_mut() else {
                return Ok(0);
            };
            let n = decoder.read(buf)?;
            if n > 0 {
                return Ok(n);
            }
            // The stream ended: go on with the next one if any bytes are left.
            let Some(mut rest) = self.decoder.take().map(|d| d.into_inner()) else {
                return Ok(0);
            };
            if rest.fill_buf()?.is_empty() {
                return Ok(0);
            }
            self.decoder = Some(flate2::bufread::ZlibDecoder::new(rest));
        }
    }
}

/// A reader whose first read fails with a stored error.
struct FailingReader(Option<std::io::Error>);

impl Read for FailingReader {
    fn read(&mut self, _buf: &mut [u8]) -> std::io::Result<usize> {
        match self.0.take() {
            Some(e) => Err(e),
            None => Ok(0),
        }
    }
}

/// Opens `path` for reading its contents: decompressed when its extension names a codec
/// ([`InputCodec::of`]), as is otherwise. An empty compressed file reads as empty.
pub fn open_decoded(path: &Path) -> Result<Box<dyn Read + Send>> {
    let file = File::open(path).map_err(|e| EngineError::io(path.display(), &e))?;
    let size = file
        .metadata()
        .map_err(|e| EngineError::io(path.display(), &e))?
        .len();
    Ok(decode_stream(path, Box::new(file), size))
}

/// The contents of `input`, the `size` stored bytes of a file named `path`: decompressed
/// when the name's extension names a codec, as they are otherwise. An empty compressed file
/// reads as empty.
pub fn decode_stream(path: &Path, input: Box<dyn Read + Send>, size: u64) -> Box<dyn Read + Send> {
    match InputCodec::of(path) {
        Some(_) if size == 0 => Box::new(std::io::empty()),
        Some(codec) => codec.decoder(input),
        None => input,
    }
}

/// The whole contents of `path`, decompressed when its extension names a codec. A corrupt or
/// truncated compressed file is an [`EngineError::Io`] naming the file.
pub fn read_decoded(path: &Path) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    open_decoded(path)?
        .read_to_end(&mut out)
        .map_err(|e| corrupt(path, &e))?;
    Ok(out)
}

/// The error of a failed read of `path`, saying which codec could not decode it.
pub fn corrupt(path: &Path, err: &std::io::Error) -> EngineError {
    match InputCodec::of(path) {
        Some(codec) => EngineError::Io {
            path: path.display().to_string(),
            message: format!("corrupt or truncated {codec:?} data: {err}"),
        },
        None => EngineError::io(path.display(), err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn codecs_by_extension() {
        let of = |p: &str| InputCodec::of(Path::new(p));
        assert_eq!(of("a/b.txt.gz"), Some(InputCodec::Gzip));
        assert_eq!(of("b.BZ2"), Some(InputCodec::BZip2));
        assert_eq!(of("c.zst"), Some(InputCodec::Zstd));
        assert_eq!(of("c.zstd"), Some(InputCodec::Zstd));
        assert_eq!(of("d.xz"), Some(InputCodec::Xz));
        assert_eq!(of("e.deflate"), Some(InputCodec::Deflate));
        assert_eq!(of("f.txt"), None);
        assert_eq!(of("gz"), None);
    }

    #[test]
    fn truncated_or_trailing_input_of_every_codec_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let text = b"one\ntwo\nthree\n".repeat(500);
        let encoded: Vec<(&str, Vec<u8>)> = vec![
            ("t.gz", {
                let mut e = flate2::write::GzEncoder::new(Vec::new(), Default::default());
                e.write_all(&text).unwrap();
                e.finish().unwrap()
            }),
            ("t.bz2", {
                let mut e = bzip2::write::BzEncoder::new(Vec::new(), Default::default());
                e.write_all(&text).unwrap();
                e.finish().unwrap()
            }),
            ("t.zst", zstd::encode_all(&text[..], 3).unwrap()),
            ("t.xz", {
                let mut e = liblzma::write::XzEncoder::new(Vec::new(), 6);
                e.write_all(&text).unwrap();
                e.finish().unwrap()
            }),
            ("t.deflate", {
                let mut e = flate2::write::ZlibEncoder::new(Vec::new(), Default::default());
                e.write_all(&text).unwrap();
                e.finish().unwrap()
            }),
        ];
        for (name, bytes) in encoded {
            let path = dir.path().join(name);
            std::fs::write(&path, &bytes).unwrap();
            assert_eq!(read_decoded(&path).unwrap(), text, "{name}");
            std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
            let err = read_decoded(&path).unwrap_err().to_string();
            assert!(
                err.contains(name) && err.contains("corrupt"),
                "{name}: {err}"
            );
        }
    }
}

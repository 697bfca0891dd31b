//! The files of a CSV or JSON read and their splits: the files a path names (a directory's
//! files below `key=value` folders, with those partition values), cut into byte ranges as
//! [`Context::text_file`](crate::Context::text_file) cuts them.

use super::modes::InputSplit;
use super::{DataFrameReader, Source};
use crate::error::Result;
use arrow::datatypes::DataType;
use datafusion::common::ScalarValue;
use datafusion::datasource::file_format::file_compression_type::FileCompressionType;
use ember_engine::EngineError;
use ember_engine::rdd::{InputCodec, decode_stream};
use ember_engine::store::{SourceFile, Stores, list_files, open_range};
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

/// The files to read.
pub(super) struct Inputs {
    /// What the reader's path layer found (for the user schema without partition columns).
    pub(super) source: Source,
    /// Each file with the values of its partition columns.
    pub(super) files: Vec<(SourceFile, Vec<String>)>,
    /// The partition columns.
    pub(super) partitions: Vec<(String, DataType)>,
    /// The codec the `compression` option names, for files whose names name none.
    pub(super) codec: Option<InputCodec>,
}

fn codec_of(c: FileCompressionType) -> Option<InputCodec> {
    match c {
        FileCompressionType::GZIP => Some(InputCodec::Gzip),
        FileCompressionType::BZIP2 => Some(InputCodec::BZip2),
        FileCompressionType::XZ => Some(InputCodec::Xz),
        FileCompressionType::ZSTD => Some(InputCodec::Zstd),
        _ => None,
    }
}

/// The files `path` names in a format whose files end with `ext`.
pub(super) fn list_inputs(reader: &DataFrameReader, path: &str, ext: &str) -> Result<Inputs> {
    let source = reader.source(path, ext)?;
    let stores = &reader.ctx.inner.stores;
    let codec = reader
        .get(&["compression", "codec"])
        .and_then(|_| codec_of(source.compression));
    let files = if source.ext.is_empty() {
        list_files(stores, path)?
            .into_iter()
            .map(|f| (f, Vec::new()))
            .collect()
    } else {
        // A directory: its files with the extension, below `key=value` folders only.
        let dir = source.paths[0].trim_end_matches('/');
        let listed = match list_files(stores, &format!("{dir}/**")) {
            Ok(files) => files,
            Err(EngineError::PathNotFound { .. }) => Vec::new(),
            Err(e) => return Err(e.into()),
        };
        listed
            .into_iter()
            .filter_map(|f| {
                let rel = f.path.strip_prefix(dir)?.trim_start_matches('/');
                let (folders, name) = rel.rsplit_once('/').unwrap_or(("", rel));
                if !name.ends_with(&source.ext) {
                    return None;
                }
                let values = folders
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .map(|folder| folder.split_once('=').map(|(_, v)| v.to_string()))
                    .collect::<Option<Vec<String>>>()?;
                (values.len() == source.partitions.len()).then_some((f, values))
            })
            .collect()
    };
    Ok(Inputs {
        partitions: source.partitions.clone(),
        source,
        files,
        codec,
    })
}

/// The splits of `inputs`: byte ranges of the plain files, a whole compressed file each.
pub(super) fn splits(reader: &DataFrameReader, inputs: &Inputs) -> Result<Vec<InputSplit>> {
    let ctx = &reader.ctx;
    let mut values = HashMap::new();
    for (f, vs) in &inputs.files {
        let scalars = vs
            .iter()
            .zip(&inputs.partitions)
            .map(|(v, (name, t))| {
                ScalarValue::try_from_string(v.clone(), t).map_err(|e| {
                    super::invalid(format!("partition value {name}={v} is not a {t}: {e}"))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        values.insert(f.path.clone(), Arc::new(scalars));
    }
    let files: Vec<SourceFile> = inputs.files.iter().map(|(f, _)| f.clone()).collect();
    let planned = ctx.reader_splits(&files);
    let mut out = Vec::with_capacity(planned.len());
    for mut split in planned {
        let forced = inputs
            .codec
            .filter(|_| InputCodec::of(Path::new(&split.path)).is_none());
        if forced.is_some() {
            // A file the option says is compressed is read whole, as one split.
            if split.start > 0 {
                continue;
            }
            split.len = split.file_size;
        }
        out.push(InputSplit {
            partition_values: Arc::clone(&values[&split.path]),
            codec: forced,
            split,
        });
    }
    Ok(out)
}

/// The bytes of `path` (`size` stored bytes) from `start`, expecting to stop near `end`;
/// decompressed whole when its name or `codec` names a codec.
pub(super) fn open_bytes(
    stores: &Stores,
    path: &str,
    size: u64,
    codec: Option<InputCodec>,
    start: u64,
    end: u64,
) -> ember_engine::Result<Box<dyn Read + Send>> {
    let named = InputCodec::of(Path::new(path));
    if named.is_none() && codec.is_none() {
        return open_range(stores, path, start, end, size);
    }
    let raw = open_range(stores, path, 0, size, size)?;
    Ok(match (named, codec) {
        (None, Some(c)) if size > 0 => c.decoder(raw),
        _ => decode_stream(Path::new(path), raw, size),
    })
}

/// The whole (decompressed) contents of a file, for schema inference.
pub(super) fn open_file(
    stores: &Stores,
    path: &str,
    size: u64,
    codec: Option<InputCodec>,
) -> Result<Box<dyn Read + Send>> {
    let codec = codec.filter(|_| InputCodec::of(Path::new(path)).is_none());
    Ok(open_bytes(stores, path, size, codec, 0, size)?)
}

//! What a [`DataFrameReader`](super::read::DataFrameReader) path names: files (a file, the
//! matches of a glob, a comma list) or a directory with `key=value` partition folders, local
//! or in a remote store; and the compression of its files.

use crate::error::Result;
use arrow::datatypes::DataType;
use datafusion::datasource::file_format::file_compression_type::FileCompressionType;
use ember_engine::EngineError;
use ember_engine::rdd::is_hidden_name;
use ember_engine::store::{Stores, head, list_files, list_tree, parse_remote};
use std::path::Path;

/// What a path names.
pub(super) enum Located {
    /// Files given one by one (a file, or the matches of a glob): read whatever their names.
    Files(Vec<String>),
    /// A directory (a local path, or a remote URL ending in `/`): the files below it with the
    /// format's extension, with `key=value` partition directories.
    Dir(String),
}

/// The partition columns found below a directory, and the compression its files use.
pub(super) struct DirLayout {
    pub(super) partitions: Vec<(String, DataType)>,
    pub(super) compression: Option<FileCompressionType>,
}

/// An invalid-argument error of the reader.
pub(super) fn invalid(message: impl Into<String>) -> crate::Error {
    EngineError::invalid("DataFrameReader", message).into()
}

/// The compression a `compression` option names.
pub(super) fn compression_named(name: &str) -> Result<FileCompressionType> {
    Ok(match name.to_ascii_lowercase().as_str() {
        "none" | "uncompressed" => FileCompressionType::UNCOMPRESSED,
        "gzip" | "gz" => FileCompressionType::GZIP,
        "bzip2" | "bz2" => FileCompressionType::BZIP2,
        "xz" => FileCompressionType::XZ,
        "zstd" | "zst" => FileCompressionType::ZSTD,
        other => {
            return Err(invalid(format!(
                "unsupported compression '{other}' (none, gzip, bzip2, xz or zstd)"
            )));
        }
    })
}

/// The compression of a file by its name's suffix.
pub(super) fn compression_of_name(name: &str) -> FileCompressionType {
    let suffixes = [
        (".gz", FileCompressionType::GZIP),
        (".bz2", FileCompressionType::BZIP2),
        (".xz", FileCompressionType::XZ),
        (".zst", FileCompressionType::ZSTD),
    ];
    suffixes
        .into_iter()
        .find(|(s, _)| name.ends_with(s))
        .map_or(FileCompressionType::UNCOMPRESSED, |(_, c)| c)
}

/// The file name suffix of a compression.
pub(super) fn compression_ext(c: FileCompressionType) -> &'static str {
    match c {
        FileCompressionType::GZIP => ".gz",
        FileCompressionType::BZIP2 => ".bz2",
        FileCompressionType::XZ => ".xz",
        FileCompressionType::ZSTD => ".zst",
        _ => "",
    }
}

/// Finds what `path` names; a path that matches nothing is an error naming it.
pub(super) fn locate(stores: &Stores, path: &str) -> Result<Located> {
    let globbed = |path: &str| -> Result<Located> {
        let files = list_files(stores, path).map_err(|e| match e {
            EngineError::PathNotFound { .. } => EngineError::PathNotFound {
                path: path.to_string(),
            },
            other => other,
        })?;
        Ok(Located::Files(files.into_iter().map(|f| f.path).collect()))
    };
    if path.contains(['*', '?', '[', '{', ',']) {
        return globbed(path);
    }
    if let Some(remote) = parse_remote(path)? {
        if let Some(file) = head(stores, &remote)? {
            return Ok(Located::Files(vec![file.path]));
        }
        if list_tree(stores, &remote)?.is_empty() {
            return Err(EngineError::PathNotFound {
                path: path.to_string(),
            }
            .into());
        }
        let dir = remote.url();
        return Ok(Located::Dir(if dir.ends_with('/') {
            dir
        } else {
            format!("{dir}/")
        }));
    }
    let local = path.strip_prefix("file://").unwrap_or(path);
    let p = Path::new(local);
    if p.is_dir() {
        Ok(Located::Dir(local.to_string()))
    } else if p.exists() {
        Ok(Located::Files(vec![local.to_string()]))
    } else {
        Err(EngineError::PathNotFound {
            path: path.to_string(),
        }
        .into())
    }
}

/// The type of a partition column whose directory values are `values`.
fn partition_type<'a>(values: impl Iterator<Item = &'a str> + Clone) -> DataType {
    if values.clone().all(|v| v.parse::<i64>().is_ok()) {
        DataType::Int64
    } else if values.clone().all(|v| v.parse::<f64>().is_ok()) {
        DataType::Float64
    } else {
        DataType::Utf8
    }
}

/// A file below a directory: the `key=value` folders above it, its name, and its full path.
type Below = (Vec<(String, String)>, String, String);

/// The visible files below a local directory, walking only `key=value` subdirectories
/// (DataFusion reads no others).
fn local_tree(dir: &Path) -> Result<Vec<Below>> {
    let mut out = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), Vec::<(String, String)>::new())];
    while let Some((d, parts)) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| EngineError::io(d.display(), &e))?;
        for entry in entries {
            let entry = entry.map_err(|e| EngineError::io(d.display(), &e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if is_hidden_name(&name) {
                continue;
            }
            let path = entry.path();
            if path.is_dir() {
                if let Some((k, v)) = name.split_once('=') {
                    let mut p = parts.clone();
                    p.push((k.to_string(), v.to_string()));
                    stack.push((path, p));
                }
                continue;
            }
            out.push((parts.clone(), name, path.display().to_string()));
        }
    }
    Ok(out)
}

/// The visible objects below a remote "directory" whose folders are all `key=value`.
fn remote_tree(stores: &Stores, dir: &str) -> Result<Vec<Below>> {
    let remote = parse_remote(dir)?.expect("a remote directory");
    let prefix = dir.trim_end_matches('/').to_string() + "/";
    let mut out = Vec::new();
    'files: for f in list_tree(stores, &remote)? {
        let Some(rel) = f.path.strip_prefix(&prefix) else {
            continue;
        };
        let segments: Vec<&str> = rel.split('/').collect();
        let (name, folders) = segments.split_last().expect("split gives one piece");
        if segments.iter().any(|s| is_hidden_name(s)) {
            continue;
        }
        let mut parts = Vec::new();
        for folder in folders {
            match folder.split_once('=') {
                Some((k, v)) => parts.push((k.to_string(), v.to_string())),
                None => continue 'files,
            }
        }
        out.push((parts, name.to_string(), f.path.clone()));
    }
    Ok(out)
}

/// Walks `dir` for the visible files ending with `ext` (optionally compressed): the
/// `key=value` directories above them are partitions, which must have the same keys in the
/// same order for every file, as Spark requires.
pub(super) fn dir_layout(stores: &Stores, dir: &str, ext: &str) -> Result<DirLayout> {
    let files = if parse_remote(dir)?.is_some() {
        remote_tree(stores, dir)?
    } else {
        local_tree(Path::new(dir))?
    };
    let mut keys: Option<(Vec<String>, String)> = None;
    let mut values: Vec<Vec<String>> = Vec::new();
    let mut compression = None;
    for (parts, name, path) in files {
        let c = compression_of_name(&name);
        if !name.ends_with(&format!("{ext}{}", compression_ext(c))) {
            continue;
        }
        compression.get_or_insert(c);
        let file_keys: Vec<String> = parts.iter().map(|(k, _)| k.clone()).collect();
        match &keys {
            None => {
                values = vec![Vec::new(); file_keys.len()];
                keys = Some((file_keys, path.clone()));
            }
            Some((k, first)) if *k != file_keys => {
                return Err(invalid(format!(
                    "conflicting partition directories below {dir}: {first} and {path}"
                )));
            }
            Some(_) => {}
        }
        for (i, (_, v)) in parts.iter().enumerate() {
            values[i].push(v.clone());
        }
    }
    let partitions = keys
        .map(|(k, _)| k)
        .unwrap_or_default()
        .into_iter()
        .zip(&values)
        .map(|(k, vs)| (k, partition_type(vs.iter().map(String::as_str))))
        .collect();
    Ok(DirLayout {
        partitions,
        compression,
    })
}

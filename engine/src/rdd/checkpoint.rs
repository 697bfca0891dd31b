//! Reliable checkpoints: each partition of a checkpointed RDD written as an Arrow IPC file under
//! `<checkpoint dir>/rdd-<id>/part-NNNNN.arrow`; once written, the RDD reads them and its lineage
//! is cut.

use super::{BatchIter, decode_batches};
use crate::data::{Data, to_batches};
use crate::error::{EngineError, Result};
use crate::ids::RddId;
use crate::ipc::{read_stream, write_stream};
use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};

fn part_path(dir: &Path, rdd: RddId, split: usize) -> PathBuf {
    dir.join(format!("rdd-{}", rdd.0))
        .join(format!("part-{split:05}.arrow"))
}

/// Writes one partition of `rdd` into the checkpoint directory `dir`.
pub fn write_checkpoint_partition<T: Data>(
    dir: &Path,
    rdd: RddId,
    split: usize,
    items: &[T],
) -> Result<()> {
    let path = part_path(dir, rdd, split);
    let parent = path.parent().expect("part path has a parent");
    std::fs::create_dir_all(parent).map_err(|e| EngineError::io(parent.display(), &e))?;
    // Write to a temporary name and rename, so a failed attempt leaves no partial file.
    let tmp = path.with_extension("arrow.tmp");
    let file = File::create(&tmp).map_err(|e| EngineError::io(tmp.display(), &e))?;
    write_stream(
        BufWriter::new(file),
        &to_batches(items)?,
        &path.display().to_string(),
    )?;
    std::fs::rename(&tmp, &path).map_err(|e| EngineError::io(path.display(), &e))
}

/// Reads one checkpointed partition.
pub fn read_checkpoint<T: Data>(dir: &Path, rdd: RddId, split: usize) -> Result<BatchIter<T>> {
    let path = part_path(dir, rdd, split);
    let file = File::open(&path).map_err(|e| EngineError::io(path.display(), &e))?;
    let batches = read_stream(BufReader::new(file), &path.display().to_string())?;
    Ok(decode_batches(batches))
}

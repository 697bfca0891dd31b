//! Arrow IPC stream encoding of record batches: the byte form of shuffle blocks, spilled cache
//! blocks and checkpoint files.

use crate::error::{EngineError, Result};
use arrow::ipc::reader::StreamReader;
use arrow::ipc::writer::StreamWriter;
use arrow::record_batch::RecordBatch;
use std::io::{Read, Write};

/// Writes `batches` as one Arrow IPC stream into `out`. `what` names the destination in errors.
pub fn write_stream<W: Write>(out: W, batches: &[RecordBatch], what: &str) -> Result<()> {
    let Some(first) = batches.first() else {
        return Err(EngineError::Storage {
            block: what.to_string(),
            message: "no record batch to write".to_string(),
        });
    };
    let err = |e: arrow::error::ArrowError| EngineError::Storage {
        block: what.to_string(),
        message: e.to_string(),
    };
    let mut writer = StreamWriter::try_new(out, &first.schema()).map_err(err)?;
    for b in batches {
        writer.write(b).map_err(err)?;
    }
    writer.finish().map_err(err)
}

/// Encodes `batches` into an in-memory Arrow IPC stream.
pub fn encode(batches: &[RecordBatch], what: &str) -> Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(batches.iter().map(|b| b.get_array_memory_size()).sum());
    write_stream(&mut buf, batches, what)?;
    Ok(buf)
}

/// Reads every batch of an Arrow IPC stream.
pub fn read_stream<R: Read>(input: R, what: &str) -> Result<Vec<RecordBatch>> {
    let err = |e: arrow::error::ArrowError| EngineError::Storage {
        block: what.to_string(),
        message: e.to_string(),
    };
    let reader = StreamReader::try_new(input, None).map_err(err)?;
    reader.map(|b| b.map_err(err)).collect()
}

/// Decodes an in-memory Arrow IPC stream.
pub fn decode(bytes: &[u8], what: &str) -> Result<Vec<RecordBatch>> {
    read_stream(std::io::Cursor::new(bytes), what)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{from_batch, to_batch};

    #[test]
    fn round_trip_and_empty_input_is_an_error() {
        let b = to_batch(&[("x".to_string(), 1i64)]).unwrap();
        let bytes = encode(&[b.clone(), b], "test").unwrap();
        let back = decode(&bytes, "test").unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(
            from_batch::<(String, i64)>(&back[1]).unwrap(),
            vec![("x".to_string(), 1)]
        );
        assert!(encode(&[], "empty").is_err());
        let bad = decode(b"not arrow", "junk").unwrap_err();
        assert!(bad.to_string().contains("junk"), "{bad}");
    }
}

//! `ember.sql` under the hood: DataFusion expressions, DataFrames and the session, as thin
//! Python classes. Column semantics, Spark's names and the functions library live in
//! `ember/sql/*.py`; values cross the boundary as Arrow IPC streams (tables, schemas, literals),
//! so this layer never converts Python objects one by one.

mod expr;
mod frame;
mod session;
mod udf;

use arrow::datatypes::SchemaRef;
use arrow::ipc::reader::StreamReader;
use arrow::ipc::writer::StreamWriter;
use arrow::record_batch::RecordBatch;
use datafusion::error::DataFusionError;
use pyo3::exceptions::{PyException, PyRuntimeError, PyValueError};
use pyo3::prelude::*;

pyo3::create_exception!(
    _ember,
    AnalysisException,
    PyException,
    "A query that cannot be analysed: an unknown column, table or function, or mismatched types."
);
pyo3::create_exception!(
    _ember,
    ParseException,
    PyException,
    "SQL text that does not parse; the message shows where."
);

/// Adds the SQL classes and exceptions to the extension module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<expr::NativeExpr>()?;
    m.add_class::<frame::NativeDataFrame>()?;
    m.add_class::<session::NativeSession>()?;
    m.add("AnalysisException", m.py().get_type::<AnalysisException>())?;
    m.add("ParseException", m.py().get_type::<ParseException>())?;
    Ok(())
}

/// DataFusion's error as pyspark's kind of exception: parse errors `ParseException`, planning
/// and schema errors `AnalysisException`, the rest `RuntimeError`.
pub(crate) fn df_error(err: DataFusionError) -> PyErr {
    match err.find_root() {
        DataFusionError::SQL(..) => ParseException::new_err(err.to_string()),
        DataFusionError::Plan(_)
        | DataFusionError::SchemaError(..)
        | DataFusionError::NotImplemented(_) => AnalysisException::new_err(err.to_string()),
        _ => PyRuntimeError::new_err(err.to_string()),
    }
}

/// An Ember error from running a query: DataFusion's planning errors keep their kind.
pub(crate) fn ember_error(err: ember::Error) -> PyErr {
    if let Some(ember::EngineError::Query { message }) = err.engine_error() {
        if message.starts_with("SQL error") {
            return ParseException::new_err(message.clone());
        }
        if message.starts_with("Error during planning")
            || message.starts_with("Schema error")
            || message.starts_with("This feature is not implemented")
        {
            return AnalysisException::new_err(message.clone());
        }
    }
    crate::to_py_err(err)
}

/// Record batches as one Arrow IPC stream (the schema, then the batches).
pub(crate) fn to_ipc(schema: &SchemaRef, batches: &[RecordBatch]) -> PyResult<Vec<u8>> {
    let mut out = Vec::new();
    let mut w = StreamWriter::try_new(&mut out, schema).map_err(arrow_error)?;
    for b in batches {
        w.write(b).map_err(arrow_error)?;
    }
    w.finish().map_err(arrow_error)?;
    drop(w);
    Ok(out)
}

/// An Arrow IPC stream's schema and batches.
pub(crate) fn from_ipc(bytes: &[u8]) -> PyResult<(SchemaRef, Vec<RecordBatch>)> {
    let reader = StreamReader::try_new(bytes, None).map_err(arrow_error)?;
    let schema = reader.schema();
    let batches = reader.collect::<Result<Vec<_>, _>>().map_err(arrow_error)?;
    Ok((schema, batches))
}

fn arrow_error(e: arrow::error::ArrowError) -> PyErr {
    PyValueError::new_err(format!("Arrow IPC data: {e}"))
}

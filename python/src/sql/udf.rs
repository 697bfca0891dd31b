//! Python user-defined functions as DataFusion scalar functions. DataFusion calls
//! `invoke_with_args` with a batch of argument columns; the batch goes to a worker process of
//! the context's pool as Arrow IPC, and the worker's result column comes back the same way.
//! Python code never runs in the driver (or on its GIL).

use super::from_ipc;
use crate::worker::{WorkerPool, run_udf};
use arrow::array::RecordBatchOptions;
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, TypeSignature, Volatility,
};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// A cloudpickled Python function (with its kind and return type, see `ember/sql/udf.py`),
/// evaluated batch by batch in worker processes.
pub(crate) struct PythonUdf {
    name: String,
    command: Arc<Vec<u8>>,
    returns: DataType,
    signature: Signature,
    pool: Arc<WorkerPool>,
}

impl PythonUdf {
    pub(crate) fn new(
        name: &str,
        command: Vec<u8>,
        returns: DataType,
        pool: &Arc<WorkerPool>,
    ) -> Self {
        PythonUdf {
            name: name.to_string(),
            command: Arc::new(command),
            returns,
            signature: Signature::one_of(
                vec![TypeSignature::Nullary, TypeSignature::VariadicAny],
                Volatility::Volatile,
            ),
            pool: Arc::clone(pool),
        }
    }
}

impl fmt::Debug for PythonUdf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PythonUdf({} -> {})", self.name, self.returns)
    }
}

impl PartialEq for PythonUdf {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.command == other.command && self.returns == other.returns
    }
}

impl Eq for PythonUdf {}

impl Hash for PythonUdf {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
        self.command.hash(state);
    }
}

fn external(message: String) -> DataFusionError {
    DataFusionError::Execution(message)
}

impl ScalarUDFImpl for PythonUdf {
    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(self.returns.clone())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let fields: Vec<Field> = arrays
            .iter()
            .enumerate()
            .map(|(i, a)| Field::new(format!("_{i}"), a.data_type().clone(), true))
            .collect();
        let batch = RecordBatch::try_new_with_options(
            Arc::new(Schema::new(fields)),
            arrays,
            &RecordBatchOptions::new().with_row_count(Some(rows)),
        )?;
        let ipc = super::to_ipc(&batch.schema(), &[batch])
            .map_err(|e| external(format!("Python UDF {}: {e}", self.name)))?;
        let out = run_udf(&self.pool, &self.command, &ipc);
        let (_, batches) =
            from_ipc(&out).map_err(|e| external(format!("Python UDF {}: {e}", self.name)))?;
        let column = match batches.as_slice() {
            [b] if b.num_columns() == 1 => Arc::clone(b.column(0)),
            _ => {
                return Err(external(format!(
                    "Python UDF {} returned no result column",
                    self.name
                )));
            }
        };
        if column.len() != rows {
            return Err(external(format!(
                "Python UDF {} returned {} values for {rows} rows",
                self.name,
                column.len()
            )));
        }
        if column.data_type() != &self.returns {
            let cast = arrow::compute::cast(&column, &self.returns)?;
            return Ok(ColumnarValue::Array(cast));
        }
        Ok(ColumnarValue::Array(column))
    }
}

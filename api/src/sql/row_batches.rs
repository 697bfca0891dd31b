//! [`Row`]s back to Arrow: what `Rdd<Row>::to_df` uses, so `df.rdd()` ... `.to_df()` round-trips.

use super::rows::{Row, Value};
use super::run::df_err;
use crate::error::Result;
use arrow::array::{ArrayRef, NullArray, RecordBatch};
use arrow::datatypes::{DataType, Field, Schema};
use datafusion::common::ScalarValue;
use datafusion::error::DataFusionError;
use std::sync::Arc;

/// `v` as a DataFusion scalar (`None` for `NULL`). Lists become Arrow lists of their items'
/// type; maps and structs are not supported and name `column`.
fn scalar(v: &Value, column: &str) -> Result<Option<ScalarValue>> {
    Ok(Some(match v {
        Value::Null => return Ok(None),
        Value::Bool(b) => ScalarValue::Boolean(Some(*b)),
        Value::Int(i) => ScalarValue::Int64(Some(*i)),
        Value::Float(f) => ScalarValue::Float64(Some(*f)),
        Value::Str(s) => ScalarValue::Utf8(Some(s.clone())),
        Value::Binary(b) => ScalarValue::Binary(Some(b.clone())),
        Value::Date(d) => ScalarValue::Date32(Some(*d)),
        Value::Timestamp(t) => ScalarValue::TimestampMicrosecond(Some(*t), None),
        Value::Decimal { unscaled, scale } => ScalarValue::Decimal128(Some(*unscaled), 38, *scale),
        Value::List(items) => {
            let scalars = column_scalars(items.iter(), column)?;
            let dtype = scalars.1;
            let values: Vec<ScalarValue> = scalars
                .0
                .into_iter()
                .map(|s| s.map_or_else(|| ScalarValue::try_from(&dtype), Ok))
                .collect::<std::result::Result<_, _>>()
                .map_err(df_err)?;
            ScalarValue::List(ScalarValue::new_list_nullable(&values, &dtype))
        }
        Value::Map(_) | Value::Struct(_) => {
            return Err(df_err(DataFusionError::NotImplemented(format!(
                "to_df of rows: column {column} holds a map or struct value, which cannot be \
                 converted back to Arrow yet"
            ))));
        }
    }))
}

/// The scalars of one column and the column's type (that of its first non-null value).
fn column_scalars<'a>(
    values: impl Iterator<Item = &'a Value>,
    column: &str,
) -> Result<(Vec<Option<ScalarValue>>, DataType)> {
    let scalars = values
        .map(|v| scalar(v, column))
        .collect::<Result<Vec<_>>>()?;
    let dtype = scalars
        .iter()
        .flatten()
        .next()
        .map_or(DataType::Null, ScalarValue::data_type);
    Ok((scalars, dtype))
}

/// One batch of `rows`, columns named by the first row's field names (`_1`, `_2`, ... when
/// rows carry no names) and typed by each column's first non-null value.
pub(crate) fn rows_to_batch(rows: &[Row]) -> Result<RecordBatch> {
    let Some(first) = rows.first() else {
        return Ok(RecordBatch::new_empty(Arc::new(Schema::empty())));
    };
    let width = first.len();
    let mut fields = Vec::with_capacity(width);
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(width);
    for i in 0..width {
        let name = first
            .field_names()
            .get(i)
            .cloned()
            .unwrap_or_else(|| format!("_{}", i + 1));
        let (scalars, dtype) =
            column_scalars(rows.iter().map(|r| r.get(i).unwrap_or(&Value::Null)), &name)?;
        let array: ArrayRef = if dtype == DataType::Null {
            Arc::new(NullArray::new(rows.len()))
        } else {
            let typed = scalars
                .into_iter()
                .map(|s| s.map_or_else(|| ScalarValue::try_from(&dtype), Ok))
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(df_err)?;
            ScalarValue::iter_to_array(typed).map_err(|e| {
                df_err(DataFusionError::Plan(format!(
                    "to_df of rows: column {name} mixes value types: {e}"
                )))
            })?
        };
        fields.push(Field::new(name, dtype, true));
        columns.push(array);
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).map_err(|e| df_err(e.into()))
}

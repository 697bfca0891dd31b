//! `CREATE EXTERNAL TABLE .. STORED AS CSV|JSON .. OPTIONS ('mode' '..')`: Spark's read modes
//! for malformed records in SQL. DataFusion's own CSV and JSON tables know no modes, so a
//! table whose options name one is read by Ember's
//! [`DataFrameReader`](super::read::DataFrameReader) instead and registered as a view.

use crate::context::Context;
use crate::error::Result;
use arrow::datatypes::{DataType, Field, Schema};
use datafusion::logical_expr::CreateExternalTable;
use ember_engine::EngineError;
use std::sync::Arc;

/// The reader option an option of `CREATE EXTERNAL TABLE` stands for (keys as DataFusion
/// passes them, with or without `format.`).
fn reader_option(key: &str) -> Option<&'static str> {
    let key = key.strip_prefix("format.").unwrap_or(key);
    Some(match key.to_ascii_lowercase().as_str() {
        "mode" => "mode",
        "columnnameofcorruptrecord" => "columnNameOfCorruptRecord",
        "has_header" | "header" => "header",
        "delimiter" | "sep" => "delimiter",
        "quote" => "quote",
        "escape" => "escape",
        "comment" => "comment",
        "compression" => "compression",
        _ => return None,
    })
}

/// Creates the table `cmd` describes through Ember's reader when it is CSV or JSON and names a
/// read mode; `false` when it does not, for DataFusion to create it.
pub(super) fn create_with_mode(ctx: &Context, cmd: &CreateExternalTable) -> Result<bool> {
    let format = cmd.file_type.to_ascii_lowercase();
    let names_mode = cmd
        .options
        .keys()
        .any(|k| matches!(reader_option(k), Some("mode" | "columnNameOfCorruptRecord")));
    if !names_mode || !matches!(format.as_str(), "csv" | "json") {
        return Ok(false);
    }
    let invalid = |message: String| EngineError::invalid("CREATE EXTERNAL TABLE", message);
    let session = ctx.session();
    let name = cmd.name.clone();
    let exists = session
        .table_exist(name.clone())
        .map_err(super::run::df_err)?;
    if exists && cmd.if_not_exists {
        return Ok(true);
    }
    if exists && !cmd.or_replace {
        return Err(invalid(format!("table '{name}' already exists")).into());
    }
    let mut reader = ctx.read().format(&format);
    for (key, value) in &cmd.options {
        let option = reader_option(key).ok_or_else(|| {
            invalid(format!(
                "option '{key}' cannot be used with a read mode (mode, \
                 columnNameOfCorruptRecord, has_header, delimiter, quote, escape, comment, \
                 compression)"
            ))
        })?;
        reader = reader.option(option, value);
    }
    let declared = cmd.schema.fields();
    if declared.is_empty() {
        // Without declared columns, DataFusion infers CSV types; so does this reader.
        reader = reader.option("inferSchema", true);
    } else {
        // SQL's VARCHAR is a string view in DataFusion; the reader builds plain strings.
        let fields: Vec<Field> = declared
            .iter()
            .map(|f| match f.data_type() {
                DataType::Utf8View => f.as_ref().clone().with_data_type(DataType::Utf8),
                _ => f.as_ref().clone(),
            })
            .collect();
        reader = reader.schema(Arc::new(Schema::new(fields)));
    }
    let df = reader.load(&cmd.locations.join(","))?;
    if exists {
        session
            .deregister_table(name.clone())
            .map_err(super::run::df_err)?;
    }
    session
        .register_table(name, df.inner().clone().into_view())
        .map_err(super::run::df_err)?;
    Ok(true)
}

//! What the session's catalog holds, for `\d`, `\d NAME` and completion.

use super::error::CliError;
use datafusion::arrow::array::{ArrayRef, StringArray};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::catalog::TableProvider;
use datafusion::common::TableReference;
use datafusion::logical_expr::TableType;
use datafusion::prelude::SessionContext;
use futures::executor::block_on;
use std::sync::Arc;

/// One table or view of the catalog.
pub struct TableEntry {
    /// The schema it is in, prefixed by its catalog when that is not the default one.
    pub schema: String,
    /// The name as SQL refers to it from the default schema (qualified and quoted as needed).
    pub name: String,
    /// The table itself.
    pub provider: Arc<dyn TableProvider>,
}

/// `ident` as SQL must write it: quoted unless it is a plain lowercase identifier.
pub fn quote_ident(ident: &str) -> String {
    let plain = ident
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && ident
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if plain {
        ident.to_string()
    } else {
        format!("\"{}\"", ident.replace('"', "\"\""))
    }
}

/// Every table and view of every catalog (the `information_schema` aside), sorted by schema
/// then name.
pub fn tables(session: &SessionContext) -> Vec<TableEntry> {
    let options = session.copied_config().options().catalog.clone();
    let mut entries = Vec::new();
    let mut catalogs = session.catalog_names();
    catalogs.sort();
    for catalog_name in catalogs {
        let Some(catalog) = session.catalog(&catalog_name) else {
            continue;
        };
        let mut schemas = catalog.schema_names();
        schemas.sort();
        for schema_name in schemas {
            if schema_name == "information_schema" {
                continue;
            }
            let Some(schema) = catalog.schema(&schema_name) else {
                continue;
            };
            let default_catalog = catalog_name == options.default_catalog;
            let prefix = match (default_catalog, schema_name == options.default_schema) {
                (true, true) => String::new(),
                (true, false) => format!("{}.", quote_ident(&schema_name)),
                (false, _) => format!(
                    "{}.{}.",
                    quote_ident(&catalog_name),
                    quote_ident(&schema_name)
                ),
            };
            let shown_schema = if default_catalog {
                schema_name.clone()
            } else {
                format!("{catalog_name}.{schema_name}")
            };
            let mut names = schema.table_names();
            names.sort();
            for table in names {
                // A table dropped between listing and lookup is simply skipped.
                if let Ok(Some(provider)) = block_on(schema.table(&table)) {
                    entries.push(TableEntry {
                        schema: shown_schema.clone(),
                        name: format!("{prefix}{}", quote_ident(&table)),
                        provider,
                    });
                }
            }
        }
    }
    entries
}

fn strings(values: Vec<String>) -> ArrayRef {
    Arc::new(StringArray::from(values))
}

/// The `\d` listing: one row per table, with columns `schema`, `name` and `type`.
pub fn list_tables(session: &SessionContext) -> Result<RecordBatch, CliError> {
    let entries = tables(session);
    let kind = |e: &TableEntry| match e.provider.table_type() {
        TableType::Base => "table",
        TableType::View => "view",
        TableType::Temporary => "temporary",
    };
    Ok(RecordBatch::try_from_iter(vec![
        (
            "schema",
            strings(entries.iter().map(|e| e.schema.clone()).collect()),
        ),
        (
            "name",
            strings(entries.iter().map(|e| e.name.clone()).collect()),
        ),
        (
            "type",
            strings(entries.iter().map(|e| kind(e).to_string()).collect()),
        ),
    ])?)
}

/// The schema of the table or view `name` (`t`, `public.t`, `"MixedCase"`).
pub fn table_schema(session: &SessionContext, name: &str) -> Result<SchemaRef, CliError> {
    let reference = TableReference::from(name);
    let lookup_failed = |e: datafusion::error::DataFusionError| CliError::Catalog {
        name: name.to_string(),
        message: e.to_string(),
    };
    if !session
        .table_exist(reference.clone())
        .map_err(lookup_failed)?
    {
        return Err(CliError::UnknownTable {
            name: name.to_string(),
        });
    }
    let provider = block_on(session.table_provider(reference)).map_err(lookup_failed)?;
    Ok(provider.schema())
}

/// The `\d NAME` listing: one row per column, with columns `column`, `type` and `nullable`.
pub fn describe(session: &SessionContext, name: &str) -> Result<RecordBatch, CliError> {
    let schema = table_schema(session, name)?;
    let fields = schema.fields();
    let yes_no = |b: bool| if b { "YES" } else { "NO" }.to_string();
    Ok(RecordBatch::try_from_iter(vec![
        (
            "column",
            strings(fields.iter().map(|f| f.name().clone()).collect()),
        ),
        (
            "type",
            strings(fields.iter().map(|f| f.data_type().to_string()).collect()),
        ),
        (
            "nullable",
            strings(fields.iter().map(|f| yes_no(f.is_nullable())).collect()),
        ),
    ])?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::Int64Array;
    use datafusion::datasource::MemTable;

    fn session() -> SessionContext {
        let session = SessionContext::new();
        let batch = RecordBatch::try_from_iter(vec![(
            "Id",
            Arc::new(Int64Array::from(vec![1])) as ArrayRef,
        )])
        .expect("batch");
        let table = MemTable::try_new(batch.schema(), vec![vec![batch]]).expect("table");
        session
            .register_table("people", Arc::new(table))
            .expect("registered");
        session
    }

    #[test]
    fn lists_and_describes() {
        let s = session();
        let names: Vec<String> = tables(&s).into_iter().map(|e| e.name).collect();
        assert_eq!(names, vec!["people".to_string()]);
        let listing = list_tables(&s).expect("listing");
        assert_eq!(listing.num_rows(), 1);
        let described = describe(&s, "people").expect("described");
        assert_eq!(described.num_rows(), 1);
        assert!(matches!(
            describe(&s, "nobody"),
            Err(CliError::UnknownTable { .. })
        ));
    }

    #[test]
    fn quotes_identifiers_that_need_it() {
        assert_eq!(quote_ident("t_1"), "t_1");
        assert_eq!(quote_ident("Id"), "\"Id\"");
        assert_eq!(quote_ident("1x"), "\"1x\"");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }
}

//! The DataFusion session behind a [`Context`], and [`Context::sql`].

use super::dataframe::DataFrame;
use super::execution::execute_query;
use super::run::df_err;
use crate::context::Context;
use crate::error::Result;
use datafusion::catalog::MemTable;
use datafusion::execution::SessionStateBuilder;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::logical_expr::{DdlStatement, LogicalPlan};
use datafusion::physical_plan::ExecutionPlanProperties;
use datafusion::prelude::{
    CsvReadOptions, JsonReadOptions, ParquetReadOptions, SessionConfig, SessionContext,
};
use ember_engine::sql::runtime::block_on;
use ember_engine::store::{PART_BYTES, Stores};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Builds the DataFusion session of a context: `target_partitions` is the context's default
/// parallelism (one task per partition), `ember.sql.memoryLimit` (bytes, `2g`...) caps the
/// memory of sorts, joins and aggregations (they spill beyond it), queries may name files
/// directly (`SELECT * FROM 'data/*.parquet'`), remote paths go through the context's
/// [`Stores`], and `information_schema` is on (`SHOW TABLES`).
pub(crate) fn new_session(
    ctx_conf: &crate::Conf,
    parallelism: usize,
    stores: &Arc<Stores>,
) -> Result<SessionContext> {
    let mut config = SessionConfig::new()
        .with_target_partitions(parallelism.max(1))
        .with_information_schema(true);
    // Sinks (DataFrame writes, COPY) upload files over 5 MiB in parts of that size (S3's
    // minimum) while they write.
    config
        .options_mut()
        .execution
        .objectstore_writer_buffer_size = PART_BYTES;
    // Every partition of a scan reads its own files or byte ranges, never a sibling's: a task
    // runs one partition, possibly alone in its process (cluster mode) or again after its
    // output was lost, and recomputing it from lineage must give the same rows.
    config
        .options_mut()
        .execution
        .enable_file_stream_work_stealing = false;
    // A hash join's dynamic filter waits until every partition of the join has built its side,
    // which only works when all of them run at once in this process: with more partitions than
    // task slots, or one partition per executor, the probe side would wait forever.
    config
        .options_mut()
        .optimizer
        .enable_join_dynamic_filter_pushdown = false;
    // A join that collects its (small) left side once per process and shares it between its
    // partitions (CollectLeft) emits the left rows of outer, semi and anti joins only when the
    // process's last partition ends; with partitions spread over executors, none is the last.
    // Cluster jobs therefore partition both sides of every hash join.
    let cluster = !matches!(
        crate::conf::Master::parse(ctx_conf.get_master()),
        Ok(crate::conf::Master::Local { .. })
    );
    if cluster {
        let optimizer = &mut config.options_mut().optimizer;
        optimizer.hash_join_single_partition_threshold = 0;
        optimizer.hash_join_single_partition_threshold_rows = 0;
    }
    let mut runtime = RuntimeEnvBuilder::new().with_object_store_registry(Arc::clone(stores) as _);
    if ctx_conf.get("ember.sql.memoryLimit").is_some() {
        let limit = ctx_conf.get_bytes("ember.sql.memoryLimit", 0)?;
        runtime = runtime.with_memory_limit(limit as usize, 1.0);
    }
    let state = SessionStateBuilder::new()
        .with_config(config)
        .with_runtime_env(runtime.build_arc().map_err(df_err)?)
        .with_default_features()
        .build();
    let session = SessionContext::new_with_state(state).enable_url_table();
    super::spark::register(&session);
    Ok(session)
}

/// Numbers the tables registered for Spark's ``format.`path` `` form.
static PATH_TABLES: AtomicU64 = AtomicU64::new(0);

impl Context {
    /// DataFusion's session: its catalog (tables, views, their schemas), settings and
    /// functions. Tables registered here are visible to [`Context::sql`].
    pub fn session(&self) -> &SessionContext {
        &self.inner.sql
    }

    /// Plans one SQL statement. DDL (`CREATE EXTERNAL TABLE`, `CREATE VIEW`,
    /// `CREATE TABLE .. AS`, `DROP`, `SET`) runs at once; a query returns a lazy [`DataFrame`]
    /// that runs as an Ember job when an action (`collect`, `show`, `count`) is called.
    ///
    /// Files can be queried directly, by a path, glob or directory in quotes
    /// (`SELECT * FROM 'data/*.parquet'`) or in Spark's form (``parquet.`data/` ``).
    /// `EXPLAIN` shows the plan cut into Ember's stages; `EXPLAIN ANALYZE` runs it and shows
    /// each stage's metrics.
    ///
    /// ```
    /// let ctx = ember::Context::new(ember::Conf::new().master("local[2]"))?;
    /// let df = ctx.sql("SELECT x, x * 2 AS y FROM (VALUES (1), (2), (3)) AS t(x) WHERE x > 1")?;
    /// let rows = df.collect()?;
    /// assert_eq!(rows.iter().map(|b| b.num_rows()).sum::<usize>(), 2);
    /// # Ok::<(), ember::Error>(())
    /// ```
    pub fn sql(&self, query: &str) -> Result<DataFrame> {
        let (query, path_tables) = self.register_spark_paths(query)?;
        let session = self.session();
        let planned = block_on(session.state().create_logical_plan(&query));
        // The plan holds the tables it scans; their catalog names are not needed any more.
        self.deregister(&path_tables);
        let plan = planned.map_err(|e| missing_path(&e).unwrap_or_else(|| df_err(e)))?;
        match plan {
            LogicalPlan::Explain(e) => super::explain::explain(self, &e),
            LogicalPlan::Analyze(a) => super::explain::analyze(self, &a, &query),
            LogicalPlan::Ddl(DdlStatement::CreateMemoryTable(cmd)) => {
                self.create_table_as(&cmd, &query)?;
                DataFrame::ddl(self)
            }
            LogicalPlan::Ddl(DdlStatement::CreateExternalTable(cmd))
                if super::external::create_with_mode(self, &cmd)? =>
            {
                DataFrame::ddl(self)
            }
            plan => {
                let ddl = matches!(plan, LogicalPlan::Ddl(_) | LogicalPlan::Statement(_));
                let df = block_on(session.execute_logical_plan(plan)).map_err(df_err)?;
                Ok(if ddl {
                    DataFrame::ddl(self)?
                } else {
                    DataFrame::new(self.clone(), df).with_sql(&query)
                })
            }
        }
    }

    /// Cancels the running job, if any (Ctrl-C in the SQL shell): it fails with an error
    /// saying it was cancelled, and the context stays usable.
    pub fn cancel_all_jobs(&self) {
        self.inner.scheduler.cancel_all_jobs();
    }

    /// `CREATE [OR REPLACE] TABLE t AS SELECT ..`: runs the query as an Ember job and keeps
    /// the result in memory as table `t`; `sql` is the statement, for its SQL execution.
    fn create_table_as(
        &self,
        cmd: &datafusion::logical_expr::CreateMemoryTable,
        sql: &str,
    ) -> Result<()> {
        let session = self.session();
        let exists = session.table_exist(cmd.name.clone()).map_err(df_err)?;
        if exists && cmd.if_not_exists {
            return Ok(());
        }
        if exists && !cmd.or_replace {
            return Err(df_err(datafusion::error::DataFusionError::Plan(format!(
                "Table '{}' already exists",
                cmd.name
            ))));
        }
        let df = block_on(session.execute_logical_plan((*cmd.input).clone())).map_err(df_err)?;
        let schema = Arc::clone(df.schema().inner());
        let plan = block_on(df.create_physical_plan()).map_err(df_err)?;
        let partitions = plan.output_partitioning().partition_count();
        let batches = execute_query(self, plan, format!("CREATE TABLE {}", cmd.name), sql)?;
        let mut parts = vec![Vec::new(); partitions.max(1)];
        for (i, b) in batches.into_iter().enumerate() {
            parts[i % partitions.max(1)].push(b);
        }
        let table = MemTable::try_new(schema, parts).map_err(df_err)?;
        if exists {
            session.deregister_table(cmd.name.clone()).map_err(df_err)?;
        }
        session
            .register_table(cmd.name.clone(), Arc::new(table))
            .map_err(df_err)?;
        Ok(())
    }

    fn deregister(&self, tables: &[String]) {
        for t in tables {
            // Only names this context just registered; nothing else can have removed them.
            let _ = self.session().deregister_table(t.as_str());
        }
    }

    /// Replaces Spark's ``parquet.`path` `` (also `csv`, `json`) by a table registered for
    /// that path; returns the query and the names registered, for the caller to drop once the
    /// query is planned.
    fn register_spark_paths(&self, query: &str) -> Result<(String, Vec<String>)> {
        let mut names = Vec::new();
        let mut out = String::with_capacity(query.len());
        let mut rest = query;
        while let Some((before, format, path, after)) = next_spark_path(rest) {
            let name = format!(
                "__ember_path_{}",
                PATH_TABLES.fetch_add(1, Ordering::Relaxed)
            );
            let session = self.session();
            let registered = block_on(async {
                match format {
                    "parquet" => {
                        session
                            .register_parquet(&name, path, ParquetReadOptions::default())
                            .await
                    }
                    "csv" => {
                        session
                            .register_csv(&name, path, CsvReadOptions::default())
                            .await
                    }
                    _ => {
                        session
                            .register_json(&name, path, JsonReadOptions::default())
                            .await
                    }
                }
            });
            if let Err(e) = registered {
                self.deregister(&names);
                return Err(df_err(e));
            }
            out.push_str(before);
            out.push_str(&name);
            names.push(name);
            rest = after;
        }
        out.push_str(rest);
        Ok((out, names))
    }
}

/// DataFusion reports a quoted path that names no file as a table it did not find
/// (`table 'datafusion.public./x/a.csv' not found`); Ember says the path does not exist.
fn missing_path(e: &datafusion::error::DataFusionError) -> Option<crate::Error> {
    let message = e.to_string();
    let rest = message.split("table '").nth(1)?;
    let name = rest.split("' not found").next()?;
    let path = name
        .strip_prefix("datafusion.public.")
        .unwrap_or(name)
        .to_string();
    let looks_like_path = path.contains('/') || path.contains('\\') || path.contains('.');
    if looks_like_path && !std::path::Path::new(&path).exists() {
        Some(crate::Error::Engine(
            ember_engine::EngineError::PathNotFound { path },
        ))
    } else {
        None
    }
}

/// Finds the next ``fmt.`path` `` in `s` outside string literals: `(before, fmt, path, after)`.
fn next_spark_path(s: &str) -> Option<(&str, &'static str, &str, &str)> {
    let bytes = s.as_bytes();
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\'' {
            in_string = !in_string;
        } else if !in_string && b == b'`' {
            for fmt in ["parquet", "csv", "json"] {
                let Some(start) = i.checked_sub(fmt.len() + 1) else {
                    continue;
                };
                let word_start = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
                if word_start
                    && s[start..i - 1].eq_ignore_ascii_case(fmt)
                    && bytes[i - 1] == b'.'
                    && let Some(len) = s[i + 1..].find('`')
                {
                    let path = &s[i + 1..i + 1 + len];
                    return Some((&s[..start], fmt, path, &s[i + 2 + len..]));
                }
            }
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::next_spark_path;

    #[test]
    fn finds_spark_paths_outside_strings() {
        let q = "SELECT * FROM parquet.`data/x` WHERE s = 'csv.`no`'";
        let (before, fmt, path, after) = next_spark_path(q).unwrap();
        assert_eq!((before, fmt, path), ("SELECT * FROM ", "parquet", "data/x"));
        assert_eq!(after, " WHERE s = 'csv.`no`'");
        assert!(next_spark_path(after).is_none());
        assert!(next_spark_path("SELECT `a` FROM t").is_none());
    }
}

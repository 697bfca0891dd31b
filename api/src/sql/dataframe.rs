//! [`DataFrame`]: a lazy query over DataFusion's logical plan, run by Ember.

use super::execution::execute_query;
use super::run::df_err;
use crate::context::Context;
use crate::error::Result;
use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use datafusion::common::JoinType;
use datafusion::logical_expr::SortExpr;
use datafusion::prelude::{Expr, lit};
use ember_engine::sql::PlanRdd;
use ember_engine::sql::runtime::block_on;
use std::sync::Arc;

/// A lazy, immutable query (Spark's `DataFrame`): transformations build DataFusion's logical
/// plan; actions (`collect`, `count`, `show`) plan it physically and run it as an Ember job.
///
/// ```
/// use ember::sql::{col, lit};
/// let ctx = ember::Context::new(ember::Conf::new().master("local[2]"))?;
/// let df = ctx.sql("SELECT * FROM (VALUES ('a', 1), ('b', 2), ('a', 3)) AS t(k, v)")?;
/// let sums = df
///     .filter(col("v").gt(lit(0)))?
///     .group_by(vec![col("k")])
///     .agg(vec![datafusion::functions_aggregate::expr_fn::sum(col("v")).alias("total")])?
///     .order_by(vec![col("k").sort(true, false)])?;
/// assert_eq!(sums.count()?, 2);
/// # Ok::<(), ember::Error>(())
/// ```
#[derive(Clone)]
pub struct DataFrame {
    ctx: Context,
    df: datafusion::dataframe::DataFrame,
    ddl: bool,
    /// The persisted query this DataFrame reads, if `persist`/`cache` made it.
    cached: Option<Arc<PlanRdd>>,
    /// The SQL text it came from, for job descriptions (status API, progress bar).
    sql: Option<Arc<str>>,
}

/// `df.group_by(keys)`, waiting for its aggregates (Spark's `GroupedData`).
pub struct GroupedData {
    df: DataFrame,
    keys: Vec<Expr>,
}

impl GroupedData {
    /// One row per group with the aggregate expressions (`sum(col("x"))`, `count(..)`).
    pub fn agg(self, aggregates: Vec<Expr>) -> Result<DataFrame> {
        let keys = self.keys;
        self.df.map(|d| d.aggregate(keys, aggregates))
    }
}

impl DataFrame {
    pub(crate) fn new(ctx: Context, df: datafusion::dataframe::DataFrame) -> Self {
        DataFrame {
            ctx,
            df,
            ddl: false,
            cached: None,
            sql: None,
        }
    }

    pub(crate) fn with_sql(mut self, sql: &str) -> Self {
        self.sql = Some(Arc::from(sql));
        self
    }

    pub(crate) fn with_cached(mut self, rdd: Arc<PlanRdd>) -> Self {
        self.cached = Some(rdd);
        self
    }

    pub(crate) fn cached_rdd(&self) -> Option<&Arc<PlanRdd>> {
        self.cached.as_ref()
    }

    /// The result of a statement that returns no rows (DDL).
    pub(crate) fn ddl(ctx: &Context) -> Result<Self> {
        let empty = ctx.session().read_empty().map_err(df_err)?;
        Ok(DataFrame {
            ctx: ctx.clone(),
            df: empty,
            ddl: true,
            cached: None,
            sql: None,
        })
    }

    /// A DataFrame over DataFusion's `df`, run by `ctx`.
    pub fn from_datafusion(ctx: &Context, df: datafusion::dataframe::DataFrame) -> Self {
        DataFrame::new(ctx.clone(), df)
    }

    fn map(
        self,
        f: impl FnOnce(
            datafusion::dataframe::DataFrame,
        ) -> datafusion::error::Result<datafusion::dataframe::DataFrame>,
    ) -> Result<DataFrame> {
        Ok(DataFrame::new(self.ctx, f(self.df).map_err(df_err)?))
    }

    /// The context that runs it.
    pub fn context(&self) -> &Context {
        &self.ctx
    }

    /// DataFusion's DataFrame underneath (its logical plan and session state).
    pub fn inner(&self) -> &datafusion::dataframe::DataFrame {
        &self.df
    }

    /// True for a statement that produced no result set (DDL such as `CREATE`, `DROP`, `SET`).
    pub fn is_ddl(&self) -> bool {
        self.ddl
    }

    /// The output schema.
    pub fn schema(&self) -> SchemaRef {
        Arc::clone(self.df.schema().inner())
    }

    /// The SQL text it came from, if it came from [`Context::sql`].
    pub(crate) fn sql_text(&self) -> Option<&str> {
        self.sql.as_deref()
    }

    /// What its jobs are called (progress bar, status API): `sql: <text>` or
    /// `dataframe: <top of the plan>`.
    pub(crate) fn job_description(&self) -> String {
        match &self.sql {
            Some(sql) => format!("sql: {}", one_line(sql, 60)),
            None => describe(&self.df),
        }
    }

    /// `df`, an action's own query over this one, described by this one's SQL text.
    fn derived(&self, df: datafusion::dataframe::DataFrame) -> DataFrame {
        DataFrame {
            sql: self.sql.clone(),
            ..DataFrame::new(self.ctx.clone(), df)
        }
    }

    /// Runs the query as the SQL execution of `action` (described by the SQL text, else by
    /// the action) and returns its record batches.
    fn run_action(&self, action: &str) -> Result<Vec<RecordBatch>> {
        if self.ddl {
            return Ok(Vec::new());
        }
        let plan = block_on(self.df.clone().create_physical_plan()).map_err(df_err)?;
        let query = self.sql.as_deref().unwrap_or(action);
        execute_query(&self.ctx, plan, self.job_description(), query)
    }

    /// Runs the query and returns its record batches.
    pub fn collect(&self) -> Result<Vec<RecordBatch>> {
        self.run_action("collect")
    }

    /// Number of rows.
    pub fn count(&self) -> Result<usize> {
        let counted = self.df.clone().aggregate(
            vec![],
            vec![datafusion::functions_aggregate::expr_fn::count(lit(1)).alias("count")],
        );
        let batches = self.derived(counted.map_err(df_err)?).run_action("count")?;
        let mut total = 0usize;
        for b in &batches {
            let c = arrow::array::cast::AsArray::as_primitive::<arrow::datatypes::Int64Type>(
                b.column(0).as_ref(),
            );
            total += c.iter().flatten().sum::<i64>() as usize;
        }
        Ok(total)
    }

    /// The first `n` rows as a table (what `show` prints).
    pub fn show_string(&self, n: usize) -> Result<String> {
        let limited = self.df.clone().limit(0, Some(n)).map_err(df_err)?;
        let batches = self.derived(limited).run_action("show")?;
        Ok(arrow::util::pretty::pretty_format_batches(&batches)
            .map_err(|e| df_err(e.into()))?
            .to_string())
    }

    /// Prints the first `n` rows as a table on stdout (Spark's `show(n)`).
    pub fn show(&self, n: usize) -> Result<()> {
        println!("{}", self.show_string(n)?);
        Ok(())
    }

    /// The columns named.
    pub fn select_columns(self, columns: &[&str]) -> Result<DataFrame> {
        self.map(|d| d.select_columns(columns))
    }

    /// The expressions given (`col("a")`, `col("b") + lit(1)`, `.alias(..)`).
    pub fn select(self, exprs: Vec<Expr>) -> Result<DataFrame> {
        self.map(|d| d.select(exprs))
    }

    /// Rows where `predicate` is true (Spark's `filter`/`where`).
    pub fn filter(self, predicate: Expr) -> Result<DataFrame> {
        self.map(|d| d.filter(predicate))
    }

    /// Adds (or replaces) column `name`.
    pub fn with_column(self, name: &str, expr: Expr) -> Result<DataFrame> {
        self.map(|d| d.with_column(name, expr))
    }

    /// Renames column `old` to `new` (no error if `old` does not exist, as in Spark).
    pub fn with_column_renamed(self, old: &str, new: &str) -> Result<DataFrame> {
        self.map(|d| d.with_column_renamed(old, new))
    }

    /// Drops the columns named.
    pub fn drop(self, columns: &[&str]) -> Result<DataFrame> {
        self.map(|d| d.drop_columns(columns))
    }

    /// Groups by `keys`; finish with [`GroupedData::agg`].
    pub fn group_by(self, keys: Vec<Expr>) -> GroupedData {
        GroupedData { df: self, keys }
    }

    /// Joins with `right` on equal columns (`left_on[i] = right_on[i]`); `how` is inner,
    /// left, right, full, left semi or left anti.
    pub fn join(
        self,
        right: DataFrame,
        how: JoinType,
        left_on: &[&str],
        right_on: &[&str],
    ) -> Result<DataFrame> {
        self.map(|d| d.join(right.df, how, left_on, right_on, None))
    }

    /// Joins with `right` on arbitrary predicates.
    pub fn join_on(self, right: DataFrame, how: JoinType, on: Vec<Expr>) -> Result<DataFrame> {
        self.map(|d| d.join_on(right.df, how, on))
    }

    /// Sorts by the sort expressions given (`col("a").sort(ascending, nulls_first)`).
    pub fn order_by(self, by: Vec<SortExpr>) -> Result<DataFrame> {
        self.map(|d| d.sort(by))
    }

    /// The first `n` rows.
    pub fn limit(self, n: usize) -> Result<DataFrame> {
        self.map(|d| d.limit(0, Some(n)))
    }

    /// Distinct rows.
    pub fn distinct(self) -> Result<DataFrame> {
        self.map(|d| d.distinct())
    }

    /// The rows of both (Spark's `union`: by position, duplicates kept).
    pub fn union(self, other: DataFrame) -> Result<DataFrame> {
        self.map(|d| d.union(other.df))
    }

    /// Registers this query as temporary view `name` for [`Context::sql`].
    pub fn create_or_replace_temp_view(&self, name: &str) -> Result<()> {
        let session = self.ctx.session();
        session.deregister_table(name).map_err(df_err)?;
        session
            .register_table(name, self.df.clone().into_view())
            .map_err(df_err)?;
        Ok(())
    }

    /// The plan as text: logical plan, DataFusion's physical plan and Ember's stages.
    pub fn explain(&self) -> Result<String> {
        super::explain::explain_text(&self.ctx, &self.df)
    }
}

/// A job description for the status API and progress bar: the top of the logical plan.
fn describe(df: &datafusion::dataframe::DataFrame) -> String {
    let plan = df.logical_plan().display().to_string();
    format!("dataframe: {}", one_line(&plan, 60))
}

/// `text` on one line (whitespace runs as one space), cut to `max` chars with `...`.
fn one_line(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        format!("{}...", flat.chars().take(max).collect::<String>())
    }
}

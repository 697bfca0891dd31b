//! `NativeDataFrame`: an Ember DataFrame (a DataFusion plan run by Ember's scheduler), built
//! by `ember/sql/dataframe.py`.

use super::expr::{NativeExpr, exprs, sorts};
use super::{df_error, ember_error, to_ipc};
use datafusion::common::{JoinType, NullHandling, UnnestOptions};
use datafusion::logical_expr::LogicalPlanBuilder;
use ember::sql::{DataFrame, SaveMode};
use ember::{Context, StorageLevel};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// A lazily evaluated query.
#[pyclass(frozen, from_py_object, module = "ember._ember")]
#[derive(Clone)]
pub(crate) struct NativeDataFrame {
    pub(crate) df: DataFrame,
}

impl NativeDataFrame {
    pub(crate) fn wrap(ctx: &Context, df: datafusion::dataframe::DataFrame) -> Self {
        NativeDataFrame {
            df: DataFrame::from_datafusion(ctx, df),
        }
    }

    /// A new DataFrame from a DataFusion transformation of this one's plan.
    fn then(
        &self,
        f: impl FnOnce(
            datafusion::dataframe::DataFrame,
        ) -> datafusion::error::Result<datafusion::dataframe::DataFrame>,
    ) -> PyResult<Self> {
        let df = f(self.df.inner().clone()).map_err(df_error)?;
        Ok(Self::wrap(self.df.context(), df))
    }
}

fn join_type(how: &str) -> PyResult<JoinType> {
    Ok(match how {
        "inner" => JoinType::Inner,
        "left" => JoinType::Left,
        "right" => JoinType::Right,
        "full" => JoinType::Full,
        "left_semi" => JoinType::LeftSemi,
        "left_anti" => JoinType::LeftAnti,
        other => {
            return Err(PyValueError::new_err(format!(
                "unknown join type {other:?}"
            )));
        }
    })
}

fn save_mode(mode: &str) -> PyResult<SaveMode> {
    Ok(match mode {
        "error" | "errorifexists" | "default" => SaveMode::ErrorIfExists,
        "overwrite" => SaveMode::Overwrite,
        "append" => SaveMode::Append,
        "ignore" => SaveMode::Ignore,
        other => {
            return Err(PyValueError::new_err(format!(
                "unknown save mode {other:?}: use one of error, errorifexists, overwrite, append, ignore"
            )));
        }
    })
}

#[pymethods]
impl NativeDataFrame {
    /// The output schema, as an Arrow IPC stream without batches.
    fn schema<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        Ok(PyBytes::new(py, &to_ipc(&self.df.schema(), &[])?))
    }

    /// `(qualifier, name)` of every output column.
    fn qualified_columns(&self) -> Vec<(Option<String>, String)> {
        self.df
            .inner()
            .schema()
            .iter()
            .map(|(q, f)| (q.map(|q| q.to_string()), f.name().clone()))
            .collect()
    }

    /// Runs the query; its rows as an Arrow IPC stream. The GIL is released while it runs.
    fn collect<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let df = self.df.clone();
        let batches = py.detach(move || df.collect()).map_err(ember_error)?;
        Ok(PyBytes::new(py, &to_ipc(&self.df.schema(), &batches)?))
    }

    /// Runs the query and counts its rows.
    fn count(&self, py: Python<'_>) -> PyResult<usize> {
        let df = self.df.clone();
        py.detach(move || df.count()).map_err(ember_error)
    }

    fn select(&self, columns: Vec<NativeExpr>) -> PyResult<Self> {
        self.then(|d| d.select(exprs(&columns)))
    }

    fn filter(&self, predicate: &NativeExpr) -> PyResult<Self> {
        self.then(|d| d.filter(predicate.expr.clone()))
    }

    fn with_column(&self, name: &str, value: &NativeExpr) -> PyResult<Self> {
        self.then(|d| d.with_column(name, value.expr.clone()))
    }

    fn with_column_renamed(&self, old: &str, new: &str) -> PyResult<Self> {
        self.then(|d| d.with_column_renamed(old, new))
    }

    fn drop(&self, columns: Vec<String>) -> PyResult<Self> {
        let names: Vec<&str> = columns.iter().map(String::as_str).collect();
        self.then(|d| d.drop_columns(&names))
    }

    /// One row per group of `keys` with the aggregate expressions.
    fn aggregate(&self, keys: Vec<NativeExpr>, aggregates: Vec<NativeExpr>) -> PyResult<Self> {
        self.then(|d| d.aggregate(exprs(&keys), exprs(&aggregates)))
    }

    /// An equi-join on column names, with an optional extra condition; `how` is one of
    /// inner, left, right, full, left_semi, left_anti.
    #[pyo3(signature = (right, how, left_on, right_on, filter=None))]
    fn join(
        &self,
        right: &NativeDataFrame,
        how: &str,
        left_on: Vec<String>,
        right_on: Vec<String>,
        filter: Option<NativeExpr>,
    ) -> PyResult<Self> {
        let how = join_type(how)?;
        let l: Vec<&str> = left_on.iter().map(String::as_str).collect();
        let r: Vec<&str> = right_on.iter().map(String::as_str).collect();
        let other = right.df.inner().clone();
        self.then(|d| d.join(other, how, &l, &r, filter.map(|f| f.expr)))
    }

    /// A join on arbitrary conditions (an empty list is a cross join for `inner`).
    fn join_on(&self, right: &NativeDataFrame, how: &str, on: Vec<NativeExpr>) -> PyResult<Self> {
        let how = join_type(how)?;
        let other = right.df.inner().clone();
        if on.is_empty() && how == JoinType::Inner {
            return self.then(|d| {
                let (state, plan) = d.into_parts();
                let plan = LogicalPlanBuilder::from(plan)
                    .cross_join(other.logical_plan().clone())?
                    .build()?;
                Ok(datafusion::dataframe::DataFrame::new(state, plan))
            });
        }
        self.then(|d| d.join_on(other, how, exprs(&on)))
    }

    /// Sorted by `(expression, ascending, nulls_first)` keys.
    fn sort(&self, keys: Vec<(NativeExpr, bool, bool)>) -> PyResult<Self> {
        self.then(|d| d.sort(sorts(&keys)))
    }

    #[pyo3(signature = (n, skip=0))]
    fn limit(&self, n: usize, skip: usize) -> PyResult<Self> {
        self.then(|d| d.limit(skip, Some(n)))
    }

    fn distinct(&self) -> PyResult<Self> {
        self.then(|d| d.distinct())
    }

    /// One row per distinct value of `on` (the first one met), all columns kept.
    fn distinct_on(&self, on: Vec<NativeExpr>) -> PyResult<Self> {
        let all: Vec<datafusion::logical_expr::Expr> = self
            .df
            .inner()
            .schema()
            .columns()
            .into_iter()
            .map(datafusion::logical_expr::Expr::Column)
            .collect();
        self.then(|d| d.distinct_on(exprs(&on), all, None))
    }

    /// Rows of both, by position (`UNION ALL`).
    fn union(&self, other: &NativeDataFrame) -> PyResult<Self> {
        let other = other.df.inner().clone();
        self.then(|d| d.union(other))
    }

    /// Rows of both, columns matched by name; missing columns are NULL.
    fn union_by_name(&self, other: &NativeDataFrame) -> PyResult<Self> {
        let other = other.df.inner().clone();
        self.then(|d| d.union_by_name(other))
    }

    /// The plan under a qualifier, so its columns can be told apart in a join.
    fn alias(&self, name: &str) -> PyResult<Self> {
        self.then(|d| d.alias(name))
    }

    /// One row per element of the list column `column` (Spark's explode); `outer` keeps rows
    /// whose list is NULL or empty, with a NULL element.
    fn explode(&self, column: &str, outer: bool) -> PyResult<Self> {
        let handling = if outer {
            NullHandling::PreserveAndExpandEmpty
        } else {
            NullHandling::Drop
        };
        let options = UnnestOptions::new().with_null_handling(handling);
        self.then(|d| d.unnest_columns_with_options(&[column], options))
    }

    /// A SQL expression in the context of this DataFrame's columns.
    fn parse_expr(&self, sql: &str) -> PyResult<NativeExpr> {
        self.df
            .inner()
            .parse_sql_expr(sql)
            .map(Into::into)
            .map_err(df_error)
    }

    /// The logical plan, DataFusion's physical plan and Ember's stages.
    fn explain(&self) -> PyResult<String> {
        self.df.explain().map_err(ember_error)
    }

    /// The logical plan only.
    fn logical_plan(&self) -> String {
        self.df.inner().logical_plan().display_indent().to_string()
    }

    /// Keeps the result in Ember's block manager at (disk, memory, replicas) once computed.
    fn persist(&self, use_disk: bool, use_memory: bool, replication: u8) -> PyResult<Self> {
        let level = StorageLevel::new(use_disk, use_memory, replication);
        let df = self.df.persist(level).map_err(ember_error)?;
        Ok(NativeDataFrame { df })
    }

    fn unpersist(&self) -> PyResult<()> {
        self.df.unpersist().map_err(ember_error)
    }

    /// The storage level as (disk, memory, replicas).
    fn storage_level(&self) -> (bool, bool, u8) {
        let l = self.df.storage_level();
        (l.use_disk, l.use_memory, l.replication)
    }

    fn create_or_replace_temp_view(&self, name: &str) -> PyResult<()> {
        self.df
            .create_or_replace_temp_view(name)
            .map_err(ember_error)
    }

    /// Writes the result as `format` files under `path` (Spark's save modes and partitionBy).
    fn write(
        &self,
        py: Python<'_>,
        format: &str,
        path: &str,
        mode: &str,
        partition_by: Vec<String>,
        options: Vec<(String, String)>,
    ) -> PyResult<()> {
        let mode = save_mode(mode)?;
        let cols: Vec<&str> = partition_by.iter().map(String::as_str).collect();
        let mut w = self
            .df
            .write()
            .format(format)
            .mode(mode)
            .partition_by(&cols);
        for (k, v) in &options {
            w = w.option(k, v);
        }
        py.detach(move || w.save(path)).map_err(ember_error)
    }
}

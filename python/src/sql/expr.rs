//! `NativeExpr`: a DataFusion logical expression, built by `ember/sql/column.py`.

use super::{df_error, from_ipc};
use datafusion::common::{Column, ScalarValue};
use datafusion::logical_expr::expr::{Between, InList, Like, WindowFunction};
use datafusion::logical_expr::{
    BinaryExpr, Expr, ExprFunctionExt, Operator, SortExpr, WindowFrame, WindowFrameBound,
    WindowFrameUnits, WindowFunctionDefinition, cast, try_cast,
};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use std::sync::Arc;

/// A DataFusion expression (a column, literal, operator, function call, window...).
#[pyclass(frozen, from_py_object, module = "ember._ember")]
#[derive(Clone)]
pub(crate) struct NativeExpr {
    pub(crate) expr: Expr,
}

impl From<Expr> for NativeExpr {
    fn from(expr: Expr) -> Self {
        NativeExpr { expr }
    }
}

/// Expressions of a list, unwrapped.
pub(crate) fn exprs(list: &[NativeExpr]) -> Vec<Expr> {
    list.iter().map(|e| e.expr.clone()).collect()
}

/// `(expression, ascending, nulls_first)` triples as sort expressions.
pub(crate) fn sorts(list: &[(NativeExpr, bool, bool)]) -> Vec<SortExpr> {
    list.iter()
        .map(|(e, asc, nulls_first)| e.expr.clone().sort(*asc, *nulls_first))
        .collect()
}

/// The one value of a one-row, one-column Arrow IPC stream, as a scalar.
pub(crate) fn scalar_from_ipc(bytes: &[u8]) -> PyResult<ScalarValue> {
    let (_, batches) = from_ipc(bytes)?;
    let batch = batches
        .iter()
        .find(|b| b.num_rows() > 0)
        .ok_or_else(|| PyValueError::new_err("a literal needs one value"))?;
    ScalarValue::try_from_array(batch.column(0), 0).map_err(df_error)
}

/// The type of the only field of an Arrow IPC stream's schema.
pub(crate) fn type_from_ipc(bytes: &[u8]) -> PyResult<arrow::datatypes::DataType> {
    let (schema, _) = from_ipc(bytes)?;
    schema
        .fields()
        .first()
        .map(|f| f.data_type().clone())
        .ok_or_else(|| PyValueError::new_err("a type needs a schema with one field"))
}

fn operator(op: &str) -> PyResult<Operator> {
    Ok(match op {
        "+" => Operator::Plus,
        "-" => Operator::Minus,
        "*" => Operator::Multiply,
        "/" => Operator::Divide,
        "%" => Operator::Modulo,
        "==" => Operator::Eq,
        "!=" => Operator::NotEq,
        "<" => Operator::Lt,
        "<=" => Operator::LtEq,
        ">" => Operator::Gt,
        ">=" => Operator::GtEq,
        "and" => Operator::And,
        "or" => Operator::Or,
        "<=>" => Operator::IsNotDistinctFrom,
        "&" => Operator::BitwiseAnd,
        "|" => Operator::BitwiseOr,
        "^" => Operator::BitwiseXor,
        "||" => Operator::StringConcat,
        other => return Err(PyValueError::new_err(format!("unknown operator {other:?}"))),
    })
}

fn bound(units: WindowFrameUnits, value: Option<i64>, end: bool) -> WindowFrameBound {
    let unbounded = match units {
        WindowFrameUnits::Rows => ScalarValue::UInt64(None),
        _ => ScalarValue::Null,
    };
    match value {
        None if end => WindowFrameBound::Following(unbounded),
        None => WindowFrameBound::Preceding(unbounded),
        Some(0) => WindowFrameBound::CurrentRow,
        Some(v) => {
            let magnitude = match units {
                WindowFrameUnits::Rows => ScalarValue::UInt64(Some(v.unsigned_abs())),
                _ => ScalarValue::Int64(Some(v.abs())),
            };
            if v < 0 {
                WindowFrameBound::Preceding(magnitude)
            } else {
                WindowFrameBound::Following(magnitude)
            }
        }
    }
}

#[pymethods]
impl NativeExpr {
    /// A column by its name (no parsing of dots or quotes), optionally qualified.
    #[staticmethod]
    #[pyo3(signature = (name, qualifier=None))]
    fn column(name: &str, qualifier: Option<&str>) -> Self {
        Expr::Column(Column::new(qualifier, name)).into()
    }

    /// A literal: the one value of a one-row Arrow IPC stream (any Arrow type).
    #[staticmethod]
    fn literal(ipc: &[u8]) -> PyResult<Self> {
        Ok(Expr::Literal(scalar_from_ipc(ipc)?, None).into())
    }

    /// `self op other` for an operator of `+ - * / % == != < <= > >= and or <=> & | ^ ||`.
    fn binary(&self, op: &str, other: &NativeExpr) -> PyResult<Self> {
        let op = operator(op)?;
        Ok(Expr::BinaryExpr(BinaryExpr::new(
            Box::new(self.expr.clone()),
            op,
            Box::new(other.expr.clone()),
        ))
        .into())
    }

    /// Logical NOT.
    fn not_(&self) -> Self {
        Expr::Not(Box::new(self.expr.clone())).into()
    }

    /// Arithmetic negation.
    fn negate(&self) -> Self {
        Expr::Negative(Box::new(self.expr.clone())).into()
    }

    /// `IS NULL` (or `IS NOT NULL` when `negated`).
    fn is_null(&self, negated: bool) -> Self {
        let e = Box::new(self.expr.clone());
        if negated {
            Expr::IsNotNull(e).into()
        } else {
            Expr::IsNull(e).into()
        }
    }

    /// The expression under another name.
    fn alias(&self, name: &str) -> Self {
        self.expr.clone().alias(name).into()
    }

    /// A cast to the type of the one field of an Arrow IPC schema; `safe` gives NULL on
    /// failure (`try_cast`) instead of an error.
    fn cast(&self, type_ipc: &[u8], safe: bool) -> PyResult<Self> {
        let to = type_from_ipc(type_ipc)?;
        let e = self.expr.clone();
        Ok(if safe { try_cast(e, to) } else { cast(e, to) }.into())
    }

    /// `LIKE` / `ILIKE`, optionally negated.
    #[pyo3(signature = (pattern, negated=false, case_insensitive=false, escape=None))]
    fn like(
        &self,
        pattern: &NativeExpr,
        negated: bool,
        case_insensitive: bool,
        escape: Option<char>,
    ) -> Self {
        Expr::Like(Like::new(
            negated,
            Box::new(self.expr.clone()),
            Box::new(pattern.expr.clone()),
            escape,
            case_insensitive,
        ))
        .into()
    }

    /// `self IN (list)`.
    fn in_list(&self, list: Vec<NativeExpr>, negated: bool) -> Self {
        Expr::InList(InList::new(
            Box::new(self.expr.clone()),
            exprs(&list),
            negated,
        ))
        .into()
    }

    /// `self BETWEEN low AND high`.
    fn between(&self, low: &NativeExpr, high: &NativeExpr) -> Self {
        Expr::Between(Between::new(
            Box::new(self.expr.clone()),
            false,
            Box::new(low.expr.clone()),
            Box::new(high.expr.clone()),
        ))
        .into()
    }

    /// `CASE WHEN c1 THEN v1 ... ELSE otherwise END`.
    #[staticmethod]
    #[pyo3(signature = (branches, otherwise=None))]
    fn case_when(
        branches: Vec<(NativeExpr, NativeExpr)>,
        otherwise: Option<NativeExpr>,
    ) -> PyResult<Self> {
        let (whens, thens): (Vec<Expr>, Vec<Expr>) =
            branches.into_iter().map(|(w, t)| (w.expr, t.expr)).unzip();
        let mut builder = datafusion::logical_expr::conditional_expressions::CaseBuilder::new(
            None, whens, thens, None,
        );
        let e = match otherwise {
            Some(o) => builder.otherwise(o.expr),
            None => builder.end(),
        };
        e.map(Into::into).map_err(df_error)
    }

    /// The aggregate over distinct values only (`count(DISTINCT x)`).
    fn distinct(&self) -> PyResult<Self> {
        ExprFunctionExt::distinct(self.expr.clone())
            .build()
            .map(Into::into)
            .map_err(df_error)
    }

    /// The aggregate or window function skipping NULLs (`first(x, ignorenulls=True)`).
    fn ignore_nulls(&self) -> PyResult<Self> {
        self.expr
            .clone()
            .null_treatment(datafusion::logical_expr::expr::NullTreatment::IgnoreNulls)
            .build()
            .map(Into::into)
            .map_err(df_error)
    }

    /// This aggregate or window function over a window: partition and order keys, and a frame
    /// `(units, start, end)` with units `rows` or `range` and offsets relative to the current
    /// row (`None` unbounded, negative preceding).
    #[pyo3(signature = (partition_by, order_by, frame=None))]
    fn over(
        &self,
        partition_by: Vec<NativeExpr>,
        order_by: Vec<(NativeExpr, bool, bool)>,
        frame: Option<(String, Option<i64>, Option<i64>)>,
    ) -> PyResult<Self> {
        if let Expr::Cast(c) = &self.expr {
            // `row_number()` is cast to Spark's int: the window goes inside the cast.
            let inner = NativeExpr::from((*c.expr).clone()).over(partition_by, order_by, frame)?;
            return Ok(cast(inner.expr, c.field.data_type().clone()).into());
        }
        let window = match &self.expr {
            Expr::AggregateFunction(agg) => {
                let mut w = WindowFunction::new(
                    WindowFunctionDefinition::AggregateUDF(Arc::clone(&agg.func)),
                    agg.params.args.clone(),
                );
                w.params.distinct = agg.params.distinct;
                Expr::from(w)
            }
            Expr::WindowFunction(_) => self.expr.clone(),
            other => {
                return Err(super::AnalysisException::new_err(format!(
                    "{other} is not an aggregate or window function and cannot be used over a window"
                )));
            }
        };
        let frame = match frame {
            None => None,
            Some((units, start, end)) => {
                let units = match units.as_str() {
                    "rows" => WindowFrameUnits::Rows,
                    "range" => WindowFrameUnits::Range,
                    other => {
                        return Err(PyValueError::new_err(format!(
                            "unknown frame units {other}"
                        )));
                    }
                };
                Some(WindowFrame::new_bounds(
                    units,
                    bound(units, start, false),
                    bound(units, end, true),
                ))
            }
        };
        if partition_by.is_empty() && order_by.is_empty() && frame.is_none() {
            return Ok(window.into());
        }
        let mut b = window.partition_by(exprs(&partition_by));
        if !order_by.is_empty() {
            b = b.order_by(sorts(&order_by));
        }
        if let Some(f) = frame {
            b = b.window_frame(f);
        }
        b.build().map(Into::into).map_err(df_error)
    }

    /// True when the expression holds an aggregate function outside any window (`sum(x) + 1`),
    /// so a projection of it is an aggregation, as Spark's `df.select(sum("x"))`.
    fn has_aggregate(&self) -> bool {
        !datafusion::logical_expr::utils::find_aggregate_exprs([&self.expr]).is_empty()
    }

    fn __repr__(&self) -> String {
        format!("NativeExpr({})", self.expr)
    }
}

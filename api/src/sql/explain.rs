//! `EXPLAIN` and `EXPLAIN ANALYZE`: the plan as Ember runs it, cut into stages.
//!
//! ```text
//! Stage 2 (result, 1 task)
//!   SortPreservingMergeExec: [k@0 ASC]
//!     ShuffleReaderExec: shuffle=shuffle_1, maps=2, partitions=2, per map
//! Stage 1 (2 tasks) -> shuffle_1: to partition 0
//!   SortExec ...
//! ```

use super::dataframe::DataFrame;
use super::execution::in_sql_execution;
use super::run::{df_err, plan_stages, resolve_subqueries, run_stages, stages};
use crate::context::Context;
use crate::error::Result;
use arrow::array::StringArray;
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use datafusion::logical_expr::{Analyze, Explain};
use datafusion::physical_plan::display::DisplayableExecutionPlan;
use ember_engine::rdd::{RddBase, ShuffleDependencyBase};
use ember_engine::sql::runtime::block_on;
use ember_engine::sql::{PlanRdd, ShuffleKind};
use std::fmt::Write;
use std::sync::Arc;
use std::time::Instant;

/// Renders the stages rooted at `root`, top (result) stage first; with `metrics`, each
/// operator shows what it measured in the last run.
pub fn render_stages(root: &Arc<PlanRdd>, metrics: bool) -> String {
    // Number the stages bottom-up, as they run: a fragment's number is above its inputs'.
    let mut order: Vec<(Arc<PlanRdd>, Option<String>)> = Vec::new();
    let mut stack = vec![(Arc::clone(root), None)];
    while let Some((rdd, writes)) = stack.pop() {
        for s in rdd.shuffles() {
            let route = match s.kind() {
                ShuffleKind::Partitioned(p) => format!("{p}"),
                ShuffleKind::Single => "to partition 0".to_string(),
            };
            stack.push((
                Arc::clone(s.map_side()),
                Some(format!("{}: {route}", s.shuffle_id())),
            ));
        }
        order.push((rdd, writes));
    }
    let total = order.len();
    let mut out = String::new();
    for (i, (rdd, writes)) in order.iter().enumerate() {
        let n = rdd.num_partitions();
        let tasks = if n == 1 {
            "1 task".to_string()
        } else {
            format!("{n} tasks")
        };
        let what = match writes {
            None => format!("Stage {} (result, {tasks})", total - i),
            Some(w) => format!("Stage {} ({tasks}) -> {w}", total - i),
        };
        let _ = writeln!(out, "{what}");
        let plan = if metrics {
            DisplayableExecutionPlan::with_metrics(rdd.plan().as_ref())
        } else {
            DisplayableExecutionPlan::new(rdd.plan().as_ref())
        };
        for line in plan.indent(true).to_string().lines() {
            let _ = writeln!(out, "  {line}");
        }
    }
    out
}

fn plan_table(ctx: &Context, rows: Vec<(&str, String)>) -> Result<DataFrame> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("plan_type", DataType::Utf8, false),
        Field::new("plan", DataType::Utf8, false),
    ]));
    let batch = RecordBatch::try_new(
        schema,
        vec![
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.0))),
            Arc::new(StringArray::from_iter_values(
                rows.iter().map(|r| r.1.as_str()),
            )),
        ],
    )
    .map_err(|e| df_err(e.into()))?;
    let df = ctx.session().read_batch(batch).map_err(df_err)?;
    Ok(DataFrame::from_datafusion(ctx, df))
}

/// The three plans of `EXPLAIN`: DataFusion's optimized logical plan, its physical plan, and
/// that physical plan cut into Ember's stages.
fn plan_rows(
    ctx: &Context,
    df: &datafusion::dataframe::DataFrame,
) -> Result<Vec<(&'static str, String)>> {
    let logical = df.clone().into_optimized_plan().map_err(df_err)?;
    let physical = block_on(df.clone().create_physical_plan()).map_err(df_err)?;
    let physical_text = DisplayableExecutionPlan::new(physical.as_ref())
        .indent(true)
        .to_string();
    let root = plan_stages(ctx, physical)?;
    Ok(vec![
        ("logical_plan", logical.display_indent().to_string()),
        ("physical_plan", physical_text),
        ("ember_stages", render_stages(&root, false)),
    ])
}

/// The text of `EXPLAIN` for `df`: each plan under its name.
pub(crate) fn explain_text(ctx: &Context, df: &datafusion::dataframe::DataFrame) -> Result<String> {
    Ok(plan_rows(ctx, df)?
        .into_iter()
        .map(|(kind, plan)| format!("{kind}\n{plan}\n"))
        .collect::<Vec<_>>()
        .join("\n"))
}

/// `EXPLAIN <query>`: rows `(plan_type, plan)` for the logical plan, DataFusion's physical
/// plan and Ember's stages.
pub(crate) fn explain(ctx: &Context, e: &Explain) -> Result<DataFrame> {
    let df = datafusion::dataframe::DataFrame::new(ctx.session().state(), (*e.plan).clone());
    plan_table(ctx, plan_rows(ctx, &df)?)
}

/// `EXPLAIN ANALYZE <query>` (the statement `sql`): runs it as an Ember job, then shows each
/// stage with the metrics its operators measured (rows, time, spills).
pub(crate) fn analyze(ctx: &Context, a: &Analyze, sql: &str) -> Result<DataFrame> {
    let df = datafusion::dataframe::DataFrame::new(ctx.session().state(), (*a.input).clone());
    let physical = block_on(df.create_physical_plan()).map_err(df_err)?;
    let started = Instant::now();
    let shown = Arc::clone(&physical);
    let (root, batches) = in_sql_execution(ctx, sql, &shown, || {
        let physical = resolve_subqueries(ctx, physical, "EXPLAIN ANALYZE")?;
        let root = stages(ctx, physical)?;
        let batches = run_stages(ctx, &root, "EXPLAIN ANALYZE".into())?;
        Ok((root, batches))
    })?;
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    let summary = format!(
        "{rows} rows in {:.3} s, {} stages",
        started.elapsed().as_secs_f64(),
        count_stages(&root)
    );
    plan_table(
        ctx,
        vec![
            ("Plan with Metrics", render_stages(&root, true)),
            ("Summary", summary),
        ],
    )
}

fn count_stages(root: &Arc<PlanRdd>) -> usize {
    let mut n = 0;
    let mut stack = vec![Arc::clone(root)];
    while let Some(r) = stack.pop() {
        n += 1;
        stack.extend(r.shuffles().iter().map(|s| Arc::clone(s.map_side())));
    }
    n
}

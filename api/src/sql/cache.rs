//! `DataFrame::cache` / `persist`: a query's partitions kept in Ember's block manager.

use super::dataframe::DataFrame;
use super::run::{df_err, resolve_subqueries, stages};
use crate::error::Result;
use arrow::datatypes::SchemaRef;
use async_trait::async_trait;
use datafusion::catalog::{Session, TableProvider};
use datafusion::datasource::TableType;
use datafusion::logical_expr::Expr;
use datafusion::physical_expr::expressions::Column;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::projection::ProjectionExec;
use ember_engine::rdd::RddBase;
use ember_engine::sql::CachedExec;
use ember_engine::sql::runtime::block_on;
use ember_engine::storage::StorageLevel;
use std::sync::Arc;

/// The table a persisted DataFrame reads: every scan is a [`CachedExec`] over the same
/// stages, so all queries over it share the cached blocks.
#[derive(Debug)]
struct CachedTable {
    exec: Arc<CachedExec>,
}

#[async_trait]
impl TableProvider for CachedTable {
    fn schema(&self) -> SchemaRef {
        self.exec.schema()
    }
    fn table_type(&self) -> TableType {
        TableType::Temporary
    }
    async fn scan(
        &self,
        _state: &dyn Session,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        _limit: Option<usize>,
    ) -> datafusion::error::Result<Arc<dyn ExecutionPlan>> {
        let exec = Arc::clone(&self.exec) as Arc<dyn ExecutionPlan>;
        let Some(projection) = projection else {
            return Ok(exec);
        };
        let schema = exec.schema();
        let exprs: Vec<(Arc<dyn datafusion::physical_expr::PhysicalExpr>, String)> = projection
            .iter()
            .map(|&i| {
                let name = schema.field(i).name().clone();
                (Arc::new(Column::new(&name, i)) as _, name)
            })
            .collect();
        Ok(Arc::new(ProjectionExec::try_new(exprs, exec)?))
    }
}

impl DataFrame {
    /// Keeps this query's partitions in Ember's block manager at `level` once a job computes
    /// them (lazy, like Spark): later queries over the returned DataFrame read the blocks,
    /// skip the query's shuffle stages, and recompute an evicted partition from the query.
    pub fn persist(&self, level: StorageLevel) -> Result<DataFrame> {
        let ctx = self.context();
        let plan = block_on(self.inner().clone().create_physical_plan()).map_err(df_err)?;
        let plan = resolve_subqueries(ctx, plan, "persist")?;
        let root = stages(ctx, plan)?;
        ctx.set_persisted(root.meta(), level, root.num_partitions(), || {
            self.job_description()
        });
        let exec = Arc::new(CachedExec::new(Arc::clone(&root)));
        let df = ctx
            .session()
            .read_table(Arc::new(CachedTable { exec }))
            .map_err(df_err)?;
        tracing::debug!(rdd = %root.id(), %level, "DataFrame persisted");
        Ok(DataFrame::new(ctx.clone(), df).with_cached(root))
    }

    /// `persist(MEMORY_AND_DISK)`, Spark's default level for DataFrames.
    pub fn cache(&self) -> Result<DataFrame> {
        self.persist(StorageLevel::MEMORY_AND_DISK)
    }

    /// Drops the cached blocks; later reads recompute the query and keep nothing. A no-op for
    /// a DataFrame that is not persisted.
    pub fn unpersist(&self) -> Result<()> {
        if let Some(root) = self.cached_rdd() {
            self.context().unpersist_rdd(root.meta());
        }
        Ok(())
    }

    /// The id of the persisted query's blocks (`BlockId::Rdd { rdd, .. }`), if persisted.
    pub fn cached_rdd_id(&self) -> Option<ember_engine::ids::RddId> {
        self.cached_rdd().map(|r| r.id())
    }

    /// The storage level (`NONE` unless persisted).
    pub fn storage_level(&self) -> StorageLevel {
        self.cached_rdd()
            .map_or(StorageLevel::NONE, |r| r.meta().storage_level())
    }
}

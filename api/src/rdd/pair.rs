//! Operations on RDDs of key-value pairs: aggregation by key, grouping, repartitioning.

use super::Rdd;
use crate::error::Result;
use ember_engine::aggregator::{FnAggregator, NoAggregator};
use ember_engine::combine::CombineMap;
use ember_engine::data::{Data, Key};
use ember_engine::partitioner::{Partitioner, PartitionerKind, portable_hash};
use ember_engine::rdd::{CombinedRdd, KeySorter, ShuffleDependency, ShuffledRdd, chunked};
use std::panic::Location;
use std::sync::Arc;

impl<K: Data, V: Data> Rdd<(K, V)> {
    /// Applies `f` to each value, keeping keys and partitioning.
    #[track_caller]
    pub fn map_values<U: Data>(&self, f: impl Fn(V) -> U + Send + Sync + 'static) -> Rdd<(K, U)> {
        self.map_with_op("mapValues", Location::caller(), true, move |(k, v)| {
            (k, f(v))
        })
    }

    /// Applies `f` to each value and pairs the key with each result, keeping partitioning.
    #[track_caller]
    pub fn flat_map_values<U: Data, I>(
        &self,
        f: impl Fn(V) -> I + Send + Sync + 'static,
    ) -> Rdd<(K, U)>
    where
        I: IntoIterator<Item = U>,
    {
        let f = Arc::new(f);
        self.derive("flatMapValues", Location::caller(), true, move |_, it| {
            let f = Arc::clone(&f);
            Box::new(it.map(move |chunk| {
                let mut out = Vec::with_capacity(chunk.len());
                for (k, v) in chunk {
                    out.extend(f(v).into_iter().map(|u| (k.clone(), u)));
                }
                out
            }))
        })
    }

    /// The keys.
    #[track_caller]
    pub fn keys(&self) -> Rdd<K> {
        self.map_with_op("keys", Location::caller(), false, |(k, _)| k)
    }

    /// The values.
    #[track_caller]
    pub fn values(&self) -> Rdd<V> {
        self.map_with_op("values", Location::caller(), false, |(_, v)| v)
    }
}

impl<K: Key, V: Data> Rdd<(K, V)> {
    /// The partitioner of this RDD, if its keys are known to be partitioned.
    pub fn partitioner(&self) -> Option<PartitionerKind> {
        self.node().partitioner()
    }

    fn default_reduce_partitions(&self) -> usize {
        self.context()
            .default_partitions(&[self.partitioner()], self.num_partitions())
    }

    /// Combines the values of each key with an aggregator (Spark's `combineByKeyWithClassTag`).
    /// When this RDD is already partitioned by `partitioner`, no shuffle happens.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn combine_at<C: Data>(
        &self,
        create: impl Fn(V) -> C + Send + Sync + 'static,
        merge_value: impl Fn(C, V) -> C + Send + Sync + 'static,
        merge_combiners: impl Fn(C, C) -> C + Send + Sync + 'static,
        partitioner: Partitioner<K>,
        map_side_combine: bool,
        op: &'static str,
        loc: &Location<'_>,
    ) -> Rdd<(K, C)> {
        let ctx = self.context().clone();
        let agg = Arc::new(FnAggregator {
            create,
            merge_value,
            merge_combiners,
        });
        if self.partitioner() == Some(partitioner.kind()) {
            // Already partitioned by key: combine within each partition.
            return self.derive(op, loc, true, move |_, it| {
                let agg = Arc::clone(&agg);
                let mut map: CombineMap<K, C> = CombineMap::new();
                for chunk in it {
                    for (k, v) in chunk {
                        map.upsert(k, v, |v| (agg.create)(v), |c, v| (agg.merge_value)(c, v));
                    }
                }
                chunked(map.into_iter())
            });
        }
        let dep = ShuffleDependency::new(
            ctx.new_shuffle_id(),
            Arc::clone(self.node()),
            partitioner,
            Some(agg),
            map_side_combine,
        )
        .with_cleaner(Some(ctx.inner.cleaner.clone()));
        let node =
            CombinedRdd::new(ctx.new_meta(op, loc), Arc::new(dep)).expect("aggregator is set");
        ctx.wrap(Arc::new(node))
    }

    /// Combines the values of each key into a `C` with three functions (Spark's
    /// `combineByKey`), into the default number of partitions.
    #[track_caller]
    pub fn combine_by_key<C: Data>(
        &self,
        create: impl Fn(V) -> C + Send + Sync + 'static,
        merge_value: impl Fn(C, V) -> C + Send + Sync + 'static,
        merge_combiners: impl Fn(C, C) -> C + Send + Sync + 'static,
    ) -> Rdd<(K, C)> {
        let n = self.default_reduce_partitions();
        self.combine_by_key_n(create, merge_value, merge_combiners, n)
    }

    /// [`Rdd::combine_by_key`] into `partitions` partitions.
    #[track_caller]
    pub fn combine_by_key_n<C: Data>(
        &self,
        create: impl Fn(V) -> C + Send + Sync + 'static,
        merge_value: impl Fn(C, V) -> C + Send + Sync + 'static,
        merge_combiners: impl Fn(C, C) -> C + Send + Sync + 'static,
        partitions: usize,
    ) -> Rdd<(K, C)> {
        self.combine_at(
            create,
            merge_value,
            merge_combiners,
            Partitioner::hash(partitions),
            true,
            "combineByKey",
            Location::caller(),
        )
    }

    pub(crate) fn reduce_by_key_at(
        &self,
        f: impl Fn(V, V) -> V + Send + Sync + 'static,
        partitions: usize,
        loc: &Location<'_>,
    ) -> Rdd<(K, V)> {
        let f = Arc::new(f);
        let g = Arc::clone(&f);
        self.combine_at(
            |v| v,
            move |a, b| f(a, b),
            move |a, b| g(a, b),
            Partitioner::hash(partitions),
            true,
            "reduceByKey",
            loc,
        )
    }

    /// Merges the values of each key with `f` (associative and commutative), combining on the
    /// map side before the shuffle.
    #[track_caller]
    pub fn reduce_by_key(&self, f: impl Fn(V, V) -> V + Send + Sync + 'static) -> Rdd<(K, V)> {
        let n = self.default_reduce_partitions();
        self.reduce_by_key_at(f, n, Location::caller())
    }

    /// [`Rdd::reduce_by_key`] into `partitions` partitions.
    #[track_caller]
    pub fn reduce_by_key_n(
        &self,
        f: impl Fn(V, V) -> V + Send + Sync + 'static,
        partitions: usize,
    ) -> Rdd<(K, V)> {
        self.reduce_by_key_at(f, partitions, Location::caller())
    }

    /// Folds the values of each key from `zero` with `f`.
    #[track_caller]
    pub fn fold_by_key(
        &self,
        zero: V,
        f: impl Fn(V, V) -> V + Send + Sync + 'static,
    ) -> Rdd<(K, V)> {
        let n = self.default_reduce_partitions();
        let f = Arc::new(f);
        let (g, h) = (Arc::clone(&f), Arc::clone(&f));
        self.combine_at(
            move |v| g(zero.clone(), v),
            move |a, b| f(a, b),
            move |a, b| h(a, b),
            Partitioner::hash(n),
            true,
            "foldByKey",
            Location::caller(),
        )
    }

    /// Aggregates the values of each key from `zero`: `seq` adds a value, `comb` merges two
    /// partial results.
    #[track_caller]
    pub fn aggregate_by_key<U: Data>(
        &self,
        zero: U,
        seq: impl Fn(U, V) -> U + Send + Sync + 'static,
        comb: impl Fn(U, U) -> U + Send + Sync + 'static,
    ) -> Rdd<(K, U)> {
        let n = self.default_reduce_partitions();
        let seq = Arc::new(seq);
        let seq2 = Arc::clone(&seq);
        self.combine_at(
            move |v| seq2(zero.clone(), v),
            move |u, v| seq(u, v),
            comb,
            Partitioner::hash(n),
            true,
            "aggregateByKey",
            Location::caller(),
        )
    }

    /// The values of each key as a vector (no map-side combine, as in Spark).
    #[track_caller]
    pub fn group_by_key(&self) -> Rdd<(K, Vec<V>)> {
        let n = self.default_reduce_partitions();
        self.group_by_key_n(n)
    }

    /// [`Rdd::group_by_key`] into `partitions` partitions.
    #[track_caller]
    pub fn group_by_key_n(&self, partitions: usize) -> Rdd<(K, Vec<V>)> {
        self.combine_at(
            |v| vec![v],
            |mut c: Vec<V>, v| {
                c.push(v);
                c
            },
            |mut a: Vec<V>, mut b: Vec<V>| {
                a.append(&mut b);
                a
            },
            Partitioner::hash(partitions),
            false,
            "groupByKey",
            Location::caller(),
        )
    }

    /// How many values each key has.
    #[track_caller]
    pub fn count_by_key(&self) -> Result<std::collections::HashMap<K, u64>> {
        self.count_by_key_at("countByKey", Location::caller())
    }

    /// `count_by_key` on behalf of `op` (also behind `count_by_value`).
    pub(crate) fn count_by_key_at(
        &self,
        op: &'static str,
        loc: &Location<'_>,
    ) -> Result<std::collections::HashMap<K, u64>> {
        let n = self.num_partitions();
        Ok(self
            .map_with_op(op, loc, false, |(k, _)| (k, 1u64))
            .reduce_by_key_at(|a, b| a + b, n, loc)
            .collect()?
            .into_iter()
            .collect())
    }

    pub(crate) fn partition_by_at(
        &self,
        partitioner: Partitioner<K>,
        loc: &Location<'_>,
    ) -> Rdd<(K, V)> {
        if self.partitioner() == Some(partitioner.kind()) {
            return self.clone();
        }
        self.shuffle_plain(partitioner, None, "partitionBy", loc)
    }

    /// A shuffle without aggregation into `partitioner`'s partitions, each sorted by `sorter`
    /// if given.
    pub(crate) fn shuffle_plain(
        &self,
        partitioner: Partitioner<K>,
        sorter: Option<KeySorter<K, V>>,
        op: &'static str,
        loc: &Location<'_>,
    ) -> Rdd<(K, V)> {
        let ctx = self.context().clone();
        let dep = ShuffleDependency::<K, V, V, NoAggregator>::new(
            ctx.new_shuffle_id(),
            Arc::clone(self.node()),
            partitioner,
            None,
            false,
        )
        .with_cleaner(Some(ctx.inner.cleaner.clone()));
        let node = ShuffledRdd::new(ctx.new_meta(op, loc), Arc::new(dep), sorter);
        ctx.wrap(Arc::new(node))
    }

    /// Hash-partitions the pairs into `partitions` partitions by key (no-op if already so).
    #[track_caller]
    pub fn partition_by(&self, partitions: usize) -> Rdd<(K, V)> {
        self.partition_by_at(Partitioner::hash(partitions), Location::caller())
    }

    /// Partitions the pairs with `partitioner`.
    #[track_caller]
    pub fn partition_by_with(&self, partitioner: Partitioner<K>) -> Rdd<(K, V)> {
        self.partition_by_at(partitioner, Location::caller())
    }

    /// The pairs as a map (a later value of a key replaces an earlier one).
    #[track_caller]
    pub fn collect_as_map(&self) -> Result<std::collections::HashMap<K, V>> {
        Ok(self.collect()?.into_iter().collect())
    }

    /// The values of `key`. Scans only the key's partition when the RDD is hash-partitioned.
    #[track_caller]
    pub fn lookup(&self, key: K) -> Result<Vec<V>> {
        let loc = Location::caller();
        let parts: Vec<usize> = match self.partitioner() {
            Some(PartitionerKind::Hash { partitions }) => {
                vec![(portable_hash(&key) % partitions as u64) as usize]
            }
            _ => (0..self.num_partitions()).collect(),
        };
        let found = self.run_partitions(parts, "lookup", loc, move |it| {
            it.flatten()
                .filter(|(k, _)| *k == key)
                .map(|(_, v)| v)
                .collect::<Vec<V>>()
        })?;
        Ok(found.into_iter().flatten().collect())
    }
}

//! [`Rdd<T>`]: a handle on a lazy, partitioned collection and its transformations.
//!
//! Transformations only build lineage; actions ([`actions`]) run jobs. Narrow transformations
//! fuse: the chunks of a partition flow through every `map`, `filter` and `flat_map` of a stage
//! in one pass. Pair-RDD operations are in [`pair`] and [`join`], sorting in [`sort`], numeric
//! actions in [`numeric`], caching and checkpoints in [`persist`], `to_debug_string` in
//! [`debug`], determinism declarations in [`determinism`].
//!
//! User functions are plain closures (`Fn + Send + Sync + 'static`). In cluster mode every
//! process runs the same program binary and rebuilds the same lineage, so closures are never
//! serialised; what they capture must be the same in every process (use broadcast variables for
//! data computed by the driver at run time).

pub mod actions;
pub mod debug;
pub mod determinism;
pub mod join;
pub mod numeric;
pub mod pair;
pub mod persist;
pub mod save;
pub mod sort;

use crate::context::Context;
use crate::error::Result;
use ember_engine::data::{CHUNK_ROWS, Data, Key};
use ember_engine::ids::RddId;
use ember_engine::partitioner::Partitioner;
use ember_engine::rdd::{
    BatchIter, CartesianRdd, CoalescedRdd, Elements, MapPartitionsRdd, RddCompute, UnionRdd,
    ZippedRdd, chunked,
};
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Poisson};
use std::panic::Location;
use std::sync::Arc;

/// A resilient distributed dataset of `T`: immutable, partitioned, computed lazily from its
/// lineage. Cloning a handle is cheap and refers to the same RDD.
pub struct Rdd<T: Data> {
    ctx: Context,
    node: Arc<dyn RddCompute<T>>,
}

impl<T: Data> Clone for Rdd<T> {
    fn clone(&self) -> Self {
        Rdd {
            ctx: self.ctx.clone(),
            node: Arc::clone(&self.node),
        }
    }
}

impl<T: Data> Rdd<T> {
    pub(crate) fn from_node(ctx: Context, node: Arc<dyn RddCompute<T>>) -> Self {
        Rdd { ctx, node }
    }

    /// The engine node behind this handle.
    pub fn node(&self) -> &Arc<dyn RddCompute<T>> {
        &self.node
    }
    /// The context.
    pub fn context(&self) -> &Context {
        &self.ctx
    }
    /// The id, unique within the context.
    pub fn id(&self) -> RddId {
        self.node.id()
    }
    /// Number of partitions.
    pub fn num_partitions(&self) -> usize {
        self.node.num_partitions()
    }
    /// The user-given name, if any.
    pub fn name(&self) -> Option<String> {
        self.node.meta().name()
    }
    /// Names the RDD (shown by `to_debug_string`).
    pub fn set_name(self, name: impl Into<String>) -> Self {
        self.node.meta().set_name(name);
        self
    }

    /// A new RDD whose partition `i` is `f(i, chunks of partition i)`.
    fn derive<U: Data>(
        &self,
        op: &'static str,
        loc: &Location<'_>,
        preserves_partitioning: bool,
        f: impl Fn(usize, BatchIter<T>) -> BatchIter<U> + Send + Sync + 'static,
    ) -> Rdd<U> {
        let meta = self.ctx.new_meta(op, loc);
        let node = MapPartitionsRdd::new(meta, Arc::clone(&self.node), f, preserves_partitioning);
        self.ctx.wrap(Arc::new(node))
    }

    pub(crate) fn map_with_op<U: Data>(
        &self,
        op: &'static str,
        loc: &Location<'_>,
        preserves_partitioning: bool,
        f: impl Fn(T) -> U + Send + Sync + 'static,
    ) -> Rdd<U> {
        let f = Arc::new(f);
        self.derive(op, loc, preserves_partitioning, move |_, it| {
            let f = Arc::clone(&f);
            Box::new(it.map(move |chunk| chunk.into_iter().map(|x| f(x)).collect()))
        })
    }

    /// Applies `f` to every element.
    #[track_caller]
    pub fn map<U: Data>(&self, f: impl Fn(T) -> U + Send + Sync + 'static) -> Rdd<U> {
        self.map_with_op("map", Location::caller(), false, f)
    }

    /// Applies `f` to every element and flattens the results.
    #[track_caller]
    pub fn flat_map<U: Data, I>(&self, f: impl Fn(T) -> I + Send + Sync + 'static) -> Rdd<U>
    where
        I: IntoIterator<Item = U>,
    {
        let f = Arc::new(f);
        self.derive("flatMap", Location::caller(), false, move |_, it| {
            Box::new(FlatMapChunks {
                input: it,
                current: Vec::new().into_iter(),
                f: Arc::clone(&f),
            })
        })
    }

    /// Keeps the elements for which `f` is true.
    #[track_caller]
    pub fn filter(&self, f: impl Fn(&T) -> bool + Send + Sync + 'static) -> Rdd<T> {
        let f = Arc::new(f);
        self.derive("filter", Location::caller(), true, move |_, it| {
            let f = Arc::clone(&f);
            Box::new(
                it.map(move |mut chunk| {
                    chunk.retain(|x| f(x));
                    chunk
                })
                .filter(|c| !c.is_empty()),
            )
        })
    }

    /// Applies `f` to the elements of each partition as a whole.
    #[track_caller]
    pub fn map_partitions<U: Data, I>(
        &self,
        f: impl Fn(Elements<T>) -> I + Send + Sync + 'static,
    ) -> Rdd<U>
    where
        I: IntoIterator<Item = U>,
        I::IntoIter: Send + 'static,
    {
        let f = Arc::new(f);
        self.derive("mapPartitions", Location::caller(), false, move |_, it| {
            chunked(f(it.flatten()).into_iter())
        })
    }

    /// Like [`Rdd::map_partitions`], with the partition's index.
    #[track_caller]
    pub fn map_partitions_with_index<U: Data, I>(
        &self,
        f: impl Fn(usize, Elements<T>) -> I + Send + Sync + 'static,
    ) -> Rdd<U>
    where
        I: IntoIterator<Item = U>,
        I::IntoIter: Send + 'static,
    {
        let f = Arc::new(f);
        self.derive(
            "mapPartitionsWithIndex",
            Location::caller(),
            false,
            move |i, it| chunked(f(i, it.flatten()).into_iter()),
        )
    }

    /// Each partition as one vector.
    #[track_caller]
    pub fn glom(&self) -> Rdd<Vec<T>> {
        self.derive("glom", Location::caller(), false, |_, it| {
            Box::new(std::iter::once(vec![it.flatten().collect::<Vec<T>>()]))
        })
        .mark_order_sensitive()
    }

    /// Pairs each element with the key `f` gives it.
    #[track_caller]
    pub fn key_by<K: Data>(&self, f: impl Fn(&T) -> K + Send + Sync + 'static) -> Rdd<(K, T)> {
        self.map_with_op("keyBy", Location::caller(), false, move |x| (f(&x), x))
    }

    /// The elements of this RDD followed by those of `other` (duplicates kept).
    #[track_caller]
    pub fn union(&self, other: &Rdd<T>) -> Rdd<T> {
        let meta = self.ctx.new_meta("union", Location::caller());
        let node = UnionRdd::new(meta, vec![Arc::clone(&self.node), Arc::clone(&other.node)]);
        self.ctx.wrap(Arc::new(node))
    }

    /// Every pair `(a, b)` with `a` from this RDD and `b` from `other`.
    #[track_caller]
    pub fn cartesian<U: Data>(&self, other: &Rdd<U>) -> Rdd<(T, U)> {
        let meta = self.ctx.new_meta("cartesian", Location::caller());
        let node = CartesianRdd::new(meta, Arc::clone(&self.node), Arc::clone(&other.node));
        self.ctx.wrap(Arc::new(node))
    }

    /// Pairs the i-th element of each partition with the i-th of `other`'s. Both must have the
    /// same number of partitions (checked now) and of elements per partition (checked when run).
    #[track_caller]
    pub fn zip<U: Data>(&self, other: &Rdd<U>) -> Result<Rdd<(T, U)>> {
        let meta = self.ctx.new_meta("zip", Location::caller());
        let node = ZippedRdd::new(meta, Arc::clone(&self.node), Arc::clone(&other.node))?;
        Ok(self.ctx.wrap(Arc::new(node)))
    }

    /// Pairs each element with its index in the RDD's order. Runs a job to count the
    /// partitions before the last, as Spark does.
    #[track_caller]
    pub fn zip_with_index(&self) -> Result<Rdd<(T, u64)>> {
        let loc = Location::caller();
        let n = self.num_partitions();
        let mut starts = vec![0u64; n];
        if n > 1 {
            let counts = self.run_partitions((0..n - 1).collect(), "zipWithIndex", loc, |it| {
                it.map(|c| c.len() as u64).sum::<u64>()
            })?;
            for i in 1..n {
                starts[i] = starts[i - 1] + counts[i - 1];
            }
        }
        let starts = Arc::new(starts);
        let indexed = self.derive("zipWithIndex", loc, false, move |i, it| {
            let start = starts[i];
            chunked(it.flatten().zip(start..))
        });
        Ok(indexed.mark_order_sensitive())
    }

    /// Pairs each element with a unique id: items of partition `k` get `k, k+n, k+2n, ...` for
    /// `n` partitions. Runs no job; the ids have gaps.
    #[track_caller]
    pub fn zip_with_unique_id(&self) -> Rdd<(T, u64)> {
        let n = self.num_partitions() as u64;
        self.derive(
            "zipWithUniqueId",
            Location::caller(),
            false,
            move |k, it| chunked(it.flatten().zip((k as u64..).step_by(n.max(1) as usize))),
        )
        .mark_order_sensitive()
    }

    /// A random sample: each element kept with probability `fraction` (without replacement), or
    /// drawn a Poisson(`fraction`) number of times (with replacement). The same seed gives the
    /// same sample.
    #[track_caller]
    pub fn sample(&self, with_replacement: bool, fraction: f64, seed: u64) -> Result<Rdd<T>> {
        if !(fraction >= 0.0 && (with_replacement || fraction <= 1.0)) {
            return Err(ember_engine::EngineError::invalid(
                "sample",
                format!("fraction must be in [0, 1] without replacement and >= 0 with it; got {fraction}"),
            )
            .into());
        }
        Ok(self
            .derive("sample", Location::caller(), true, move |i, it| {
                let mut rng = rand::rngs::StdRng::seed_from_u64(
                    seed ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15),
                );
                if with_replacement {
                    let poisson =
                        (fraction > 0.0).then(|| Poisson::new(fraction).expect("fraction > 0"));
                    chunked(it.flatten().flat_map(move |x| {
                        let k = poisson.as_ref().map_or(0, |p| p.sample(&mut rng) as usize);
                        std::iter::repeat_n(x, k)
                    }))
                } else {
                    chunked(it.flatten().filter(move |_| rng.random::<f64>() < fraction))
                }
            })
            .mark_order_sensitive())
    }

    /// Fewer partitions without a shuffle (groups of neighbouring partitions), or any number with
    /// one when `shuffle` is true.
    #[track_caller]
    pub fn coalesce(&self, partitions: usize, shuffle: bool) -> Rdd<T> {
        let loc = Location::caller();
        if shuffle {
            return self.repartition_at(partitions, loc);
        }
        let meta = self.ctx.new_meta("coalesce", loc);
        self.ctx.wrap(Arc::new(CoalescedRdd::new(
            meta,
            Arc::clone(&self.node),
            partitions,
        )))
    }

    /// Exactly `partitions` partitions of near-equal size, through a shuffle. Each input partition
    /// deals its elements round-robin, starting at a position fixed by its index. Which partition
    /// an element lands in depends on its position, so the shuffle is indeterminate when this
    /// RDD is unordered ([`Rdd::output_determinism`]).
    #[track_caller]
    pub fn repartition(&self, partitions: usize) -> Rdd<T> {
        self.repartition_at(partitions, Location::caller())
    }

    fn repartition_at(&self, partitions: usize, loc: &Location<'_>) -> Rdd<T> {
        let n = partitions.max(1);
        let keyed = self
            .derive("repartition", loc, false, move |i, it| {
                let start = (ember_engine::partitioner::portable_hash(&i) % n as u64) as usize;
                chunked(
                    it.flatten()
                        .enumerate()
                        .map(move |(j, x)| ((start + j) % n, x)),
                )
            })
            .mark_order_sensitive();
        let id = self.ctx.new_partitioner_id();
        keyed
            .partition_by_at(Partitioner::custom(n, id, |k: &usize| *k), loc)
            .values()
    }

    /// The distinct elements.
    #[track_caller]
    pub fn distinct(&self) -> Rdd<T>
    where
        T: Key,
    {
        let loc = Location::caller();
        let n = self
            .ctx
            .default_partitions(&[self.node.partitioner()], self.num_partitions());
        self.map_with_op("distinct", loc, false, |x| (x, ()))
            .reduce_by_key_at(|_, _| (), n, loc)
            .keys()
    }

    /// Elements of this RDD that are also in `other`, without duplicates.
    #[track_caller]
    pub fn intersection(&self, other: &Rdd<T>) -> Rdd<T>
    where
        T: Key,
    {
        let loc = Location::caller();
        let a = self.map_with_op("intersection", loc, false, |x| (x, ()));
        let b = other.map_with_op("intersection", loc, false, |x| (x, ()));
        a.cogroup(&b)
            .filter(|(_, (l, r))| !l.is_empty() && !r.is_empty())
            .keys()
    }

    /// Elements of this RDD not in `other` (duplicates of this RDD kept).
    #[track_caller]
    pub fn subtract(&self, other: &Rdd<T>) -> Rdd<T>
    where
        T: Key,
    {
        let loc = Location::caller();
        let a = self.map_with_op("subtract", loc, false, |x| (x, ()));
        let b = other.map_with_op("subtract", loc, false, |x| (x, ()));
        a.subtract_by_key(&b).keys()
    }

    /// Groups elements by the key `f` gives them.
    #[track_caller]
    pub fn group_by<K: Key>(
        &self,
        f: impl Fn(&T) -> K + Send + Sync + 'static,
    ) -> Rdd<(K, Vec<T>)> {
        let loc = Location::caller();
        self.map_with_op("groupBy", loc, false, move |x| (f(&x), x))
            .group_by_key()
    }
}

/// `flat_map` over chunks, emitting chunks of at most [`CHUNK_ROWS`] elements so that a
/// one-to-many function does not blow a chunk up past the CPU caches.
struct FlatMapChunks<T, F> {
    input: BatchIter<T>,
    current: std::vec::IntoIter<T>,
    f: Arc<F>,
}

impl<T, U, I, F> Iterator for FlatMapChunks<T, F>
where
    F: Fn(T) -> I,
    I: IntoIterator<Item = U>,
{
    type Item = Vec<U>;
    fn next(&mut self) -> Option<Vec<U>> {
        // Room past CHUNK_ROWS for the last element's outputs, so the chunk never regrows.
        let mut out = Vec::with_capacity(CHUNK_ROWS + CHUNK_ROWS / 2);
        loop {
            for x in self.current.by_ref() {
                out.extend((self.f)(x));
                if out.len() >= CHUNK_ROWS {
                    return Some(out);
                }
            }
            match self.input.next() {
                Some(chunk) => self.current = chunk.into_iter(),
                None => return if out.is_empty() { None } else { Some(out) },
            }
        }
    }
}

impl Context {
    /// Spark's default partition count for a shuffle: the largest parent partitioner's count if
    /// any parent has one, else `ember.default.parallelism` if set, else the largest parent.
    pub(crate) fn default_partitions(
        &self,
        partitioners: &[Option<ember_engine::partitioner::PartitionerKind>],
        max_parent_partitions: usize,
    ) -> usize {
        if let Some(n) = partitioners
            .iter()
            .flatten()
            .map(|p| p.num_partitions())
            .max()
        {
            return n;
        }
        if self.inner.parallelism_set {
            self.inner.default_parallelism
        } else {
            max_parent_partitions.max(1)
        }
    }
}

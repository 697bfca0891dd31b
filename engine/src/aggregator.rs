//! Aggregators: how values of one key combine, on the map side before a shuffle and on the
//! reduce side after it (Spark's `Aggregator` with `createCombiner`, `mergeValue`,
//! `mergeCombiners`). Generic over the closures so the combine loop has no indirect calls.

/// Combines values `V` of a key into a combiner `C`.
pub trait Aggregator<V, C>: Send + Sync + 'static {
    /// The combiner of a key's first value.
    fn create(&self, v: V) -> C;
    /// Adds a value to a combiner.
    fn merge_value(&self, c: C, v: V) -> C;
    /// Merges two combiners of the same key (from different map tasks).
    fn merge_combiners(&self, a: C, b: C) -> C;
}

/// An aggregator from three closures.
pub struct FnAggregator<F1, F2, F3> {
    /// `createCombiner`.
    pub create: F1,
    /// `mergeValue`.
    pub merge_value: F2,
    /// `mergeCombiners`.
    pub merge_combiners: F3,
}

impl<V, C, F1, F2, F3> Aggregator<V, C> for FnAggregator<F1, F2, F3>
where
    F1: Fn(V) -> C + Send + Sync + 'static,
    F2: Fn(C, V) -> C + Send + Sync + 'static,
    F3: Fn(C, C) -> C + Send + Sync + 'static,
{
    #[inline]
    fn create(&self, v: V) -> C {
        (self.create)(v)
    }
    #[inline]
    fn merge_value(&self, c: C, v: V) -> C {
        (self.merge_value)(c, v)
    }
    #[inline]
    fn merge_combiners(&self, a: C, b: C) -> C {
        (self.merge_combiners)(a, b)
    }
}

/// The aggregator of a shuffle that does not aggregate (`partition_by`, `sort_by_key`, cogroup).
/// It is never called.
pub struct NoAggregator;

impl<V> Aggregator<V, V> for NoAggregator {
    fn create(&self, v: V) -> V {
        v
    }
    fn merge_value(&self, c: V, _v: V) -> V {
        c
    }
    fn merge_combiners(&self, a: V, _b: V) -> V {
        a
    }
}

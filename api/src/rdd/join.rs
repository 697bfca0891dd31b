//! Cogroup and the joins built on it.
//!
//! Both sides go to the same hash partitioning; a side already partitioned that way is read in
//! place (no shuffle), as Spark's `CoGroupedRDD` does, which is what makes iterative joins
//! against a cached, partitioned RDD cheap (PageRank's links).

use super::Rdd;
use ember_engine::data::{Data, Key};
use ember_engine::partitioner::Partitioner;
use ember_engine::rdd::CoGroupedRdd;
use std::panic::Location;
use std::sync::Arc;

/// Each key with its values from both sides of a cogroup.
pub type CoGrouped<K, V, W> = Rdd<(K, (Vec<V>, Vec<W>))>;

/// The result of a full outer join.
pub type FullOuterJoined<K, V, W> = Rdd<(K, (Option<V>, Option<W>))>;

impl<K: Key, V: Data> Rdd<(K, V)> {
    fn join_partitions<W: Data>(&self, other: &Rdd<(K, W)>) -> usize {
        self.context().default_partitions(
            &[self.partitioner(), other.partitioner()],
            self.num_partitions().max(other.num_partitions()),
        )
    }

    pub(crate) fn cogroup_at<W: Data>(
        &self,
        other: &Rdd<(K, W)>,
        partitions: usize,
        op: &'static str,
        loc: &Location<'_>,
    ) -> CoGrouped<K, V, W> {
        let ctx = self.context().clone();
        // Hash partitioning into `partitions`: a parent already hash-partitioned that way is read
        // in place (the cogroup node compares partitioners).
        let partitioner = Partitioner::hash(partitions);
        let c2 = ctx.clone();
        let node = CoGroupedRdd::new(
            ctx.new_meta(op, loc),
            Arc::clone(self.node()),
            Arc::clone(other.node()),
            partitioner,
            move || c2.new_shuffle_id(),
        );
        ctx.wrap(Arc::new(node))
    }

    /// For each key, its values here and in `other`.
    #[track_caller]
    pub fn cogroup<W: Data>(&self, other: &Rdd<(K, W)>) -> CoGrouped<K, V, W> {
        let n = self.join_partitions(other);
        self.cogroup_at(other, n, "cogroup", Location::caller())
    }

    /// Alias of [`Rdd::cogroup`] (Spark's `groupWith`).
    #[track_caller]
    pub fn group_with<W: Data>(&self, other: &Rdd<(K, W)>) -> CoGrouped<K, V, W> {
        let n = self.join_partitions(other);
        self.cogroup_at(other, n, "groupWith", Location::caller())
    }

    /// Inner join: `(k, (v, w))` for every pair of values of a key present on both sides.
    #[track_caller]
    pub fn join<W: Data>(&self, other: &Rdd<(K, W)>) -> Rdd<(K, (V, W))> {
        let n = self.join_partitions(other);
        self.join_n(other, n)
    }

    /// [`Rdd::join`] into `partitions` partitions.
    #[track_caller]
    pub fn join_n<W: Data>(&self, other: &Rdd<(K, W)>, partitions: usize) -> Rdd<(K, (V, W))> {
        let loc = Location::caller();
        self.cogroup_at(other, partitions, "join", loc)
            .flat_map_values(|(vs, ws)| {
                let mut out = Vec::with_capacity(vs.len() * ws.len());
                for v in &vs {
                    for w in &ws {
                        out.push((v.clone(), w.clone()));
                    }
                }
                out
            })
    }

    /// Left outer join: every value here, with each matching value of `other` or `None`.
    #[track_caller]
    pub fn left_outer_join<W: Data>(&self, other: &Rdd<(K, W)>) -> Rdd<(K, (V, Option<W>))> {
        let n = self.join_partitions(other);
        self.cogroup_at(other, n, "leftOuterJoin", Location::caller())
            .flat_map_values(|(vs, ws)| {
                let mut out = Vec::new();
                for v in &vs {
                    if ws.is_empty() {
                        out.push((v.clone(), None));
                    }
                    for w in &ws {
                        out.push((v.clone(), Some(w.clone())));
                    }
                }
                out
            })
    }

    /// Right outer join: every value of `other`, with each matching value here or `None`.
    #[track_caller]
    pub fn right_outer_join<W: Data>(&self, other: &Rdd<(K, W)>) -> Rdd<(K, (Option<V>, W))> {
        let n = self.join_partitions(other);
        self.cogroup_at(other, n, "rightOuterJoin", Location::caller())
            .flat_map_values(|(vs, ws)| {
                let mut out = Vec::new();
                for w in &ws {
                    if vs.is_empty() {
                        out.push((None, w.clone()));
                    }
                    for v in &vs {
                        out.push((Some(v.clone()), w.clone()));
                    }
                }
                out
            })
    }

    /// Full outer join: every value of either side, paired where keys match.
    #[track_caller]
    pub fn full_outer_join<W: Data>(&self, other: &Rdd<(K, W)>) -> FullOuterJoined<K, V, W> {
        let n = self.join_partitions(other);
        self.cogroup_at(other, n, "fullOuterJoin", Location::caller())
            .flat_map_values(|(vs, ws)| {
                let mut out = Vec::new();
                if vs.is_empty() {
                    out.extend(ws.iter().map(|w| (None, Some(w.clone()))));
                } else if ws.is_empty() {
                    out.extend(vs.iter().map(|v| (Some(v.clone()), None)));
                } else {
                    for v in &vs {
                        for w in &ws {
                            out.push((Some(v.clone()), Some(w.clone())));
                        }
                    }
                }
                out
            })
    }

    /// The pairs whose key is not in `other`.
    #[track_caller]
    pub fn subtract_by_key<W: Data>(&self, other: &Rdd<(K, W)>) -> Rdd<(K, V)> {
        let n = self.num_partitions().max(1);
        let n = self.context().default_partitions(&[self.partitioner()], n);
        self.cogroup_at(other, n, "subtractByKey", Location::caller())
            .flat_map_values(|(vs, ws)| if ws.is_empty() { vs } else { Vec::new() })
    }
}

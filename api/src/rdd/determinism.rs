//! Declaring how repeatable an RDD's output is ([`Determinism`]).
//!
//! When part of a shuffle's output is lost, Ember recomputes it from lineage. If the map side
//! of the shuffle is *indeterminate* (a rerun may give other records, or send them to other
//! partitions), the scheduler reruns the whole map stage and every stage that read it, or fails
//! the job with `SchedulerError::IndeterminateOutputLost` when result partitions were already
//! computed from the lost output; it never mixes two runs.
//!
//! Ember derives the level from the lineage: sources are determinate, query results
//! (`DataFrame::rdd`) are unordered, and `repartition`/`coalesce(shuffle = true)`, `zip`,
//! `zip_with_index`, `zip_with_unique_id`, `sample` and `glom` turn an unordered input into an
//! indeterminate output because they depend on the position of each element. What Ember cannot
//! see, the program declares: a source whose order varies, a function that draws unseeded
//! random numbers or reads a clock, a `map_partitions` that numbers its elements.

use super::Rdd;
use ember_engine::data::Data;
pub use ember_engine::rdd::Determinism;

impl<T: Data> Rdd<T> {
    /// How repeatable this RDD's output is when a partition is computed again, derived from the
    /// lineage and what was declared on it and its ancestors.
    pub fn output_determinism(&self) -> Determinism {
        self.node.output_determinism()
    }

    /// Declares that a recomputed partition of this RDD has the same elements in a possibly
    /// different order (e.g. a source that reads a queue or lists a directory). Returns the same
    /// RDD; like [`Rdd::set_name`], the declaration is kept on the RDD itself.
    pub fn mark_unordered(self) -> Self {
        self.node.meta().declare_determinism(Determinism::Unordered);
        self
    }

    /// Declares that a recomputed partition of this RDD may have other elements (its function
    /// draws unseeded random numbers, reads a clock or external state). Shuffles of it then
    /// never mix two runs (see the module documentation). Returns the same RDD.
    pub fn mark_indeterminate(self) -> Self {
        self.node
            .meta()
            .declare_determinism(Determinism::Indeterminate);
        self
    }

    /// Declares that this RDD's function depends on the order of its input (it numbers, pairs or
    /// deals elements by position): if the input is unordered, the output is indeterminate.
    /// Returns the same RDD.
    pub fn mark_order_sensitive(self) -> Self {
        self.node.meta().mark_order_sensitive();
        self
    }
}

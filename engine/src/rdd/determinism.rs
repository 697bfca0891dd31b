//! How repeatable an RDD's output is when a partition is computed again (Spark's
//! `DeterministicLevel`).
//!
//! A lost shuffle output is recomputed from lineage; the scheduler needs to know whether the
//! rerun gives the same output ([`Determinism`]). The level of a node is derived from its
//! inputs by [`RddBase::determinism_from`], over the whole lineage, by
//! [`RddBase::output_determinism`]:
//!
//! - a source (no dependencies) and a checkpointed RDD are [`Determinism::Determinate`];
//! - a narrow operator is as repeatable as its least repeatable parent, unless it depends on
//!   the order of its input (`repartition`'s round-robin dealing, `zip`, `zipWithIndex`,
//!   `sample`, `glom`): then an [`Determinism::Unordered`] input makes it
//!   [`Determinism::Indeterminate`];
//! - the reduce side of a shuffle is as repeatable as the map side's output. Ember reads the map
//!   outputs of a reduce partition in map-partition order (`read_shuffle`), in local and cluster
//!   mode, and combines with a fixed hasher (`CombineMap`, `CoGroupedRdd`), so a determinate map
//!   side gives a determinate reduce side: unlike Spark, whose reducers fetch blocks in arrival
//!   order, a shuffle does not make an RDD unordered by itself. A map side that partitions by a
//!   function of the record (hash or range partitioner) keeps an unordered input unordered:
//!   each bucket gets the same records, in another order.
//!
//! Users declare what Ember cannot see (a source whose order varies, a closure that draws
//! unseeded random numbers) through [`RddMeta::declare_determinism`] and
//! [`RddMeta::mark_order_sensitive`].

use super::{Dependency, RddBase, RddMeta};
use crate::ids::RddId;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

/// How repeatable the output of an RDD (or of a shuffle's map side) is across recomputations,
/// from most to least repeatable (the order of the variants; `max` is the least repeatable).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Determinism {
    /// Every run gives the same elements in the same order in each partition.
    #[default]
    Determinate,
    /// Every run gives the same elements in each partition, possibly in another order.
    Unordered,
    /// A run may give other elements: rerunning part of a shuffle's map side and keeping the
    /// rest would mix two different outputs.
    Indeterminate,
}

impl Determinism {
    fn from_u8(v: u8) -> Self {
        match v {
            0 => Determinism::Determinate,
            1 => Determinism::Unordered,
            _ => Determinism::Indeterminate,
        }
    }

    /// The level of an operator that depends on the order of its input (it numbers, pairs or
    /// deals elements by position), given the level of that input.
    pub fn order_sensitive(input: Determinism) -> Determinism {
        if input == Determinism::Determinate {
            Determinism::Determinate
        } else {
            Determinism::Indeterminate
        }
    }
}

impl std::fmt::Display for Determinism {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Determinism::Determinate => "determinate",
            Determinism::Unordered => "unordered",
            Determinism::Indeterminate => "indeterminate",
        })
    }
}

/// What the creator of an RDD declared about its determinism (kept in [`RddMeta`]).
#[derive(Default)]
pub(crate) struct Declared {
    /// The node's output is at least this non-repeatable (a `Determinism` as `u8`).
    floor: AtomicU8,
    /// The node's function depends on the order of its input.
    order_sensitive: AtomicBool,
}

impl RddMeta {
    /// Declares that this RDD's output is at least as non-repeatable as `level`, whatever its
    /// inputs are: [`Determinism::Unordered`] for a source whose order varies between reads,
    /// [`Determinism::Indeterminate`] for a source or function whose values vary (unseeded
    /// random numbers, clocks, external state). Declarations only add non-determinism.
    pub fn declare_determinism(&self, level: Determinism) {
        self.declared
            .floor
            .fetch_max(level as u8, Ordering::Relaxed);
    }

    /// Declares that this RDD's function depends on the order of its input (it numbers, pairs or
    /// deals elements by position): an unordered input makes its output indeterminate.
    pub fn mark_order_sensitive(&self) {
        self.declared.order_sensitive.store(true, Ordering::Relaxed);
    }

    /// This node's level given the level of its inputs, after what was declared.
    pub fn declared_determinism(&self, inputs: Determinism) -> Determinism {
        let own = if self.declared.order_sensitive.load(Ordering::Relaxed) {
            Determinism::order_sensitive(inputs)
        } else {
            inputs
        };
        own.max(Determinism::from_u8(
            self.declared.floor.load(Ordering::Relaxed),
        ))
    }
}

/// The level of `rdd`'s own computation given its inputs: [`Determinism::Determinate`] once
/// checkpointed (the files are read back), else [`RddBase::determinism_from`].
fn node_level<R: RddBase + ?Sized>(rdd: &R, inputs: Determinism) -> Determinism {
    if rdd.meta().checkpoint_dir().is_some() {
        Determinism::Determinate
    } else {
        rdd.determinism_from(inputs)
    }
}

/// The level of what a dependency delivers, given its parent's: a shuffle's map side may
/// change it ([`super::ShuffleDependencyBase::determinism_from`]).
fn dependency_level(dep: &Dependency, parent: Determinism) -> Determinism {
    match dep {
        Dependency::Narrow { .. } => parent,
        Dependency::Shuffle(s) => s.determinism_from(parent),
    }
}

/// The combined level of what `deps` deliver: the least repeatable of them, or
/// [`Determinism::Determinate`] for a source. Walks the lineage with an explicit stack, so a
/// lineage tens of thousands of RDDs deep is fine; each RDD is visited once.
pub(crate) fn inputs_determinism(deps: &[Dependency]) -> Determinism {
    let mut levels: HashMap<RddId, Determinism> = HashMap::new();
    // (node, its dependencies, whether they were pushed already)
    let mut stack: Vec<(Arc<dyn RddBase>, Vec<Dependency>, bool)> = deps
        .iter()
        .map(|d| {
            let p = d.parent();
            let pd = p.lineage_dependencies();
            (p, pd, false)
        })
        .collect();
    while let Some((node, node_deps, expanded)) = stack.pop() {
        if levels.contains_key(&node.id()) {
            continue;
        }
        if expanded {
            let inputs = node_deps
                .iter()
                .map(|d| dependency_level(d, levels[&d.parent().id()]))
                .max()
                .unwrap_or_default();
            levels.insert(node.id(), node_level(&*node, inputs));
            continue;
        }
        let pending: Vec<(Arc<dyn RddBase>, Vec<Dependency>, bool)> = node_deps
            .iter()
            .map(Dependency::parent)
            .filter(|p| !levels.contains_key(&p.id()))
            .map(|p| {
                let pd = p.lineage_dependencies();
                (p, pd, false)
            })
            .collect();
        stack.push((node, node_deps, true));
        stack.extend(pending);
    }
    deps.iter()
        .map(|d| dependency_level(d, levels[&d.parent().id()]))
        .max()
        .unwrap_or_default()
}

/// The level of `rdd`'s output (see [`RddBase::output_determinism`]).
pub(crate) fn output_determinism<R: RddBase + ?Sized>(rdd: &R) -> Determinism {
    let inputs = inputs_determinism(&rdd.lineage_dependencies());
    node_level(rdd, inputs)
}

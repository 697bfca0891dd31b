//! Cutting a lineage into stages.
//!
//! Walk back from the job's RDD through narrow dependencies; every shuffle dependency met is a
//! stage boundary whose parent side becomes a shuffle-map stage, found the same way. Walks use
//! explicit stacks, so lineages tens of thousands of RDDs deep are fine.

use crate::stage::{Stage, StageKind};
use ember_engine::ids::{RddId, ShuffleId, StageId};
use ember_engine::rdd::{Dependency, RddBase, ShuffleDependencyBase};
use petgraph::Direction;
use petgraph::algo::toposort;
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// The shuffle dependencies reachable from `rdd` through narrow dependencies only: the
/// boundaries of the stage that ends at `rdd`.
pub fn shuffle_boundaries(rdd: &Arc<dyn RddBase>) -> Vec<Arc<dyn ShuffleDependencyBase>> {
    let mut out: Vec<Arc<dyn ShuffleDependencyBase>> = Vec::new();
    let mut seen_shuffles = HashSet::new();
    let mut visited: HashSet<RddId> = HashSet::new();
    let mut stack = vec![Arc::clone(rdd)];
    while let Some(r) = stack.pop() {
        if !visited.insert(r.id()) {
            continue;
        }
        for dep in r.lineage_dependencies() {
            match dep {
                Dependency::Narrow { parent, .. } => stack.push(parent),
                Dependency::Shuffle(s) => {
                    if seen_shuffles.insert(s.shuffle_id()) {
                        out.push(s);
                    }
                }
            }
        }
    }
    out
}

/// The stages of one job, as a graph with an edge from each parent stage to its child.
pub struct JobGraph {
    /// Parent → child edges between stage ids.
    pub graph: DiGraph<StageId, ()>,
    /// The stages.
    pub stages: HashMap<StageId, Stage>,
    /// The result stage.
    pub result: StageId,
    index: HashMap<StageId, NodeIndex>,
}

impl JobGraph {
    /// Builds the stage graph of a job over `partitions` of `rdd`. `stage_for_shuffle` gives the
    /// stage id of a shuffle's map stage (the same id in every job); `result_id` is the new result
    /// stage's id; `result_name` its name.
    pub fn build(
        rdd: &Arc<dyn RddBase>,
        partitions: Vec<usize>,
        result_id: StageId,
        result_name: String,
        mut stage_for_shuffle: impl FnMut(ShuffleId) -> StageId,
    ) -> Self {
        let mut graph = DiGraph::new();
        let mut stages = HashMap::new();
        let mut index = HashMap::new();
        let mut pending: Vec<(StageId, Vec<Arc<dyn ShuffleDependencyBase>>)> = Vec::new();

        let boundaries = shuffle_boundaries(rdd);
        let parents = boundaries
            .iter()
            .map(|d| stage_for_shuffle(d.shuffle_id()))
            .collect();
        stages.insert(
            result_id,
            Stage {
                id: result_id,
                kind: StageKind::Result { partitions },
                rdd: Arc::clone(rdd),
                parents,
                name: result_name,
            },
        );
        index.insert(result_id, graph.add_node(result_id));
        pending.push((result_id, boundaries));

        while let Some((child, deps)) = pending.pop() {
            for dep in deps {
                let sid = stage_for_shuffle(dep.shuffle_id());
                if let std::collections::hash_map::Entry::Vacant(e) = stages.entry(sid) {
                    let parent_rdd = dep.parent();
                    let boundaries = shuffle_boundaries(&parent_rdd);
                    let parents = boundaries
                        .iter()
                        .map(|d| stage_for_shuffle(d.shuffle_id()))
                        .collect();
                    let meta = parent_rdd.meta();
                    let name = format!("{} at {}", meta.op(), meta.call_site());
                    e.insert(Stage {
                        id: sid,
                        kind: StageKind::ShuffleMap(dep),
                        rdd: parent_rdd,
                        parents,
                        name,
                    });
                    index.insert(sid, graph.add_node(sid));
                    pending.push((sid, boundaries));
                }
                graph.update_edge(index[&sid], index[&child], ());
            }
        }
        JobGraph {
            graph,
            stages,
            result: result_id,
            index,
        }
    }

    /// Stage ids with every parent before its children.
    pub fn topological(&self) -> Vec<StageId> {
        toposort(&self.graph, None)
            .expect("stage graphs are acyclic: lineage only points to older RDDs")
            .into_iter()
            .map(|n| self.graph[n])
            .collect()
    }

    /// Stages that read `stage`'s output.
    pub fn children(&self, stage: StageId) -> Vec<StageId> {
        self.graph
            .neighbors_directed(self.index[&stage], Direction::Outgoing)
            .map(|n| self.graph[n])
            .collect()
    }
}

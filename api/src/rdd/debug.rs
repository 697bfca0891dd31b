//! `to_debug_string`: the lineage as Spark prints it, with shuffle boundaries (`+-`) and cache
//! state.
//!
//! ```text
//! (2) ShuffledRDD[4] at reduceByKey at wordcount.rs:40 []
//!  +-(2) MapPartitionsRDD[3] at map at wordcount.rs:39 []
//!     |  MapPartitionsRDD[2] at flatMap at wordcount.rs:38 []
//!     |  TextFileRDD[1] at textFile at wordcount.rs:37 []
//! ```

use super::Rdd;
use ember_engine::data::Data;
use ember_engine::env::RddStorageInfo;
use ember_engine::rdd::{Dependency, RddBase};
use std::collections::HashSet;
use std::sync::Arc;

fn human(bytes: u64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < units.len() {
        v /= 1024.0;
        u += 1;
    }
    format!("{v:.1} {}", units[u])
}

fn describe(rdd: &dyn RddBase) -> String {
    let meta = rdd.meta();
    let name = meta.name().map(|n| format!("{n} ")).unwrap_or_default();
    let level = meta.storage_level();
    let level = if level.is_valid() {
        level.to_string()
    } else {
        String::new()
    };
    let cp = if meta.checkpoint_dir().is_some() {
        " (checkpointed)"
    } else {
        ""
    };
    format!(
        "{name}{}[{}] at {} at {} [{level}]{cp}",
        rdd.kind(),
        rdd.id().0,
        meta.op(),
        meta.call_site()
    )
}

impl<T: Data> Rdd<T> {
    /// The lineage, one RDD a line, children first; `+-` marks a shuffle boundary (a new
    /// stage), `|` a narrow dependency in the same stage. Persisted RDDs show their level and how
    /// much of them is cached.
    pub fn to_debug_string(&self) -> String {
        let ctx = self.context().clone();
        let info = move |r: &dyn RddBase| -> Option<RddStorageInfo> {
            r.meta()
                .storage_level()
                .is_valid()
                .then(|| ctx.rdd_storage_info(r.id()))
        };
        let mut lines = Vec::new();
        let mut seen = HashSet::new();
        // (rdd, nesting depth, reached through a shuffle)
        let root: Arc<dyn RddBase> = Arc::clone(self.node()) as Arc<dyn RddBase>;
        let mut stack = vec![(root, 0usize, None::<bool>)];
        while let Some((rdd, depth, via_shuffle)) = stack.pop() {
            let indent = "   ".repeat(depth.saturating_sub(usize::from(via_shuffle == Some(true))));
            let desc = describe(rdd.as_ref());
            let line = match via_shuffle {
                None => format!("({}) {desc}", rdd.num_partitions()),
                Some(true) => format!("{indent} +-({}) {desc}", rdd.num_partitions()),
                Some(false) => format!("{indent} |  {desc}"),
            };
            lines.push(line);
            if let Some(i) = info(rdd.as_ref()) {
                let pad = "   ".repeat(depth);
                lines.push(format!(
                    "{pad} |       CachedPartitions: {}; MemorySize: {}; DiskSize: {}",
                    i.cached_partitions,
                    human(i.memory_bytes),
                    human(i.disk_bytes)
                ));
            }
            if !seen.insert(rdd.id()) {
                continue;
            }
            let deps = rdd.lineage_dependencies();
            for dep in deps.into_iter().rev() {
                match dep {
                    Dependency::Narrow { parent, .. } => stack.push((parent, depth, Some(false))),
                    Dependency::Shuffle(s) => stack.push((s.parent(), depth + 1, Some(true))),
                }
            }
        }
        lines.join("\n")
    }
}

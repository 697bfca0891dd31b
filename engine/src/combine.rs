//! The per-task hash map that combines values by key (map-side combine, reduce-side merge,
//! combining within an already partitioned RDD).
//!
//! Combiners are merged by value (`merge(C, V) -> C`, Spark's signature). Each slot holds an
//! `Option<C>` so a combiner can be moved out and back without `unsafe` and without the
//! entry-replacement path of the map, which measured 8-15% slower on word count. Lookups borrow
//! the key; the owned key is stored only for a new entry.

use hashbrown::HashMap;
use std::hash::Hash;

/// Combiners by key.
pub struct CombineMap<K, C> {
    map: HashMap<K, Option<C>, rustc_hash::FxBuildHasher>,
}

impl<K: Hash + Eq, C> Default for CombineMap<K, C> {
    fn default() -> Self {
        CombineMap {
            map: HashMap::default(),
        }
    }
}

impl<K: Hash + Eq, C> CombineMap<K, C> {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Merges `v` into the combiner of `k`, or starts one with `create`.
    #[inline]
    pub fn upsert<V>(
        &mut self,
        k: K,
        v: V,
        create: impl FnOnce(V) -> C,
        merge: impl FnOnce(C, V) -> C,
    ) {
        match self.map.get_mut(&k) {
            Some(slot) => {
                let c = slot.take().expect("a combiner is present between upserts");
                *slot = Some(merge(c, v));
            }
            None => {
                self.map.insert(k, Some(create(v)));
            }
        }
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True if no key was added.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

impl<K, C> IntoIterator for CombineMap<K, C> {
    type Item = (K, C);
    type IntoIter = std::iter::FilterMap<
        hashbrown::hash_map::IntoIter<K, Option<C>>,
        fn((K, Option<C>)) -> Option<(K, C)>,
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.map.into_iter().filter_map(|(k, c)| c.map(|c| (k, c)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combines_by_key() {
        let mut m = CombineMap::new();
        for (k, v) in [("a", 1), ("b", 2), ("a", 3)] {
            m.upsert(
                k,
                v,
                |v| vec![v],
                |mut c, v| {
                    c.push(v);
                    c
                },
            );
        }
        let mut out: Vec<_> = m.into_iter().collect();
        out.sort();
        assert_eq!(out, vec![("a", vec![1, 3]), ("b", vec![2])]);
    }
}

//! A map that holds at most a fixed number of entries, dropping the oldest insertion first:
//! what keeps every table of the fake bounded, whatever a client (or a fuzzer) sends.

use std::borrow::Borrow;
use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

/// A map of at most `cap` entries. Inserting past the cap drops the entry inserted longest
/// ago (an entry inserted again counts from its new insertion).
#[derive(Debug)]
pub(crate) struct CappedMap<K, V> {
    cap: usize,
    entries: HashMap<K, (V, u64)>,
    /// Keys in insertion order, with the insertion number; stale ones (removed or inserted
    /// again since) are skipped, and compacted away when they pile up.
    order: VecDeque<(K, u64)>,
    inserted: u64,
}

impl<K: Eq + Hash + Clone, V> CappedMap<K, V> {
    pub fn new(cap: usize) -> Self {
        Self { cap: cap.max(1), entries: HashMap::new(), order: VecDeque::new(), inserted: 0 }
    }

    /// Inserts, and returns the entries dropped to make room.
    pub fn insert(&mut self, key: K, value: V) -> Vec<(K, V)> {
        self.inserted += 1;
        self.entries.insert(key.clone(), (value, self.inserted));
        self.order.push_back((key, self.inserted));
        let mut dropped = Vec::new();
        while self.entries.len() > self.cap {
            let Some((key, n)) = self.order.pop_front() else { break };
            if self.entries.get(&key).is_some_and(|(_, m)| *m == n)
                && let Some((value, _)) = self.entries.remove(&key)
            {
                dropped.push((key, value));
            }
        }
        if self.order.len() > 2 * self.entries.len() + 64 {
            let entries = &self.entries;
            self.order.retain(|(k, n)| entries.get(k).is_some_and(|(_, m)| m == n));
        }
        dropped
    }

    pub fn get<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.entries.get(key).map(|(v, _)| v)
    }

    pub fn get_mut<Q: Hash + Eq + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.entries.get_mut(key).map(|(v, _)| v)
    }

    pub fn contains_key<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.entries.contains_key(key)
    }

    pub fn remove<Q: Hash + Eq + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.entries.remove(key).map(|(v, _)| v)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The keys, in no particular order.
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.entries.keys()
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.entries.retain(|k, (v, _)| keep(k, v));
    }

    /// How many key slots the insertion order holds (live and stale): bounded too.
    #[cfg(test)]
    pub fn order_len(&self) -> usize {
        self.order.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_insertion_goes_first_and_nothing_grows_past_the_cap() {
        let mut map = CappedMap::new(3);
        for i in 0..3 {
            assert!(map.insert(i, i * 10).is_empty());
        }
        map.insert(0, 0); // inserted again: now the newest
        assert_eq!(map.insert(3, 30), vec![(1, 10)]);
        assert!(map.get(&0).is_some() && map.get(&1).is_none());
        for i in 0..1_000_000 {
            map.insert(i, i);
            if i % 3 == 0 {
                map.remove(&i);
            }
        }
        assert!(map.len() <= 3);
        assert!(map.order_len() <= 2 * map.len() + 65, "the order is compacted: {}", map.order_len());
    }
}

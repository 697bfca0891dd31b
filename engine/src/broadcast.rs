//! Broadcast variables: read-only values shared by every task of a context.

use crate::ids::BroadcastId;
use std::fmt;
use std::sync::Arc;

/// A read-only value shipped once to each executor rather than with every task.
/// Cloning a handle is cheap; all clones see the same value.
pub struct Broadcast<T> {
    id: BroadcastId,
    value: Arc<T>,
}

impl<T> Clone for Broadcast<T> {
    fn clone(&self) -> Self {
        Broadcast {
            id: self.id,
            value: Arc::clone(&self.value),
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Broadcast<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Broadcast({}, {:?})", self.id, self.value)
    }
}

impl<T> Broadcast<T> {
    /// A broadcast of `value`; contexts hand these out with fresh ids.
    pub fn new(id: BroadcastId, value: T) -> Self {
        Broadcast {
            id,
            value: Arc::new(value),
        }
    }
    /// The id.
    pub fn id(&self) -> BroadcastId {
        self.id
    }
    /// The value.
    pub fn value(&self) -> &T {
        &self.value
    }
}

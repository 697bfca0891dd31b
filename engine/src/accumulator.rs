//! Accumulators: variables tasks only add to, whose value the driver reads.
//!
//! An update made inside a task is held by the task and applied to the driver's value only when
//! the task succeeds, and only for the first successful attempt of each partition, so a task that
//! fails and is retried counts once. Updates made on the driver apply at once.

use crate::ids::AccumulatorId;
use crate::task_context::{PendingUpdate, TaskContext};
use parking_lot::Mutex;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::any::Any;
use std::fmt;
use std::ops::AddAssign;
use std::sync::Arc;

/// How values of an accumulator combine (Spark's `AccumulatorParam`).
pub trait AccumulatorParam<T>: Send + Sync + 'static {
    /// The identity of `add_in_place`, the start of every task's partial value.
    fn zero(&self, initial: &T) -> T;
    /// Adds `value` into `acc`.
    fn add_in_place(&self, acc: &mut T, value: T);
}

/// Addition, for numbers and anything else with `+=` and a `Default` zero.
#[derive(Clone, Copy, Debug, Default)]
pub struct AddParam;

impl<T: AddAssign + Default + Send + 'static> AccumulatorParam<T> for AddParam {
    fn zero(&self, _initial: &T) -> T {
        T::default()
    }
    fn add_in_place(&self, acc: &mut T, value: T) {
        *acc += value;
    }
}

struct Shared<T> {
    value: Mutex<T>,
    param: Box<dyn AccumulatorParam<T>>,
    /// Encodes a task's partial value for the driver in another process.
    encode: fn(&T) -> Option<Vec<u8>>,
}

/// Applies an encoded partial value to the driver's accumulator.
pub type Applier = Arc<dyn Fn(&[u8]) -> Result<(), String> + Send + Sync>;

/// The driver's accumulators by id, for updates that arrive encoded from executors in other
/// processes (whose copies of the program created the same accumulators in the same order, so
/// ids match).
#[derive(Default)]
pub struct AccumulatorRegistry {
    appliers: Mutex<std::collections::HashMap<AccumulatorId, Applier>>,
}

impl AccumulatorRegistry {
    /// Registers `acc`: encoded partial values of its id are decoded and added to its value.
    pub fn register<T>(&self, acc: &Accumulator<T>)
    where
        T: Serialize + DeserializeOwned + Send + 'static,
    {
        let shared = Arc::clone(&acc.shared);
        let id = acc.id;
        let apply: Applier = Arc::new(move |bytes: &[u8]| {
            let partial: T = postcard::from_bytes(bytes)
                .map_err(|e| format!("cannot decode an update of {id}: {e}"))?;
            let mut v = shared.value.lock();
            shared.param.add_in_place(&mut v, partial);
            Ok(())
        });
        self.appliers.lock().insert(id, apply);
    }

    /// The applier of accumulator `id`.
    pub fn applier(&self, id: AccumulatorId) -> Option<Applier> {
        self.appliers.lock().get(&id).cloned()
    }
}

/// An update that arrived encoded: applied through the driver's registry when its task counts.
pub struct EncodedUpdate {
    /// The accumulator's applier.
    pub apply: Applier,
    /// The encoded partial value.
    pub bytes: Vec<u8>,
}

impl PendingUpdate for EncodedUpdate {
    fn commit(self: Box<Self>) {
        if let Err(e) = (self.apply)(&self.bytes) {
            tracing::warn!(error = %e, "accumulator update dropped");
        }
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// A shared variable tasks add to. Cloning it gives another handle to the same value.
pub struct Accumulator<T> {
    id: AccumulatorId,
    shared: Arc<Shared<T>>,
}

impl<T> Clone for Accumulator<T> {
    fn clone(&self) -> Self {
        Accumulator {
            id: self.id,
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Accumulator<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Accumulator({}, {:?})",
            self.id,
            self.shared.value.lock()
        )
    }
}

struct Pending<T: Send + 'static> {
    shared: Arc<Shared<T>>,
    partial: T,
}

impl<T: Send + 'static> PendingUpdate for Pending<T> {
    fn commit(self: Box<Self>) {
        let Pending { shared, partial } = *self;
        let mut v = shared.value.lock();
        shared.param.add_in_place(&mut v, partial);
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
    fn encode(&self) -> Option<Vec<u8>> {
        (self.shared.encode)(&self.partial)
    }
}

impl<T: Clone + Send + 'static> Accumulator<T> {
    /// A new accumulator; contexts hand these out with fresh ids.
    pub fn new(id: AccumulatorId, initial: T, param: impl AccumulatorParam<T>) -> Self {
        Accumulator {
            id,
            shared: Arc::new(Shared {
                value: Mutex::new(initial),
                param: Box::new(param),
                encode: |_| None,
            }),
        }
    }

    /// A new accumulator whose task updates can travel to a driver in another process.
    pub fn encodable(id: AccumulatorId, initial: T, param: impl AccumulatorParam<T>) -> Self
    where
        T: Serialize,
    {
        Accumulator {
            id,
            shared: Arc::new(Shared {
                value: Mutex::new(initial),
                param: Box::new(param),
                encode: |v| postcard::to_stdvec(v).ok(),
            }),
        }
    }

    /// This accumulator's id.
    pub fn id(&self) -> AccumulatorId {
        self.id
    }

    /// Adds `v`: to the running task's pending update inside a task, to the value on the driver.
    pub fn add(&self, v: T) {
        match TaskContext::get() {
            Some(tc) => tc.record_update(self.id, |existing| {
                let param = &self.shared.param;
                match existing.and_then(|a| a.downcast_mut::<Pending<T>>()) {
                    Some(p) => {
                        param.add_in_place(&mut p.partial, v);
                        None
                    }
                    None => {
                        let mut partial = param.zero(&self.shared.value.lock());
                        param.add_in_place(&mut partial, v);
                        Some(Box::new(Pending {
                            shared: Arc::clone(&self.shared),
                            partial,
                        }))
                    }
                }
            }),
            None => {
                let mut cur = self.shared.value.lock();
                self.shared.param.add_in_place(&mut cur, v);
            }
        }
    }

    /// The value on the driver.
    pub fn value(&self) -> T {
        self.shared.value.lock().clone()
    }

    /// Replaces the value on the driver.
    pub fn set_value(&self, v: T) {
        *self.shared.value.lock() = v;
    }
}

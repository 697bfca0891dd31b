//! Between the engine's task types and their messages: an executor turns a finished task into
//! a [`TaskStatus`]; the driver turns it back into the [`TaskCompletion`] its scheduler reads.

use crate::v1::{
    AccumulatorUpdate, ErrorKind, MapOutput, StoredBlock, TaskError, TaskStatus, task_status,
};
use ember_engine::accumulator::{AccumulatorRegistry, EncodedUpdate};
use ember_engine::env::MapStatus;
use ember_engine::error::EngineError;
use ember_engine::ids::AccumulatorId;
use ember_engine::ids::{ExecutorId, StageId, TaskId};
use ember_engine::task::{TaskCompletion, TaskOutput};
use ember_engine::task_context::{BlockUpdate, PendingUpdate, TaskMetricsSnapshot};
use std::time::Duration;

/// The message of a finished task. A result task's value must be the bytes the action encoded
/// (`Vec<u8>`); accumulator updates travel encoded, and one whose type cannot be encoded fails
/// the task with an error saying so rather than being lost.
pub fn status_of(done: TaskCompletion) -> TaskStatus {
    let mut updates = Vec::with_capacity(done.updates.len());
    let mut unencodable = None;
    for (id, u) in &done.updates {
        match u.encode() {
            Some(value) => updates.push(AccumulatorUpdate { id: id.0, value }),
            None => unencodable = Some(*id),
        }
    }
    let outcome = match done.result {
        Ok(_) if unencodable.is_some() => Err(EngineError::InvalidArgument {
            operation: "accumulator".into(),
            message: format!(
                "{} was updated on an executor in another process, but its value cannot be \
                 encoded for the driver; create it with Context::accumulator or \
                 accumulator_with",
                unencodable.unwrap_or(ember_engine::ids::AccumulatorId(0))
            ),
        }),
        Ok(TaskOutput::Map(s)) => Ok(task_status::Outcome::Map(MapOutput {
            sizes: s.sizes,
            records: s.records,
        })),
        Ok(TaskOutput::Value(v)) => match v.downcast::<Vec<u8>>() {
            Ok(bytes) => Ok(task_status::Outcome::Value(*bytes)),
            Err(_) => Err(EngineError::InvalidArgument {
                operation: "job".into(),
                message: "the job's result function did not encode its value for the driver".into(),
            }),
        },
        Err(e) => Err(e),
    };
    let outcome = outcome.unwrap_or_else(|e| task_status::Outcome::Error(error_of(&e)));
    TaskStatus {
        task_id: done.task_id.0,
        outcome: Some(outcome),
        duration_micros: done.duration.as_micros() as u64,
        metrics: done.metrics.to_vec(),
        blocks: done
            .blocks
            .iter()
            .map(|b| StoredBlock {
                rdd: b.rdd,
                partition: b.partition as u64,
                memory_bytes: b.memory_bytes,
                disk_bytes: b.disk_bytes,
            })
            .collect(),
        updates,
    }
}

/// The message of an engine error.
pub fn error_of(e: &EngineError) -> TaskError {
    let kind = match e {
        EngineError::FetchFailed { .. } => ErrorKind::FetchFailed,
        EngineError::Cancelled { .. } => ErrorKind::Cancelled,
        EngineError::Query { .. }
        | EngineError::MalformedRecord { .. }
        | EngineError::Diverged { .. } => ErrorKind::Deterministic,
        _ => ErrorKind::Other,
    };
    let (shuffle, map, reduce) = match e {
        EngineError::FetchFailed {
            shuffle,
            map,
            reduce,
        } => (shuffle.0, *map as u64, *reduce as u64),
        _ => (0, 0, 0),
    };
    TaskError {
        kind: kind as i32,
        message: e.to_string(),
        shuffle,
        map,
        reduce,
        engine_error: postcard::to_stdvec(e).unwrap_or_default(),
    }
}

/// The engine error a message carries (restored exactly when a Rust executor sent it).
pub fn engine_error(e: &TaskError, executor: &ExecutorId) -> EngineError {
    if let Ok(err) = postcard::from_bytes::<EngineError>(&e.engine_error) {
        return err;
    }
    match ErrorKind::try_from(e.kind).unwrap_or(ErrorKind::Other) {
        ErrorKind::FetchFailed => EngineError::FetchFailed {
            shuffle: ember_engine::ids::ShuffleId(e.shuffle),
            map: e.map as usize,
            reduce: e.reduce as usize,
        },
        ErrorKind::Cancelled => EngineError::Cancelled {
            reason: e.message.clone(),
        },
        ErrorKind::Deterministic => EngineError::Query {
            message: format!("on executor {executor}: {}", e.message),
        },
        ErrorKind::Other => EngineError::Remote {
            executor: executor.0.clone(),
            message: e.message.clone(),
        },
    }
}

/// What the driver remembers of a launched task.
#[derive(Clone, Debug)]
pub struct Launched {
    /// The attempt's id.
    pub task_id: TaskId,
    /// Its stage.
    pub stage: StageId,
    /// The stage's attempt.
    pub stage_attempt: u32,
    /// Its partition.
    pub partition: usize,
    /// The task's attempt.
    pub attempt: u32,
}

impl Launched {
    /// What to remember of `task`.
    pub fn of(task: &ember_engine::task::TaskSpec) -> Self {
        Launched {
            task_id: task.task_id,
            stage: task.stage,
            stage_attempt: task.stage_attempt,
            partition: task.partition,
            attempt: task.attempt,
        }
    }
}

/// The completion the driver's scheduler reads for a status from `executor`.
pub fn completion_of(
    status: TaskStatus,
    task: &Launched,
    executor: &ExecutorId,
    accumulators: &AccumulatorRegistry,
) -> TaskCompletion {
    let mut updates: Vec<(AccumulatorId, Box<dyn PendingUpdate>)> = Vec::new();
    for u in status.updates {
        let id = AccumulatorId(u.id);
        match accumulators.applier(id) {
            Some(apply) => updates.push((
                id,
                Box::new(EncodedUpdate {
                    apply,
                    bytes: u.value,
                }),
            )),
            None => unknown_accumulator(id, executor),
        }
    }
    let result = match status.outcome {
        Some(task_status::Outcome::Value(bytes)) => Ok(TaskOutput::Value(Box::new(bytes))),
        Some(task_status::Outcome::Map(m)) => Ok(TaskOutput::Map(MapStatus {
            executor: executor.clone(),
            sizes: m.sizes,
            records: m.records,
        })),
        Some(task_status::Outcome::Error(e)) => Err(engine_error(&e, executor)),
        None => Err(EngineError::Remote {
            executor: executor.0.clone(),
            message: "a task status without an outcome".into(),
        }),
    };
    let mut done = completion(task, result, Duration::from_micros(status.duration_micros));
    done.updates = updates;
    done.metrics = TaskMetricsSnapshot::from_slice(&status.metrics);
    done.executor = executor.0.clone();
    done.blocks = status
        .blocks
        .into_iter()
        .map(|b| BlockUpdate {
            rdd: b.rdd,
            partition: b.partition as usize,
            memory_bytes: b.memory_bytes,
            disk_bytes: b.disk_bytes,
        })
        .collect();
    done
}

/// An update for an accumulator the driver does not have (its program diverged) is dropped;
/// the task's job fails on the divergence.
fn unknown_accumulator(id: AccumulatorId, executor: &ExecutorId) {
    eprintln!("ember: executor {executor} sent an update of unknown accumulator {id}; dropped");
}

/// A completion of `task` with `result`.
pub fn completion(
    task: &Launched,
    result: Result<TaskOutput, EngineError>,
    duration: Duration,
) -> TaskCompletion {
    TaskCompletion {
        task_id: task.task_id,
        stage: task.stage,
        stage_attempt: task.stage_attempt,
        partition: task.partition,
        attempt: task.attempt,
        result,
        updates: Vec::new(),
        duration,
        metrics: TaskMetricsSnapshot::default(),
        blocks: Vec::new(),
        executor: String::new(),
    }
}

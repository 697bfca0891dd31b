//! The scheduler's error type.

use ember_engine::EngineError;
use ember_engine::ids::{JobId, RddId, StageId};

/// Why a job failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SchedulerError {
    /// A task failed `attempts` times; `error` is the failure of its last attempt.
    #[error(
        "{job} aborted: task {partition} of {stage} failed {attempts} times; most recent failure: {error}"
    )]
    TaskFailed {
        /// The job.
        job: JobId,
        /// The stage of the task.
        stage: StageId,
        /// The partition of the task.
        partition: usize,
        /// How many attempts failed.
        attempts: u32,
        /// The error of the last attempt.
        #[source]
        error: EngineError,
    },
    /// A stage kept losing its input: fetch failures exceeded the stage's attempt limit.
    #[error(
        "{job} aborted: {stage} failed {attempts} times because of lost shuffle output: {error}"
    )]
    StageFailed {
        /// The job.
        job: JobId,
        /// The stage that could not read its input.
        stage: StageId,
        /// How many stage attempts failed.
        attempts: u32,
        /// The last fetch failure.
        #[source]
        error: EngineError,
    },
    /// A shuffle-map stage whose output is indeterminate (a rerun may produce other records or
    /// route them to other partitions) lost part of its output, but result partitions already
    /// computed from the lost output cannot be taken back: rerunning only the lost part would
    /// mix two different outputs, so the job fails instead of giving a wrong result.
    #[error(
        "{job} aborted: {stage} (`{operation}`, {rdd}) lost part of its shuffle output and must run again, but its output is indeterminate (a rerun can produce different records or send them to different partitions, e.g. a repartition of unordered input), and {finished} of {partitions} partitions of the result stage {result_stage} were already computed from the lost output and cannot be rolled back; make the input of the shuffle deterministic (sort it, or checkpoint it before the repartition) and run the job again"
    )]
    IndeterminateOutputLost {
        /// The job.
        job: JobId,
        /// The shuffle-map stage whose output was lost.
        stage: StageId,
        /// The last RDD of that stage's pipeline (the shuffle's map side).
        rdd: RddId,
        /// `operation at file:line` of that RDD.
        operation: String,
        /// The job's result stage.
        result_stage: StageId,
        /// Result partitions already computed.
        finished: usize,
        /// Result partitions the job computes.
        partitions: usize,
    },
    /// The job asked for a partition the RDD does not have.
    #[error("{job}: partition {partition} out of range (the RDD has {partitions})")]
    NoSuchPartition {
        /// The job.
        job: JobId,
        /// The partition asked for.
        partition: usize,
        /// Partitions the RDD has.
        partitions: usize,
    },
    /// The job was cancelled (`cancel_all_jobs`, e.g. Ctrl-C in the SQL shell).
    #[error("{job} cancelled")]
    Cancelled {
        /// The job.
        job: JobId,
    },
    /// The driver's cluster service could not start, or executors did not come.
    #[error("cluster service at {address}: {message}")]
    Cluster {
        /// The service's address.
        address: String,
        /// What went wrong.
        message: String,
    },
    /// The backend stopped answering (its threads ended).
    #[error("{job} aborted: the task backend stopped")]
    BackendGone {
        /// The job.
        job: JobId,
    },
}

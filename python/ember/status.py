"""Low-level status reporting (pyspark's ``pyspark.status``): the jobs and stages of a context.

Obtained with :meth:`SparkContext.statusTracker`. Figures are read from the scheduler each
call; nothing is cached, and finished jobs stay visible (the last 1000 are retained).

>>> rdd = sc.parallelize(range(10), 2).map(lambda x: (x % 3, x)).reduceByKey(lambda a, b: a + b)
>>> _ = rdd.collect()
>>> tracker = sc.statusTracker()
>>> job = tracker.getJobInfo(tracker.getJobIdsForGroup()[-1])
>>> job.status
'SUCCEEDED'
>>> [tracker.getStageInfo(s).numTasks for s in job.stageIds]
[2, 2]
>>> tracker.getActiveJobsIds(), tracker.getActiveStageIds()
([], [])
>>> tracker.getJobInfo(10**9) is None
True
"""

import json
from typing import Any, NamedTuple, Optional

__all__ = ["SparkJobInfo", "SparkStageInfo", "StatusTracker"]


class SparkJobInfo(NamedTuple):
    """A job: its id, its stages (parents first) and its status
    (``RUNNING``, ``SUCCEEDED`` or ``FAILED``)."""

    jobId: int
    stageIds: list
    status: str


class SparkStageInfo(NamedTuple):
    """A stage as its latest job saw it."""

    stageId: int
    currentAttemptId: int
    name: str
    numTasks: int
    numActiveTasks: int
    numCompletedTasks: int
    numFailedTasks: int


_JOB_STATUS = {"Running": "RUNNING", "Succeeded": "SUCCEEDED", "Failed": "FAILED"}


class StatusTracker:
    """Reports on the jobs and stages of ``sc`` (pyspark's ``StatusTracker``)."""

    def __init__(self, sc: Any) -> None:
        self._sc = sc

    def _jobs(self) -> list:
        return json.loads(self._sc._ctx().status_json())

    def getJobIdsForGroup(self, jobGroup: Optional[str] = None) -> list:
        """The ids of the retained jobs, oldest first. Ember records no job groups, so only
        ``jobGroup=None`` (every job) is answered; a group name raises ``ValueError`` rather
        than return a wrong empty list."""
        if jobGroup is not None:
            raise ValueError(
                f"getJobIdsForGroup({jobGroup!r}): Ember does not record job groups; "
                "call it without a group for every job"
            )
        return [j["job_id"] for j in self._jobs()]

    def getActiveStageIds(self) -> list:
        """The ids of the stages with tasks running now."""
        return sorted(
            s["stage_id"]
            for j in self._jobs()
            if j["status"] == "Running"
            for s in j["stages"]
            if s["status"] == "Active"
        )

    def getActiveJobsIds(self) -> list:
        """The ids of the running jobs."""
        return [j["job_id"] for j in self._jobs() if j["status"] == "Running"]

    def getJobInfo(self, jobId: int) -> Optional[SparkJobInfo]:
        """A job's info, or ``None`` if it is unknown (or no longer retained)."""
        for j in self._jobs():
            if j["job_id"] == jobId:
                stages = [s["stage_id"] for s in j["stages"]]
                return SparkJobInfo(j["job_id"], stages, _JOB_STATUS[j["status"]])
        return None

    def getStageInfo(self, stageId: int) -> Optional[SparkStageInfo]:
        """A stage's info as its most recent job saw it, or ``None`` if it is unknown."""
        for j in reversed(self._jobs()):
            for s in j["stages"]:
                if s["stage_id"] == stageId:
                    return SparkStageInfo(
                        s["stage_id"],
                        s["attempt"],
                        s["name"],
                        s["num_tasks"],
                        s["num_active_tasks"],
                        s["num_completed_tasks"],
                        s["num_failed_tasks"],
                    )
        return None

"""TaskContext: what a running task knows about itself (pyspark.taskcontext).

The worker sets it from the header of each request (see ``python/README.md``), so a function
running in a task can read it with ``TaskContext.get()``; on the driver ``get()`` is ``None``.
"""

from __future__ import annotations

from typing import Any, ClassVar, Optional

__all__ = ["TaskContext"]


class TaskContext:
    """Contextual information about the running task; get it with :meth:`TaskContext.get`.

    >>> from ember import TaskContext
    >>> sc.setLocalProperty("key1", "value")
    >>> taskcontext = sc.parallelize([1]).map(lambda _: TaskContext.get()).first()
    >>> isinstance(taskcontext.attemptNumber(), int)
    True
    >>> isinstance(taskcontext.partitionId(), int)
    True
    >>> isinstance(taskcontext.stageId(), int)
    True
    >>> isinstance(taskcontext.taskAttemptId(), int)
    True
    >>> taskcontext.getLocalProperty("key1")
    'value'
    >>> isinstance(taskcontext.cpus(), int)
    True
    >>> sc.setLocalProperty("key1", None)
    >>> TaskContext.get() is None
    True
    """

    _taskContext: ClassVar[Optional["TaskContext"]] = None

    def __init__(
        self,
        stageId: int = 0,
        partitionId: int = 0,
        attemptNumber: int = 0,
        taskAttemptId: int = 0,
        localProperties: Optional[dict[str, str]] = None,
        cpus: int = 1,
        resources: Optional[dict[str, Any]] = None,
        stageAttemptNumber: int = 0,
    ) -> None:
        self._stageId = stageId
        self._partitionId = partitionId
        self._attemptNumber = attemptNumber
        self._taskAttemptId = taskAttemptId
        self._localProperties = dict(localProperties or {})
        self._cpus = cpus
        self._resources = dict(resources or {})
        self._stageAttemptNumber = stageAttemptNumber

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # A copy sent back to the driver is a plain value: it never becomes the driver's context.
        return (
            TaskContext,
            (
                self._stageId,
                self._partitionId,
                self._attemptNumber,
                self._taskAttemptId,
                self._localProperties,
                self._cpus,
                self._resources,
                self._stageAttemptNumber,
            ),
        )

    def __repr__(self) -> str:
        return (
            f"TaskContext(stageId={self._stageId}, partitionId={self._partitionId}, "
            f"attemptNumber={self._attemptNumber}, taskAttemptId={self._taskAttemptId})"
        )

    @classmethod
    def _setTaskContext(cls, taskContext: Optional["TaskContext"]) -> None:
        cls._taskContext = taskContext

    @classmethod
    def get(cls) -> Optional["TaskContext"]:
        """The context of the running task; ``None`` outside a task (on the driver)."""
        return cls._taskContext

    def stageId(self) -> int:
        """The id of the stage this task belongs to."""
        return self._stageId

    def partitionId(self) -> int:
        """The id of the RDD partition this task computes."""
        return self._partitionId

    def attemptNumber(self) -> int:
        """How many times this task was attempted before: 0 on the first attempt."""
        return self._attemptNumber

    def stageAttemptNumber(self) -> int:
        """How many times this task's stage was attempted before: 0 on the first attempt."""
        return self._stageAttemptNumber

    def taskAttemptId(self) -> int:
        """An id unique to this task attempt within the SparkContext."""
        return self._taskAttemptId

    def getLocalProperty(self, key: str) -> Optional[str]:
        """A local property set on the driver (``SparkContext.setLocalProperty``) in the thread
        that ran the job, or ``None`` if it is missing."""
        return self._localProperties.get(key)

    def cpus(self) -> int:
        """CPUs allocated to the task: one task slot of ``local[N]`` is one core."""
        return self._cpus

    def resources(self) -> dict[str, Any]:
        """Resources (GPUs...) allocated to the task: none in Ember's local mode."""
        return dict(self._resources)

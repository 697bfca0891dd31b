"""StorageLevel: how an RDD is persisted (pyspark.storagelevel)."""

from __future__ import annotations

__all__ = ["StorageLevel"]


class StorageLevel:
    """Flags for controlling the storage of an RDD, as pyspark's ``StorageLevel``.

    Ember keeps cached partitions as Arrow batches in memory, or as Arrow IPC files on disk;
    ``useOffHeap`` and ``deserialized`` are kept for compatibility.

    >>> str(StorageLevel.MEMORY_AND_DISK)
    'Disk Memory Serialized 1x Replicated'
    >>> StorageLevel.MEMORY_ONLY
    StorageLevel(False, True, False, False, 1)
    """

    DISK_ONLY: "StorageLevel"
    DISK_ONLY_2: "StorageLevel"
    DISK_ONLY_3: "StorageLevel"
    MEMORY_ONLY: "StorageLevel"
    MEMORY_ONLY_2: "StorageLevel"
    MEMORY_AND_DISK: "StorageLevel"
    MEMORY_AND_DISK_2: "StorageLevel"
    OFF_HEAP: "StorageLevel"
    MEMORY_AND_DISK_DESER: "StorageLevel"
    NONE: "StorageLevel"

    def __init__(
        self,
        useDisk: bool,
        useMemory: bool,
        useOffHeap: bool,
        deserialized: bool,
        replication: int = 1,
    ) -> None:
        self.useDisk = useDisk
        self.useMemory = useMemory
        self.useOffHeap = useOffHeap
        self.deserialized = deserialized
        self.replication = replication

    def __repr__(self) -> str:
        return "StorageLevel(%s, %s, %s, %s, %s)" % (
            self.useDisk,
            self.useMemory,
            self.useOffHeap,
            self.deserialized,
            self.replication,
        )

    def __str__(self) -> str:
        result = ""
        result += "Disk " if self.useDisk else ""
        result += "Memory " if self.useMemory else ""
        result += "OffHeap " if self.useOffHeap else ""
        result += "Deserialized " if self.deserialized else "Serialized "
        result += "%sx Replicated" % self.replication
        return result

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StorageLevel) and repr(self) == repr(other)

    def __hash__(self) -> int:
        return hash(repr(self))


StorageLevel.DISK_ONLY = StorageLevel(True, False, False, False)
StorageLevel.DISK_ONLY_2 = StorageLevel(True, False, False, False, 2)
StorageLevel.DISK_ONLY_3 = StorageLevel(True, False, False, False, 3)
StorageLevel.MEMORY_ONLY = StorageLevel(False, True, False, False)
StorageLevel.MEMORY_ONLY_2 = StorageLevel(False, True, False, False, 2)
StorageLevel.MEMORY_AND_DISK = StorageLevel(True, True, False, False)
StorageLevel.MEMORY_AND_DISK_2 = StorageLevel(True, True, False, False, 2)
StorageLevel.OFF_HEAP = StorageLevel(True, True, True, False, 1)
StorageLevel.MEMORY_AND_DISK_DESER = StorageLevel(True, True, False, True)
StorageLevel.NONE = StorageLevel(False, False, False, False)

"""How pair RDDs are partitioned: pyspark's ``portable_hash`` and ``Partitioner``."""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, Hashable

__all__ = ["portable_hash", "Partitioner"]

#: Pairs per shuffle batch before the map side flushes its buckets.
_SHUFFLE_BATCH = 10_000


def portable_hash(x: Hashable) -> int:
    """A hash that agrees across Python processes (pyspark's ``portable_hash``).

    Strings hash the same only under a fixed ``PYTHONHASHSEED``; Ember's workers run with one.

    >>> portable_hash(None)
    0
    >>> portable_hash((None, 1)) & 0xffffffff
    219750521
    """
    if "PYTHONHASHSEED" not in os.environ:
        raise RuntimeError("Randomness of hash of string should be disabled via PYTHONHASHSEED")
    if x is None:
        return 0
    if isinstance(x, tuple):
        h = 0x345678
        for i in x:
            h ^= portable_hash(i)
            h *= 1000003
            h &= sys.maxsize
        h ^= len(x)
        if h == -1:
            h = -2
        return int(h)
    return hash(x)


class Partitioner:
    """How a pair RDD is partitioned: a number of partitions and a function of the key."""

    def __init__(self, numPartitions: int, partitionFunc: Callable[[Any], int]) -> None:
        self.numPartitions = numPartitions
        self.partitionFunc = partitionFunc

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Partitioner)
            and self.numPartitions == other.numPartitions
            and self.partitionFunc == other.partitionFunc
        )

    def __call__(self, k: Any) -> int:
        return self.partitionFunc(k) % self.numPartitions

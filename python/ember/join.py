"""Joins and cogroups of pair RDDs, built as pyspark builds them (``pyspark/join.py``): the
values of each side are tagged with the side's number, the tagged RDDs are unioned and grouped
by key in one shuffle, and each key's group is split back into its sides.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Optional

from ember._checks import check_rdd
from ember.resultiterable import ResultIterable

if TYPE_CHECKING:
    from ember.rdd import RDD


def _sides(tagged: Iterable[tuple[int, Any]], n: int) -> list[list[Any]]:
    """Splits one key's tagged values into ``n`` lists, side 0 first."""
    out: list[list[Any]] = [[] for _ in range(n)]
    for side, value in tagged:
        out[side].append(value)
    return out


def _grouped(rdds: list["RDD[Any]"], numPartitions: Optional[int]) -> "RDD[Any]":
    """``(key, [values of side 0, values of side 1, ...])`` for every key of any side."""
    n = len(rdds)
    tagged = None
    for side, rdd in enumerate(rdds):
        marked = rdd.mapValues(lambda v, side=side: (side, v))
        tagged = marked if tagged is None else tagged.union(marked)
    assert tagged is not None
    return tagged.groupByKey(numPartitions).mapValues(lambda vs: _sides(vs, n))


def join_with(
    left: "RDD[Any]",
    right: "RDD[Any]",
    numPartitions: Optional[int],
    pad_left: bool,
    pad_right: bool,
    operation: str,
) -> "RDD[Any]":
    """Pairs of the two sides' values per key; a side with no value for a key is padded with
    ``None`` when asked (outer joins), else the key is dropped."""
    check_rdd(right, operation)

    def pairs(sides: list[list[Any]]) -> Iterator[tuple[Any, Any]]:
        vs, ws = sides
        if pad_left and not vs:
            vs = [None]
        if pad_right and not ws:
            ws = [None]
        return ((v, w) for v in vs for w in ws)

    return _grouped([left, right], numPartitions).flatMapValues(pairs)


def cogroup(rdds: list["RDD[Any]"], numPartitions: Optional[int]) -> "RDD[Any]":
    """``(key, (values of rdds[0], values of rdds[1], ...))``, each a ``ResultIterable``."""
    wrap: Callable[[list[list[Any]]], tuple[ResultIterable, ...]] = lambda sides: tuple(
        ResultIterable(s) for s in sides
    )
    return _grouped(rdds, numPartitions).mapValues(wrap)

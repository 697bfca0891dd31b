"""``Window`` and ``WindowSpec``, as pyspark's ``pyspark.sql.window``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Optional, Union

if TYPE_CHECKING:
    from ember.sql.column import Column

__all__ = ["Window", "WindowSpec"]

ColumnOrName = Union["Column", str]


def _cols(cols: tuple) -> list["Column"]:
    from ember.sql.column import _name_col

    if len(cols) == 1 and isinstance(cols[0], list):
        cols = tuple(cols[0])
    return [_name_col(c) for c in cols]


class WindowSpec:
    """Partitioning, ordering and frame of a window; made with ``Window``'s class methods."""

    def __init__(
        self,
        partition: Optional[list["Column"]] = None,
        order: Optional[list["Column"]] = None,
        frame: Optional[tuple[str, Optional[int], Optional[int]]] = None,
    ) -> None:
        self._partition = partition or []
        self._order = order or []
        self._frame = frame

    def partitionBy(self, *cols: ColumnOrName) -> "WindowSpec":
        """Rows with equal values of ``cols`` are in the same window."""
        return WindowSpec(_cols(cols), self._order, self._frame)

    def orderBy(self, *cols: ColumnOrName) -> "WindowSpec":
        """The order of rows within each window."""
        return WindowSpec(self._partition, _cols(cols), self._frame)

    def rowsBetween(self, start: int, end: int) -> "WindowSpec":
        """A frame of rows from ``start`` to ``end`` relative to the current row (0);
        ``Window.unboundedPreceding`` and ``Window.unboundedFollowing`` for no bound."""
        return WindowSpec(self._partition, self._order, ("rows", *_bounds(start, end)))

    def rangeBetween(self, start: int, end: int) -> "WindowSpec":
        """A frame of rows whose ordering value is within ``start``..``end`` of the current
        row's."""
        return WindowSpec(self._partition, self._order, ("range", *_bounds(start, end)))

    def _describe(self) -> str:
        parts = []
        if self._partition:
            parts.append("PARTITION BY " + ", ".join(c._name for c in self._partition))
        if self._order:
            parts.append("ORDER BY " + ", ".join(c._name for c in self._order))
        if self._frame is not None:
            units, start, end = self._frame
            parts.append(f"{units.upper()} BETWEEN {_bound(start, 'PRECEDING')} AND "
                         f"{_bound(end, 'FOLLOWING')}")
        return " ".join(parts)


def _bounds(start: int, end: int) -> tuple[Optional[int], Optional[int]]:
    for name, v in (("start", start), ("end", end)):
        if not isinstance(v, int) or isinstance(v, bool):
            raise TypeError(f"frame {name} must be an int, got {type(v).__name__}")
    s = None if start <= Window._PRECEDING_THRESHOLD else start
    e = None if end >= Window._FOLLOWING_THRESHOLD else end
    return s, e


def _bound(v: Optional[int], unbounded: str) -> str:
    if v is None:
        return f"UNBOUNDED {unbounded}"
    if v == 0:
        return "CURRENT ROW"
    return f"{abs(v)} {'PRECEDING' if v < 0 else 'FOLLOWING'}"


class Window:
    """Utility functions for defining windows.

    >>> from ember.sql import functions as F
    >>> df = spark.createDataFrame([("a", 1), ("a", 2), ("b", 5)], ["k", "v"])
    >>> w = Window.partitionBy("k").orderBy("v")
    >>> df.select("k", "v", F.row_number().over(w).alias("n")).orderBy("k", "v").collect()
    [Row(k='a', v=1, n=1), Row(k='a', v=2, n=2), Row(k='b', v=5, n=1)]
    """

    _JAVA_MIN_LONG = -(1 << 63)
    _JAVA_MAX_LONG = (1 << 63) - 1
    _PRECEDING_THRESHOLD = max(-sys.maxsize, _JAVA_MIN_LONG)
    _FOLLOWING_THRESHOLD = min(sys.maxsize, _JAVA_MAX_LONG)

    unboundedPreceding: int = _JAVA_MIN_LONG
    unboundedFollowing: int = _JAVA_MAX_LONG
    currentRow: int = 0

    @staticmethod
    def partitionBy(*cols: ColumnOrName) -> WindowSpec:
        return WindowSpec().partitionBy(*cols)

    @staticmethod
    def orderBy(*cols: ColumnOrName) -> WindowSpec:
        return WindowSpec().orderBy(*cols)

    @staticmethod
    def rowsBetween(start: int, end: int) -> WindowSpec:
        return WindowSpec().rowsBetween(start, end)

    @staticmethod
    def rangeBetween(start: int, end: int) -> WindowSpec:
        return WindowSpec().rangeBetween(start, end)

"""``GroupedData``: the result of ``DataFrame.groupBy``, as pyspark's ``pyspark.sql.group``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Union

from ember.sql.column import Column, _name_col

if TYPE_CHECKING:
    from ember.sql.dataframe import DataFrame

__all__ = ["GroupedData"]

_DICT_AGGS = {
    "avg": "avg", "mean": "avg", "max": "max", "min": "min", "sum": "sum", "count": "count",
    "first": "first_value", "last": "last_value", "stddev": "stddev", "variance": "var_samp",
    "collect_list": "array_agg",
}


class GroupedData:
    """A DataFrame grouped by keys, waiting for its aggregates.

    >>> df = spark.createDataFrame([(2, "Alice"), (2, "Bob"), (5, "Bob")], ["age", "name"])
    >>> sorted(df.groupBy("name").agg({"age": "max"}).collect())
    [Row(name='Alice', max(age)=2), Row(name='Bob', max(age)=5)]
    >>> sorted(df.groupBy(df.name).count().collect())
    [Row(name='Alice', count=1), Row(name='Bob', count=2)]
    """

    def __init__(self, df: "DataFrame", keys: list[Column]) -> None:
        self._df = df
        self._keys = keys

    def agg(self, *exprs: Union[Column, dict[str, str]]) -> "DataFrame":
        """Computes aggregates: Columns (``F.sum("x")``...) or one dict of column to function
        name (``{"age": "max"}``)."""
        if not exprs:
            raise ValueError("[CANNOT_BE_EMPTY] At least one Column must be specified for agg.")
        if len(exprs) == 1 and isinstance(exprs[0], dict):
            cols = []
            for name, fn in exprs[0].items():
                if fn not in _DICT_AGGS:
                    raise ValueError(f"unknown aggregate function {fn!r} for column {name!r}")
                shown = "avg" if fn == "mean" else fn
                arg = Column._lit(1) if name == "*" and fn == "count" else _name_col(name)
                cols.append(Column._call(_DICT_AGGS[fn], [arg], f"{shown}({arg._name})"))
            return self._df._aggregate(self._keys, cols)
        for e in exprs:
            if not isinstance(e, Column):
                raise TypeError(
                    f"[NOT_COLUMN] agg() takes Columns or one dict, got {type(e).__name__}"
                )
        return self._df._aggregate(self._keys, list(exprs))

    def count(self) -> "DataFrame":
        """The number of rows of each group, as column ``count``."""
        return self._df._aggregate(self._keys, [Column._call("count", [Column._lit(1)], "count")])

    def _numeric(self, fn: str, shown: str, cols: tuple[str, ...]) -> "DataFrame":
        if not cols:
            cols = tuple(self._df._numeric_columns())
        aggs = []
        for c in cols:
            if not isinstance(c, str):
                raise TypeError(f"{shown}() takes column names (str), got {type(c).__name__}")
            col = _name_col(c)
            aggs.append(Column._call(fn, [col], f"{shown}({col._name})"))
        return self._df._aggregate(self._keys, aggs)

    def mean(self, *cols: str) -> "DataFrame":
        """The average of each numeric column (or of ``cols``) per group."""
        return self._numeric("avg", "avg", cols)

    avg = mean

    def sum(self, *cols: str) -> "DataFrame":
        return self._numeric("sum", "sum", cols)

    def min(self, *cols: str) -> "DataFrame":
        return self._numeric("min", "min", cols)

    def max(self, *cols: str) -> "DataFrame":
        return self._numeric("max", "max", cols)

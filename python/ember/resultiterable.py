"""ResultIterable: the values of one key after groupByKey (pyspark.resultiterable)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

__all__ = ["ResultIterable"]

T = TypeVar("T")


class ResultIterable(Iterable[T], Generic[T]):
    """A wrapper around a list of values, iterable more than once, with a length."""

    def __init__(self, data: list[T]) -> None:
        self.data = data
        self.index = 0
        self.maxindex = len(data)

    def __iter__(self) -> Iterator[T]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        return f"ResultIterable({self.data!r})"

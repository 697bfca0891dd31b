"""The map-side combine of ``combineByKey`` (and so of ``reduceByKey``, ``groupByKey``...),
run in workers.

``reduceByKey(operator.add)`` over pairs whose values are the int ``1`` (the word-count idiom)
takes a faster road: each chunk of pairs whose values are all exactly ``1`` is counted by
``collections.Counter``'s C loop (``merged[k] = merged.get(k, 0) + 1``). That is the same
result as the general loop: a new key gets ``0 + 1 == 1``, which is ``createCombiner(1)``, and a
known one ``merged[k] + 1``, which is ``add(merged[k], 1)``. Any other chunk (other values,
elements that are not 2-tuples) goes through the general loop, which also raises the usual
errors.
"""

from __future__ import annotations

import operator
from itertools import islice
from typing import Any, Callable, Iterable, Iterator

try:
    from _collections import _count_elements
except ImportError:  # pragma: no cover - Pythons without CPython's C helper

    def _count_elements(mapping: dict, iterable: Iterable[Any]) -> None:
        get = mapping.get
        for k in iterable:
            mapping[k] = get(k, 0) + 1


#: Pairs looked at at once by the counting road.
_CHUNK = 4096

_first = operator.itemgetter(0)
_second = operator.itemgetter(1)


def _identity(x: Any) -> Any:
    return x


def _general(merged: dict, pairs: Iterable[tuple[Any, Any]], create: Callable[[Any], Any],
             merge: Callable[[Any, Any], Any]) -> None:
    for k, v in pairs:
        merged[k] = merge(merged[k], v) if k in merged else create(v)


def _all_ones(chunk: list[Any]) -> bool:
    """True when every element is a 2-tuple whose value is exactly the int 1."""
    if set(map(type, chunk)) != {tuple} or set(map(len, chunk)) != {2}:
        return False
    values = list(map(_second, chunk))
    return set(map(type, values)) == {int} and values.count(1) == len(values)


def sum_locally(iterator: Iterable[tuple[Any, Any]]) -> Iterator[tuple[Any, Any]]:
    """The map-side combine of ``reduceByKey(operator.add)``."""
    merged: dict = {}
    it = iter(iterator)
    while True:
        chunk = list(islice(it, _CHUNK))
        if not chunk:
            return iter(merged.items())
        if _all_ones(chunk):
            _count_elements(merged, map(_first, chunk))
        else:
            _general(merged, chunk, _identity, operator.add)


def local_combiner(create: Callable[[Any], Any], merge: Callable[[Any, Any], Any],
                   sums: bool) -> Callable[[Iterable[tuple[Any, Any]]], Iterator[tuple[Any, Any]]]:
    """The map-side combine with ``create`` and ``merge``; ``sums`` says they are
    ``reduceByKey(operator.add)``'s (identity and ``operator.add``)."""
    if sums:
        return sum_locally

    def combine(iterator: Iterable[tuple[Any, Any]]) -> Iterator[tuple[Any, Any]]:
        merged: dict = {}
        _general(merged, iterator, create, merge)
        return iter(merged.items())

    return combine

"""Accumulators: shared variables tasks only add to (pyspark.accumulators).

An accumulator pickles as its id, its zero value and its ``AccumulatorParam``; a worker that
unpickles a task's function registers a fresh copy starting from zero, the function adds to it,
and at the end of the task the worker sends the copies' values back with its answer. The
engine holds them as the task's pending update and applies them once, when the task succeeds
(a failed task's updates are dropped); the driver then adds them into its accumulators with
``addInPlace``, after each job and whenever ``value`` is read.
"""

from __future__ import annotations

import itertools
import pickle
import threading
import weakref
from typing import TYPE_CHECKING, Any, Callable, Generic, Iterable, TypeVar

if TYPE_CHECKING:
    from ember.context import SparkContext

__all__ = ["Accumulator", "AccumulatorParam"]

T = TypeVar("T")

#: The accumulators of this process by id: the driver's (to apply updates to), or in a worker
#: those the running task's function unpickled (to send their values back).
_accumulatorRegistry: "weakref.WeakValueDictionary[int, Accumulator[Any]]" = weakref.WeakValueDictionary()
_lock = threading.RLock()


def _deserialize_accumulator(aid: int, zero_value: Any, accum_param: "AccumulatorParam[Any]") -> "Accumulator[Any]":
    """A worker's copy of accumulator ``aid``, starting from zero (one per task: the worker
    clears the registry before each). Where ``aid`` is registered already (on the driver), the
    registered accumulator."""
    accum = _accumulatorRegistry.get(aid)
    if accum is None:
        accum = Accumulator(aid, zero_value, accum_param)
        accum._deserialized = True
        _accumulatorRegistry[aid] = accum
    return accum


def _task_updates() -> dict[int, Any]:
    """The values of the accumulators the running task used (in a worker)."""
    return {aid: acc._value for aid, acc in list(_accumulatorRegistry.items()) if acc._deserialized}


def _apply_updates(payloads: Iterable[bytes]) -> None:
    """Adds the pickled ``{id: value}`` updates of successful tasks into the driver's
    accumulators."""
    with _lock:
        for payload in payloads:
            for aid, value in pickle.loads(payload).items():
                acc = _accumulatorRegistry.get(aid)
                if acc is not None and not acc._deserialized:
                    acc._value = acc.accum_param.addInPlace(acc._value, value)


class Accumulator(Generic[T]):
    """A shared variable tasks add to with ``+=`` or ``add``; only the driver reads ``value``.

    Create one with ``SparkContext.accumulator``. ``int``, ``float`` and ``complex`` values are
    added with ``+``; other types need an :class:`AccumulatorParam`.

    >>> a = sc.accumulator(1)
    >>> a.value
    1
    >>> a.value = 2
    >>> a.value
    2
    >>> a += 5
    >>> a.value
    7
    >>> sc.accumulator(1.0).value
    1.0
    >>> sc.accumulator(1j).value
    1j
    >>> rdd = sc.parallelize([1,2,3])
    >>> def f(x):
    ...     global a
    ...     a += x
    ...
    >>> rdd.foreach(f)
    >>> a.value
    13
    >>> b = sc.accumulator(0)
    >>> def g(x):
    ...     b.add(x)
    ...
    >>> rdd.foreach(g)
    >>> b.value
    6
    >>> rdd.map(lambda x: a.value).collect()  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    RuntimeError: Accumulator.value cannot be accessed inside tasks
    ...
    >>> def h(x):
    ...     global a
    ...     a.value = 7
    ...
    >>> rdd.foreach(h)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    RuntimeError: Accumulator.value cannot be accessed inside tasks
    ...
    >>> sc.accumulator([1.0, 2.0, 3.0])
    Traceback (most recent call last):
        ...
    TypeError: No default accumulator param for type <class 'list'>
    """

    def __init__(self, aid: int, value: T, accum_param: "AccumulatorParam[T]") -> None:
        self.aid = aid
        self.accum_param = accum_param
        self._value = value
        self._deserialized = False
        self._drain: Callable[[], None] | None = None
        _accumulatorRegistry[aid] = self

    def __reduce__(self) -> tuple[Any, tuple[int, Any, "AccumulatorParam[T]"]]:
        param = self.accum_param
        return (_deserialize_accumulator, (self.aid, param.zero(self._value), param))

    def _check_driver(self) -> None:
        if self._deserialized:
            raise RuntimeError("Accumulator.value cannot be accessed inside tasks")

    @property
    def value(self) -> T:
        """The value, with the updates of every task that succeeded so far (driver only)."""
        self._check_driver()
        if self._drain is not None:
            self._drain()
        with _lock:
            return self._value

    @value.setter
    def value(self, value: T) -> None:
        """Sets the value (driver only)."""
        self._check_driver()
        if self._drain is not None:
            self._drain()
        with _lock:
            self._value = value

    def add(self, term: T) -> None:
        """Adds ``term`` to this accumulator's value."""
        with _lock:
            self._value = self.accum_param.addInPlace(self._value, term)

    def __iadd__(self, term: T) -> "Accumulator[T]":
        """``+=``: adds ``term`` to this accumulator's value."""
        self.add(term)
        return self

    def __str__(self) -> str:
        return str(self._value)

    def __repr__(self) -> str:
        return f"Accumulator<id={self.aid}, value={self._value}>"


class AccumulatorParam(Generic[T]):
    """How to add values of an accumulator's type: ``zero`` and ``addInPlace``.

    >>> from ember.accumulators import AccumulatorParam
    >>> class VectorAccumulatorParam(AccumulatorParam):
    ...     def zero(self, value):
    ...         return [0.0] * len(value)
    ...     def addInPlace(self, val1, val2):
    ...         for i in range(len(val1)):
    ...              val1[i] += val2[i]
    ...         return val1
    >>> va = sc.accumulator([1.0, 2.0, 3.0], VectorAccumulatorParam())
    >>> va.value
    [1.0, 2.0, 3.0]
    >>> def g(x):
    ...     global va
    ...     va += [x] * 3
    ...
    >>> rdd = sc.parallelize([1,2,3])
    >>> rdd.foreach(g)
    >>> va.value
    [7.0, 8.0, 9.0]
    """

    def zero(self, value: T) -> T:
        """A zero value for the type, compatible in dimensions with ``value``."""
        raise NotImplementedError(f"{type(self).__name__} must define zero(value)")

    def addInPlace(self, value1: T, value2: T) -> T:
        """Adds two values and returns the sum; may update ``value1`` in place."""
        raise NotImplementedError(f"{type(self).__name__} must define addInPlace(value1, value2)")


class AddingAccumulatorParam(AccumulatorParam[T]):
    """Adds with ``+=`` from a fixed zero value (ints, floats, complex numbers)."""

    def __init__(self, zero_value: T) -> None:
        self.zero_value = zero_value

    def zero(self, value: T) -> T:
        return self.zero_value

    def addInPlace(self, value1: T, value2: T) -> T:
        value1 += value2  # type: ignore[operator]
        return value1


INT_ACCUMULATOR_PARAM = AddingAccumulatorParam(0)
FLOAT_ACCUMULATOR_PARAM = AddingAccumulatorParam(0.0)
COMPLEX_ACCUMULATOR_PARAM = AddingAccumulatorParam(0.0j)


def _default_param(value: Any) -> AccumulatorParam[Any]:
    """The built-in param for ``value``'s type (``bool`` is not a number here)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return INT_ACCUMULATOR_PARAM
    if isinstance(value, float):
        return FLOAT_ACCUMULATOR_PARAM
    if isinstance(value, complex):
        return COMPLEX_ACCUMULATOR_PARAM
    raise TypeError(f"No default accumulator param for type {type(value)}")


def _new_accumulator(sc: "SparkContext", aid: int, value: T, accum_param: "AccumulatorParam[T] | None") -> Accumulator[T]:
    if accum_param is None:
        accum_param = _default_param(value)
    elif not (hasattr(accum_param, "zero") and hasattr(accum_param, "addInPlace")):
        raise TypeError(
            f"accumulator: accum_param must be an AccumulatorParam, got {type(accum_param).__name__}"
        )
    acc = Accumulator(aid, value, accum_param)
    acc._drain = sc._apply_accumulator_updates
    return acc


_ids = itertools.count()


def _next_accumulator_id() -> int:
    """A fresh id, unique in this driver process (accumulators of every context share the
    registry)."""
    return next(_ids)

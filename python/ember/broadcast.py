"""Broadcast variables: read-only values shared by every task (pyspark.broadcast).

The driver pickles the value once into a file of the context's temporary directory. A
``Broadcast`` pickles (inside a task's function) as its id and that path; a worker loads the
value the first time a task reads it and keeps it for later tasks, until the driver
``unpersist``s it: the id then travels in the header of each worker's next request and the
worker drops its copy (a later use loads it again). ``destroy`` also deletes the file.
"""

from __future__ import annotations

import gc
import os
import pickle
from typing import TYPE_CHECKING, Any, BinaryIO, Generic, Optional, TypeVar

import cloudpickle

if TYPE_CHECKING:
    from ember.context import SparkContext

__all__ = ["Broadcast"]

T = TypeVar("T")

#: A worker's broadcast values by id, kept across tasks until the driver drops them.
_broadcastRegistry: dict[int, "Broadcast[Any]"] = {}


def _from_path(bid: int, path: str) -> "Broadcast[Any]":
    """A worker's broadcast ``bid``: the cached one, or one loading lazily from ``path``."""
    b = _broadcastRegistry.get(bid)
    if b is None:
        b = Broadcast(path=path, bid=bid)
        _broadcastRegistry[bid] = b
    return b


def _drop(bids: Any) -> None:
    """Forgets the worker's copies of the given broadcasts."""
    for bid in bids:
        _broadcastRegistry.pop(bid, None)


class Broadcast(Generic[T]):
    """A broadcast variable created with ``SparkContext.broadcast``; read it with ``value``.

    >>> b = sc.broadcast([1, 2, 3, 4, 5])
    >>> b.value
    [1, 2, 3, 4, 5]
    >>> sc.parallelize([0, 0]).flatMap(lambda x: b.value).collect()
    [1, 2, 3, 4, 5, 1, 2, 3, 4, 5]
    >>> b.unpersist()
    >>> sc.parallelize([0, 0]).flatMap(lambda x: b.value).collect()
    [1, 2, 3, 4, 5, 1, 2, 3, 4, 5]
    >>> large_broadcast = sc.broadcast(range(10000))
    >>> b.destroy()
    >>> b.value  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    RuntimeError: Attempted to use broadcast variable ... after it was destroyed
    """

    def __init__(
        self,
        sc: Optional["SparkContext"] = None,
        value: Optional[T] = None,
        pickle_registry: Any = None,
        path: Optional[str] = None,
        *,
        bid: Optional[int] = None,
    ) -> None:
        self._sc = sc
        self._destroyed = False
        if sc is not None:
            self._bid: int = sc._next_broadcast_id()
            self._path: str = os.path.join(sc._temp_dir(), f"broadcast_{self._bid}")
            with open(self._path, "wb") as f:
                self.dump(value, f)  # type: ignore[arg-type]
            self._value: T = value  # type: ignore[assignment]
        else:
            if path is None or bid is None:
                raise TypeError("Broadcast: use SparkContext.broadcast(value) to create one")
            self._bid = bid
            self._path = path

    @property
    def id(self) -> int:
        """This broadcast's id."""
        return self._bid

    def __repr__(self) -> str:
        return f"Broadcast(id={self._bid})"

    def dump(self, value: T, f: BinaryIO) -> None:
        """Writes ``value`` pickled to the open file ``f`` and closes it."""
        try:
            cloudpickle.dump(value, f, pickle.HIGHEST_PROTOCOL)
        except pickle.PickleError:
            raise
        except Exception as e:
            raise pickle.PicklingError(f"Could not serialize broadcast: {type(e).__name__}: {e}") from e
        finally:
            f.close()

    def load_from_path(self, path: str) -> T:
        """The value pickled in the file ``path``."""
        with open(path, "rb", 1 << 20) as f:
            return self.load(f)

    def load(self, file: BinaryIO) -> T:
        """The value pickled in the open file ``file``."""
        gc.disable()
        try:
            return pickle.load(file)
        finally:
            gc.enable()

    def _destroyed_error(self) -> RuntimeError:
        return RuntimeError(f"Attempted to use broadcast variable {self._bid} after it was destroyed")

    @property
    def value(self) -> T:
        """The broadcast value (loaded on first use in a worker)."""
        if self._destroyed:
            raise self._destroyed_error()
        if not hasattr(self, "_value"):
            try:
                self._value = self.load_from_path(self._path)
            except FileNotFoundError:
                raise self._destroyed_error() from None
        return self._value

    def _driver(self, operation: str) -> "SparkContext":
        if self._sc is None:
            raise RuntimeError(f"Broadcast can only be {operation} in driver")
        return self._sc

    def unpersist(self, blocking: bool = False) -> None:
        """Deletes the workers' cached copies; a later use in a task loads the value again."""
        sc = self._driver("unpersisted")
        if sc._native is not None:
            sc._native.drop_broadcast(self._bid)

    def destroy(self, blocking: bool = False) -> None:
        """Deletes the value everywhere; the broadcast cannot be used afterwards."""
        self._driver("destroyed")
        if self._destroyed:
            return
        self.unpersist(blocking)
        self._destroyed = True
        self.__dict__.pop("_value", None)
        try:
            os.unlink(self._path)
        except FileNotFoundError:
            pass

    def __reduce__(self) -> tuple[Any, tuple[int, str]]:
        if self._destroyed:
            raise self._destroyed_error()
        return (_from_path, (self._bid, self._path))

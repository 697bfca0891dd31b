"""How an exception raised in a Python worker reaches the driver."""

from __future__ import annotations

import pickle
from typing import NoReturn

from ember._ember import WorkerError

__all__ = ["PythonException", "WorkerError", "reraise"]


class PythonException(Exception):
    """An exception of a worker whose type could not be sent back (it did not pickle)."""


def reraise(err: WorkerError) -> NoReturn:
    """Raises the worker's exception again in the driver, as its own type.

    The worker's traceback (the file and line of the user's function) is attached as a note,
    so it is printed with the exception.
    """
    exc_bytes, type_name, message, tb = pickle.loads(err.args[0])
    exc: BaseException | None = None
    if exc_bytes is not None:
        try:
            exc = pickle.loads(exc_bytes)
        except Exception:
            exc = None
    if not isinstance(exc, BaseException):
        exc = PythonException(f"{type_name}: {message}")
    exc.add_note("\nThe Python worker's traceback:\n" + tb.rstrip())
    raise exc from None

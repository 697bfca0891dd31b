"""Argument checks of the public entry points: a wrong type is a ``TypeError`` naming the
operation and the argument, raised when the method is called (not later, in a worker)."""

from __future__ import annotations

import numbers
import os
from typing import Any, Optional


def _got(value: Any) -> str:
    text = repr(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{type(value).__name__} {text}"


def check_callable(f: Any, operation: str, name: str = "f") -> None:
    """``f`` must be callable."""
    if not callable(f):
        raise TypeError(f"{operation}: {name} must be a function, got {_got(f)}")


def check_int(value: Any, operation: str, name: str, minimum: Optional[int] = None) -> int:
    """``value`` must be an integer (not a bool), at least ``minimum`` if given."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{operation}: {name} must be an int, got {_got(value)}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{operation}: {name} must be at least {minimum}, got {value}")
    return value


def check_optional_int(value: Any, operation: str, name: str, minimum: Optional[int] = None) -> Optional[int]:
    """``None``, or an integer as :func:`check_int` wants."""
    return None if value is None else check_int(value, operation, name, minimum)


def check_number(value: Any, operation: str, name: str) -> float:
    """``value`` must be a real number (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{operation}: {name} must be a number, got {_got(value)}")
    return float(value)


def check_str(value: Any, operation: str, name: str) -> str:
    """``value`` must be a ``str``."""
    if not isinstance(value, str):
        raise TypeError(f"{operation}: {name} must be a str, got {_got(value)}")
    return value


def check_path(value: Any, operation: str, name: str = "path") -> str:
    """``value`` must be a path: a ``str`` or an ``os.PathLike``; returns it as a ``str``."""
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str):
        raise TypeError(f"{operation}: {name} must be a str path, got {_got(value)}")
    return value


def check_rdd(value: Any, operation: str, name: str = "other") -> None:
    """``value`` must be an RDD."""
    from ember.rdd import RDD

    if not isinstance(value, RDD):
        raise TypeError(f"{operation}: {name} must be an RDD, got {_got(value)}")

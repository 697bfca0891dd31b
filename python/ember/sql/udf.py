"""User-defined functions: ``udf`` (row by row) and ``pandas_udf`` (pandas Series in and out),
as pyspark's. Both run in Ember's Python worker processes, never in the driver: the engine
sends each batch of argument columns to a worker as Arrow IPC, the worker applies the
function and sends the result column back (see ``python/README.md``).

>>> from ember.sql.functions import udf, col
>>> plus_one = udf(lambda x: x + 1, "long")
>>> spark.range(3).select(plus_one(col("id")).alias("p")).collect()
[Row(p=1), Row(p=2), Row(p=3)]
"""

from __future__ import annotations

import functools
import itertools
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

import cloudpickle

from ember.sql.column import Column, _name_col, _type_ipc
from ember.sql.types import DataType, StringType, _parse_datatype_string

if TYPE_CHECKING:
    from ember.sql.session import SparkSession

__all__ = ["udf", "pandas_udf", "UserDefinedFunction", "UDFRegistration", "PythonEvalType"]

_ids = itertools.count()


class PythonEvalType:
    """How a user function is called (pyspark's codes)."""

    SQL_BATCHED_UDF = 100
    SQL_SCALAR_PANDAS_UDF = 200


def _return_type(returnType: Union[DataType, str]) -> DataType:
    if isinstance(returnType, str):
        return _parse_datatype_string(returnType)
    if not isinstance(returnType, DataType):
        raise TypeError(
            f"[NOT_DATATYPE_OR_STR] Argument `returnType` should be a DataType or str, "
            f"got {type(returnType).__name__}."
        )
    return returnType


class UserDefinedFunction:
    """A Python function usable as a Column function; made by ``udf`` or ``pandas_udf``."""

    def __init__(self, func: Callable[..., Any], returnType: Union[DataType, str] = StringType(),
                 name: Optional[str] = None, evalType: int = PythonEvalType.SQL_BATCHED_UDF) -> None:
        if not callable(func):
            raise TypeError(f"[NOT_CALLABLE] Argument `func` should be a callable, got {type(func).__name__}.")
        self.func = func
        self.returnType = _return_type(returnType)
        self.evalType = evalType
        self._name = name or getattr(func, "__name__", None) or "<lambda>"
        self._command: Optional[bytes] = None
        self._id = next(_ids)
        self.deterministic = True

    def _pickled(self) -> bytes:
        if self._command is None:
            from ember.sql.types import to_arrow_type

            from ember.sql._udf_worker import evaluate

            kind = "pandas" if self.evalType == PythonEvalType.SQL_SCALAR_PANDAS_UDF else "rows"
            run = functools.partial(evaluate, kind, self.func, to_arrow_type(self.returnType), self._name)
            self._command = cloudpickle.dumps(run)
        return self._command

    def __call__(self, *cols: Union[Column, str]) -> Column:
        args = [_name_col(c) for c in cols]
        command = self._pickled()
        ret = _type_ipc(self.returnType)
        name = f"{self._name}({', '.join(a._name for a in args)})"
        fn_name = f"pyudf_{self._id}_{self._name}"
        return Column(
            lambda r: r.session.python_udf(fn_name, command, ret, [a._expr(r) for a in args]),
            name,
        )

    def asNondeterministic(self) -> "UserDefinedFunction":
        self.deterministic = False
        return self


def udf(f: Optional[Union[Callable[..., Any], DataType, str]] = None,
        returnType: Union[DataType, str] = StringType(), *, useArrow: Optional[bool] = None) -> Any:
    """A row-at-a-time user-defined function (``returnType`` defaults to string); usable as a
    decorator with or without arguments.

    >>> from ember.sql.functions import udf
    >>> @udf(returnType="int")
    ... def slen(s):
    ...     return len(s)
    >>> spark.createDataFrame([("abc",)], ["s"]).select(slen("s").alias("n")).collect()
    [Row(n=3)]
    """
    if f is None or isinstance(f, (str, DataType)):
        rt = returnType if f is None else f
        return functools.partial(_wrap, returnType=rt, evalType=PythonEvalType.SQL_BATCHED_UDF)
    return _wrap(f, returnType, PythonEvalType.SQL_BATCHED_UDF)


def pandas_udf(f: Optional[Union[Callable[..., Any], DataType, str]] = None,
               returnType: Optional[Union[DataType, str]] = None, functionType: Optional[int] = None) -> Any:
    """A vectorised user-defined function: it takes and returns pandas Series (a batch of rows
    at a time). ``returnType`` is required.

    >>> import pandas as pd
    >>> from ember.sql.functions import pandas_udf
    >>> @pandas_udf("long")
    ... def times_two(s: pd.Series) -> pd.Series:
    ...     return s * 2
    >>> spark.range(3).select(times_two("id").alias("d")).collect()
    [Row(d=0), Row(d=2), Row(d=4)]
    """
    if f is None or isinstance(f, (str, DataType)):
        rt = returnType if f is None else f
        if rt is None:
            raise ValueError("[CANNOT_BE_NONE] Argument `returnType` can not be None.")
        return functools.partial(_wrap, returnType=rt, evalType=PythonEvalType.SQL_SCALAR_PANDAS_UDF)
    if returnType is None:
        raise ValueError("[CANNOT_BE_NONE] Argument `returnType` can not be None.")
    return _wrap(f, returnType, PythonEvalType.SQL_SCALAR_PANDAS_UDF)


def _wrap(f: Callable[..., Any], returnType: Union[DataType, str], evalType: int) -> Callable[..., Column]:
    u = UserDefinedFunction(f, returnType, evalType=evalType)

    @functools.wraps(f)
    def wrapper(*cols: Union[Column, str]) -> Column:
        return u(*cols)

    wrapper.func = f  # type: ignore[attr-defined]
    wrapper.returnType = u.returnType  # type: ignore[attr-defined]
    wrapper.evalType = evalType  # type: ignore[attr-defined]
    wrapper._udf = u  # type: ignore[attr-defined]
    return wrapper


class UDFRegistration:
    """``spark.udf``: registers Python functions for use in SQL text.

    >>> _ = spark.udf.register("plus_one", lambda x: x + 1, "long")
    >>> spark.sql("SELECT plus_one(41) AS x").collect()
    [Row(x=42)]
    """

    def __init__(self, session: "SparkSession") -> None:
        self._session = session

    def register(self, name: str, f: Callable[..., Any], returnType: Optional[Union[DataType, str]] = None) -> Any:
        if not isinstance(name, str):
            raise TypeError(f"[NOT_STR] Argument `name` should be a str, got {type(name).__name__}.")
        inner = getattr(f, "_udf", None)
        if isinstance(f, UserDefinedFunction):
            inner = f
        if inner is None:
            inner = UserDefinedFunction(f, returnType or StringType(), name=name)
        self._session._native.register_python_udf(name, inner._pickled(), _type_ipc(inner.returnType))
        return f

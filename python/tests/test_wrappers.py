"""Every class of the Rust extension ``ember._ember`` has its Python wrapper, every native
method is called by the package (none is left without a Python entry point), and the wrappers
really hold their native objects."""

import pathlib
import re

import ember
import ember._ember as native
from ember import SparkContext
from ember.rdd import RDD
from ember.sql import Column, DataFrame, SparkSession
from ember.sql.column import _Resolver

#: Rust class -> the Python class that wraps it.
WRAPPERS = {
    "NativeContext": SparkContext,
    "NativeRdd": RDD,
    "NativeSession": SparkSession,
    "NativeDataFrame": DataFrame,
    "NativeExpr": Column,
}

#: Rust exception -> where the package exports it.
EXCEPTIONS = {
    "AnalysisException": "ember.sql.utils",
    "ParseException": "ember.sql.utils",
    "WorkerError": "ember.errors",
}


def _classes() -> dict[str, type]:
    return {k: v for k, v in vars(native).items() if isinstance(v, type)}


def _package_source() -> str:
    root = pathlib.Path(ember.__file__).parent
    return "\n".join(p.read_text() for p in sorted(root.rglob("*.py")))


def test_every_rust_class_has_a_python_wrapper():
    classes = {k for k, v in _classes().items() if not issubclass(v, BaseException)}
    assert classes == set(WRAPPERS), (
        f"classes of ember._ember without a wrapper listed here: {sorted(classes - set(WRAPPERS))}"
    )
    exceptions = {k for k, v in _classes().items() if issubclass(v, BaseException)}
    assert exceptions == set(EXCEPTIONS)


def test_every_rust_exception_is_exported():
    import importlib

    for name, module in EXCEPTIONS.items():
        assert getattr(importlib.import_module(module), name) is getattr(native, name)


def test_every_native_method_has_a_python_caller():
    source = _package_source()
    missing = []
    for cls_name in WRAPPERS:
        cls = getattr(native, cls_name)
        for name in dir(cls):
            if name.startswith("_"):
                continue
            if not re.search(rf"\.{re.escape(name)}\(", source):
                missing.append(f"{cls_name}.{name}")
    assert not missing, f"native methods no Python code calls: {missing}"


def test_wrappers_hold_their_native_objects(sc, spark):
    assert isinstance(sc._ctx(), native.NativeContext)
    assert isinstance(sc.parallelize([1, 2])._jrdd, native.NativeRdd)
    assert isinstance(spark._native, native.NativeSession)
    df = spark.range(3)
    assert isinstance(df._jdf, native.NativeDataFrame)
    assert isinstance(df.id._expr(_Resolver(spark._native, df._jdf)), native.NativeExpr)

"""Shared fixtures: one ``local[2]`` SparkContext (and SparkSession ``spark`` over it) per test
module, also given to the doctests of the ``ember`` package as ``sc`` and ``spark``
(pyspark's docstring examples are the specification)."""

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from _pytest.doctest import DoctestItem

from ember import SparkContext

if TYPE_CHECKING:
    from ember.sql import SparkSession

# As pyspark's test runner does: portable_hash refuses to run without a fixed string hash seed.
os.environ.setdefault("PYTHONHASHSEED", "0")


@pytest.fixture(scope="module")
def sc() -> Iterator[SparkContext]:
    ctx = SparkContext("local[2]", "ember-tests")
    yield ctx
    ctx.stop()


@pytest.fixture(scope="module")
def spark(sc: SparkContext) -> Iterator["SparkSession"]:
    from ember.sql import SparkSession

    yield SparkSession(sc)


@pytest.fixture(autouse=True)
def _doctest_sc(request: pytest.FixtureRequest, doctest_namespace: dict) -> None:
    if isinstance(request.node, DoctestItem):
        doctest_namespace["sc"] = request.getfixturevalue("sc")
        doctest_namespace["spark"] = request.getfixturevalue("spark")

"""Ember: Spark's programming model in Rust, with pyspark's Python API.

The package mirrors pyspark's layout: ``SparkConf``, ``SparkContext``, ``RDD`` and
``StorageLevel`` are importable from the top level, as in ``from pyspark import SparkContext``.
Python functions run in worker processes (``local[N]`` runs N of them); see ``python/README.md``.
"""

from ember.conf import SparkConf
from ember.context import SparkContext
from ember.errors import PythonException
from ember.rdd import RDD
from ember.resultiterable import ResultIterable
from ember.storagelevel import StorageLevel

__version__ = "0.1.0"

__all__ = [
    "SparkConf",
    "SparkContext",
    "RDD",
    "StorageLevel",
    "ResultIterable",
    "PythonException",
    "__version__",
]

"""Ember: Spark's programming model in Rust, with pyspark's Python API.

The package mirrors pyspark's layout: ``SparkConf``, ``SparkContext``, ``RDD``,
``StorageLevel``, ``Broadcast``, ``Accumulator``, ``AccumulatorParam``, ``TaskContext`` and
``SparkFiles`` are importable from the top level, as in ``from pyspark import SparkContext``.
Python functions run in worker processes (``local[N]`` runs N of them); see ``python/README.md``.
"""

from ember.accumulators import Accumulator, AccumulatorParam
from ember.broadcast import Broadcast
from ember.conf import SparkConf
from ember.context import SparkContext
from ember.errors import PythonException
from ember.files import SparkFiles
from ember.rdd import RDD
from ember.resultiterable import ResultIterable
from ember.statcounter import StatCounter
from ember.storagelevel import StorageLevel
from ember.taskcontext import TaskContext

__version__ = "0.1.0"

__all__ = [
    "SparkConf",
    "SparkContext",
    "RDD",
    "StorageLevel",
    "ResultIterable",
    "PythonException",
    "Broadcast",
    "Accumulator",
    "AccumulatorParam",
    "TaskContext",
    "SparkFiles",
    "StatCounter",
    "__version__",
]

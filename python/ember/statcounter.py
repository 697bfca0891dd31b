"""StatCounter: count, mean, variance, min and max of numbers in one pass (pyspark.statcounter).

Values are added with Welford's update; two counters merge with Chan et al.'s parallel formula,
so each partition keeps its own counter and the driver merges them. NumPy arrays work
element-wise when NumPy is installed.
"""

from __future__ import annotations

import copy
import math
from typing import Any, Iterable, Optional

__all__ = ["StatCounter"]


def _is_scalar(x: Any) -> bool:
    return isinstance(x, (int, float))


def _maximum(a: Any, b: Any) -> Any:
    """``max``, element-wise for NumPy arrays."""
    if _is_scalar(a) and _is_scalar(b):
        return max(a, b)
    import numpy

    return numpy.maximum(a, b)


def _minimum(a: Any, b: Any) -> Any:
    """``min``, element-wise for NumPy arrays."""
    if _is_scalar(a) and _is_scalar(b):
        return min(a, b)
    import numpy

    return numpy.minimum(a, b)


def _sqrt(x: Any) -> Any:
    if _is_scalar(x):
        return math.sqrt(x)
    import numpy

    return numpy.sqrt(x)


class StatCounter:
    """Running statistics of numbers.

    >>> s = StatCounter([1.0, 2.0, 3.0, 4.0])
    >>> (s.count(), s.mean(), s.sum(), s.min(), s.max())
    (4, 2.5, 10.0, 1.0, 4.0)
    >>> s.variance(), s.sampleVariance()
    (1.25, 1.6666666666666667)
    >>> s.mergeStats(StatCounter([5.0])).count()
    5
    >>> s
    (count: 5, mean: 3.0, stdev: 1.4142135623730951, max: 5.0, min: 1.0)
    >>> sc.parallelize([1., 2., 3., 4.]).stats().asDict() == {
    ...     'count': 4, 'max': 4.0, 'mean': 2.5, 'min': 1.0,
    ...     'stdev': 1.2909944487358056, 'sum': 10.0, 'variance': 1.6666666666666667}
    True
    """

    def __init__(self, values: Optional[Iterable[float]] = None) -> None:
        self.maximum, self.minimum, self.sqrt = _maximum, _minimum, _sqrt
        self.n = 0
        self.mu: Any = 0.0
        self.m2: Any = 0.0
        self.maxValue: Any = float("-inf")
        self.minValue: Any = float("inf")
        for v in values if values is not None else ():
            self.merge(v)

    def merge(self, value: float) -> "StatCounter":
        """Adds one value."""
        self.n += 1
        before = value - self.mu
        self.mu = self.mu + before / self.n
        self.m2 = self.m2 + before * (value - self.mu)
        self.maxValue = self.maximum(self.maxValue, value)
        self.minValue = self.minimum(self.minValue, value)
        return self

    def mergeStats(self, other: "StatCounter") -> "StatCounter":
        """Adds the values another counter has seen."""
        if not isinstance(other, StatCounter):
            raise TypeError(f"Can only merge StatCounter but got {type(other)}")
        if other is self:
            other = other.copy()
        if other.n == 0:
            return self
        if self.n == 0:
            self.n, self.mu, self.m2 = other.n, other.mu, other.m2
            self.maxValue, self.minValue = other.maxValue, other.minValue
            return self
        n = self.n + other.n
        delta = other.mu - self.mu
        # Moving the larger side's mean by a small step loses the least precision.
        if other.n * 10 < self.n:
            self.mu = self.mu + delta * other.n / n
        elif self.n * 10 < other.n:
            self.mu = other.mu - delta * self.n / n
        else:
            self.mu = (self.mu * self.n + other.mu * other.n) / n
        self.m2 = self.m2 + other.m2 + delta * delta * self.n * other.n / n
        self.n = n
        self.maxValue = self.maximum(self.maxValue, other.maxValue)
        self.minValue = self.minimum(self.minValue, other.minValue)
        return self

    def copy(self) -> "StatCounter":
        """An independent copy."""
        return copy.deepcopy(self)

    def count(self) -> int:
        """How many values were added."""
        return int(self.n)

    def mean(self) -> float:
        """Their mean."""
        return self.mu

    def sum(self) -> float:
        """Their sum."""
        return self.n * self.mu

    def min(self) -> float:
        """The smallest (``inf`` when empty)."""
        return self.minValue

    def max(self) -> float:
        """The largest (``-inf`` when empty)."""
        return self.maxValue

    def variance(self) -> float:
        """The population variance (``nan`` when empty)."""
        return self.m2 / self.n if self.n else float("nan")

    def sampleVariance(self) -> float:
        """The sample variance, dividing by N-1 (``nan`` for fewer than two values)."""
        return self.m2 / (self.n - 1) if self.n > 1 else float("nan")

    def stdev(self) -> float:
        """The population standard deviation."""
        return self.sqrt(self.variance())

    def sampleStdev(self) -> float:
        """The sample standard deviation."""
        return self.sqrt(self.sampleVariance())

    def asDict(self, sample: bool = False) -> dict[str, float]:
        """The statistics as a dict. As pyspark documents (and does), ``stdev`` and
        ``variance`` are the *sample* ones unless ``sample`` is true."""
        return {
            "count": self.count(),
            "mean": self.mean(),
            "sum": self.sum(),
            "min": self.min(),
            "max": self.max(),
            "stdev": self.stdev() if sample else self.sampleStdev(),
            "variance": self.variance() if sample else self.sampleVariance(),
        }

    def __repr__(self) -> str:
        return (
            f"(count: {self.count()}, mean: {self.mean()}, stdev: {self.stdev()}, "
            f"max: {self.max()}, min: {self.min()})"
        )

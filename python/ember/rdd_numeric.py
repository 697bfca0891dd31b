"""Statistics of RDDs of numbers: ``stats`` and what derives from it, ``histogram``, and the
approximate ``sumApprox``/``meanApprox``. A mixin of ``RDD``."""

from __future__ import annotations

import bisect
import math
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Sequence, Union

from ember._checks import check_int, check_number
from ember.statcounter import StatCounter

if TYPE_CHECKING:
    from ember.rdd import RDD

__all__ = ["NumericFunctions", "BoundedFloat"]


class BoundedFloat(float):
    """A float with the bounds and confidence of an estimate (pyspark's ``BoundedFloat``)."""

    confidence: float
    low: float
    high: float

    def __new__(cls, mean: float, confidence: float, low: float, high: float) -> "BoundedFloat":
        obj = super().__new__(cls, mean)
        obj.confidence = confidence
        obj.low = low
        obj.high = high
        return obj


def _is_missing(x: Any) -> bool:
    """``None`` or a float NaN: left out of histograms."""
    return x is None or (isinstance(x, float) and math.isnan(x))


def _check_buckets(buckets: Sequence[Any]) -> tuple[bool, Any]:
    """Checks explicit bucket boundaries; returns whether they are evenly spaced numbers
    (then counting divides instead of searching) and the spacing."""
    if len(buckets) < 2:
        raise ValueError("buckets should have more than one value")
    if any(_is_missing(b) for b in buckets):
        raise ValueError("can not have None or NaN in buckets")
    if sorted(buckets) != list(buckets):
        raise ValueError("buckets should be sorted")
    if len(set(buckets)) != len(buckets):
        raise ValueError("buckets should not contain duplicated values")
    try:
        steps = [b - a for a, b in zip(buckets, buckets[1:])]
    except TypeError:
        return False, None  # not numbers (strings...): search
    if max(steps) - min(steps) < 1e-10:
        return True, (buckets[-1] - buckets[0]) / (len(buckets) - 1)
    return False, None


class NumericFunctions:
    """The statistics methods of ``RDD``."""

    def stats(self) -> StatCounter:
        """Count, mean, variance, max and min of the elements, in one job.

        >>> sc.parallelize([1., 2., 3., 4.]).stats()
        (count: 4, mean: 2.5, stdev: 1.118033988749895, max: 4.0, min: 1.0)
        """
        return self.mapPartitions(lambda it: [StatCounter(it)]).reduce(  # type: ignore[attr-defined]
            lambda a, b: a.mergeStats(b)
        )

    def mean(self) -> float:
        """The mean of the elements.

        >>> sc.parallelize([1, 2, 3]).mean()
        2.0
        """
        return self.stats().mean()

    def variance(self) -> float:
        """The population variance of the elements.

        >>> sc.parallelize([1, 2, 3]).variance()  # doctest: +ELLIPSIS
        0.666...
        """
        return self.stats().variance()

    def stdev(self) -> float:
        """The population standard deviation of the elements.

        >>> sc.parallelize([1, 2, 3]).stdev()  # doctest: +ELLIPSIS
        0.816...
        """
        return self.stats().stdev()

    def sampleStdev(self) -> float:
        """The sample standard deviation (dividing by N-1).

        >>> sc.parallelize([1, 2, 3]).sampleStdev()
        1.0
        """
        return self.stats().sampleStdev()

    def sampleVariance(self) -> float:
        """The sample variance (dividing by N-1).

        >>> sc.parallelize([1, 2, 3]).sampleVariance()
        1.0
        """
        return self.stats().sampleVariance()

    def histogram(self, buckets: Union[int, Sequence[Any]]) -> tuple[Sequence[Any], list[int]]:
        """Counts of the elements in buckets: ``buckets`` evenly spaced ones between the
        smallest and the largest element, or the given sorted boundaries. Every bucket is
        ``[low, high)`` except the last, ``[low, high]``; elements outside the boundaries,
        ``None`` and NaN are not counted.

        >>> rdd = sc.parallelize(range(51))
        >>> rdd.histogram(2)
        ([0, 25, 50], [25, 26])
        >>> rdd.histogram([0, 5, 25, 50])
        ([0, 5, 25, 50], [5, 20, 26])
        >>> rdd.histogram([0, 15, 30, 45, 60])  # evenly spaced buckets
        ([0, 15, 30, 45, 60], [15, 15, 15, 6])
        >>> rdd = sc.parallelize(["ab", "ac", "b", "bd", "ef"])
        >>> rdd.histogram(("a", "b", "c"))
        (('a', 'b', 'c'), [2, 2])
        """
        if isinstance(buckets, bool) or isinstance(buckets, (str, bytes)):
            raise TypeError(f"histogram: buckets must be an int or a sorted list, got {type(buckets).__name__}")
        if isinstance(buckets, int):
            return self._even_histogram(check_int(buckets, "histogram", "buckets"))
        if not isinstance(buckets, (list, tuple)):
            raise TypeError(f"histogram: buckets must be an int or a sorted list, got {type(buckets).__name__}")
        even, inc = _check_buckets(buckets)
        return buckets, self._count_buckets(buckets, even, inc)

    def _even_histogram(self, n: int) -> tuple[list[Any], list[int]]:
        if n < 1:
            raise ValueError("number of buckets must be >= 1")
        present = self.filter(lambda x: not _is_missing(x))  # type: ignore[attr-defined]

        def minmax(a: tuple[Any, Any], b: tuple[Any, Any]) -> tuple[Any, Any]:
            return min(a[0], b[0]), max(a[1], b[1])

        try:
            lo, hi = present.map(lambda x: (x, x)).reduce(minmax)
        except ValueError as e:
            if "empty" in str(e):
                raise ValueError("can not generate buckets from empty RDD") from None
            raise
        if lo == hi or n == 1:
            return [lo, hi], [present.count()]
        try:
            inc = (hi - lo) / n
        except TypeError:
            raise TypeError("Can not generate buckets with non-number in RDD") from None
        if math.isinf(inc):
            raise ValueError("Can not generate buckets with infinite value")
        # Integer boundaries when the range divides evenly, as pyspark.
        exact = (hi - lo) // n if isinstance(lo, int) and isinstance(hi, int) else None
        if exact is not None and exact * n == hi - lo:
            inc = exact
        bounds = [lo + i * inc for i in range(n)] + [hi]
        return bounds, self._count_buckets(bounds, True, inc)

    def _count_buckets(self, bounds: Sequence[Any], even: bool, inc: Any) -> list[int]:
        lo, hi = bounds[0], bounds[-1]
        last = len(bounds) - 2

        def count(iterator: Iterable[Any]) -> Iterator[list[int]]:
            counts = [0] * (last + 1)
            for x in iterator:
                if _is_missing(x) or x < lo or x > hi:
                    continue
                i = int((x - lo) / inc) if even else bisect.bisect_right(bounds, x) - 1
                counts[min(i, last)] += 1  # the largest boundary belongs to the last bucket
            yield counts

        return self.mapPartitions(count).reduce(  # type: ignore[attr-defined]
            lambda a, b: [x + y for x, y in zip(a, b)]
        )

    def sumApprox(self, timeout: int, confidence: float = 0.95) -> BoundedFloat:
        """The sum, as a ``BoundedFloat``. Ember runs the whole job (its answer is exact, the
        bounds equal to it) rather than stopping at ``timeout`` milliseconds.

        >>> rdd = sc.parallelize(range(1000), 10)
        >>> r = sum(range(1000))
        >>> abs(rdd.sumApprox(1000) - r) / r < 0.05
        True
        """
        return self._exact_estimate("sumApprox", timeout, confidence, lambda s: s.sum())

    def meanApprox(self, timeout: int, confidence: float = 0.95) -> BoundedFloat:
        """The mean, as a ``BoundedFloat``; exact, like ``sumApprox``.

        >>> rdd = sc.parallelize(range(1000), 10)
        >>> r = sum(range(1000)) / 1000.0
        >>> abs(rdd.meanApprox(1000) - r) / r < 0.05
        True
        """
        return self._exact_estimate("meanApprox", timeout, confidence, lambda s: s.mean())

    def _exact_estimate(
        self, operation: str, timeout: int, confidence: float, value: Callable[[StatCounter], float]
    ) -> BoundedFloat:
        check_int(timeout, operation, "timeout")
        confidence = check_number(confidence, operation, "confidence")
        v = float(value(self.map(float).stats()))  # type: ignore[attr-defined]
        return BoundedFloat(v, confidence, v, v)

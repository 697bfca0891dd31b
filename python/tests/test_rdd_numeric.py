"""stats, mean, variance, stdev and histogram against Python's statistics module and counts
made here; pyspark's histogram edge rules."""

import math
import statistics

import pytest

from ember import StatCounter


def test_stats_match_the_statistics_module(sc):
    data = [((i * 7919) % 1013) / 7.0 - 50 for i in range(3000)]
    rdd = sc.parallelize(data, 7)
    s = rdd.stats()
    assert isinstance(s, StatCounter)
    assert s.count() == len(data)
    assert math.isclose(s.sum(), math.fsum(data), rel_tol=1e-12)
    assert math.isclose(s.mean(), statistics.fmean(data), rel_tol=1e-12)
    assert math.isclose(s.variance(), statistics.pvariance(data), rel_tol=1e-9)
    assert math.isclose(s.sampleVariance(), statistics.variance(data), rel_tol=1e-9)
    assert math.isclose(rdd.stdev(), statistics.pstdev(data), rel_tol=1e-9)
    assert math.isclose(rdd.sampleStdev(), statistics.stdev(data), rel_tol=1e-9)
    assert rdd.max() == max(data) and s.min() == min(data)
    assert math.isclose(rdd.mean(), statistics.fmean(data), rel_tol=1e-12)


def test_stats_edge_cases(sc):
    empty = sc.parallelize([], 2).stats()
    assert empty.count() == 0 and math.isnan(empty.variance()) and empty.max() == float("-inf")
    one = sc.parallelize([3.0], 3).stats()
    assert one.variance() == 0.0 and math.isnan(one.sampleVariance())
    merged = StatCounter([1, 2]).mergeStats(StatCounter([3, 4, 5]))
    assert merged.count() == 5 and merged.mean() == 3 and merged.variance() == 2.0
    with pytest.raises(TypeError, match="Can only merge StatCounter"):
        StatCounter().mergeStats([1])  # type: ignore[arg-type]


def test_histogram_even_buckets(sc):
    rdd = sc.parallelize(range(51), 4)
    assert rdd.histogram(2) == ([0, 25, 50], [25, 26])
    assert rdd.histogram(1) == ([0, 50], [51])
    bounds, counts = rdd.histogram(3)
    assert bounds == [0, 50 / 3, 100 / 3, 50]
    assert counts == [sum(1 for x in range(51) if lo <= x < hi) for lo, hi in zip(bounds, bounds[1:-1] + [51])]
    floats = sc.parallelize([0.0, 0.5, 1.0, float("nan"), None, 2.0], 2)
    assert floats.histogram(2) == ([0.0, 1.0, 2.0], [2, 2])
    assert sc.parallelize([5, 5, 5]).histogram(4) == ([5, 5], [3])


def test_histogram_given_buckets(sc):
    rdd = sc.parallelize([-1, 0, 1, 4.9, 5, 10, 24.99, 25, 49, 50, 51, None], 3)
    # [0, 5), [5, 25), [25, 50]: -1 and 51 and None are outside.
    assert rdd.histogram([0, 5, 25, 50]) == ([0, 5, 25, 50], [3, 3, 3])
    assert rdd.histogram((0, 25, 50)) == ((0, 25, 50), [6, 3])
    words = sc.parallelize(["ab", "ac", "b", "bd", "ef"])
    assert words.histogram(["a", "b", "c", "z"]) == (["a", "b", "c", "z"], [2, 2, 1])


def test_histogram_errors(sc):
    rdd = sc.parallelize([1, 2, 3])
    with pytest.raises(ValueError, match="buckets should have more than one value"):
        rdd.histogram([1])
    with pytest.raises(ValueError, match="buckets should be sorted"):
        rdd.histogram([3, 1, 2])
    with pytest.raises(ValueError, match="duplicated"):
        rdd.histogram([1, 1, 2])
    with pytest.raises(ValueError, match="None or NaN"):
        rdd.histogram([1, float("nan")])
    with pytest.raises(ValueError, match="number of buckets must be >= 1"):
        rdd.histogram(0)
    with pytest.raises(ValueError, match="can not generate buckets from empty RDD"):
        sc.parallelize([None], 2).histogram(3)
    with pytest.raises(ValueError, match="infinite value"):
        sc.parallelize([0.0, float("inf")]).histogram(2)
    with pytest.raises(TypeError, match="histogram: buckets must be an int or a sorted list, got str"):
        rdd.histogram("abc")  # type: ignore[arg-type]


def test_approximate_sums_are_exact(sc):
    rdd = sc.parallelize(range(1000), 10)
    s = rdd.sumApprox(100)
    assert s == 499500.0 and s.low == s.high == 499500.0 and s.confidence == 0.95
    assert rdd.meanApprox(100, 0.5) == 499.5

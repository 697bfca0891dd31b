"""sample, randomSplit, takeSample and sampleByKey: reproducible with a seed, of the expected
sizes, and never more than asked."""

from collections import Counter

import pytest


def test_sample_is_reproducible_and_about_the_right_size(sc):
    rdd = sc.parallelize(range(10000), 4)
    a = rdd.sample(False, 0.1, 7).collect()
    assert a == rdd.sample(False, 0.1, 7).collect()
    assert a != rdd.sample(False, 0.1, 8).collect()
    assert 800 < len(a) < 1200 and len(set(a)) == len(a) and set(a) <= set(range(10000))
    with_rep = rdd.sample(True, 2.0, 3).collect()
    assert 18000 < len(with_rep) < 22000
    assert max(Counter(with_rep).values()) > 1
    assert rdd.sample(False, 0.0, 1).count() == 0 and rdd.sample(False, 1.0, 1).count() == 10000
    with pytest.raises(ValueError, match="Fraction must be nonnegative"):
        rdd.sample(False, -0.1)
    with pytest.raises(TypeError, match="sample: fraction must be a number, got str"):
        rdd.sample(False, "0.1")  # type: ignore[arg-type]


def test_random_split_is_a_partition_of_the_rdd(sc):
    rdd = sc.parallelize(range(3000), 3)
    parts = rdd.randomSplit([1, 2, 3], seed=11)
    got = [p.collect() for p in parts]
    assert sorted(x for part in got for x in part) == list(range(3000))
    sizes = [len(p) for p in got]
    for size, share in zip(sizes, (1 / 6, 2 / 6, 3 / 6)):
        assert abs(size - 3000 * share) < 150
    # The same seed gives the same split.
    assert [p.collect() for p in rdd.randomSplit([1, 2, 3], seed=11)] == got
    with pytest.raises(ValueError, match="Weights must be nonnegative"):
        rdd.randomSplit([1, -1])
    with pytest.raises(ValueError, match="Sum of weights must be positive"):
        rdd.randomSplit([0, 0])


def test_take_sample_never_more_than_asked(sc):
    rdd = sc.parallelize(range(100), 4)
    for num in (0, 1, 5, 50, 99):
        s = rdd.takeSample(False, num, 5)
        assert len(s) == num and len(set(s)) == num and set(s) <= set(range(100))
    assert sorted(rdd.takeSample(False, 1000, 1)) == list(range(100))
    for num in (1, 7, 100, 350):
        s = rdd.takeSample(True, num, 9)
        assert len(s) == num and set(s) <= set(range(100))
    assert rdd.takeSample(False, 10, 42) == rdd.takeSample(False, 10, 42)
    assert sc.parallelize([], 2).takeSample(True, 5) == []
    with pytest.raises(ValueError, match="Sample size cannot be negative"):
        rdd.takeSample(False, -1)
    with pytest.raises(TypeError, match="takeSample: num must be an int, got float"):
        rdd.takeSample(False, 2.5)  # type: ignore[arg-type]


def test_sample_by_key(sc):
    pairs = sc.parallelize([(k, i) for k in "abc" for i in range(2000)], 4)
    sample = pairs.sampleByKey(False, {"a": 0.5, "b": 0.1, "c": 0.0}, 3)
    counts = Counter(k for k, _ in sample.collect())
    assert 850 < counts["a"] < 1150 and 120 < counts["b"] < 280 and counts["c"] == 0
    assert sample.collect() == pairs.sampleByKey(False, {"a": 0.5, "b": 0.1, "c": 0.0}, 3).collect()
    with_rep = Counter(k for k, _ in pairs.sampleByKey(True, {"a": 2.0, "b": 1.0, "c": 0.5}, 1).collect())
    assert 3600 < with_rep["a"] < 4400 and 1700 < with_rep["b"] < 2300 and 800 < with_rep["c"] < 1200
    with pytest.raises(ValueError, match="Negative fraction value"):
        pairs.sampleByKey(False, {"a": -1})
    with pytest.raises(KeyError):
        pairs.sampleByKey(False, {"a": 0.5}).collect()

"""The map-side combine's counting road for reduceByKey(operator.add) gives exactly what the
general loop gives, on every mix of inputs, and raises the same errors."""

import operator
import random

import pytest

from ember._combine import _general, _identity, sum_locally


def _reference(pairs):
    merged = {}
    _general(merged, pairs, _identity, operator.add)
    return list(merged.items())


@pytest.mark.parametrize("seed", range(8))
def test_counting_road_matches_the_general_loop(seed):
    rnd = random.Random(seed)
    words = [f"w{i}" for i in range(50)]
    pairs = []
    for _ in range(rnd.randrange(1, 20000)):
        kind = rnd.random()
        if kind < 0.9:
            pairs.append((rnd.choice(words), 1))
        elif kind < 0.95:
            pairs.append((rnd.choice(words), rnd.choice([2, 1.5, -1, 10**20])))
        else:
            pairs.append((rnd.choice(words), True))
    got = list(sum_locally(iter(pairs)))
    want = _reference(pairs)
    assert got == want
    assert [type(v) for _, v in got] == [type(v) for _, v in want]


def test_counting_road_keeps_first_seen_order_and_strings():
    pairs = [("b", 1), ("a", 1), ("b", 1)] * 5000
    assert list(sum_locally(pairs)) == [("b", 10000), ("a", 5000)]
    assert list(sum_locally([("x", "a"), ("x", "b")])) == [("x", "ab")]


def test_counting_road_raises_the_general_errors():
    with pytest.raises(ValueError, match="too many values to unpack"):
        list(sum_locally([("a", 1, 2)]))
    with pytest.raises(TypeError, match="cannot unpack"):
        list(sum_locally([("a", 1), 5]))
    with pytest.raises(TypeError, match="unhashable"):
        list(sum_locally([([1], 1)]))


def test_reduce_by_key_add_word_count(sc):
    lines = ["a b a", "c a", ""] * 3000
    got = dict(sc.parallelize(lines, 3).flatMap(str.split).map(lambda w: (w, 1)).reduceByKey(operator.add).collect())
    assert got == {"a": 9000, "b": 3000, "c": 3000}

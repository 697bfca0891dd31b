"""Joins, cogroups and keyed aggregations, against pyspark's documented results and
hand-computed answers."""

from operator import add


def test_joins_with_duplicate_keys(sc):
    x = sc.parallelize([("a", 1), ("a", 2), ("b", 3), ("d", 9)], 3)
    y = sc.parallelize([("a", "x"), ("a", "y"), ("c", "z")], 2)
    assert sorted(x.join(y).collect()) == [
        ("a", (1, "x")), ("a", (1, "y")), ("a", (2, "x")), ("a", (2, "y"))
    ]
    assert sorted(x.leftOuterJoin(y).collect(), key=repr) == sorted(
        [("a", (1, "x")), ("a", (1, "y")), ("a", (2, "x")), ("a", (2, "y")),
         ("b", (3, None)), ("d", (9, None))], key=repr
    )
    assert sorted(x.rightOuterJoin(y).collect(), key=repr) == sorted(
        [("a", (1, "x")), ("a", (1, "y")), ("a", (2, "x")), ("a", (2, "y")), ("c", (None, "z"))],
        key=repr,
    )
    full = x.fullOuterJoin(y, 4)
    assert full.getNumPartitions() == 4
    assert len(full.collect()) == 4 + 2 + 1


def test_cogroup_and_set_operations(sc):
    x = sc.parallelize([("a", 1), ("b", 4)])
    y = sc.parallelize([("a", 2)])
    got = sorted((k, tuple(map(list, v))) for k, v in x.cogroup(y).collect())
    assert got == [("a", ([1], [2])), ("b", ([4], []))]
    assert sorted(sc.parallelize([1, 10, 2, 3, 4, 5, 2]).intersection(sc.parallelize([1, 6, 2, 3, 7, 8])).collect()) == [1, 2, 3]
    assert sorted(sc.parallelize([1, 1, 2, 3]).subtract(sc.parallelize([3])).collect()) == [1, 1, 2]


def test_keyed_aggregations(sc):
    pairs = sc.parallelize([(k % 7, k) for k in range(1000)], 5)
    expect = {}
    for k in range(1000):
        expect[k % 7] = expect.get(k % 7, 0) + k
    assert dict(pairs.foldByKey(0, add).collect()) == expect
    # A mutable zero value is copied per key, as pyspark does.
    lists = pairs.aggregateByKey([], lambda acc, v: acc + [v], lambda a, b: a + b)
    assert {k: sorted(v) for k, v in lists.collect()} == {
        k: sorted(v for v in range(1000) if v % 7 == k) for k in range(7)
    }


def test_join_errors_come_back_as_their_type(sc):
    import pytest

    x = sc.parallelize([("a", 1)])
    y = sc.parallelize([("a", 0)])
    with pytest.raises(ZeroDivisionError):
        x.join(y).mapValues(lambda vw: vw[0] / vw[1]).collect()

"""RDD transformations and actions, checked against pyspark's documented results."""

from operator import add

import pytest

from ember import ResultIterable, StorageLevel


def test_map_flatmap_filter(sc):
    rdd = sc.parallelize(["b", "a", "c"])
    assert sorted(rdd.map(lambda x: (x, 1)).collect()) == [("a", 1), ("b", 1), ("c", 1)]
    assert sorted(sc.parallelize([2, 3, 4]).flatMap(lambda x: range(1, x)).collect()) == [1, 1, 1, 2, 2, 3]
    assert sorted(sc.parallelize([2, 3, 4]).flatMap(lambda x: [(x, x), (x, x)]).collect()) == [
        (2, 2), (2, 2), (3, 3), (3, 3), (4, 4), (4, 4)
    ]
    assert sc.parallelize([1, 2, 3, 4, 5]).filter(lambda x: x % 2 == 0).collect() == [2, 4]


def test_map_partitions(sc):
    rdd = sc.parallelize([1, 2, 3, 4], 2)
    assert rdd.mapPartitions(lambda it: [sum(it)]).collect() == [3, 7]
    assert sc.parallelize([1, 2, 3, 4], 4).mapPartitionsWithIndex(lambda s, it: [s]).sum() == 6


def test_fused_chain_runs_once_per_partition(sc):
    # Five narrow operations, one worker call per partition: the generator state shows it.
    rdd = sc.parallelize(range(10), 2).map(lambda x: x + 1).filter(lambda x: x % 2 == 0)
    rdd = rdd.flatMap(lambda x: [x, -x]).map(lambda x: x * 10).mapPartitions(lambda it: [sorted(it)])
    assert rdd.collect() == [[-40, -20, 20, 40], [-100, -80, -60, 60, 80, 100]]


def test_actions(sc):
    assert sc.parallelize([1, 2, 3, 4, 5]).reduce(add) == 15
    assert sc.parallelize((2 for _ in range(10))).map(lambda x: 1).cache().reduce(add) == 10
    assert sc.parallelize([2, 3, 4]).count() == 3
    assert sc.parallelize([1, 2, 3, 4], 2).collect() == [1, 2, 3, 4]
    assert sc.parallelize([2, 3, 4, 5, 6]).cache().take(2) == [2, 3]
    assert sc.parallelize([2, 3, 4, 5, 6]).take(10) == [2, 3, 4, 5, 6]
    assert sc.parallelize(range(100), 100).filter(lambda x: x > 90).take(3) == [91, 92, 93]
    assert sc.parallelize([2, 3, 4]).first() == 2
    assert sc.parallelize([1, 2, 3, 4, 5]).fold(0, add) == 15
    assert sc.parallelize([1.0, 2.0, 3.0]).sum() == 6.0
    assert sc.parallelize([1, 2, 3, 4], 2).getNumPartitions() == 2
    assert sc.parallelize([]).isEmpty() and not sc.parallelize([1]).isEmpty()


def test_empty_rdd_actions_fail_like_pyspark(sc):
    with pytest.raises(ValueError, match="Can not reduce\\(\\) empty RDD"):
        sc.parallelize([]).reduce(add)
    with pytest.raises(ValueError, match="RDD is empty"):
        sc.parallelize([]).first()
    assert sc.parallelize([]).count() == 0


def test_reduce_by_key(sc):
    rdd = sc.parallelize([("a", 1), ("b", 1), ("a", 1)])
    assert sorted(rdd.reduceByKey(add).collect()) == [("a", 2), ("b", 1)]
    assert sorted(rdd.reduceByKey(add, 5).collect()) == [("a", 2), ("b", 1)]
    assert rdd.reduceByKey(add, 5).getNumPartitions() == 5


def test_reduce_by_key_many_keys_across_partitions(sc):
    words = sc.parallelize([f"w{i % 97}" for i in range(20_000)], 4)
    counts = dict(words.map(lambda w: (w, 1)).reduceByKey(add, 3).collect())
    assert len(counts) == 97 and sum(counts.values()) == 20_000
    assert counts["w0"] == len(range(0, 20_000, 97))


def test_group_by_key(sc):
    rdd = sc.parallelize([("a", 1), ("b", 1), ("a", 1)])
    assert sorted(rdd.groupByKey().mapValues(len).collect()) == [("a", 2), ("b", 1)]
    assert sorted(rdd.groupByKey().mapValues(list).collect()) == [("a", [1, 1]), ("b", [1])]
    assert all(isinstance(v, ResultIterable) for _, v in rdd.groupByKey().collect())
    result = sc.parallelize([1, 1, 2, 3, 5, 8]).groupBy(lambda x: x % 2).collect()
    assert sorted([(x, sorted(y)) for (x, y) in result]) == [(0, [2, 8]), (1, [1, 1, 3, 5])]


def test_tuple_and_none_keys_hash_portably(sc):
    pairs = [((i % 3, "k"), 1) for i in range(30)] + [(None, 1)] * 4
    assert sorted(sc.parallelize(pairs, 3).reduceByKey(add, 2).collect(), key=repr) == sorted(
        [((0, "k"), 10), ((1, "k"), 10), ((2, "k"), 10), (None, 4)], key=repr
    )


def test_partition_by_separates_keys(sc):
    pairs = sc.parallelize([1, 2, 3, 4, 2, 4, 1]).map(lambda x: (x, x))
    sets = pairs.partitionBy(2).glom().collect()
    assert len(sets) == 2
    assert len(set(sets[0]).intersection(set(sets[1]))) == 0
    assert sorted(sets[0] + sets[1]) == sorted([(x, x) for x in [1, 2, 3, 4, 2, 4, 1]])


def test_sort_by_key(sc):
    tmp = [("a", 1), ("b", 2), ("1", 3), ("d", 4), ("2", 5)]
    assert sc.parallelize(tmp).sortByKey().first() == ("1", 3)
    assert sc.parallelize(tmp).sortByKey(True, 1).collect() == [("1", 3), ("2", 5), ("a", 1), ("b", 2), ("d", 4)]
    assert sc.parallelize(tmp).sortByKey(True, 2).collect() == [("1", 3), ("2", 5), ("a", 1), ("b", 2), ("d", 4)]
    tmp2 = [("Mary", 1), ("had", 2), ("a", 3), ("little", 4), ("lamb", 5)]
    tmp2.extend([("whose", 6), ("fleece", 7), ("was", 8), ("white", 9)])
    assert sc.parallelize(tmp2).sortByKey(True, 3, keyfunc=lambda k: k.lower()).collect() == [
        ("a", 3), ("fleece", 7), ("had", 2), ("lamb", 5), ("little", 4), ("Mary", 1), ("was", 8),
        ("white", 9), ("whose", 6)
    ]


def test_sort_by_key_large_and_descending(sc):
    import random

    keys = list(range(5000))
    random.Random(7).shuffle(keys)
    rdd = sc.parallelize([(k, str(k)) for k in keys], 4)
    assert rdd.sortByKey(numPartitions=3).keys().collect() == list(range(5000))
    assert rdd.sortByKey(False, 3).keys().collect() == list(range(4999, -1, -1))
    assert sc.parallelize([("a", 1), ("b", 2)]).sortBy(lambda kv: -kv[1]).collect() == [("b", 2), ("a", 1)]


def test_persist_and_distinct(sc):
    rdd = sc.parallelize([1, 1, 2, 3], 2).map(lambda x: x * 2).persist(StorageLevel.MEMORY_AND_DISK)
    assert rdd.getStorageLevel() == StorageLevel.MEMORY_AND_DISK and rdd.is_cached
    assert sorted(rdd.distinct().collect()) == [2, 4, 6]
    assert rdd.map(lambda x: x + 1).collect() == [3, 3, 5, 7]
    rdd.unpersist()
    assert not rdd.is_cached


def test_word_count_like_the_seed_example(sc, tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("id,value\n" + "".join(f"{i},{i * 10}\n" for i in range(1, 11)))
    lines = sc.textFile(str(path))
    header = lines.first()
    pairs = lines.filter(lambda l: l != header).map(lambda l: l.split(",")).map(lambda x: (int(x[0]), int(x[1])))
    assert sorted(pairs.reduceByKey(lambda x, y: x + y).collect()) == [(i, i * 10) for i in range(1, 11)]


def test_take_scans_only_the_partitions_it_needs(sc):
    # Partition 0 holds [0, 1]; the others would fail if they ran.
    rdd = sc.parallelize(range(10), 5).map(lambda x: x if x < 2 else 1 // 0)
    assert rdd.take(2) == [0, 1]
    assert rdd.first() == 0
    with pytest.raises(ZeroDivisionError):
        rdd.take(3)


def test_run_job(sc, tmp_path):
    my_rdd = sc.parallelize(range(6), 3)
    assert sc.runJob(my_rdd, lambda part: [x * x for x in part]) == [0, 1, 4, 9, 16, 25]
    assert sc.runJob(my_rdd, lambda part: [x * x for x in part], [0, 2], True) == [0, 1, 16, 25]
    path = tmp_path / "t.txt"
    path.write_text("a\nb\nc\n")
    assert sc.textFile(str(path), 1).take(2) == ["a", "b"]
    with pytest.raises(ValueError, match="partition 7 does not exist"):
        sc.runJob(my_rdd, lambda part: part, [7])

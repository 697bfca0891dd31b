"""Aggregations, ordering, zips, saving and the other actions of the RDD API, against answers
computed here with plain Python."""

import bz2
import gzip
import itertools
import os
import pickle
import zlib
from collections import Counter
from functools import reduce
from operator import add

import pytest

from ember import SparkContext


def test_checkpoint_needs_a_directory():
    # First in the module: the module's shared context does not exist yet.
    with SparkContext("local[1]", "nocp") as sc:
        rdd = sc.parallelize([1])
        with pytest.raises(RuntimeError, match="checkpoint"):
            rdd.checkpoint()
        assert not rdd.is_checkpointed and rdd.collect() == [1]


def test_zip_pairs_elements_across_batches(sc):
    a = sc.parallelize(range(5000), 3)
    b = sc.parallelize(range(5000), 3).map(lambda x: -x)
    assert a.zip(b).collect() == [(x, -x) for x in range(5000)]
    # The same element counts per partition, reached differently (filter after a map).
    evens = sc.parallelize(range(4000), 2).filter(lambda x: x % 2 == 0)
    halves = sc.parallelize(range(2000), 2).map(lambda x: x * 2)
    assert evens.zip(halves).collect() == [(x, x) for x in range(0, 4000, 2)]
    # Chained operations fuse into the decoding pass.
    assert a.zip(b).map(lambda p: p[0] + p[1]).distinct().collect() == [0]


def test_zip_with_text_lines(sc, tmp_path):
    path = tmp_path / "l.txt"
    path.write_text("a\nb\nc\n")
    lines = sc.textFile(str(path), 1)
    assert lines.zip(sc.parallelize([1, 2, 3], 1)).collect() == [("a", 1), ("b", 2), ("c", 3)]


def test_zip_mismatches_are_value_errors(sc):
    with pytest.raises(ValueError, match="same number of partitions"):
        sc.parallelize([1, 2], 2).zip(sc.parallelize([1, 2], 1))
    with pytest.raises(ValueError, match="same number of elements"):
        sc.parallelize([1, 2, 3], 1).zip(sc.parallelize([1, 2], 1)).collect()


def test_zip_with_index_and_unique_id(sc):
    data = [f"x{i}" for i in range(3000)]
    rdd = sc.parallelize(data, 7).filter(lambda s: s != "x5")
    expect = [x for x in data if x != "x5"]
    assert rdd.zipWithIndex().collect() == [(x, i) for i, x in enumerate(expect)]
    ids = rdd.zipWithUniqueId().collect()
    assert [x for x, _ in ids] == expect
    assert len({i for _, i in ids}) == len(expect)
    # Partition k holds ids k, k+n, k+2n... (n = 7).
    per_partition = rdd.zipWithUniqueId().glom().collect()
    for k, part in enumerate(per_partition):
        assert [i for _, i in part] == [k + 7 * j for j in range(len(part))]


def test_cartesian(sc):
    a = sc.parallelize(range(30), 3)
    b = sc.parallelize(["x", "y", "z", "w"], 2)
    got = a.cartesian(b)
    assert got.getNumPartitions() == 6
    assert sorted(got.collect()) == sorted(itertools.product(range(30), ["x", "y", "z", "w"]))
    assert sc.parallelize([], 2).cartesian(b).count() == 0


def test_aggregations_against_python(sc):
    data = list(range(-500, 1500, 7))
    rdd = sc.parallelize(data, 13)
    assert rdd.aggregate(0, add, add) == sum(data)
    # A mutable zero value is copied per partition and for the final merge.
    lists = rdd.aggregate([], lambda acc, x: acc + [x], lambda a, b: a + b)
    assert sorted(lists) == data
    for depth in (1, 2, 3, 4, 10):
        assert rdd.treeAggregate(0, add, add, depth) == sum(data)
        assert rdd.treeReduce(add, depth) == sum(data)
    assert rdd.treeAggregate((0, 0), lambda a, x: (a[0] + x, a[1] + 1), lambda a, b: (a[0] + b[0], a[1] + b[1])) == (
        sum(data),
        len(data),
    )
    with pytest.raises(ValueError, match="Depth cannot be smaller than 1"):
        rdd.treeAggregate(0, add, add, 0)
    with pytest.raises(ValueError, match="Can not reduce\\(\\) empty RDD"):
        sc.parallelize([], 3).treeReduce(add)


def test_ordering_actions(sc):
    data = [(i * 7919) % 1000 for i in range(1000)]
    rdd = sc.parallelize(data, 6)
    assert rdd.max() == max(data) and rdd.min() == min(data)
    assert rdd.max(key=lambda x: -x) == min(data)
    assert rdd.top(10) == sorted(data, reverse=True)[:10]
    assert rdd.takeOrdered(10) == sorted(data)[:10]
    assert rdd.takeOrdered(5, key=lambda x: (x % 10, x)) == sorted(data, key=lambda x: (x % 10, x))[:5]
    assert rdd.top(5, key=str) == sorted(data, key=str, reverse=True)[:5]
    assert rdd.takeOrdered(0) == [] and rdd.top(2000) == sorted(data, reverse=True)
    with pytest.raises(ValueError, match="top N cannot be negative"):
        rdd.takeOrdered(-1)


def test_counting_actions(sc):
    words = [w for w in "a b c a b a d e e e e".split()] * 50
    rdd = sc.parallelize(words, 4)
    assert rdd.countByValue() == dict(Counter(words))
    pairs = rdd.map(lambda w: (w, len(w)))
    assert pairs.countByKey() == dict(Counter(words))
    assert pairs.reduceByKeyLocally(add) == dict(Counter(words))
    assert rdd.countApprox(1000) == len(words)
    many = sc.parallelize(range(20000), 4)
    n = many.countApproxDistinct()
    assert abs(n - 20000) / 20000 < 0.1
    assert abs(many.countApproxDistinct(0.01) - 20000) / 20000 < 0.04
    with pytest.raises(ValueError, match="relativeSD should be greater than 0.000017"):
        many.countApproxDistinct(0.00001)


def test_lookup_scans_only_the_keys_partition(sc):
    pairs = sc.parallelize([(k, k * 10) for k in range(100)] + [("s", 1), ("s", 2)], 4)
    assert pairs.lookup(42) == [420]
    assert pairs.lookup("missing") == []
    parted = pairs.partitionBy(5)
    assert sorted(parted.lookup("s")) == [1, 2]
    # With a partitioner, the other partitions are not computed: they would fail.
    bomb = parted.mapValues(lambda v: v if v != 420 else 1 // 0)
    assert bomb.partitioner is not None
    assert bomb.lookup(43) == [430]  # 43 % 5 != 42 % 5


def test_foreach_partition_and_local_iterator(sc):
    acc = sc.accumulator(0)

    def f(it):
        acc.add(sum(1 for _ in it))

    sc.parallelize(range(100), 5).foreachPartition(f)
    assert acc.value == 100
    gen_acc = sc.accumulator(0)

    def g(it):  # a generator function: runs only when iterated
        for x in it:
            gen_acc.add(x)
            yield x

    sc.parallelize(range(10), 2).foreachPartition(g)
    assert gen_acc.value == 45
    rdd = sc.parallelize(range(1000), 7)
    assert list(rdd.toLocalIterator()) == list(range(1000))
    assert list(rdd.toLocalIterator(prefetchPartitions=True)) == list(range(1000))
    it = sc.parallelize(range(10), 5).map(lambda x: x if x < 2 else 1 // 0).toLocalIterator()
    assert next(it) == 0 and next(it) == 1  # only the first partition ran so far
    with pytest.raises(ZeroDivisionError):
        next(it)


def test_repartition_and_sort_within_partitions(sc):
    data = [((i * 37) % 101, i) for i in range(500)]
    rdd = sc.parallelize(data, 3).repartitionAndSortWithinPartitions(4, lambda k: k % 4, False)
    parts = rdd.glom().collect()
    assert len(parts) == 4
    for p, part in enumerate(parts):
        assert all(k % 4 == p for k, _ in part)
        keys = [k for k, _ in part]
        assert keys == sorted(keys, reverse=True)
    assert sorted(x for part in parts for x in part) == sorted(data)


def test_save_as_text_file(sc, tmp_path):
    out = tmp_path / "out"
    sc.parallelize([1, "two", b"three", None, 4.5], 2).saveAsTextFile(str(out))
    assert sorted(os.listdir(out)) == ["_SUCCESS", "part-00000", "part-00001"]
    text = (out / "part-00000").read_bytes() + (out / "part-00001").read_bytes()
    assert text == b"1\ntwo\nthree\nNone\n4.5\n"
    assert sc.textFile(str(out)).collect() == ["1", "two", "three", "None", "4.5"]
    # Bytes are written as they are, even when they are not UTF-8.
    raw = tmp_path / "raw"
    sc.parallelize([b"\xff\xfe", "é"], 1).saveAsTextFile(str(raw))
    assert (raw / "part-00000").read_bytes() == b"\xff\xfe\n\xc3\xa9\n"
    # Many lines per partition (several chunks) keep their order.
    big = tmp_path / "big"
    sc.parallelize(range(10000), 3).saveAsTextFile(str(big))
    assert sc.textFile(str(big)).map(int).collect() == list(range(10000))


def test_save_as_text_file_errors(sc, tmp_path):
    out = tmp_path / "exists"
    out.mkdir()
    with pytest.raises(FileExistsError, match="exists"):
        sc.parallelize([1]).saveAsTextFile(str(out))
    failed = tmp_path / "failed"
    with pytest.raises(ZeroDivisionError):
        sc.parallelize(range(10), 2).map(lambda x: 1 // (x - 7)).saveAsTextFile(str(failed))
    assert not failed.exists()
    with pytest.raises(ValueError, match="SnappyCodec"):
        sc.parallelize([1]).saveAsTextFile(str(tmp_path / "s"), "org.apache.hadoop.io.compress.SnappyCodec")
    with pytest.raises(TypeError, match="saveAsTextFile: path must be a str path, got int"):
        sc.parallelize([1]).saveAsTextFile(5)


@pytest.mark.parametrize(
    "codec,ext,decompress",
    [
        ("org.apache.hadoop.io.compress.GzipCodec", ".gz", gzip.decompress),
        ("org.apache.hadoop.io.compress.DefaultCodec", ".deflate", zlib.decompress),
        ("org.apache.hadoop.io.compress.BZip2Codec", ".bz2", bz2.decompress),
    ],
)
def test_save_as_text_file_compressed(sc, tmp_path, codec, ext, decompress):
    out = tmp_path / "c"
    sc.parallelize([f"line {i}" for i in range(2000)], 2).saveAsTextFile(str(out), codec)
    assert sorted(os.listdir(out)) == ["_SUCCESS", f"part-00000{ext}", f"part-00001{ext}"]
    text = b"".join(decompress((out / f"part-0000{i}{ext}").read_bytes()) for i in range(2))
    assert text.decode().splitlines() == [f"line {i}" for i in range(2000)]


def test_pickle_files_round_trip(sc, tmp_path):
    objs = [{"k": i, "v": [i] * (i % 3)} for i in range(500)] + [None, (1, "a"), 2.5]
    out = tmp_path / "p"
    sc.parallelize(objs, 3).saveAsPickleFile(str(out), 7)
    assert sc.pickleFile(str(out)).collect() == objs
    assert sorted(os.listdir(out)) == ["_SUCCESS", "part-00000", "part-00001", "part-00002"]
    # A file that is not a pickle file fails with a message naming it.
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "part-00000").write_bytes(b"\x00\x00\x00\x09ab")
    with pytest.raises(ValueError, match="part-00000 is truncated"):
        sc.pickleFile(str(tmp_path / "junk")).collect()
    with pytest.raises(FileNotFoundError, match="nowhere"):
        sc.pickleFile(str(tmp_path / "nowhere"))


def test_pipe(sc):
    rdd = sc.parallelize(["b", "a", "c", "a"], 2)
    assert rdd.pipe("sort").collect() == ["a", "b", "a", "c"]
    assert sc.parallelize([1, 2, 3], 1).pipe("wc -l").map(str.strip).collect() == ["3"]
    assert sc.parallelize(["x"], 1).pipe("sh -c 'echo $EMBER_PIPE_TEST'", env={"EMBER_PIPE_TEST": "set"}).collect() == ["set"]
    assert sc.parallelize(["x"], 1).pipe("false").collect() == []
    with pytest.raises(RuntimeError, match="exited with error code 1"):
        sc.parallelize(["x"], 1).pipe("false", checkCode=True).collect()
    # A command that stops reading early does not hang the task.
    assert sc.parallelize(range(100000), 1).pipe("head -n 2").collect() == ["0", "1"]


def test_checkpoint(sc, tmp_path):
    sc.setCheckpointDir(str(tmp_path / "cp"))
    assert sc.getCheckpointDir() == str(tmp_path / "cp")
    calls = sc.accumulator(0)

    def counted(x):
        calls.add(1)
        return x * 2

    rdd = sc.parallelize(range(20), 4).map(counted)
    rdd.checkpoint()
    assert rdd.is_checkpointed and not rdd.isCheckpointed()
    assert rdd.sum() == sum(x * 2 for x in range(20))
    assert rdd.isCheckpointed()
    cp = rdd.getCheckpointFile()
    assert cp.startswith("file:") and os.path.isdir(cp[len("file:"):])
    before = calls.value
    # Later jobs read the checkpoint: the function does not run again.
    assert rdd.map(lambda x: x + 1).collect() == [x * 2 + 1 for x in range(20)]
    assert calls.value == before


def test_local_checkpoint_keeps_partitions(sc):
    calls = sc.accumulator(0)

    def counted(x):
        calls.add(1)
        return x

    rdd = sc.parallelize(range(10), 2).map(counted)
    rdd.localCheckpoint()
    assert rdd.isLocallyCheckpointed() and not rdd.isCheckpointed()
    assert rdd.count() == 10 and rdd.isCheckpointed()
    assert rdd.sum() == 45 and calls.value == 10


def test_reserialized_text_lines_union_and_coalesce(sc, tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("a\nb\nc\nd\n")
    lines = sc.textFile(str(path), 2)
    assert lines.union(sc.parallelize(["e"])).collect() == ["a", "b", "c", "d", "e"]
    assert lines.coalesce(1).glom().collect() == [["a", "b", "c", "d"]]
    assert sorted(lines.repartition(3).collect()) == ["a", "b", "c", "d"]
    assert sorted(lines.cartesian(sc.parallelize([1])).collect()) == [(c, 1) for c in "abcd"]


def test_reduce_helpers_agree_with_functools(sc):
    data = [str(i) for i in range(50)]
    assert sc.parallelize(data, 5).fold("", add) == "".join(data)
    assert sorted(sc.parallelize(data, 5).reduce(lambda a, b: a + "," + b).split(",")) == sorted(data)
    assert reduce(add, range(10)) == sc.parallelize(range(10), 3).treeReduce(add)
    assert pickle.loads(pickle.dumps(sc.parallelize([1]).stats())).count() == 1


"""SparkConf and SparkContext: construction, getOrCreate, stop, context manager, sources."""

import os

import pytest

from ember import RDD, SparkConf, SparkContext, StorageLevel


def test_conf_setters_chain_and_get():
    conf = SparkConf().setMaster("local[2]").setAppName("app").set("spark.x", 3)
    assert conf.get("spark.master") == "local[2]"
    assert conf.get("spark.app.name") == "app"
    assert conf.get("spark.x") == "3"
    assert conf.get("missing") is None and conf.get("missing", "d") == "d"
    assert conf.contains("spark.x") and not conf.contains("missing")
    conf.setIfMissing("spark.x", 4).setAll([("a", "1")])
    assert conf.get("spark.x") == "3" and ("a", "1") in conf.getAll()
    assert "spark.master=local[2]" in conf.toDebugString().split("\n")


def test_context_from_master_and_app_name():
    sc = SparkContext("local[2]", "named")
    try:
        assert sc.master == "local[2]" and sc.appName == "named"
        assert sc.defaultParallelism == 2 and sc.defaultMinPartitions == 2
        assert sc.applicationId.startswith("local-")
        assert isinstance(sc.version, str)
    finally:
        sc.stop()


def test_context_from_conf_and_get_or_create():
    conf = SparkConf().setMaster("local[3]").setAppName("fromconf")
    sc = SparkContext.getOrCreate(conf)
    try:
        assert SparkContext.getOrCreate() is sc
        assert sc.appName == "fromconf" and sc.defaultParallelism == 3
        with pytest.raises(ValueError, match="Cannot run multiple SparkContexts at once"):
            SparkContext("local", "second")
    finally:
        sc.stop()
    sc.stop()  # a second stop does nothing
    other = SparkContext.getOrCreate(SparkConf().setMaster("local[1]"))
    assert other is not sc
    other.stop()


def test_context_manager_stops():
    with SparkContext("local[2]", "cm") as sc:
        assert sc.parallelize([1, 2, 3]).count() == 3
    assert SparkContext._active_spark_context is None
    with pytest.raises(RuntimeError, match="has been stopped"):
        sc.parallelize([1])


def test_stop_applies_pending_updates_and_removes_files():
    sc = SparkContext("local[1]", "stop")
    acc = sc.accumulator(0)
    b = sc.broadcast("x")
    tmp = sc._temp_dir()
    sc.parallelize([1, 2, 3]).foreach(lambda x: acc.add(x))
    sc.stop()
    assert acc.value == 6 and not os.path.exists(tmp)
    assert b.value == "x"  # the driver keeps its own copy


def test_default_parallelism_from_conf():
    conf = SparkConf().setMaster("local[2]").set("spark.default.parallelism", 5)
    with SparkContext(conf=conf) as sc:
        assert sc.defaultParallelism == 5
        assert sc.parallelize(range(10)).getNumPartitions() == 5


def test_bad_arguments():
    with pytest.raises(RuntimeError, match="local"):
        SparkContext("yarn", "bad")
    with pytest.raises(TypeError, match="SparkConf"):
        SparkContext(conf={"spark.master": "local"})  # type: ignore[arg-type]
    with SparkContext("local[2]") as sc:
        with pytest.raises(ValueError, match="numSlices must be positive"):
            sc.parallelize([1], 0)
        with pytest.raises(TypeError, match="map: f must be a function, got int 3"):
            sc.parallelize([1]).map(3)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="textFile: name must be a str"):
            sc.textFile(42)  # type: ignore[arg-type]


def test_parallelize_slices_like_pyspark(sc):
    assert sc.parallelize([0, 2, 3, 4, 6], 5).glom().collect() == [[0], [2], [3], [4], [6]]
    assert sc.parallelize(range(0, 6, 2), 5).glom().collect() == [[], [0], [], [2], [4]]
    assert sc.parallelize([1, 2, 3, 4, 5], 2).glom().collect() == [[1, 2], [3, 4, 5]]
    assert sc.parallelize(["a", None, (1, 2.5), {"k": [1]}]).collect() == ["a", None, (1, 2.5), {"k": [1]}]
    assert isinstance(sc.parallelize([1]), RDD)


def test_range(sc):
    assert sc.range(5).collect() == [0, 1, 2, 3, 4]
    assert sc.range(2, 4).collect() == [2, 3]
    assert sc.range(1, 7, 2).collect() == [1, 3, 5]
    assert sc.range(10, 0, -3, 2).collect() == [10, 7, 4, 1]
    assert sc.range(0).collect() == []
    assert sc.range(100, numSlices=7).getNumPartitions() == 7


def test_text_file(sc, tmp_path):
    path = tmp_path / "lines.txt"
    path.write_text("id,value\n1,10\n\n2,20\nlast")
    rdd = sc.textFile(str(path))
    assert rdd.collect() == ["id,value", "1,10", "", "2,20", "last"]
    assert rdd.getNumPartitions() >= sc.defaultMinPartitions
    assert rdd.map(len).collect() == [8, 4, 0, 4, 4]
    assert sc.textFile(str(path), 1).filter(lambda l: l.startswith("1")).collect() == ["1,10"]


def test_text_file_missing_names_the_path(sc, tmp_path):
    missing = str(tmp_path / "nope.txt")
    with pytest.raises(FileNotFoundError, match="nope.txt"):
        sc.textFile(missing)


def test_union_and_empty(sc):
    a, b = sc.parallelize([1, 2], 2), sc.parallelize([3], 1)
    u = sc.union([a, b])
    assert u.collect() == [1, 2, 3] and u.getNumPartitions() == 3
    assert a.union(b.map(lambda x: x * 10)).collect() == [1, 2, 30]
    assert sc.emptyRDD().collect() == []


def test_storage_level_strings():
    assert str(StorageLevel.MEMORY_AND_DISK) == "Disk Memory Serialized 1x Replicated"
    assert repr(StorageLevel.MEMORY_ONLY_2) == "StorageLevel(False, True, False, False, 2)"


def test_whole_text_files_and_binary_files(sc, tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.txt").write_text("first\nfile")
    (d / "b.txt").write_text("é")
    (d / "_SUCCESS").write_text("")
    (d / ".hidden").write_text("x")
    whole = sc.wholeTextFiles(str(d), 5)
    assert whole.getNumPartitions() == 2
    assert sorted(whole.collect()) == [(f"file:{d}/a.txt", "first\nfile"), (f"file:{d}/b.txt", "é")]
    assert sorted(whole.mapValues(len).collect()) == [(f"file:{d}/a.txt", 10), (f"file:{d}/b.txt", 1)]
    (d / "c.bin").write_bytes(b"\x00\xff")
    binary = dict(sc.binaryFiles(str(d / "*.bin")).collect())
    assert binary == {f"file:{d}/c.bin": b"\x00\xff"}
    assert sc.binaryFiles(f"{d}/a.txt,{d}/c.bin", 1).keys().collect() == [f"file:{d}/a.txt", f"file:{d}/c.bin"]
    with pytest.raises(ValueError, match="c.bin is not UTF-8 text"):
        sc.wholeTextFiles(str(d)).collect()


def test_set_checkpoint_dir_creates_it(sc, tmp_path):
    target = tmp_path / "a" / "b"
    sc.setCheckpointDir(str(target))
    assert target.is_dir() and sc.getCheckpointDir() == str(target)


def test_binary_records_archives_and_small_properties(sc, tmp_path):
    (tmp_path / "r.bin").write_bytes(bytes(range(12)))
    assert sc.binaryRecords(str(tmp_path / "r.bin"), 4).collect() == [bytes(range(i, i + 4)) for i in (0, 4, 8)]
    with pytest.raises(ValueError, match="r.bin has 12 bytes, not a multiple of the record length 5"):
        sc.binaryRecords(str(tmp_path / "r.bin"), 5).collect()
    with pytest.raises(ValueError, match="recordLength must be at least 1"):
        sc.binaryRecords(str(tmp_path / "r.bin"), 0)
    import tarfile

    (tmp_path / "data.txt").write_text("7")
    with tarfile.open(tmp_path / "a.tgz", "w:gz") as t:
        t.add(tmp_path / "data.txt", "inner/data.txt")
    sc.addArchive(str(tmp_path / "a.tgz") + "#unpacked")
    from ember import SparkFiles

    got = sc.parallelize([1]).map(lambda _: open(SparkFiles.get("unpacked") + "/inner/data.txt").read()).collect()
    assert got == ["7"] and sc.listArchives == ["file:" + str(tmp_path / "a.tgz")]
    (tmp_path / "bad.zip").write_text("not a zip")
    with pytest.raises(ValueError, match="cannot unpack"):
        sc.addArchive(str(tmp_path / "bad.zip"))
    with pytest.raises(FileNotFoundError, match="none.zip"):
        sc.addArchive(str(tmp_path / "none.zip"))
    assert isinstance(sc.sparkUser(), str) and sc.uiWebUrl.startswith("http://") and sc.resources == {}


def test_use_unicode_false_gives_bytes(sc, tmp_path):
    (tmp_path / "u.txt").write_text("é\nb\n")
    assert sc.textFile(str(tmp_path / "u.txt"), use_unicode=False).collect() == ["é".encode(), b"b"]
    assert sc.wholeTextFiles(str(tmp_path), use_unicode=False).collect() == [
        (f"file:{tmp_path}/u.txt".encode(), "é\nb\n".encode())
    ]

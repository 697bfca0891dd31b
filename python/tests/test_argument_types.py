"""Wrong argument types at the entry points of SparkContext and RDD raise TypeError when the
method is called, with a message naming the method and the argument; missing files raise
FileNotFoundError naming the path."""

import re

import pytest

from ember import SparkConf, SparkContext


def _message(operation: str, argument: str, what: str, got: str) -> str:
    return re.escape(f"{operation}: {argument} must be {what}, got {got}")


CONTEXT_CASES = [
    (lambda sc: sc.parallelize(5), "parallelize: c must be an iterable collection, got int"),
    (lambda sc: sc.parallelize([1], "2"), _message("parallelize", "numSlices", "an int", "str '2'")),
    (lambda sc: sc.range("5"), _message("range", "start", "an int", "str '5'")),
    (lambda sc: sc.range(0, 5, 1.5), _message("range", "step", "an int", "float 1.5")),
    (lambda sc: sc.textFile(3), _message("textFile", "name", "a str path", "int 3")),
    (lambda sc: sc.textFile("x", "2"), _message("textFile", "minPartitions", "an int", "str '2'")),
    (lambda sc: sc.wholeTextFiles(None), _message("wholeTextFiles", "path", "a str path", "NoneType None")),
    (lambda sc: sc.binaryFiles(b"/tmp"), _message("binaryFiles", "path", "a str path", "bytes b'/tmp'")),
    (lambda sc: sc.pickleFile(1.0), _message("pickleFile", "path", "a str path", "float 1.0")),
    (lambda sc: sc.union(sc.parallelize([1])), "union: rdds must be a list of RDDs, got RDD"),
    (lambda sc: sc.union([sc.parallelize([1]), [2]]), _message("union", "rdds", "an RDD", "list [2]")),
    (lambda sc: sc.runJob([1], lambda it: it), _message("runJob", "rdd", "an RDD", "list [1]")),
    (lambda sc: sc.runJob(sc.parallelize([1]), 3), _message("runJob", "partitionFunc", "a function", "int 3")),
    (lambda sc: sc.accumulator(0, "add"), "accumulator: accum_param must be an AccumulatorParam, got str"),
    (lambda sc: sc.accumulator([1.0]), "No default accumulator param for type <class 'list'>"),
    (lambda sc: sc.setCheckpointDir(7), _message("setCheckpointDir", "dirName", "a str path", "int 7")),
    (lambda sc: sc.addFile(["a"]), _message("addFile", "path", "a str path", "list ['a']")),
    (lambda sc: sc.setLocalProperty(1, "v"), _message("setLocalProperty", "key", "a str", "int")),
    (lambda sc: sc.setLogLevel(3), _message("setLogLevel", "logLevel", "a str", "int 3")),
    (lambda sc: SparkContext.getOrCreate({"a": 1}), "getOrCreate: conf must be a SparkConf, got dict"),
]


@pytest.mark.parametrize("call,message", CONTEXT_CASES)
def test_context_entry_points(sc, call, message):
    with pytest.raises(TypeError, match=message):
        call(sc)


RDD_CASES = [
    (lambda r: r.map(5), _message("map", "f", "a function", "int 5")),
    (lambda r: r.flatMap("x"), _message("flatMap", "f", "a function", "str 'x'")),
    (lambda r: r.filter(None), _message("filter", "f", "a function", "NoneType None")),
    (lambda r: r.mapPartitions(1), _message("mapPartitions", "f", "a function", "int 1")),
    (lambda r: r.mapPartitionsWithIndex(1), _message("mapPartitionsWithIndex", "f", "a function", "int 1")),
    (lambda r: r.foreach(1), _message("foreach", "f", "a function", "int 1")),
    (lambda r: r.foreachPartition(1), _message("foreachPartition", "f", "a function", "int 1")),
    (lambda r: r.reduce(1), _message("reduce", "f", "a function", "int 1")),
    (lambda r: r.fold(0, 1), _message("fold", "op", "a function", "int 1")),
    (lambda r: r.aggregate(0, 1, max), _message("aggregate", "seqOp", "a function", "int 1")),
    (lambda r: r.treeAggregate(0, max, max, "2"), _message("treeAggregate", "depth", "an int", "str '2'")),
    (lambda r: r.treeReduce(max, 2.0), _message("treeReduce", "depth", "an int", "float 2.0")),
    (lambda r: r.keyBy(1), _message("keyBy", "f", "a function", "int 1")),
    (lambda r: r.groupBy(1), _message("groupBy", "f", "a function", "int 1")),
    (lambda r: r.sortBy(1), _message("sortBy", "keyfunc", "a function", "int 1")),
    (lambda r: r.take("x"), _message("take", "num", "an int", "str 'x'")),
    (lambda r: r.take(True), _message("take", "num", "an int", "bool True")),
    (lambda r: r.top(1.5), _message("top", "num", "an int", "float 1.5")),
    (lambda r: r.takeOrdered("3"), _message("takeOrdered", "num", "an int", "str '3'")),
    (lambda r: r.max(key=3), _message("max", "key", "a function", "int 3")),
    (lambda r: r.min(key=3), _message("min", "key", "a function", "int 3")),
    (lambda r: r.coalesce("2"), _message("coalesce", "numPartitions", "an int", "str '2'")),
    (lambda r: r.repartition(None), _message("repartition", "numPartitions", "an int", "NoneType None")),
    (lambda r: r.union([1]), _message("union", "other", "an RDD", "list [1]")),
    (lambda r: r.zip([1]), _message("zip", "other", "an RDD", "list [1]")),
    (lambda r: r.cartesian(1), _message("cartesian", "other", "an RDD", "int 1")),
    (lambda r: r.subtract({1}), _message("subtract", "other", "an RDD", "set {1}")),
    (lambda r: r.intersection(1), _message("intersection", "other", "an RDD", "int 1")),
    (lambda r: r.sample(False, "0.5"), _message("sample", "fraction", "a number", "str '0.5'")),
    (lambda r: r.randomSplit("ab"), "randomSplit: weights must be a list of numbers, got str"),
    (lambda r: r.takeSample(False, "3"), _message("takeSample", "num", "an int", "str '3'")),
    (lambda r: r.histogram("3"), "histogram: buckets must be an int or a sorted list, got str"),
    (lambda r: r.persist("MEMORY_ONLY"), "persist: storageLevel must be a StorageLevel, got str"),
    (lambda r: r.saveAsTextFile(None), _message("saveAsTextFile", "path", "a str path", "NoneType None")),
    (lambda r: r.saveAsTextFile("/tmp/x", 5), _message("saveAsTextFile", "compressionCodecClass", "a str", "int 5")),
    (lambda r: r.saveAsPickleFile(3), _message("saveAsPickleFile", "path", "a str path", "int 3")),
    (lambda r: r.pipe(["cat"]), _message("pipe", "command", "a str", "list ['cat']")),
    (lambda r: r.countApproxDistinct("x"), _message("countApproxDistinct", "relativeSD", "a number", "str 'x'")),
]


@pytest.mark.parametrize("call,message", RDD_CASES)
def test_rdd_entry_points(sc, call, message):
    with pytest.raises(TypeError, match=message):
        call(sc.parallelize([1, 2, 3]))


PAIR_CASES = [
    (lambda r: r.mapValues(1), _message("mapValues", "f", "a function", "int 1")),
    (lambda r: r.flatMapValues(1), _message("flatMapValues", "f", "a function", "int 1")),
    (lambda r: r.reduceByKey(1), _message("reduceByKey", "f", "a function", "int 1")),
    (lambda r: r.reduceByKey(max, "2"), _message("combineByKey", "numPartitions", "an int", "str '2'")),
    (lambda r: r.reduceByKeyLocally(1), _message("reduceByKeyLocally", "func", "a function", "int 1")),
    (lambda r: r.foldByKey(0, 1), _message("foldByKey", "f", "a function", "int 1")),
    (lambda r: r.aggregateByKey(0, 1, max), _message("aggregateByKey seqFunc", "f", "a function", "int 1")),
    (lambda r: r.combineByKey(1, max, max), _message("combineByKey createCombiner", "f", "a function", "int 1")),
    (lambda r: r.groupByKey(1.5), _message("combineByKey", "numPartitions", "an int", "float 1.5")),
    (lambda r: r.partitionBy("2"), _message("partitionBy", "numPartitions", "an int", "str '2'")),
    (lambda r: r.partitionBy(2, 3), _message("partitionBy", "partitionFunc", "a function", "int 3")),
    (lambda r: r.sortByKey(True, 2, 3), _message("sortByKey", "keyfunc", "a function", "int 3")),
    (lambda r: r.join([("a", 1)]), _message("join", "other", "an RDD", "list [('a', 1)]")),
    (lambda r: r.leftOuterJoin(1), _message("leftOuterJoin", "other", "an RDD", "int 1")),
    (lambda r: r.rightOuterJoin(1), _message("rightOuterJoin", "other", "an RDD", "int 1")),
    (lambda r: r.fullOuterJoin(1), _message("fullOuterJoin", "other", "an RDD", "int 1")),
    (lambda r: r.cogroup(1), _message("cogroup", "other", "an RDD", "int 1")),
    (lambda r: r.groupWith(r, 1), _message("groupWith", "other", "an RDD", "int 1")),
    (lambda r: r.subtractByKey(1), _message("cogroup", "other", "an RDD", "int 1")),
    (lambda r: r.sampleByKey(False, [0.5]), "sampleByKey: fractions must be a dict, got list"),
    (lambda r: r.repartitionAndSortWithinPartitions(2, portable, True, 1), _message("repartitionAndSortWithinPartitions", "keyfunc", "a function", "int 1")),
]


def portable(k):
    return hash(k)


@pytest.mark.parametrize("call,message", PAIR_CASES)
def test_pair_rdd_entry_points(sc, call, message):
    with pytest.raises(TypeError, match=message):
        call(sc.parallelize([("a", 1), ("b", 2)]))


def test_missing_files_name_the_path(sc, tmp_path):
    for read in (sc.textFile, sc.wholeTextFiles, sc.binaryFiles, sc.pickleFile):
        missing = str(tmp_path / f"no-{read.__name__}")
        with pytest.raises(FileNotFoundError, match=re.escape(missing)):
            read(missing)
    with pytest.raises(FileNotFoundError, match="absent.py"):
        sc.addPyFile(str(tmp_path / "absent.py"))


def test_conf_type_is_checked():
    with pytest.raises(TypeError, match="conf must be a SparkConf, got dict"):
        SparkContext(conf={"spark.master": "local"})  # type: ignore[arg-type]
    assert isinstance(SparkConf(), SparkConf)

"""Broadcast variables, accumulators, TaskContext and SparkFiles across the worker protocol."""

import os
import threading
import time

import pytest

from ember import Accumulator, AccumulatorParam, Broadcast, SparkFiles, TaskContext


def test_broadcast_is_read_in_workers_and_cached(sc):
    table = {i: str(i) for i in range(10000)}
    b = sc.broadcast(table)
    assert isinstance(b, Broadcast) and b.value is table
    got = sc.parallelize(range(0, 10000, 1000), 4).map(lambda k: b.value[k]).collect()
    assert got == [str(k) for k in range(0, 10000, 1000)]
    # A worker keeps the value between tasks: the same object (by id) serves later tasks.
    ids = set(sc.parallelize(range(8), 8).map(lambda _: (os.getpid(), id(b.value))).collect())
    assert len(ids) == len({pid for pid, _ in ids})


def test_broadcast_unpersist_and_destroy(sc):
    b = sc.broadcast([1, 2, 3])
    rdd = sc.parallelize([0, 1], 2).flatMap(lambda _: b.value)
    assert rdd.collect() == [1, 2, 3, 1, 2, 3]
    b.unpersist()
    # Workers dropped their copy; the next use loads it again from the driver's file.
    assert rdd.collect() == [1, 2, 3, 1, 2, 3]
    b.destroy()
    with pytest.raises(RuntimeError, match="after it was destroyed"):
        b.value
    with pytest.raises(RuntimeError, match="after it was destroyed"):
        sc.parallelize([1]).map(lambda _: b.value).collect()
    # A function pickled before the destroy fails in the worker, naming the broadcast.
    with pytest.raises(RuntimeError, match=f"broadcast variable {b.id} after it was destroyed"):
        rdd.collect()


def test_accumulators_count_each_successful_task_once(sc):
    acc = sc.accumulator(0)
    rdd = sc.parallelize(range(100), 4)
    rdd.foreach(lambda x: acc.add(x))
    assert acc.value == sum(range(100))
    # In a transformation, each job that computes the RDD adds again (as in Spark)...
    mapped = rdd.map(lambda x: acc.add(1) or x)
    mapped.count()
    mapped.count()
    assert acc.value == sum(range(100)) + 200
    # ...unless the RDD is cached.
    fresh = sc.accumulator(0)
    cached = rdd.map(lambda x: fresh.add(1) or x).cache()
    cached.count()
    cached.sum()
    assert fresh.value == 100


def test_failed_tasks_updates_are_dropped(sc):
    acc = sc.accumulator(0)

    def f(split, it):
        for x in it:
            acc.add(1)
        if split == 1:
            time.sleep(0.3)  # let partition 0 finish first
            raise ValueError("partition 1 fails")
        return []

    with pytest.raises(ValueError, match="partition 1 fails"):
        sc.parallelize(range(10), 2).mapPartitionsWithIndex(f).collect()
    # Partition 0 (5 elements) succeeded; partition 1 added 5 before failing: dropped.
    assert acc.value == 5


def test_accumulator_params_and_driver_only_value(sc):
    class SetParam(AccumulatorParam):
        def zero(self, value):
            return set()

        def addInPlace(self, a, b):
            a |= b if isinstance(b, set) else {b}
            return a

    seen = sc.accumulator(set(), SetParam())
    sc.parallelize("hello world", 3).foreach(lambda c: seen.add(c))
    assert seen.value == set("hello world")
    f = sc.accumulator(0.5)
    c = sc.accumulator(1j)
    sc.parallelize([1, 2], 2).foreach(lambda x: (f.add(x * 0.25), c.add(x)))
    assert f.value == 1.25 and c.value == 3 + 1j
    assert isinstance(f, Accumulator) and repr(f).startswith("Accumulator<id=")
    with pytest.raises(TypeError, match="No default accumulator param"):
        sc.accumulator("text")
    with pytest.raises(TypeError, match="accum_param must be an AccumulatorParam"):
        sc.accumulator(0, 5)
    # Two Python functions in one task (a union of two pipelines): both tasks' updates arrive.
    u = sc.accumulator(0)
    left = sc.parallelize(range(5), 1).map(lambda x: u.add(1) or x)
    right = sc.parallelize(range(7), 1).map(lambda x: u.add(10) or x)
    assert left.union(right).count() == 12 and u.value == 75


def test_accumulators_from_several_threads(sc):
    acc = sc.accumulator(0)

    def job():
        sc.parallelize(range(100), 4).foreach(lambda x: acc.add(1))

    threads = [threading.Thread(target=job) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert acc.value == 400


def test_task_context(sc):
    assert TaskContext.get() is None
    infos = (
        sc.parallelize(range(8), 4)
        .mapPartitions(lambda it: [(TaskContext.get().partitionId(), TaskContext.get().stageId(), TaskContext.get().attemptNumber(), TaskContext.get().taskAttemptId(), TaskContext.get().cpus(), TaskContext.get().resources())])
        .collect()
    )
    assert [i[0] for i in infos] == [0, 1, 2, 3]
    assert len({i[1] for i in infos}) == 1 and all(i[2] == 0 for i in infos)
    assert len({i[3] for i in infos}) == 4
    assert all(i[4] == 1 and i[5] == {} for i in infos)
    # The reduce side of a shuffle is another stage.
    stages = (
        sc.parallelize([(1, 1)], 1)
        .map(lambda kv: (kv[0], TaskContext.get().stageId()))
        .groupByKey()
        .map(lambda kv: (list(kv[1])[0], TaskContext.get().stageId()))
        .collect()
    )
    assert stages[0][0] != stages[0][1]
    tc = sc.parallelize([1]).map(lambda _: TaskContext.get()).first()
    assert isinstance(tc, TaskContext) and TaskContext.get() is None


def test_local_properties_reach_the_tasks_of_their_thread(sc):
    def read(key):
        return sc.parallelize([0], 1).map(lambda _: TaskContext.get().getLocalProperty(key)).first()

    assert read("who") is None
    sc.setLocalProperty("who", "main")
    assert sc.getLocalProperty("who") == "main" and read("who") == "main"
    seen = {}

    def other(name):
        sc.setLocalProperty("who", name)
        seen[name] = [
            sc.parallelize(range(4), 2).map(lambda _: (time.sleep(0.05), TaskContext.get().getLocalProperty("who"))[1]).collect()
            for _ in range(3)
        ]

    threads = [threading.Thread(target=other, args=(n,)) for n in ("t1", "t2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {"t1": [["t1"] * 4] * 3, "t2": [["t2"] * 4] * 3}
    assert read("who") == "main"
    sc.setLocalProperty("who", None)
    assert read("who") is None


def test_spark_files(sc, tmp_path):
    data = tmp_path / "lookup.txt"
    data.write_text("42")
    sc.addFile(str(data))
    sc.addFile(str(data))  # the same file again: nothing to do
    got = sc.parallelize([1], 1).map(lambda _: open(SparkFiles.get("lookup.txt")).read()).collect()
    assert got == ["42"]
    assert SparkFiles.get("lookup.txt").startswith(SparkFiles.getRootDirectory())
    mod = tmp_path / "ember_helper_mod.py"
    mod.write_text("def triple(x):\n    return 3 * x\n")
    sc.addPyFile(str(mod))

    def use(x):
        import ember_helper_mod

        return ember_helper_mod.triple(x)

    assert sc.parallelize([1, 2], 2).map(use).collect() == [3, 6]
    other = tmp_path / "other"
    other.mkdir()
    (other / "lookup.txt").write_text("different")
    with pytest.raises(ValueError, match="lookup.txt"):
        sc.addFile(str(other / "lookup.txt"))
    with pytest.raises(FileNotFoundError, match="missing.txt"):
        sc.addFile(str(tmp_path / "missing.txt"))
    with pytest.raises(ValueError, match="recursive"):
        sc.addFile(str(other))
    assert sorted(sc.listFiles) == sorted(["file:" + str(data), "file:" + str(mod)])


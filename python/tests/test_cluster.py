"""Python jobs on a local cluster (executor processes that replay the driver's calls, see
``ember._cluster``) give the answers local mode and plain Python give."""

import os
import subprocess
import sys
from collections import Counter
from operator import add
from pathlib import Path
from typing import Iterator

import pytest

from ember import SparkContext, StorageLevel
from ember.sql import SparkSession
from ember.sql import functions as F
from ember.sql.types import LongType

MASTER = "local-cluster[3,1,1024]"
EXAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "examples" / "seed_spark_example"


@pytest.fixture(scope="module")
def csc() -> Iterator[SparkContext]:
    ctx = SparkContext(MASTER, "ember-cluster-tests")
    yield ctx
    ctx.stop()


def test_the_context_drives_three_executors(csc: SparkContext) -> None:
    assert csc._ctx().is_cluster_driver()
    assert csc.defaultParallelism == 3


def test_word_count_matches_plain_python(csc: SparkContext, tmp_path: Path) -> None:
    lines = [f"w{i % 13} w{i % 5} w{i % 2}" for i in range(2000)]
    path = tmp_path / "words.txt"
    path.write_text("\n".join(lines) + "\n")
    expected = Counter(w for line in lines for w in line.split())
    counts = csc.textFile(str(path), 4).flatMap(str.split).map(lambda w: (w, 1)).reduceByKey(add)
    assert dict(counts.collect()) == expected
    # The same lineage again: the shuffle's map outputs on the executors are reused.
    assert counts.count() == len(expected)


def test_a_join_and_a_cached_rdd_reused_by_two_jobs(csc: SparkContext) -> None:
    pairs = [(i % 7, i) for i in range(100)]
    names = [(k, f"n{k}") for k in range(5)]
    joined = csc.parallelize(pairs, 4).join(csc.parallelize(names, 2)).persist(StorageLevel.MEMORY_ONLY)
    expected = sorted((k, (v, f"n{k}")) for k, v in pairs if k < 5)
    assert sorted(joined.collect()) == expected
    assert joined.count() == len(expected)
    # pyspark's join groups the union of both sides (4 + 2 partitions) by key.
    assert joined.getNumPartitions() == 6
    joined.unpersist()


def test_sort_by_key_samples_and_orders_across_executors(csc: SparkContext) -> None:
    data = [((i * 7919) % 1000, i) for i in range(1000)]
    ordered = csc.parallelize(data, 5).sortByKey(numPartitions=3).collect()
    assert [k for k, _ in ordered] == sorted(k for k, _ in data)


def test_broadcasts_and_accumulators_cross_processes(csc: SparkContext) -> None:
    weights = csc.broadcast({0: 1, 1: 10})
    total = csc.accumulator(0)
    csc.parallelize(range(10), 3).foreach(lambda x: total.add(weights.value[x % 2]))
    assert total.value == 5 * 1 + 5 * 10


def test_an_exception_in_a_function_on_an_executor_is_raised_in_the_driver(csc: SparkContext) -> None:
    with pytest.raises(ZeroDivisionError):
        csc.parallelize([1, 0, 2], 3).map(lambda x: 1 // x).collect()
    # The context still works after the failed job.
    assert csc.parallelize(range(5), 2).sum() == 10


def test_sql_and_a_python_udf_on_executors(csc: SparkContext) -> None:
    spark = SparkSession(csc)
    rows = [(i, i % 3) for i in range(30)]
    df = spark.createDataFrame(rows, ["x", "k"])
    double = F.udf(lambda v: v * 2, LongType())
    got = df.groupBy("k").agg(F.sum(double(F.col("x"))).alias("s")).orderBy("k").collect()
    expected = {k: sum(2 * x for x, kk in rows if kk == k) for k in range(3)}
    assert [(r["k"], r["s"]) for r in got] == sorted(expected.items())
    df.createOrReplaceTempView("t")
    joined = spark.sql("SELECT a.k, count(*) AS n FROM t a JOIN t b ON a.k = b.k GROUP BY a.k ORDER BY a.k")
    assert [(r["k"], r["n"]) for r in joined.collect()] == [(k, 100) for k in range(3)]


@pytest.mark.skipif(not EXAMPLE.is_dir(), reason=f"the example is not at {EXAMPLE}")
def test_the_pyspark_example_runs_unchanged_with_ember_submit_on_a_cluster(tmp_path: Path) -> None:
    # The example parses every line as two numbers (a header line would fail under Spark too).
    data = [f"{i % 4},{i}" for i in range(40)]
    (tmp_path / "data.csv").write_text("\n".join(data) + "\n")
    (tmp_path / "app.py").write_text((EXAMPLE / "spark_example.py").read_text())
    env = dict(os.environ, PYTHONHASHSEED="0")
    out = subprocess.run(
        [sys.executable, "-m", "ember.submit", "--master", "local-cluster[2,1,512]", "app.py"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 0, out.stderr
    expected = {k: sum(i for i in range(40) if i % 4 == k) for k in range(4)}
    printed = sorted(eval(line) for line in out.stdout.split("\n") if line.startswith("("))
    assert printed == sorted(expected.items())


def _executor_pids() -> list[int]:
    """The `python -m ember._executor` processes this driver started."""
    out = subprocess.run(["ps", "-o", "pid=,args=", "--ppid", str(os.getpid())],
                         capture_output=True, text=True, check=True).stdout
    return [int(line.split()[0]) for line in out.splitlines() if "ember._executor" in line]


def test_an_executor_killed_mid_job_is_replaced_by_retries_elsewhere(csc: SparkContext) -> None:
    # Last in this module: the cluster has one executor less afterwards.
    import signal
    import threading
    import time

    pids = _executor_pids()
    assert len(pids) == 3, pids
    result: list = []

    def job() -> None:
        def slow(x: int) -> int:
            time.sleep(0.05)
            return x * x

        result.append(csc.parallelize(range(120), 12).map(slow).sum())

    t = threading.Thread(target=job)
    t.start()
    time.sleep(0.5)
    os.kill(pids[0], signal.SIGKILL)
    t.join(120)
    assert not t.is_alive()
    assert result == [sum(x * x for x in range(120))]

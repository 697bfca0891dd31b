"""Python functions run in worker processes: N of them for local[N]; their exceptions reach the
driver as the same exception type with the user's file and line."""

import inspect
import os
import time
import traceback

import pytest

from ember import PythonException, SparkContext


def test_local_2_runs_python_on_two_processes():
    with SparkContext("local[2]", "pids") as sc:

        def where(it):
            start = time.monotonic()
            time.sleep(0.5)
            return [(os.getpid(), start, time.monotonic())]

        spans = sc.parallelize([1, 2], 2).mapPartitions(where).collect()
        (pid_a, start_a, end_a), (pid_b, start_b, end_b) = spans
        assert pid_a != pid_b and os.getpid() not in (pid_a, pid_b)
        assert start_a < end_b and start_b < end_a, f"the two partitions did not overlap: {spans}"
        # The pool never grows past the slots of the master.
        pids = sc.parallelize(range(16), 8).mapPartitions(lambda it: [os.getpid()]).collect()
        assert len(set(pids)) <= 2


def test_cpu_bound_partitions_run_at_the_same_time():
    # CPU-bound Python in two partitions runs in two processes at once (no shared GIL). Wall
    # times are not compared: the test machine may be busy with other work.
    def spin(it):
        start = time.monotonic()
        x = 0
        for i in range(2_000_000):
            x += i
        return [(os.getpid(), start, time.monotonic(), time.process_time())]

    with SparkContext("local[2]", "spin") as sc:
        # Start both workers first: on a busy machine one may take longer to start than the
        # other's whole task, which says nothing about running at the same time.
        sc.parallelize([0, 1], 2).mapPartitions(lambda it: [time.sleep(0.2)]).collect()
        spans = sc.parallelize([0, 1], 2).mapPartitions(spin).collect()
    (pid_a, start_a, end_a, _), (pid_b, start_b, end_b, _) = spans
    assert pid_a != pid_b
    assert start_a < end_b and start_b < end_a, f"the two partitions did not overlap: {spans}"


def test_lambda_error_reraises_same_type_with_file_and_line(sc):
    line = inspect.currentframe().f_lineno + 1
    rdd = sc.parallelize([1, 2, 3], 2).map(lambda x: int("id") if x == 2 else x)
    with pytest.raises(ValueError) as info:
        rdd.collect()
    assert str(info.value) == "invalid literal for int() with base 10: 'id'"
    text = "".join(traceback.format_exception(info.value))
    assert f'File "{__file__}", line {line}, in <lambda>' in text
    # The context stays usable, and so does its pool of workers.
    assert sc.parallelize([1, 2, 3], 2).map(lambda x: x + 1).collect() == [2, 3, 4]


def test_errors_in_shuffles_and_actions(sc):
    with pytest.raises(ZeroDivisionError):
        sc.parallelize([("a", 1), ("a", 0)], 2).reduceByKey(lambda a, b: a // b, 1).collect()
    with pytest.raises(KeyError):
        sc.parallelize([{}]).map(lambda d: d["missing"]).count()
    assert sc.parallelize([("a", 1)]).reduceByKey(lambda a, b: a + b).collect() == [("a", 1)]


def test_unpicklable_exception_becomes_python_exception(sc):
    def fail(_):
        class Local(Exception):
            pass

        raise Local("local class")

    with pytest.raises(PythonException, match="Local: local class"):
        sc.parallelize([1]).map(fail).collect()


def test_print_in_a_worker_does_not_break_the_protocol(sc, capfd):
    assert sc.parallelize([1, 2], 2).map(lambda x: print("hello", x) or x).collect() == [1, 2]

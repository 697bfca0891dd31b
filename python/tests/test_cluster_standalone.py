"""A Python job on a standalone cluster: ``ember master``, two ``ember worker`` processes, and a
driver with ``master("ember://host:port")`` whose executors the workers start (``python -m
ember._executor``, found through ``spark.executorEnv.*``-style settings the driver sends)."""

import os
import re
import subprocess
import time
from collections.abc import Iterator
from operator import add
from pathlib import Path

import pytest

from ember import SparkConf, SparkContext

SECRET = "standalone-test-secret"


def _ember_bin() -> str:
    path = os.environ.get("EMBER_BIN")
    if not path or not os.access(path, os.X_OK):
        pytest.fail("$EMBER_BIN must name the built `ember` binary (scripts/test.sh exports it)")
    return path


def _wait_for_line(proc: subprocess.Popen, pattern: str, what: str, timeout: float = 30) -> re.Match:
    deadline = time.monotonic() + timeout
    seen = []
    assert proc.stderr is not None
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        seen.append(line)
        m = re.search(pattern, re.sub(r"\x1b\[[0-9;]*m", "", line))
        if m:
            return m
    raise AssertionError(f"{what} did not print {pattern!r}; it printed:\n{''.join(seen)}")


@pytest.fixture()
def standalone(tmp_path: Path) -> Iterator[str]:
    ember = _ember_bin()
    secret = tmp_path / "secret"
    secret.write_text(SECRET)
    env = dict(os.environ, RUST_LOG="info", NO_COLOR="1")
    procs = []
    try:
        master = subprocess.Popen(
            [ember, "master", "--host", "127.0.0.1", "--port", "0", "--secret-file", str(secret)],
            stderr=subprocess.PIPE, text=True, env=env,
        )
        procs.append(master)
        url = _wait_for_line(master, r"listening on (ember://\S+)", "ember master").group(1)
        for i in range(2):
            worker = subprocess.Popen(
                [ember, "worker", "--master", url, "--host", "127.0.0.1", "--cores", "1",
                 "--memory", "512m", "--work-dir", str(tmp_path / f"worker-{i}"),
                 "--secret-file", str(secret)],
                stderr=subprocess.PIPE, text=True, env=env,
            )
            procs.append(worker)
            _wait_for_line(worker, r"registered with the master", f"ember worker {i}")
        yield url
    finally:
        for p in procs:
            p.kill()
            p.wait()


def test_a_python_job_on_a_standalone_cluster(standalone: str, tmp_path: Path) -> None:
    lines = [f"a{i % 3} b{i % 2}" for i in range(300)]
    path = tmp_path / "words.txt"
    path.write_text("\n".join(lines) + "\n")
    conf = (
        SparkConf()
        .setMaster(standalone)
        .setAppName("python-on-standalone")
        .set("spark.executor.instances", "2")
        .set("spark.executor.memory", "256m")
        .set("spark.authenticate.secret", SECRET)
    )
    with SparkContext(conf=conf) as sc:
        counts = dict(sc.textFile(str(path), 4).flatMap(str.split).map(lambda w: (w, 1)).reduceByKey(add).collect())
    assert counts == {"a0": 100, "a1": 100, "a2": 100, "b0": 150, "b1": 150}

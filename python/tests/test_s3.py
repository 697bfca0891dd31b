"""Writes to S3 and reads back through the Python API: ``saveAsTextFile`` and ``textFile``,
``df.write`` and ``spark.read`` over ``s3://`` URLs, against a ``moto_server`` the tests start on
127.0.0.1. The server is the one beside ``$EMBER_PYTHON`` (the tools' virtual environment that
scripts/test.sh makes and exports); the tests fail, not skip, without it."""

import os
import re
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from ember import SparkConf, SparkContext
from ember.sql import Row, SparkSession


def _moto_server() -> Path:
    python = os.environ.get("EMBER_PYTHON")
    if not python:
        pytest.fail("test_s3 needs EMBER_PYTHON (exported by scripts/test.sh): moto_server is "
                    "looked for beside that Python", pytrace=False)
    server = Path(python).with_name("moto_server")
    if not server.exists():
        pytest.fail(f"test_s3 needs moto_server at {server}: run scripts/test.sh, which installs "
                    "moto[server] into the tools' virtual environment", pytrace=False)
    return server


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = _moto_server()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([str(server), "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"moto_server did not listen on port {port}", pytrace=False)
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _request(endpoint: str, method: str, path: str) -> str:
    with urllib.request.urlopen(urllib.request.Request(endpoint + path, method=method)) as r:
        return r.read().decode()


def _bucket(endpoint: str, name: str) -> str:
    _request(endpoint, "PUT", f"/{name}")
    return name


def _keys(endpoint: str, bucket: str) -> list[str]:
    body = _request(endpoint, "GET", f"/{bucket}?list-type=2")
    return sorted(re.findall(r"<Key>([^<]*)</Key>", body))


@pytest.fixture(scope="module")
def s3sc(endpoint: str) -> Iterator[SparkContext]:
    conf = (SparkConf().setMaster("local[2]").setAppName("s3")
            .set("ember.s3.endpoint", endpoint)
            .set("ember.s3.region", "us-east-1")
            .set("ember.s3.access_key_id", "testing")
            .set("ember.s3.secret_access_key", "testing"))
    with SparkContext(conf=conf) as sc:
        yield sc


def test_save_as_text_file_to_s3_reads_back(s3sc: SparkContext, endpoint: str) -> None:
    b = _bucket(endpoint, "py-text")
    s3sc.parallelize(range(10), 3).saveAsTextFile(f"s3://{b}/out")
    assert _keys(endpoint, b) == ["out/_SUCCESS", "out/part-00000", "out/part-00001",
                                  "out/part-00002"]
    assert s3sc.textFile(f"s3://{b}/out").collect() == [str(i) for i in range(10)]
    with pytest.raises(FileExistsError, match=f"s3://{b}/out"):
        s3sc.parallelize([1]).saveAsTextFile(f"s3://{b}/out")
    s3sc.parallelize(["x", "y"], 2).saveAsTextFile(
        f"s3://{b}/gz", "org.apache.hadoop.io.compress.GzipCodec")
    assert [k for k in _keys(endpoint, b) if k.startswith("gz/")] == [
        "gz/_SUCCESS", "gz/part-00000.gz", "gz/part-00001.gz"]
    assert s3sc.textFile(f"s3://{b}/gz").collect() == ["x", "y"]


def test_a_failed_save_to_s3_leaves_nothing(s3sc: SparkContext, endpoint: str) -> None:
    b = _bucket(endpoint, "py-failed")

    def bad(x: int) -> str:
        if x == 7:
            raise ValueError("bad record 7")
        return str(x)

    with pytest.raises(Exception, match="bad record 7"):
        s3sc.parallelize(range(10), 2).map(bad).saveAsTextFile(f"s3://{b}/out")
    assert _keys(endpoint, b) == []


def test_dataframe_writes_to_s3_read_back(s3sc: SparkContext, endpoint: str) -> None:
    spark = SparkSession(s3sc)
    b = _bucket(endpoint, "py-df")
    df = spark.createDataFrame([("a", 1), ("b", 2), ("a", 3)], ["k", "v"])
    df.write.parquet(f"s3://{b}/p")
    assert sorted(spark.read.parquet(f"s3://{b}/p").collect()) == [
        Row(k="a", v=1), Row(k="a", v=3), Row(k="b", v=2)]
    keys = [k for k in _keys(endpoint, b) if k.startswith("p/")]
    assert "p/_SUCCESS" in keys and not any("_temporary" in k for k in keys), keys

    df.write.mode("append").parquet(f"s3://{b}/p")
    assert spark.read.parquet(f"s3://{b}/p").count() == 6
    df.where("v > 2").write.mode("overwrite").parquet(f"s3://{b}/p")
    assert spark.read.parquet(f"s3://{b}/p").collect() == [Row(k="a", v=3)]

    df.write.partitionBy("k").json(f"s3://{b}/j")
    folders = {k.split("/")[1] for k in _keys(endpoint, b) if k.startswith("j/k=")}
    assert folders == {"k=a", "k=b"}
    back = spark.read.json(f"s3://{b}/j")
    assert sorted((r.k, r.v) for r in back.collect()) == [("a", 1), ("a", 3), ("b", 2)]

    df.write.option("header", True).csv(f"s3://{b}/c")
    back = spark.read.csv(f"s3://{b}/c", header=True, inferSchema=True)
    assert sorted(back.collect()) == [Row(k="a", v=1), Row(k="a", v=3), Row(k="b", v=2)]
    with pytest.raises(FileExistsError, match=f"s3://{b}/c"):
        df.write.csv(f"s3://{b}/c")

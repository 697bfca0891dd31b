"""Driver-side events, read back through the web UI's REST API (Spark's /api/v1): persisting
and unpersisting from Python reach the Storage view, and a ``spark.sql`` query is listed as a
SQL execution with its SQL text, its physical plan and the jobs it ran."""

import json
import urllib.error
import urllib.request

import pytest

from ember import StorageLevel


def get(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return json.loads(r.read().decode())


def app_base(sc):
    apps = get(f"{sc.uiWebUrl}/api/v1/applications")
    assert len(apps) == 1
    return f"{sc.uiWebUrl}/api/v1/applications/{apps[0]['id']}"


def test_persist_and_unpersist_from_python_reach_the_storage_view(sc):
    level = StorageLevel.MEMORY_AND_DISK
    doubled = sc.parallelize(range(100), 4).map(lambda x: x * 2).persist(level)
    assert doubled.count() == 100
    url = f"{app_base(sc)}/storage/rdd/{doubled.id()}"
    info = get(url)
    assert (info["numPartitions"], info["numCachedPartitions"]) == (4, 4)
    assert info["storageLevel"] == str(level)
    doubled.unpersist()
    with pytest.raises(urllib.error.HTTPError) as e:
        get(url)
    assert e.value.code == 404


def test_a_sql_query_is_listed_with_its_text_plan_and_jobs(sc, spark):
    spark.createDataFrame([(1, "a"), (2, "b"), (3, "a")], ["n", "k"]).createOrReplaceTempView("t")
    query = "SELECT k, sum(n) AS s FROM t GROUP BY k"
    assert sorted(tuple(r) for r in spark.sql(query).collect()) == [("a", 4), ("b", 2)]
    failing = "SELECT CAST(k AS INT) AS i FROM t"
    with pytest.raises(Exception):
        spark.sql(failing).collect()
    executions = {e["description"]: e for e in get(f"{app_base(sc)}/sql")}
    ok = executions[query]
    assert ok["status"] == "COMPLETED" and ok["successJobIds"] and not ok["failedJobIds"]
    assert "AggregateExec" in ok["planDescription"]
    failed = executions[failing]
    assert failed["status"] == "FAILED" and failed["failedJobIds"]

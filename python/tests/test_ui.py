"""sc.uiWebUrl: the driver's web UI, its REST API (Spark's /api/v1) and /metrics, read over
HTTP after a job with a shuffle and a cache; spark.ui.enabled and spark.eventLog.* as in pyspark."""

import json
import os
import urllib.error
import urllib.request

import pytest

from ember import SparkConf, SparkContext


def get(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.read().decode()


# First: it needs no other context active (the module's `sc` starts with the next test).
def test_spark_ui_enabled_false_turns_it_off_and_event_logs_are_written(tmp_path):
    conf = (
        SparkConf()
        .setMaster("local[1]")
        .setAppName("quiet")
        .set("spark.ui.enabled", "false")
        .set("spark.eventLog.enabled", "true")
        .set("spark.eventLog.dir", str(tmp_path))
    )
    sc = SparkContext(conf=conf)
    try:
        assert sc.uiWebUrl is None
        assert sc.parallelize([1, 2, 3]).sum() == 6
    finally:
        sc.stop()
    logs = os.listdir(tmp_path)
    assert len(logs) == 1 and logs[0].endswith(".jsonl"), logs
    events = [json.loads(line)["event"] for line in open(tmp_path / logs[0])]
    assert events[0] == "ApplicationStart" and events[-1] == "ApplicationEnd"
    assert events.count("JobStart") == 1


def test_the_ui_reports_the_jobs_of_the_context(sc):
    pairs = sc.parallelize(range(1000), 4).map(lambda x: (x % 10, 1)).setName("pairs").cache()
    assert pairs.count() == 1000
    assert len(pairs.reduceByKey(lambda a, b: a + b, 3).collect()) == 10
    url = sc.uiWebUrl
    assert url.startswith("http://")
    apps = json.loads(get(f"{url}/api/v1/applications"))
    assert len(apps) == 1 and apps[0]["name"] == sc.appName
    base = f"{url}/api/v1/applications/{apps[0]['id']}"
    jobs = json.loads(get(f"{base}/jobs"))
    last = max(jobs, key=lambda j: j["jobId"])
    # 4 map tasks over the cache, then 3 reduce tasks.
    assert (last["status"], last["numTasks"], last["numCompletedTasks"]) == ("SUCCEEDED", 7, 7)
    rdds = json.loads(get(f"{base}/storage/rdd"))
    assert [(r["name"], r["numCachedPartitions"]) for r in rdds] == [("pairs", 4)]
    page = get(f"{url}/jobs/")
    assert "7/7" in page and "<script" not in page
    assert "ember_driver_jobs_succeeded_total" in get(f"{url}/metrics")
    with pytest.raises(urllib.error.HTTPError) as e:
        get(f"{url}/api/v1/applications/nope/jobs")
    assert e.value.code == 404

"""sc.statusTracker(): jobs and stages as pyspark's StatusTracker reports them, checked against
hand-counted partitions and stages."""

import pytest


def test_a_shuffle_job_reports_its_two_stages_and_their_tasks(sc):
    pairs = sc.parallelize(range(100), 4).map(lambda x: (x % 5, 1))
    assert sorted(pairs.reduceByKey(lambda a, b: a + b, 3).collect()) == [(k, 20) for k in range(5)]
    tracker = sc.statusTracker()
    job = tracker.getJobInfo(tracker.getJobIdsForGroup()[-1])
    assert job.status == "SUCCEEDED"
    stages = [tracker.getStageInfo(s) for s in job.stageIds]
    # Parents first: 4 map tasks, then 3 result tasks, all completed, none failed.
    assert [s.numTasks for s in stages] == [4, 3]
    assert [s.numCompletedTasks for s in stages] == [4, 3]
    assert all(s.numActiveTasks == 0 and s.numFailedTasks == 0 for s in stages)
    assert "collect" in stages[1].name
    assert tracker.getActiveJobsIds() == [] and tracker.getActiveStageIds() == []


def test_a_failed_job_is_reported_failed_and_unknown_ids_give_none(sc):
    with pytest.raises(Exception):
        sc.parallelize([1, 0], 2).map(lambda x: 1 // x).collect()
    tracker = sc.statusTracker()
    job = tracker.getJobInfo(tracker.getJobIdsForGroup()[-1])
    assert job.status == "FAILED"
    assert tracker.getJobInfo(10**9) is None and tracker.getStageInfo(10**9) is None
    with pytest.raises(ValueError, match="job groups"):
        tracker.getJobIdsForGroup("nightly")

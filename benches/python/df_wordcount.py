"""The DataFrame word count through Ember's Python API; run by df_wordcount_bench (Rust), which
runs the same job through the Rust DataFrame API and prints the ratios. Prints one JSON line:
best times of ``collect()`` and ``toArrow()``, distinct and total words."""

import argparse
import json
import time

from ember import SparkConf, SparkContext
from ember.sql import SparkSession
from ember.sql import functions as F


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("file")
    p.add_argument("--master", default="local[2]")
    p.add_argument("--runs", type=int, default=5)
    a = p.parse_args()
    sc = SparkContext(conf=SparkConf().setMaster(a.master).setAppName("df-wordcount"))
    spark = SparkSession(sc)

    def job():
        df = spark.read.text(a.file)
        return df.select(F.explode(F.split(df.value, " ")).alias("word")).groupBy("word").count()

    best = {}
    result = {}
    for name, run in (("collect_s", lambda: job().collect()), ("to_arrow_s", lambda: job().toArrow())):
        times = []
        for _ in range(a.runs):
            start = time.perf_counter()
            out = run()
            times.append(time.perf_counter() - start)
        best[name] = min(times)
        result[name] = out
    rows = result["collect_s"]
    table = result["to_arrow_s"]
    total = sum(r["count"] for r in rows)
    assert total == sum(table.column("count").to_pylist()), "collect and toArrow disagree"
    sc.stop()
    print(json.dumps({**best, "distinct": len(rows), "total": total}))


if __name__ == "__main__":
    main()

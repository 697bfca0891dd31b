"""DuckDB's side of tpch_bench: runs the TPC-H query files over the same Parquet files.

Usage: python3 tpch_duckdb.py DATA_DIR QUERY_DIR RUNS Q1,Q2,...
Prints one JSON object: {"q1": {"best": seconds, "rows": n}, ...}
"""
import json
import sys
import time

import duckdb

data, queries, runs, names = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4].split(",")
con = duckdb.connect()
con.execute("SET threads = 2")
for t in ["customer", "lineitem", "nation", "orders", "part", "partsupp", "region", "supplier"]:
    con.execute(f"CREATE VIEW {t} AS SELECT * FROM read_parquet('{data}/{t}.parquet')")
out = {}
for name in names:
    text = open(f"{queries}/{name}.sql").read()
    statements = [s for s in text.split(";") if s.strip() and not all(
        l.strip().startswith("--") or not l.strip() for l in s.splitlines())]
    best, rows = float("inf"), 0
    for _ in range(runs):
        start = time.perf_counter()
        for s in statements:
            res = con.execute(s).fetchall()
            if res:
                rows = len(res)
        best = min(best, time.perf_counter() - start)
    out[name] = {"best": best, "rows": rows}
print(json.dumps(out))

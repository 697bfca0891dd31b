#!/usr/bin/env python3
"""The reference answers of the TPC-H queries, computed by DuckDB.

Usage: duckdb_answers.py DATA_DIR OUT_DIR [QUERIES_DIR]

DATA_DIR holds the eight tables as `<table>.parquet` (as `tpchgen-cli parquet` writes them).
QUERIES_DIR (default: `queries/` beside this script) holds `q1.sql` .. `q22.sql`; a file may hold
several statements separated by `;` (q15 creates a view, queries it and drops it): the answer is
the result of its one statement that returns rows.

For each query `qN.sql` this writes `OUT_DIR/qN.json`:

    {"query": "qN", "columns": [...], "types": [...], "rows": [[...], ...]}

with typed values: integers and floats as JSON numbers, decimals as JSON numbers too (converted
to double, which the Rust test compares with a tolerance), dates as `YYYY-MM-DD` strings, strings
as strings, NULL as null. Last, it writes `OUT_DIR/COMPLETE` with DuckDB's version, so a reader
can tell a finished set of answers from an interrupted run.
"""

import datetime
import decimal
import json
import os
import re
import sys

import duckdb

TABLES = ["region", "nation", "supplier", "customer", "part", "partsupp", "orders", "lineitem"]


def statements(text):
    """The SQL statements of a query file: comments dropped, split at `;`."""
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in text.split(";") if s.strip()]


def is_query(statement):
    return re.match(r"(?is)^\s*(select|with)\b", statement) is not None


def value(v):
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, decimal.Decimal):
        return float(v)
    if isinstance(v, (datetime.date, datetime.datetime)):
        return v.isoformat()
    raise TypeError(f"unexpected value {v!r} of type {type(v).__name__}")


def main(argv):
    if len(argv) not in (3, 4):
        sys.exit(__doc__)
    data_dir, out_dir = argv[1], argv[2]
    queries_dir = argv[3] if len(argv) == 4 else os.path.join(os.path.dirname(__file__), "queries")
    os.makedirs(out_dir, exist_ok=True)
    marker = os.path.join(out_dir, "COMPLETE")
    if os.path.exists(marker):
        os.remove(marker)

    con = duckdb.connect()
    for table in TABLES:
        path = os.path.join(data_dir, f"{table}.parquet")
        if not os.path.exists(path):
            sys.exit(f"duckdb_answers.py: missing table file {path}")
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{path}')")

    for n in range(1, 23):
        name = f"q{n}"
        with open(os.path.join(queries_dir, f"{name}.sql")) as f:
            stmts = statements(f.read())
        answer = None
        for stmt in stmts:
            if is_query(stmt):
                if answer is not None:
                    sys.exit(f"duckdb_answers.py: {name} has more than one query")
                cur = con.execute(stmt)
                answer = {
                    "query": name,
                    "columns": [d[0] for d in cur.description],
                    "types": [str(d[1]) for d in cur.description],
                    "rows": [[value(v) for v in row] for row in cur.fetchall()],
                }
            else:
                con.execute(stmt)
        if answer is None:
            sys.exit(f"duckdb_answers.py: {name} has no query")
        tmp = os.path.join(out_dir, f"{name}.json.tmp")
        with open(tmp, "w") as f:
            json.dump(answer, f, indent=1)
        os.replace(tmp, os.path.join(out_dir, f"{name}.json"))

    with open(marker, "w") as f:
        f.write(f"duckdb {duckdb.__version__}\n")


if __name__ == "__main__":
    main(sys.argv)

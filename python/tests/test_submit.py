"""``ember-submit``: unchanged pyspark programs run on Ember, each in a subprocess.

The pyspark example programs come from pyspark's own source distribution, never from this
repository: ``scripts/test.sh`` downloads the sdist once, keeps its ``deps/examples`` and
exports the directory as ``$EMBER_PYSPARK_EXAMPLES``. Their tests fail (not skip) without it.
Every output is checked against answers computed here, independently of Ember.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from random import Random

import pytest

from ember.conf import CONF_ENV, SparkConf

DATA = Path(__file__).parent / "data"
SEED = DATA / "seed_spark_example"
#: Seconds a submitted program may take; a hang (e.g. workers keeping the driver alive) fails.
TIMEOUT = 180


def ember_submit() -> str:
    """The ``ember-submit`` console script of the environment running the tests."""
    script = Path(sys.executable).with_name("ember-submit")
    if not script.exists():
        pytest.fail(f"{script} is missing: install the package (maturin develop) to get the ember-submit script")
    return str(script)


def submit(*args: str | os.PathLike[str], cwd: str | os.PathLike[str], module: bool = False) -> subprocess.CompletedProcess[str]:
    """Runs ``ember-submit args...`` (or ``python -m ember.submit``) in ``cwd``."""
    cmd = [sys.executable, "-m", "ember.submit"] if module else [ember_submit()]
    env = {k: v for k, v in os.environ.items() if k not in (CONF_ENV, "EMBER_MASTER")}
    return subprocess.run(
        [*cmd, *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT
    )


def ok(proc: subprocess.CompletedProcess[str]) -> str:
    """The stdout of a run that must have succeeded."""
    assert proc.returncode == 0, f"exit code {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return proc.stdout


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# --- the pyspark alias -------------------------------------------------------------------------


def test_pyspark_modules_are_embers_module_objects(tmp_path: Path) -> None:
    app = write(
        tmp_path / "app.py",
        """
import importlib
import pyspark
from pyspark import SparkContext, SparkConf, RDD
from pyspark.rdd import PipelinedRDD
import pyspark.sql.types as T
import ember, ember.rdd, ember.sql.types
pairs = {"pyspark": "ember", "pyspark.context": "ember.context", "pyspark.conf": "ember.conf",
         "pyspark.rdd": "ember.rdd", "pyspark.storagelevel": "ember.storagelevel",
         "pyspark.resultiterable": "ember.resultiterable", "pyspark.sql": "ember.sql",
         "pyspark.sql.types": "ember.sql.types", "pyspark.sql.functions": "ember.sql.functions",
         "pyspark.sql.session": "ember.sql.session", "pyspark.sql.dataframe": "ember.sql.dataframe"}
for p, e in pairs.items():
    assert importlib.import_module(p) is importlib.import_module(e), p
assert pyspark.sql.types is T is ember.sql.types and pyspark.SparkContext is ember.SparkContext
sc = SparkContext(conf=SparkConf())
rdd = sc.parallelize([1, 2, 3], 2).map(lambda x: x + 1)
assert isinstance(rdd, RDD) and isinstance(rdd, PipelinedRDD) and isinstance(rdd, ember.rdd.RDD)
assert isinstance(T.StringType(), ember.sql.types.DataType)
print("sum", rdd.sum())
from pyspark.sql import SparkSession, DataFrame
from pyspark.sql.functions import col
spark = SparkSession.builder.getOrCreate()
df = spark.range(3).select((col("id") * 2).alias("x"))
assert isinstance(df, DataFrame) and isinstance(df, ember.sql.DataFrame)
print("rows", [r.x for r in df.collect()])
spark.stop()
""",
    )
    assert ok(submit("--master", "local[2]", app, cwd=tmp_path)) == "sum 9\nrows [0, 2, 4]\n"


def test_missing_pyspark_module_is_a_clear_import_error(tmp_path: Path) -> None:
    app = write(tmp_path / "app.py", "import pyspark\n\nfrom pyspark.mllib.clustering import KMeans\n")
    proc = submit(app, cwd=tmp_path)
    assert proc.returncode == 1
    assert "ModuleNotFoundError: No module named 'pyspark.mllib'" in proc.stderr
    assert "Ember has no equivalent of this pyspark module (no module 'ember.mllib')" in proc.stderr
    assert f'File "{app}", line 3, in <module>' in proc.stderr


def test_the_finder_leaves_other_modules_alone() -> None:
    from ember.submit import PySparkAliasFinder

    finder = PySparkAliasFinder()
    assert finder.find_spec("pysparkling", None) is None
    assert finder.find_spec("json", None) is None
    spec = finder.find_spec("pyspark.storagelevel", None)
    assert spec is not None and spec.name == "pyspark.storagelevel" and spec.submodule_search_locations is None
    package = finder.find_spec("pyspark.sql", None)
    assert package is not None and package.submodule_search_locations is not None


# --- options, argv, exit codes -----------------------------------------------------------------

SHOW_CONF = """
import sys
from pyspark import SparkConf, SparkContext
conf = SparkConf()
print(json.dumps({"argv": sys.argv, "name": __name__, "file": __file__,
                  "conf": dict(conf.getAll()),
                  "bare": dict(SparkConf(loadDefaults=False).getAll())}))
sc = SparkContext(conf=SparkConf().set("spark.mine", "set in the program"))
print(json.dumps({"master": sc.master, "app": sc.appName, "conf": dict(sc.getConf().getAll())}))
sc.stop()
"""


def test_master_name_and_conf_reach_sparkconf_and_the_context(tmp_path: Path) -> None:
    app = write(tmp_path / "show.py", "import json" + SHOW_CONF)
    out = ok(
        submit(
            "--master", "local[3]", "--name", "submitted", "--conf", "spark.executor.memory=2g",
            "--conf", "spark.mine=from the command line", "-c", "spark.eq=a=b", "--driver-memory", "1g",
            app, "first", "--master", "local[9]",
            cwd=tmp_path,
        )
    )
    before, after = map(json.loads, out.splitlines())
    # Arguments after the program are the program's, options included.
    assert before["argv"] == [str(app), "first", "--master", "local[9]"]
    assert before["name"] == "__main__" and before["file"] == str(app)
    assert before["conf"] == {
        "spark.master": "local[3]",
        "spark.app.name": "submitted",
        "spark.executor.memory": "2g",
        "spark.mine": "from the command line",
        "spark.eq": "a=b",
        "spark.driver.memory": "1g",
    }
    assert before["bare"] == {}
    # What the program sets itself wins over the command line.
    assert after["master"] == "local[3]" and after["app"] == "submitted"
    assert after["conf"]["spark.mine"] == "set in the program"
    assert after["conf"]["spark.executor.memory"] == "2g"


def test_master_defaults_to_ember_master_then_local_star(tmp_path: Path) -> None:
    app = write(tmp_path / "m.py", "from pyspark import SparkContext\nsc = SparkContext()\nprint(sc.master)\nsc.stop()\n")
    assert ok(submit(app, cwd=tmp_path)) == "local[*]\n"
    env = {k: v for k, v in os.environ.items() if k != CONF_ENV}
    env["EMBER_MASTER"] = "local[2]"
    proc = subprocess.run(
        [ember_submit(), str(app)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=TIMEOUT
    )
    assert ok(proc) == "local[2]\n"


def test_properties_file_then_conf_then_options(tmp_path: Path) -> None:
    props = write(
        tmp_path / "spark-defaults.conf",
        "# Spark's format\nspark.master   local[2]\nspark.app.name=fromfile\nspark.a  1\n\nspark.b 2\n",
    )
    app = write(tmp_path / "p.py", "from pyspark import SparkConf\nprint(sorted(SparkConf().getAll()))\n")
    out = ok(submit("--properties-file", props, "--conf", "spark.b=3", "--name", "fromflag", app, cwd=tmp_path))
    assert out.strip() == str(
        sorted({"spark.master": "local[2]", "spark.app.name": "fromflag", "spark.a": "1", "spark.b": "3"}.items())
    )


def test_non_spark_conf_is_ignored_with_a_warning(tmp_path: Path) -> None:
    app = write(tmp_path / "p.py", "from pyspark import SparkConf\nprint(SparkConf().get('spark.k'), SparkConf().get('other'))\n")
    proc = submit("--conf", "other=1", "--conf", "spark.k=v", app, cwd=tmp_path)
    assert ok(proc) == "v None\n"
    assert "Warning: Ignoring non-Spark config property: other" in proc.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["--conf", "spark.x", "APP"], "Spark config without '=': spark.x"),
        (["--jars", "a.jar", "APP"], "--jars is not supported: Ember runs no JVM"),
        (["--packages=org.x:y:1", "APP"], "--packages is not supported"),
        (["--deploy-mode", "cluster", "APP"], "--deploy-mode cluster is not supported"),
        (["--py-files", "nothere.zip", "APP"], "--py-files: nothere.zip does not exist"),
        (["--properties-file", "nothere.conf", "APP"], "properties file nothere.conf does not exist"),
        (["--mast", "local", "APP"], "unrecognized arguments: --mast"),
        (["nothere.py"], "application nothere.py does not exist"),
        ([], "no application to run"),
    ],
)
def test_bad_command_lines_are_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    app = write(tmp_path / "app.py", "raise SystemExit('must not run')\n")
    proc = submit(*[str(app) if a == "APP" else a for a in args], cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "usage: ember-submit" in proc.stderr and message in proc.stderr, proc.stderr


def test_help_and_version(tmp_path: Path) -> None:
    out = ok(submit("--help", cwd=tmp_path))
    for option in ("--master", "--name", "--conf", "--py-files", "--properties-file"):
        assert option in out
    assert re.fullmatch(r"ember-submit \(Ember \d+\.\d+\.\d+\)\n", ok(submit("--version", cwd=tmp_path)))


def test_python_dash_m_ember_submit(tmp_path: Path) -> None:
    app = write(tmp_path / "a.py", "import sys, pyspark\nprint(pyspark.__name__, sys.argv[1:])\n")
    assert ok(submit(app, "x", "y", cwd=tmp_path, module=True)) == "ember ['x', 'y']\n"


def test_uncaught_exception_prints_the_programs_traceback(tmp_path: Path) -> None:
    app = write(
        tmp_path / "fails.py",
        "from pyspark import SparkContext\n"
        "def reciprocal(x):\n"
        "    return 1 / x\n"
        "sc = SparkContext('local[2]')\n"
        "print('before', flush=True)\n"
        "sc.parallelize([1, 0, 2], 3).map(reciprocal).collect()\n"
        "print('never')\n",
    )
    proc = submit(app, cwd=tmp_path)
    assert proc.returncode == 1 and proc.stdout == "before\n"
    lines = proc.stderr.splitlines()
    start = lines.index("Traceback (most recent call last):")
    # The traceback starts at the program (no frames of ember-submit), names the action's line,
    # and the worker's traceback names the function's line.
    assert lines[start + 1] == f'  File "{app}", line 6, in <module>'
    assert "ZeroDivisionError: division by zero" in lines
    assert f'  File "{app}", line 3, in reciprocal' in lines
    assert "submit.py" not in proc.stderr


def test_sys_exit_code_is_the_exit_code(tmp_path: Path) -> None:
    app = write(tmp_path / "e.py", "import sys\nfrom pyspark import SparkContext\nsc = SparkContext('local[1]')\nsys.exit(-1)\n")
    assert submit(app, cwd=tmp_path).returncode == 255
    app = write(tmp_path / "f.py", "import sys\nsys.exit('usage: f')\n")
    proc = submit(app, cwd=tmp_path)
    assert proc.returncode == 1 and proc.stderr == "usage: f\n"


def test_a_context_left_running_does_not_keep_the_program_alive(tmp_path: Path) -> None:
    # Neither on success nor on failure: submit()'s timeout fails the test on a hang.
    app = write(
        tmp_path / "left.py",
        "import sys\nfrom pyspark import SparkContext\n"
        "sc = SparkContext('local[2]')\n"
        "print(sc.parallelize(range(100), 4).map(lambda x: x * x).sum())\n"
        "if sys.argv[1:] == ['fail']:\n"
        "    raise RuntimeError('left running')\n",
    )
    assert ok(submit(app, cwd=tmp_path)) == "328350\n"
    proc = submit(app, "fail", cwd=tmp_path)
    assert proc.returncode == 1 and "RuntimeError: left running" in proc.stderr


def test_py_files_are_importable_in_the_driver_and_the_workers(tmp_path: Path) -> None:
    lib = write(tmp_path / "lib" / "scale.py", "def triple(x):\n    return 3 * x\n")
    with zipfile.ZipFile(tmp_path / "deps.zip", "w") as z:
        z.writestr("zipped/__init__.py", "def square(x):\n    return x * x\n")
    app = write(
        tmp_path / "app" / "main.py",
        "from pyspark import SparkContext\nfrom scale import triple\nfrom zipped import square\n"
        "from sibling import plus_one\n"
        "sc = SparkContext('local[2]')\n"
        "print(sc.parallelize([1, 2, 3], 3).map(triple).map(square).map(plus_one).collect())\n"
        "sc.stop()\n",
    )
    # The program's own directory is on the path, as with `python main.py`.
    write(tmp_path / "app" / "sibling.py", "def plus_one(x):\n    return x + 1\n")
    out = ok(submit("--py-files", f"{lib},{tmp_path / 'deps.zip'}", app, cwd=tmp_path))
    assert out == "[10, 37, 82]\n"


# --- SparkConf's defaults ----------------------------------------------------------------------


def test_sparkconf_loads_ember_conf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CONF_ENV, json.dumps({"spark.a": "1", "ember.default.parallelism": "3", "x": "y"}))
    assert sorted(SparkConf().getAll()) == [("ember.default.parallelism", "3"), ("spark.a", "1")]
    assert SparkConf(loadDefaults=False).getAll() == []
    assert SparkConf().set("spark.a", "2").get("spark.a") == "2"
    monkeypatch.setenv(CONF_ENV, "spark.a=1")
    with pytest.raises(ValueError, match=r"\$EMBER_CONF is not a JSON object"):
        SparkConf()
    monkeypatch.setenv(CONF_ENV, '{"spark.a": 1}')
    with pytest.raises(ValueError, match=r"\$EMBER_CONF must be a JSON object of string values"):
        SparkConf()
    with pytest.raises(TypeError, match="loadDefaults must be a bool, got str"):
        SparkConf("false")  # type: ignore[arg-type]


# --- the seed program --------------------------------------------------------------------------


def test_seed_program_fails_on_its_csv_header_as_under_pyspark() -> None:
    proc = submit(SEED / "spark_example.py", cwd=SEED)
    assert proc.returncode == 1 and proc.stdout == ""
    assert "ValueError: invalid literal for int() with base 10: 'id'" in proc.stderr
    assert f'File "{SEED / "spark_example.py"}", line 14, in <lambda>' in proc.stderr


def test_seed_program_without_the_header_prints_the_pairs(tmp_path: Path) -> None:
    source = (SEED / "spark_example.py").read_text()
    read = "data = sc.textFile('data.csv')"
    assert read in source
    variant = source.replace(read, read + ".filter(lambda line: line != 'id,value')")
    app = write(tmp_path / "spark_example.py", variant)
    (tmp_path / "data.csv").write_bytes((SEED / "data.csv").read_bytes())
    out = ok(submit(app, cwd=tmp_path))
    pairs = sorted(tuple(map(int, line.strip("()").split(", "))) for line in out.splitlines())
    assert pairs == [(1, 10), (2, 20), (3, 30), (4, 40), (5, 50), (6, 60), (7, 70), (8, 80), (9, 90), (10, 100)]


# --- pyspark's example programs ----------------------------------------------------------------


@pytest.fixture(scope="module")
def examples() -> Path:
    """pyspark's examples directory (``deps/examples`` of its sdist), from ``scripts/test.sh``."""
    where = os.environ.get("EMBER_PYSPARK_EXAMPLES")
    if not where or not (Path(where) / "wordcount.py").is_file():
        pytest.fail(
            "$EMBER_PYSPARK_EXAMPLES must name the deps/examples directory of pyspark's sdist "
            f"(got {where!r}); scripts/test.sh downloads it"
        )
    return Path(where)


def test_wordcount(examples: Path, tmp_path: Path) -> None:
    text = "to be or not to be\nthat is the question\n" * 300 + "whether tis nobler in the mind to suffer\n"
    write(tmp_path / "in.txt", text)
    out = ok(submit("--master", "local[2]", examples / "wordcount.py", tmp_path / "in.txt", cwd=tmp_path))
    counts = {}
    for line in out.splitlines():
        word, count = line.rsplit(": ", 1)
        assert word not in counts
        counts[word] = int(count)
    assert counts == {
        "to": 601, "be": 600, "or": 300, "not": 300, "that": 300, "is": 300, "the": 301,
        "question": 300, "whether": 1, "tis": 1, "nobler": 1, "in": 1, "mind": 1, "suffer": 1,
    }


def test_pi(examples: Path, tmp_path: Path) -> None:
    out = ok(submit("--master", "local[2]", examples / "pi.py", "4", cwd=tmp_path))
    match = re.fullmatch(r"Pi is roughly (\d+\.\d{6})\n", out)
    assert match, out
    # 400,000 darts: the estimate's standard deviation is 4 * sqrt(p (1 - p) / n) < 0.003.
    assert abs(float(match[1]) - math.pi) < 0.02


def test_sort(examples: Path, tmp_path: Path) -> None:
    rng = Random(7)
    numbers = [rng.randrange(-10_000, 10_000) for _ in range(3000)]
    lines = [" ".join(map(str, numbers[i : i + 10])) for i in range(0, len(numbers), 10)]
    write(tmp_path / "numbers.txt", "\n".join(lines) + "\n")
    out = ok(submit("--master", "local[2]", examples / "sort.py", tmp_path / "numbers.txt", cwd=tmp_path))
    assert [int(x) for x in out.split()] == sorted(numbers)


def pagerank(edges: list[tuple[str, str]], iterations: int) -> dict[str, float]:
    """The example's algorithm, written plainly: ranks of the pages that receive a contribution."""
    links: dict[str, set[str]] = {}
    for src, dst in edges:
        links.setdefault(src, set()).add(dst)
    ranks = {url: 1.0 for url in links}
    for _ in range(iterations):
        sums: dict[str, float] = {}
        for url, rank in ranks.items():
            for dst in links.get(url, ()):
                sums[dst] = sums.get(dst, 0.0) + rank / len(links[url])
        ranks = {url: 0.15 + 0.85 * s for url, s in sums.items()}
    return ranks


def test_pagerank(examples: Path, tmp_path: Path) -> None:
    rng = Random(3)
    pages = [f"page{i}" for i in range(40)]
    edges = [(rng.choice(pages), rng.choice(pages)) for _ in range(150)] + [("page1", "page2")] * 3
    write(tmp_path / "links.txt", "".join(f"{a}  {b}\n" for a, b in edges))
    out = ok(submit("--master", "local[2]", examples / "pagerank.py", tmp_path / "links.txt", "8", cwd=tmp_path))
    ranks = {}
    for line in out.splitlines():
        match = re.fullmatch(r"(\S+) has rank: (\S+)\.", line)
        assert match, line
        ranks[match[1]] = float(match[2])
    expected = pagerank(edges, 8)
    assert ranks.keys() == expected.keys()
    for url, rank in expected.items():
        assert ranks[url] == pytest.approx(rank, rel=1e-9), url


def test_transitive_closure(examples: Path, tmp_path: Path) -> None:
    # The example's graph: 200 distinct edges between 100 vertices from Random(42).
    rand = Random(42)
    edges: set[tuple[int, int]] = set()
    while len(edges) < 200:
        src, dst = rand.randrange(0, 100), rand.randrange(0, 100)
        if src != dst:
            edges.add((src, dst))
    succ: dict[int, set[int]] = {}
    for a, b in edges:
        succ.setdefault(a, set()).add(b)
    closure = 0
    for start in range(100):
        seen: set[int] = set()
        todo = list(succ.get(start, ()))
        while todo:
            v = todo.pop()
            if v not in seen:
                seen.add(v)
                todo.extend(succ.get(v, ()))
        closure += len(seen)
    # The example's union doubles the partitions in each of its 14 rounds, and distinct keeps
    # them unless spark.default.parallelism is set (pyspark's rule too; without it pyspark took
    # 189 s for the 9th round alone here, with 1022 partitions).
    out = ok(
        submit(
            "--master", "local[2]", "--conf", "spark.default.parallelism=2",
            examples / "transitive_closure.py", "2", cwd=tmp_path,
        )
    )
    assert out == f"TC has {closure} edges\n"


PEOPLE = """\
+----+-------+
| age|   name|
+----+-------+
|NULL|Michael|
|  30|   Andy|
|  19| Justin|
+----+-------+
"""
NAMES = """\
+-------+
|   name|
+-------+
|Michael|
|   Andy|
| Justin|
+-------+
"""
#: What sql/basic.py prints under pyspark 4.3 (Spark's documented tables, with Spark 4's NULL).
BASIC_OUTPUT = "\n".join(
    [
        PEOPLE,
        "root\n |-- age: long (nullable = true)\n |-- name: string (nullable = true)\n",
        NAMES,
        """\
+-------+---------+
|   name|(age + 1)|
+-------+---------+
|Michael|     NULL|
|   Andy|       31|
| Justin|       20|
+-------+---------+
""",
        "+---+----+\n|age|name|\n+---+----+\n| 30|Andy|\n+---+----+\n",
        """\
+----+-----+
| age|count|
+----+-----+
|  19|    1|
|NULL|    1|
|  30|    1|
+----+-----+
""",
        PEOPLE,
        PEOPLE,
        PEOPLE,
        "Name: Justin\n" + NAMES,
        "",
    ]
)


def rows_sorted_under(header: str, text: str) -> str:
    """``text`` with the rows of the table headed ``header`` sorted (groupBy's order is free)."""
    lines = text.split("\n")
    start = lines.index(header) + 2
    end = lines.index(lines[start - 1], start)
    return "\n".join(lines[:start] + sorted(lines[start:end]) + lines[end:])


def test_sql_basic(examples: Path, tmp_path: Path) -> None:
    # The program reads Spark's two people files relative to the working directory.
    resources = tmp_path / "examples" / "src" / "main" / "resources"
    write(resources / "people.json", '{"name":"Michael"}\n{"name":"Andy", "age":30}\n{"name":"Justin", "age":19}\n')
    write(resources / "people.txt", "Michael, 29\nAndy, 30\nJustin, 19\n")
    out = ok(submit("--master", "local[2]", examples / "sql" / "basic.py", cwd=tmp_path))
    header = "| age|count|"
    assert rows_sorted_under(header, out) == rows_sorted_under(header, BASIC_OUTPUT)


def test_program_modules_importing_pyspark_unpickle_in_the_workers(tmp_path: Path) -> None:
    # A function of a module that imports pyspark is pickled by reference: the workers import
    # the module again, so they resolve pyspark to Ember too.
    write(tmp_path / "lib" / "helpers.py", "import pyspark\n\ndef tagged(x):\n    return (x, pyspark.__name__)\n")
    app = write(
        tmp_path / "app.py",
        "from pyspark import SparkContext\nfrom helpers import tagged\n"
        "sc = SparkContext('local[2]')\nprint(sc.parallelize([1, 2], 2).map(tagged).collect())\nsc.stop()\n",
    )
    assert ok(submit("--py-files", tmp_path / "lib" / "helpers.py", app, cwd=tmp_path)) == "[(1, 'ember'), (2, 'ember')]\n"

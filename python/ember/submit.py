"""``ember-submit``: runs an unchanged pyspark program on Ember, as ``spark-submit`` runs it on
Spark.

::

    ember-submit [options] app.py [app arguments]
    python -m ember.submit [options] app.py [app arguments]

For the run, ``import pyspark`` and every ``pyspark.*`` submodule resolve to the matching
``ember`` module (``pyspark.sql.functions`` is ``ember.sql.functions``): the very same module
objects, so ``isinstance`` checks and class identities hold whichever name a program uses. A
pyspark module Ember has no equivalent of raises ``ModuleNotFoundError`` naming it.

The options are spark-submit's: ``--master`` (default ``$EMBER_MASTER`` or ``local[*]``),
``--name``, ``--conf key=value`` (repeatable), ``--properties-file``, ``--py-files`` (``.py``,
``.zip`` or ``.egg`` files put on the import path of the driver and the workers), and
``--deploy-mode client``, ``--driver-memory``, ``--executor-memory``, ``--executor-cores``, kept
as the ``spark.*`` properties they stand for. The properties reach the program through
``$EMBER_CONF``, which every ``SparkConf()`` loads (as pyspark's loads the JVM's ``spark.*``
system properties), so ``SparkContext()`` and ``SparkSession.builder.getOrCreate()`` pick them
up while settings made in the program itself take precedence.

The program runs as ``__main__`` with ``sys.argv = [app.py, args...]`` and its own directory
first on ``sys.path``, as ``python app.py`` would run it. An uncaught exception prints the usual
traceback, starting at the program's own frames, and the exit code is 1; ``sys.exit(n)`` exits
with ``n``. A context the program left running is stopped at the end, so its worker processes
never keep the interpreter alive.
"""

from __future__ import annotations

import argparse
import builtins
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import io
import json
import os
import sys
import traceback
from types import ModuleType, TracebackType
from typing import Optional, Sequence

from ember.conf import CONF_ENV

__all__ = ["PySparkAliasFinder", "install_pyspark_alias", "main"]

#: Set (to ``1``) in the environment of a submitted program, so its worker processes, which
#: inherit it, alias ``pyspark`` too when they import the program's modules.
ALIAS_ENV = "EMBER_PYSPARK_ALIAS"

_PYSPARK = "pyspark"
_EMBER = "ember"

#: spark-submit options that have no meaning without a JVM or a cluster manager.
_UNSUPPORTED = {
    "--class": "Ember runs Python applications only; there is no main class to run",
    "--jars": "Ember runs no JVM, so JARs cannot be loaded",
    "--packages": "Ember runs no JVM, so Maven packages cannot be loaded",
    "--exclude-packages": "Ember runs no JVM, so Maven packages cannot be loaded",
    "--repositories": "Ember runs no JVM, so Maven packages cannot be loaded",
    "--files": "Ember does not ship files; read them from their paths",
    "--archives": "Ember does not ship archives; unpack them before submitting",
    "--supervise": "Ember's master does not restart drivers",
    "--kill": "Ember's master runs no drivers (only client deploy mode is supported)",
    "--status": "Ember's master runs no drivers (only client deploy mode is supported)",
}

#: spark-submit options kept as the Spark property they stand for.
_PROPERTY_OPTIONS = {
    "driver_memory": "spark.driver.memory",
    "executor_memory": "spark.executor.memory",
    "executor_cores": "spark.executor.cores",
    "num_executors": "spark.executor.instances",
}


def _ember_name(fullname: str) -> str:
    return _EMBER + fullname[len(_PYSPARK) :]


class _AliasLoader(importlib.abc.Loader):
    """Loads ``pyspark.x`` by importing ``ember.x`` and putting that very module object in
    ``sys.modules`` under the pyspark name."""

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> Optional[ModuleType]:
        # A throwaway module: the import system sets its spec attributes, not the Ember
        # module's, and exec_module swaps the Ember module in.
        return None

    def exec_module(self, module: ModuleType) -> None:
        name = module.__spec__.name if module.__spec__ is not None else module.__name__
        # importlib returns whatever sys.modules holds under the name once this returns.
        sys.modules[name] = importlib.import_module(_ember_name(name))


class PySparkAliasFinder(importlib.abc.MetaPathFinder):
    """A meta path finder that resolves ``pyspark`` and ``pyspark.*`` to the ``ember`` modules
    of the same names.

    >>> finder = PySparkAliasFinder()
    >>> finder.find_spec("numbers", None) is None
    True
    >>> finder.find_spec("pyspark.sql", None).name
    'pyspark.sql'
    >>> finder.find_spec("pyspark.mllib", None)
    Traceback (most recent call last):
        ...
    ModuleNotFoundError: No module named 'pyspark.mllib': Ember has no equivalent of this pyspark module (no module 'ember.mllib')
    """

    def __init__(self) -> None:
        self._loader = _AliasLoader()

    def find_spec(
        self,
        fullname: str,
        path: Optional[Sequence[str]],
        target: Optional[ModuleType] = None,
    ) -> Optional[importlib.machinery.ModuleSpec]:
        if fullname != _PYSPARK and not fullname.startswith(_PYSPARK + "."):
            return None
        ember_name = _ember_name(fullname)
        try:
            spec = importlib.util.find_spec(ember_name)
        except ModuleNotFoundError:
            spec = None
        if spec is None:
            raise ModuleNotFoundError(
                f"No module named {fullname!r}: Ember has no equivalent of this pyspark module "
                f"(no module {ember_name!r})",
                name=fullname,
            )
        return importlib.util.spec_from_loader(
            fullname, self._loader, is_package=spec.submodule_search_locations is not None
        )


def install_pyspark_alias() -> None:
    """Makes ``import pyspark...`` resolve to Ember's modules in this process (idempotent).

    The finder goes first on ``sys.meta_path``, so an installed pyspark is not imported instead.
    """
    if not any(isinstance(f, PySparkAliasFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, PySparkAliasFinder())


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ember-submit",
        usage="ember-submit [options] <app.py> [app arguments]",
        description="Runs a pyspark application on Ember: `import pyspark` resolves to Ember's "
        "modules for the run. The options are spark-submit's.",
        allow_abbrev=False,
    )
    p.add_argument(
        "--master",
        help="local, local[N], local[*], local-cluster[N,C,M] or ember://host:port "
        "(default: $EMBER_MASTER or local[*])",
    )
    p.add_argument("--name", help="the application's name (spark.app.name)")
    p.add_argument(
        "--conf",
        "-c",
        action="append",
        default=[],
        metavar="PROP=VALUE",
        help="an arbitrary Spark configuration property (repeatable)",
    )
    p.add_argument(
        "--properties-file",
        metavar="FILE",
        help="a file of extra properties, one `key value` (or key=value) per line, as spark-defaults.conf",
    )
    p.add_argument(
        "--py-files",
        metavar="PY_FILES",
        help="comma-separated .zip, .egg or .py files to put on the PYTHONPATH of the application",
    )
    p.add_argument("--deploy-mode", choices=["client", "cluster"], help="only client is supported")
    p.add_argument("--driver-memory", metavar="MEM", help="kept as spark.driver.memory")
    p.add_argument("--executor-memory", metavar="MEM", help="spark.executor.memory (cluster mode)")
    p.add_argument("--executor-cores", metavar="NUM", help="spark.executor.cores (cluster mode)")
    p.add_argument("--num-executors", metavar="NUM", help="spark.executor.instances (cluster mode)")
    p.add_argument("--verbose", "-v", action="store_true", help="print the resolved properties")
    p.add_argument("--version", action="store_true", help="print Ember's version and exit")
    p.add_argument("app", nargs="?", help="the Python file to run")
    p.add_argument("args", nargs=argparse.REMAINDER, help="arguments passed to the application")
    return p


def _read_properties_file(path: str) -> dict[str, str]:
    props: dict[str, str] = {}
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line.startswith(("#", "!")):
                continue
            parts = line.split("=", 1) if "=" in line.split(None, 1)[0] else line.split(None, 1)
            if len(parts) != 2:
                raise ValueError(f"{path}:{n}: expected `key value`, got {line!r}")
            props[parts[0].strip()] = parts[1].strip()
    return props


def _properties(args: argparse.Namespace, parser: argparse.ArgumentParser) -> dict[str, str]:
    """The Spark properties of the run: the properties file, then ``--conf``, then the dedicated
    options (which win, as in spark-submit)."""
    props: dict[str, str] = {}
    if args.properties_file:
        if not os.path.isfile(args.properties_file):
            parser.error(f"properties file {args.properties_file} does not exist")
        try:
            props.update(_read_properties_file(args.properties_file))
        except ValueError as e:
            parser.error(str(e))
    for item in args.conf:
        key, sep, value = item.partition("=")
        if not sep or not key:
            parser.error(f"Spark config without '=': {item}")
        props[key] = value
    for dest, key in _PROPERTY_OPTIONS.items():
        if getattr(args, dest) is not None:
            props[key] = getattr(args, dest)
    if args.master:
        props["spark.master"] = args.master
    if args.name:
        props["spark.app.name"] = args.name
    if args.py_files:
        props["spark.submit.pyFiles"] = args.py_files
    ignored = [k for k in props if not k.startswith(("spark.", "ember."))]
    for k in ignored:
        print(f"Warning: Ignoring non-Spark config property: {k}", file=sys.stderr)
        del props[k]
    return props


def _py_file_paths(py_files: str, parser: argparse.ArgumentParser) -> list[str]:
    """The ``sys.path`` entries of ``--py-files``: a ``.py`` file's directory, an archive itself."""
    entries = []
    for item in filter(None, (s.strip() for s in py_files.split(","))):
        path = os.path.abspath(item)
        if not os.path.isfile(path):
            parser.error(f"--py-files: {item} does not exist")
        if path.endswith(".py"):
            path = os.path.dirname(path)
        elif not path.endswith((".zip", ".egg")):
            parser.error(f"--py-files: {item} is not a .py, .zip or .egg file")
        if path not in entries:
            entries.append(path)
    return entries


def _user_traceback(tb: Optional[TracebackType], app: str) -> Optional[TracebackType]:
    """``tb`` without its leading frames of ember-submit and runpy: from the program's first."""
    first = tb
    while first is not None and os.path.abspath(first.tb_frame.f_code.co_filename) != app:
        first = first.tb_next
    return first if first is not None else tb


def _stop_active_context() -> None:
    """Stops the context the program left running (a session's too), so no worker outlives it."""
    context = sys.modules.get("ember.context")
    sc = context.SparkContext._active_spark_context if context is not None else None
    if sc is not None:
        sc.stop()


def _run_as_main(app: str) -> None:
    """Runs the file ``app`` as the ``__main__`` module, as ``python app.py`` does."""
    with io.open_code(app) as f:
        code = compile(f.read(), app, "exec")
    module = ModuleType("__main__")
    module.__dict__.update(
        __file__=app,
        __builtins__=builtins,
        __loader__=importlib.machinery.SourceFileLoader("__main__", app),
        __spec__=None,
        __package__=None,
        __cached__=None,
    )
    sys.modules["__main__"] = module
    exec(code, module.__dict__)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Runs ``ember-submit`` with ``argv`` (default ``sys.argv[1:]``); returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    for a in argv:
        if a in ("-h", "--help") or not a.startswith("-"):
            break
        option = a.split("=", 1)[0]
        if option in _UNSUPPORTED:
            parser.error(f"{option} is not supported: {_UNSUPPORTED[option]}")
    args = parser.parse_args(argv)
    if args.version:
        from ember import __version__

        print(f"ember-submit (Ember {__version__})")
        return 0
    if args.app is None:
        parser.error("no application to run: give the .py file to submit")
    if args.deploy_mode == "cluster":
        parser.error("--deploy-mode cluster is not supported: Ember runs the driver in this process")
    app = os.path.abspath(args.app)
    if not os.path.isfile(app):
        parser.error(f"application {args.app} does not exist")
    props = _properties(args, parser)
    py_paths = _py_file_paths(args.py_files, parser) if args.py_files else []
    if args.verbose:
        for k, v in sorted(props.items()):
            print(f"(spark.properties) {k}={v}", file=sys.stderr)

    os.environ[CONF_ENV] = json.dumps(props)
    os.environ[ALIAS_ENV] = "1"
    install_pyspark_alias()
    # As `python app.py`: the program's directory replaces this script's (or the working
    # directory of `python -m`) first on the path, then come the --py-files. Ember's own root
    # stays on the path, for the worker processes to import it.
    ember_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.path[0:1] = [os.path.dirname(app), *py_paths]
    if not any(os.path.abspath(p or ".") == ember_root for p in sys.path):
        sys.path.append(ember_root)
    sys.argv = [args.app, *args.args]
    try:
        _run_as_main(app)
    except SystemExit:
        raise
    except BaseException as e:
        sys.stdout.flush()
        traceback.print_exception(type(e), e, _user_traceback(e.__traceback__, app))
        return 130 if isinstance(e, KeyboardInterrupt) else 1
    finally:
        sys.stdout.flush()
        _stop_active_context()
    return 0


if __name__ == "__main__":
    sys.exit(main())

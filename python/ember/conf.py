"""SparkConf: the configuration of an application, as key-value pairs (pyspark.conf)."""

from __future__ import annotations

import json
import os
from typing import Iterable, Optional

__all__ = ["SparkConf"]

#: The environment variable holding the properties every ``SparkConf(loadDefaults=True)``
#: starts from, as a JSON object of strings: Ember's stand-in for the ``spark.*`` Java system
#: properties pyspark's SparkConf loads. ``ember-submit`` sets it from ``--master``, ``--name``
#: and ``--conf``.
CONF_ENV = "EMBER_CONF"


def _default_properties() -> dict[str, str]:
    """The ``spark.*`` and ``ember.*`` properties of ``$EMBER_CONF`` (none when it is unset)."""
    text = os.environ.get(CONF_ENV)
    if not text:
        return {}
    try:
        props = json.loads(text)
    except ValueError as e:
        raise ValueError(f"${CONF_ENV} is not a JSON object of configuration properties: {e}") from None
    if not isinstance(props, dict) or not all(isinstance(v, str) for v in props.values()):
        raise ValueError(f"${CONF_ENV} must be a JSON object of string values, got {text!r}")
    return {k: v for k, v in props.items() if k.startswith(("spark.", "ember."))}

def is_cluster_master(master: str) -> bool:
    """Whether ``master`` runs jobs on executor processes (``local-cluster[N,C,M]``,
    ``ember://host:port``)."""
    return master.startswith(("local-cluster", "ember://"))


#: Spark keys that have an Ember equivalent; other ``spark.*`` keys are kept but not used.
SPARK_TO_EMBER = {
    "spark.default.parallelism": "ember.default.parallelism",
    "spark.task.maxFailures": "ember.task.maxFailures",
    "spark.local.dir": "ember.local.dir",
    "spark.ui.showConsoleProgress": "ember.ui.showConsoleProgress",
    "spark.ui.enabled": "ember.ui.enabled",
    "spark.ui.port": "ember.ui.port",
    "spark.ui.retainedJobs": "ember.ui.retainedJobs",
    "spark.ui.retainedStages": "ember.ui.retainedStages",
    "spark.ui.retainedTasks": "ember.ui.retainedTasks",
    "spark.port.maxRetries": "ember.port.maxRetries",
    "spark.eventLog.enabled": "ember.eventLog.enabled",
    "spark.eventLog.dir": "ember.eventLog.dir",
    "spark.authenticate.secret": "ember.authenticate.secret",
    "spark.executor.instances": "ember.executor.instances",
    "spark.executor.cores": "ember.executor.cores",
    "spark.executor.memory": "ember.executor.memory",
    "spark.network.timeout": "ember.network.timeout",
    "spark.driver.host": "ember.driver.host",
    "spark.driver.port": "ember.driver.port",
}


class SparkConf:
    """Configuration for an Ember application, as pyspark's ``SparkConf``.

    Setters return the conf, so calls chain. With ``loadDefaults=True`` (the default) the conf
    starts from the ``spark.*`` properties the application was submitted with (``ember-submit
    --conf k=v``, passed in ``$EMBER_CONF``), as pyspark's loads the JVM's ``spark.*`` system
    properties; values set on the conf afterwards take precedence.

    >>> conf = SparkConf().setMaster("local[2]").setAppName("My app")
    >>> conf.get("spark.master")
    'local[2]'
    >>> conf.get("spark.app.name")
    'My app'
    >>> conf.get("spark.missing") is None
    True
    >>> conf.get("spark.missing", "default")
    'default'
    """

    def __init__(self, loadDefaults: bool = True, _jvm: object = None, _jconf: object = None) -> None:
        if not isinstance(loadDefaults, bool):
            raise TypeError(f"loadDefaults must be a bool, got {type(loadDefaults).__name__}")
        self._conf: dict[str, str] = _default_properties() if loadDefaults else {}

    def set(self, key: str, value: object) -> "SparkConf":
        """Sets a configuration property."""
        self._conf[key] = str(value)
        return self

    def setIfMissing(self, key: str, value: object) -> "SparkConf":
        """Sets a configuration property, if not already set."""
        if key not in self._conf:
            self.set(key, value)
        return self

    def setMaster(self, value: str) -> "SparkConf":
        """Sets the master URL: ``local``, ``local[N]`` or ``local[*]``."""
        return self.set("spark.master", value)

    def setAppName(self, value: str) -> "SparkConf":
        """Sets the application name."""
        return self.set("spark.app.name", value)

    def setSparkHome(self, value: str) -> "SparkConf":
        """Sets the path Spark is installed on (kept for compatibility; Ember does not use it)."""
        return self.set("spark.home", value)

    def setExecutorEnv(
        self,
        key: Optional[str] = None,
        value: Optional[str] = None,
        pairs: Optional[Iterable[tuple[str, str]]] = None,
    ) -> "SparkConf":
        """Sets an environment variable to be passed to executors (and Python workers)."""
        if (key is not None and pairs is not None) or (key is None and pairs is None):
            raise TypeError("Either pass one key-value pair or a list of pairs")
        if key is not None:
            self.set("spark.executorEnv." + key, value)
        elif pairs is not None:
            for k, v in pairs:
                self.set("spark.executorEnv." + k, v)
        return self

    def setAll(self, pairs: Iterable[tuple[str, str]]) -> "SparkConf":
        """Sets multiple parameters, passed as a list of key-value pairs."""
        for k, v in pairs:
            self.set(k, v)
        return self

    def get(self, key: str, defaultValue: Optional[str] = None) -> Optional[str]:
        """Gets the configured value for some key, or returns a default otherwise."""
        return self._conf.get(key, defaultValue)

    def getAll(self) -> list[tuple[str, str]]:
        """Gets all values as a list of key-value pairs."""
        return list(self._conf.items())

    def contains(self, key: str) -> bool:
        """Does this configuration contain a given key?"""
        return key in self._conf

    def toDebugString(self) -> str:
        """The configuration as a list of key=value pairs, one per line."""
        return "\n".join(f"{k}={v}" for k, v in self._conf.items())

    def _ember_settings(self) -> list[tuple[str, str]]:
        """The ``ember.*`` settings of the Rust context, Spark keys translated (and Hadoop's
        ``spark.hadoop.fs.s3a.*`` keys, which the Rust context reads for ``s3://`` paths)."""
        out = {}
        for k, v in self._conf.items():
            if k.startswith(("ember.", "spark.hadoop.fs.s3a.")):
                # Hadoop's S3A keys configure the S3 stores (see Ember's README).
                out[k] = v
            elif k in SPARK_TO_EMBER:
                out[SPARK_TO_EMBER[k]] = v
            elif k.startswith("spark.executorEnv."):
                out["ember.executorEnv." + k[len("spark.executorEnv."):]] = v
        # Spark's local mode does not retry failed tasks (local[N, F] would); neither does
        # Ember's Python API unless asked to. On a cluster, tasks are retried (Spark's 4), as
        # executors may be lost.
        master = self._conf.get("spark.master", "")
        out.setdefault("ember.task.maxFailures", "4" if is_cluster_master(master) else "1")
        return list(out.items())

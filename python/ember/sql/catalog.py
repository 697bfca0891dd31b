"""``spark.catalog``: the tables and views of the session, as pyspark's ``Catalog``."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, Optional

if TYPE_CHECKING:
    from ember.sql.dataframe import DataFrame
    from ember.sql.session import SparkSession

__all__ = ["Catalog", "Table", "Database"]


class Table(NamedTuple):
    name: str
    catalog: Optional[str]
    namespace: Optional[list[str]]
    description: Optional[str]
    tableType: str
    isTemporary: bool

    @property
    def database(self) -> Optional[str]:
        return self.namespace[0] if self.namespace else None


class Database(NamedTuple):
    name: str
    catalog: Optional[str]
    description: Optional[str]
    locationUri: str


class Catalog:
    """The session's catalog: one database, ``default``, holding tables and temporary views.

    >>> spark.createDataFrame([(1,)], ["x"]).createOrReplaceTempView("catalog_doc")
    >>> spark.catalog.tableExists("catalog_doc")
    True
    >>> spark.catalog.dropTempView("catalog_doc")
    True
    """

    def __init__(self, session: "SparkSession") -> None:
        self._session = session

    def currentDatabase(self) -> str:
        return "default"

    def currentCatalog(self) -> str:
        return "spark_catalog"

    def listDatabases(self, pattern: Optional[str] = None) -> list[Database]:
        return [Database("default", "spark_catalog", "default database", "")]

    def listTables(self, dbName: Optional[str] = None, pattern: Optional[str] = None) -> list[Table]:
        """The tables and views, sorted by name."""
        import fnmatch

        names = self._session._native.table_names()
        if pattern is not None:
            names = [n for n in names if fnmatch.fnmatch(n, pattern)]
        return [Table(n, None, [], None, "TEMPORARY", True) for n in names]

    def tableExists(self, tableName: str, dbName: Optional[str] = None) -> bool:
        if not isinstance(tableName, str):
            raise TypeError(f"[NOT_STR] Argument `tableName` should be a str, got {type(tableName).__name__}.")
        if dbName == "global_temp" or tableName.startswith("global_temp."):
            name = tableName.split(".", 1)[-1]
            try:
                self._session._native.table(f"global_temp.{name}")
                return True
            except Exception:
                return False
        return tableName in self._session._native.table_names()

    def dropTempView(self, viewName: str) -> bool:
        """Drops a temporary view; False when there was none."""
        return self._session._native.drop_table(viewName)

    def dropGlobalTempView(self, viewName: str) -> bool:
        try:
            return self._session._native.drop_table(f"global_temp.{viewName}")
        except Exception:
            return False

    def functionExists(self, functionName: str, dbName: Optional[str] = None) -> bool:
        return self._session._native.has_function(functionName)

    def table(self, tableName: str) -> "DataFrame":
        return self._session.table(tableName)

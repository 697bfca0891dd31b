"""SparkFiles: where files added with ``SparkContext.addFile`` are (pyspark.files).

The driver copies an added file into the context's files directory, which every worker knows
from its environment (``EMBER_FILES_DIR``), so driver and tasks resolve the same paths.
"""

from __future__ import annotations

import os
from typing import ClassVar

__all__ = ["SparkFiles"]


class SparkFiles:
    """Resolves paths to files added through ``SparkContext.addFile`` or ``addPyFile``.

    >>> import os
    >>> import tempfile
    >>> from ember import SparkFiles
    >>> with tempfile.TemporaryDirectory(prefix="get") as d:
    ...     path1 = os.path.join(d, "test.txt")
    ...     with open(path1, "w") as f:
    ...         _ = f.write("100")
    ...
    ...     sc.addFile(path1)
    ...     file_list1 = sorted(sc.listFiles)
    ...
    ...     def func1(iterator):
    ...         path = SparkFiles.get("test.txt")
    ...         assert path.startswith(SparkFiles.getRootDirectory())
    ...         return [path]
    ...
    ...     path_list1 = sc.parallelize([1, 2, 3, 4]).mapPartitions(func1).collect()
    ...
    ...     path2 = os.path.join(d, "test.py")
    ...     with open(path2, "w") as f:
    ...         _ = f.write("import ember")
    ...
    ...     # py files
    ...     sc.addPyFile(path2)
    ...     file_list2 = sorted(sc.listFiles)
    ...
    ...     def func2(iterator):
    ...         path = SparkFiles.get("test.py")
    ...         assert path.startswith(SparkFiles.getRootDirectory())
    ...         return [path]
    ...
    ...     path_list2 = sc.parallelize([1, 2, 3, 4]).mapPartitions(func2).collect()
    >>> file_list1  # doctest: +ELLIPSIS
    ['file:/.../test.txt']
    >>> set(path_list1)  # doctest: +ELLIPSIS
    {'.../test.txt'}
    >>> file_list2  # doctest: +ELLIPSIS
    ['file:/.../test.py', 'file:/.../test.txt']
    >>> set(path_list2)  # doctest: +ELLIPSIS
    {'.../test.py'}
    """

    _root_directory: ClassVar[str | None] = None

    def __init__(self) -> None:
        raise NotImplementedError("Do not construct SparkFiles objects")

    @classmethod
    def get(cls, filename: str) -> str:
        """The absolute path of a file added through ``SparkContext.addFile`` or
        ``addPyFile``."""
        return os.path.abspath(os.path.join(SparkFiles.getRootDirectory(), filename))

    @classmethod
    def getRootDirectory(cls) -> str:
        """The directory holding the added files: in a worker, the one its environment names;
        on the driver, the active context's."""
        root = os.environ.get("EMBER_FILES_DIR")
        if root:
            return root
        from ember.context import SparkContext

        sc = SparkContext._active_spark_context
        if sc is None:
            raise RuntimeError("SparkFiles.getRootDirectory: no SparkContext is running")
        return sc._files_dir

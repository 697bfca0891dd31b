"""pyspark's :class:`Row` (``pyspark.sql.types.Row``), re-exported by ``ember.sql.types``."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

__all__ = ["Row"]


def _error(exc_type: type[Exception], error_class: str, message: str) -> Exception:
    """An exception of ``exc_type`` whose text is pyspark's: ``[ERROR_CLASS] message``."""
    return exc_type(f"[{error_class}] {message}")


def _create_row(fields: list[str] | Row, values: tuple | list) -> Row:
    """A :class:`Row` of ``values`` named by ``fields`` (used to unpickle rows)."""
    row = Row(*values)
    row.__fields__ = list(fields)
    return row


class Row(tuple):
    """
    A row in :class:`DataFrame`.
    The fields in it can be accessed:

    * like attributes (``row.key``)
    * like dictionary values (``row[key]``)

    ``key in row`` will search through row keys.

    Row can be used to create a row object by using named arguments.
    It is not allowed to omit a named argument to represent that the value is
    None or missing. This should be explicitly set to None in this case.

    Rows created from named arguments keep the fields in the order they were given
    (pyspark >= 3.0).

    Examples
    --------
    >>> row = Row(name="Alice", age=11)
    >>> row
    Row(name='Alice', age=11)
    >>> row['name'], row['age']
    ('Alice', 11)
    >>> row.name, row.age
    ('Alice', 11)
    >>> 'name' in row
    True
    >>> 'wrong_key' in row
    False

    Row also can be used to create another Row like class, then it
    could be used to create Row objects, such as

    >>> Person = Row("name", "age")
    >>> Person
    <Row('name', 'age')>
    >>> 'name' in Person
    True
    >>> 'wrong_key' in Person
    False
    >>> Person("Alice", 11)
    Row(name='Alice', age=11)

    This form can also be used to create rows as tuple values, i.e. with unnamed
    fields.

    >>> row1 = Row("Alice", 11)
    >>> row2 = Row(name="Alice", age=11)
    >>> row1 == row2
    True
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> Row:
        if args and kwargs:
            raise _error(
                ValueError, "CANNOT_SET_TOGETHER", "args and kwargs should not be set together."
            )
        if kwargs:
            row = tuple.__new__(cls, kwargs.values())
            row.__fields__ = list(kwargs)
            return row
        return tuple.__new__(cls, args)

    def asDict(self, recursive: bool = False) -> dict[str, Any]:
        """
        Return as a dict

        Parameters
        ----------
        recursive : bool, optional
            turns the nested Rows to dict (default: False).

        Notes
        -----
        If a row contains duplicate field names, e.g., the rows of a join
        between two :class:`DataFrame` that both have the fields of same names,
        one of the duplicate fields will be selected by ``asDict``. ``__getitem__``
        will also return one of the duplicate fields, however returned value might
        be different to ``asDict``.

        Examples
        --------
        >>> Row(name="Alice", age=11).asDict() == {'name': 'Alice', 'age': 11}
        True
        >>> row = Row(key=1, value=Row(name='a', age=2))
        >>> row.asDict() == {'key': 1, 'value': Row(name='a', age=2)}
        True
        >>> row.asDict(True) == {'key': 1, 'value': {'name': 'a', 'age': 2}}
        True
        """
        fields = _row_fields(self)
        if fields is None:
            raise _error(TypeError, "CANNOT_CONVERT_TYPE", "Cannot convert Row into dict.")
        if not recursive:
            return dict(zip(fields, self))
        return {name: _as_dict_value(value) for name, value in zip(fields, self)}

    def __contains__(self, item: Any) -> bool:
        fields = _row_fields(self)
        if fields is not None:
            return item in fields
        return super().__contains__(item)

    def __call__(self, *args: Any) -> Row:
        """A new Row with this row's values as field names and ``args`` as values."""
        if len(args) > len(self):
            raise _error(
                ValueError,
                "TOO_MANY_VALUES",
                f"Expected {len(self)} values for `fields`, got {len(args)}.",
            )
        return _create_row(list(self), args)

    def __getitem__(self, item: Any) -> Any:
        if isinstance(item, (int, slice)):
            return super().__getitem__(item)
        fields = _row_fields(self)
        if fields is None or item not in fields:
            raise _error(ValueError, "KEY_NOT_EXISTS", f"Key `{item}` does not exist.")
        return super().__getitem__(fields.index(item))

    def __getattr__(self, item: str) -> Any:
        fields = _row_fields(self)
        if item.startswith("__") or fields is None or item not in fields:
            raise _error(
                AttributeError, "ATTRIBUTE_NOT_SUPPORTED", f"Attribute `{item}` is not supported."
            )
        return self[fields.index(item)]

    def __setattr__(self, key: Any, value: Any) -> None:
        if key != "__fields__":
            raise _error(RuntimeError, "READ_ONLY", "Row is read-only.")
        self.__dict__[key] = value

    def __reduce__(self) -> Any:
        """Returns a tuple so Python knows how to pickle Row."""
        fields = _row_fields(self)
        if fields is not None:
            return (_create_row, (fields, tuple(self)))
        return tuple.__reduce__(self)

    def __repr__(self) -> str:
        """Printable representation of Row used in Python REPL."""
        fields = _row_fields(self)
        if fields is not None:
            return "Row(%s)" % ", ".join(f"{k}={v!r}" for k, v in zip(fields, self))
        return "<Row(%s)>" % ", ".join(repr(v) for v in self)


def _as_dict_value(value: Any) -> Any:
    if isinstance(value, Row):
        return value.asDict(True)
    if isinstance(value, list):
        return [_as_dict_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _as_dict_value(v) for k, v in value.items()}
    return value


def _row_fields(row: Row) -> list[str] | None:
    """The field names of a row (its own, or its class's for rows of ``_row_class``), or None
    for a row of unnamed values."""
    try:
        return object.__getattribute__(row, "__fields__")
    except AttributeError:
        return None


@lru_cache(maxsize=256)
def _row_class(names: tuple[str, ...]) -> type[Row]:
    """A subclass of :class:`Row` whose rows are named by ``names``: creating rows of a
    schema with ``tuple.__new__(cls, values)`` is three times as fast as setting each row's
    ``__fields__``. Its rows behave, print and pickle as plain Rows."""
    return type("Row", (Row,), {"__fields__": list(names), "__module__": Row.__module__})

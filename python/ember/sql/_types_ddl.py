"""DDL type strings (``"a INT, b STRING"``, ``"array<int>"``) parsed into ``DataType``\\s,
following Spark's SQL grammar for data types and table schemas (``ember.sql.types`` re-exports
``_parse_datatype_string``)."""

from __future__ import annotations

import re
from collections.abc import Callable

from ember.sql.types import (
    ArrayType,
    BinaryType,
    BooleanType,
    ByteType,
    CharType,
    DataType,
    DateType,
    DecimalType,
    DoubleType,
    FloatType,
    IntegerType,
    LongType,
    MapType,
    NullType,
    ShortType,
    StringType,
    StructField,
    StructType,
    TimestampNTZType,
    TimestampType,
    VarcharType,
)
from ember.sql.utils import ParseException

__all__ = ["ParseException", "_parse_datatype_string"]

# Type names without parameters, as Spark's parser spells them (case-insensitive).
_SIMPLE_TYPES: dict[str, Callable[[], DataType]] = {
    "BOOLEAN": BooleanType,
    "TINYINT": ByteType,
    "BYTE": ByteType,
    "SMALLINT": ShortType,
    "SHORT": ShortType,
    "INT": IntegerType,
    "INTEGER": IntegerType,
    "BIGINT": LongType,
    "LONG": LongType,
    "FLOAT": FloatType,
    "REAL": FloatType,
    "DOUBLE": DoubleType,
    "DATE": DateType,
    "TIMESTAMP": TimestampType,
    "TIMESTAMP_LTZ": TimestampType,
    "TIMESTAMP_NTZ": TimestampNTZType,
    "BINARY": BinaryType,
    "VOID": NullType,
}
_DECIMAL_NAMES = ("DECIMAL", "DEC", "NUMERIC")
_UNSUPPORTED = ("INTERVAL", "VARIANT", "TIME", "GEOMETRY", "GEOGRAPHY")

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<quoted>`(?:[^`]|``)*`)
      | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
      | (?P<word>[^\W]\w*)
      | (?P<op><>|[<>(),:])
    )""",
    re.VERBOSE,
)


class _Tokens:
    """The tokens of a DDL string, with Spark-like syntax errors."""

    def __init__(self, text: str):
        self.text = text
        self.items: list[tuple[str, str, int]] = []
        pos = 0
        while pos < len(text):
            if text[pos:].strip() == "":
                break
            match = _TOKEN.match(text, pos)
            if match is None:
                start = len(text) - len(text[pos:].lstrip())
                raise self._syntax_error(f"'{text[start]}'", start)
            kind = match.lastgroup or ""
            self.items.append((kind, match.group(kind), match.start(kind)))
            pos = match.end()
        self.index = 0

    def _syntax_error(self, near: str, position: int | None) -> ParseException:
        pointer = "" if position is None else "\n\n== SQL ==\n%s\n%s^^^\n" % (
            self.text,
            "-" * position,
        )
        return ParseException(
            f"[PARSE_SYNTAX_ERROR] Syntax error at or near {near}. SQLSTATE: 42601{pointer}"
        )

    def error(self) -> ParseException:
        """A syntax error at the current token."""
        if self.index >= len(self.items):
            return self._syntax_error("end of input", None)
        _, value, position = self.items[self.index]
        return self._syntax_error(f"'{value}'", position)

    def peek(self, offset: int = 0) -> tuple[str, str] | None:
        if self.index + offset >= len(self.items):
            return None
        kind, value, _ = self.items[self.index + offset]
        return kind, value

    def at_op(self, op: str) -> bool:
        return self.peek() == ("op", op)

    def at_word(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "word" and token[1].upper() in words

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise self.error()
        self.index += 1
        return token

    def expect_op(self, op: str) -> None:
        if not self.at_op(op):
            raise self.error()
        self.index += 1

    def expect_word(self, *words: str) -> None:
        if not self.at_word(*words):
            raise self.error()
        self.index += 1

    def done(self) -> bool:
        return self.index >= len(self.items)


def _identifier(tokens: _Tokens) -> str:
    kind, value = tokens.take()
    if kind == "word":
        return value
    if kind == "quoted":
        return value[1:-1].replace("``", "`")
    tokens.index -= 1
    raise tokens.error()


def _integer(tokens: _Tokens) -> int:
    kind, value = tokens.take()
    if kind != "word" or not value.isdigit():
        tokens.index -= 1
        raise tokens.error()
    return int(value)


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}


def _unquote(literal: str) -> str:
    """The text of a quoted SQL string literal (backslash escapes resolved)."""
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), literal[1:-1])


def _decimal(tokens: _Tokens) -> DecimalType:
    if not tokens.at_op("("):
        return DecimalType(10, 0)
    tokens.expect_op("(")
    precision = _integer(tokens)
    scale = 0
    if tokens.at_op(","):
        tokens.expect_op(",")
        scale = _integer(tokens)
    tokens.expect_op(")")
    if precision < 1 or precision > 38:
        raise ParseException(
            "[DECIMAL_PRECISION_EXCEEDS_MAX_PRECISION] Decimal precision "
            f"{precision} exceeds max precision 38. SQLSTATE: 22003"
        )
    if scale > precision:
        raise ParseException(
            f"[INVALID_PARAMETER_VALUE.SCALE] Decimal scale ({scale}) cannot be greater than "
            f"precision ({precision})."
        )
    return DecimalType(precision, scale)


def _length(tokens: _Tokens) -> int:
    tokens.expect_op("(")
    length = _integer(tokens)
    tokens.expect_op(")")
    return length


def _timestamp(tokens: _Tokens) -> DataType:
    # TIMESTAMP [WITH LOCAL TIME ZONE | WITHOUT TIME ZONE]
    if tokens.at_word("WITH"):
        tokens.expect_word("WITH")
        tokens.expect_word("LOCAL")
        tokens.expect_word("TIME")
        tokens.expect_word("ZONE")
        return TimestampType()
    if tokens.at_word("WITHOUT"):
        tokens.expect_word("WITHOUT")
        tokens.expect_word("TIME")
        tokens.expect_word("ZONE")
        return TimestampNTZType()
    return TimestampType()


def _data_type(tokens: _Tokens) -> DataType:
    token = tokens.peek()
    if token is None or token[0] != "word":
        raise tokens.error()
    tokens.take()
    name = token[1].upper()
    if name == "ARRAY":
        tokens.expect_op("<")
        element = _data_type(tokens)
        tokens.expect_op(">")
        return ArrayType(element, True)
    if name == "MAP":
        tokens.expect_op("<")
        key = _data_type(tokens)
        tokens.expect_op(",")
        value = _data_type(tokens)
        tokens.expect_op(">")
        return MapType(key, value, True)
    if name == "STRUCT":
        if tokens.at_op("<>"):
            tokens.expect_op("<>")
            return StructType([])
        tokens.expect_op("<")
        fields: list[StructField] = []
        if not tokens.at_op(">"):
            fields.append(_column(tokens, colon=True))
            while tokens.at_op(","):
                tokens.expect_op(",")
                fields.append(_column(tokens, colon=True))
        tokens.expect_op(">")
        return StructType(fields)
    if name == "STRING":
        if tokens.at_word("COLLATE"):
            tokens.expect_word("COLLATE")
            collation = _identifier(tokens)
            if collation.upper() != "UTF8_BINARY":
                raise ParseException(
                    f"[COLLATION_INVALID_NAME] The collation `{collation}` is not supported "
                    "by Ember (strings compare by their UTF-8 bytes: UTF8_BINARY)."
                )
        return StringType()
    if name in ("CHAR", "CHARACTER"):
        return CharType(_length(tokens))
    if name == "VARCHAR":
        return VarcharType(_length(tokens))
    if name in _DECIMAL_NAMES:
        return _decimal(tokens)
    if name == "TIMESTAMP":
        return _timestamp(tokens)
    if name in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[name]()
    if name in _UNSUPPORTED:
        raise ParseException(
            f'[UNSUPPORTED_DATATYPE] Unsupported data type "{name}": Ember does not '
            "implement this type. SQLSTATE: 0A000"
        )
    raise ParseException(f'[UNSUPPORTED_DATATYPE] Unsupported data type "{name}". SQLSTATE: 0A000')


def _column(tokens: _Tokens, colon: bool) -> StructField:
    """``name [:] type [NOT NULL] [COMMENT 'text']`` (the colon only inside ``struct<>``)."""
    name = _identifier(tokens)
    if colon and tokens.at_op(":"):
        tokens.expect_op(":")
    data_type = _data_type(tokens)
    nullable = True
    metadata = {}
    if tokens.at_word("NOT"):
        tokens.expect_word("NOT")
        tokens.expect_word("NULL")
        nullable = False
    if tokens.at_word("COMMENT"):
        tokens.expect_word("COMMENT")
        kind, value = tokens.take()
        if kind != "string":
            tokens.index -= 1
            raise tokens.error()
        metadata["comment"] = _unquote(value)
    return StructField(name, data_type, nullable, metadata)


def _table_schema(tokens: _Tokens) -> StructType:
    fields = [_column(tokens, colon=False)]
    while tokens.at_op(","):
        tokens.expect_op(",")
        fields.append(_column(tokens, colon=False))
    return StructType(fields)


_Attempt = tuple[DataType | None, ParseException | None, int]


def _parse(text: str, rule: Callable[[_Tokens], DataType]) -> _Attempt:
    """``rule`` applied to all of ``text``: (type, None, 0), or (None, error, how many tokens
    were read before the error)."""
    tokens = _Tokens(text)
    if tokens.done():
        empty = "[PARSE_EMPTY_STATEMENT] Syntax error, unexpected empty statement."
        return None, ParseException(empty), 0
    try:
        data_type = rule(tokens)
        if not tokens.done():
            raise tokens.error()
        return data_type, None, 0
    except ParseException as exc:
        return None, exc, tokens.index


def _parse_datatype_string(s: str) -> DataType:
    """
    Parses the given data type string to a :class:`DataType`. The data type string format equals
    :class:`DataType.simpleString`, except that the top level struct type can omit
    the ``struct<>``. A schema in a DDL-formatted string (``"a INT, b STRING"``) and
    case-insensitive strings are supported, as in pyspark (which tries, in order, a table
    schema, a single type, then ``struct<s>``; Ember reports the error of the reading that
    got furthest into the string).

    Examples
    --------
    >>> _parse_datatype_string("int ")
    IntegerType()
    >>> _parse_datatype_string("INT ")
    IntegerType()
    >>> _parse_datatype_string("a: byte, b: decimal(  16 , 8   ) ")
    StructType([StructField('a', ByteType(), True), StructField('b', DecimalType(16,8), True)])
    >>> _parse_datatype_string("a DOUBLE, b STRING")
    StructType([StructField('a', DoubleType(), True), StructField('b', StringType(), True)])
    >>> _parse_datatype_string("a DOUBLE, b CHAR( 50 )")
    StructType([StructField('a', DoubleType(), True), StructField('b', CharType(50), True)])
    >>> _parse_datatype_string("a DOUBLE, b VARCHAR( 50 )")
    StructType([StructField('a', DoubleType(), True), StructField('b', VarcharType(50), True)])
    >>> _parse_datatype_string("a: array< short>")
    StructType([StructField('a', ArrayType(ShortType(), True), True)])
    >>> _parse_datatype_string(" map<string , string > ")
    MapType(StringType(), StringType(), True)

    >>> # Error cases
    >>> _parse_datatype_string("blabla") # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
        ...
    ParseException:...
    >>> _parse_datatype_string("a: int,") # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
        ...
    ParseException:...
    >>> _parse_datatype_string("array<int") # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
        ...
    ParseException:...
    >>> _parse_datatype_string("map<int, boolean>>") # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
        ...
    ParseException:...
    """
    if not isinstance(s, str):
        raise TypeError(
            f"[NOT_STR] Argument `s` should be a str, got {type(s).__name__}."
        )
    try:
        attempts = [
            _parse(s, _table_schema),
            _parse(s, _data_type),
            _parse(f"struct<{s.strip()}>", _data_type),
        ]
    except ParseException as exc:  # a character no token starts with
        raise exc from None
    for data_type, _, _ in attempts:
        if data_type is not None:
            return data_type
    # The error of the reading that got furthest into the string (the struct<> reading starts
    # 2 tokens in); on a tie, an error about the meaning (an unsupported type) rather than the
    # syntax, then the first reading's.
    def rank(i: int) -> tuple[int, bool, int]:
        _, error, read = attempts[i]
        syntax = str(error).startswith("[PARSE_SYNTAX_ERROR]")
        return (read - 2 if i == 2 else read, not syntax, -i)

    error = attempts[max(range(3), key=rank)][1]
    assert error is not None
    raise error

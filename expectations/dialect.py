"""What differs between the warehouse engines a gate runs on: SQL fragments and frames.

Both gates run on the embedded DuckDB file (the default) or on the shared PostgreSQL
warehouse (``SOCIALMART_WAREHOUSE=postgres``, :mod:`socialmart.pg_warehouse`, whose
``Connection`` has DuckDB's calling convention). The check SQL is written once, in SQL
both engines run; the few things that truly differ (catalog queries, where the previous
publication lives, timestamp formatting, how the driver hands over rows) are the fields of
one :class:`Dialect` per engine. Frames read from PostgreSQL get the pandas types DuckDB's
``df()`` gives the same query, so Great Expectations judges the same values either way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, TypeAlias

import duckdb
import pandas as pd

if TYPE_CHECKING:
    from socialmart.pg_warehouse import Connection as PgConnection

    WarehouseConnection: TypeAlias = duckdb.DuckDBPyConnection | PgConnection
else:
    WarehouseConnection: TypeAlias = Any

#: Schema (PostgreSQL) or attached catalog (DuckDB) of the previous publication.
PUBLISHED = "published"
_NAMED_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")

# PostgreSQL's information_schema type names -> DuckDB's names of the same types.
_PG_TYPE_NAMES = {
    "character varying": "VARCHAR",
    "text": "VARCHAR",
    "json": "JSON",
    "jsonb": "JSON",
    "timestamp with time zone": "TIMESTAMP WITH TIME ZONE",
    "timestamp without time zone": "TIMESTAMP",
    "double precision": "DOUBLE",
    "real": "FLOAT",
}
_PG_TYPE_SQL = (
    "case data_type "
    + " ".join(f"when '{pg}' then '{duck}'" for pg, duck in _PG_TYPE_NAMES.items())
    + " when 'numeric' then 'DECIMAL(' || numeric_precision || ',' || numeric_scale || ')'"
    " else upper(data_type) end"
)


@dataclass(frozen=True)
class Dialect:
    """What differs between the engines, as SQL fragments and driver facts.

    Attributes:
        name: ``duckdb`` or ``postgres``.
        relation_exists: SQL counting the tables and views named by two parameters,
            schema and name, in the current database.
        column_type: SQL over ``information_schema.columns`` giving DuckDB's name of the
            column's type (``VARCHAR``, ``DECIMAL(18,2)``), so declared types compare as text.
        published_schema: How the previous publication's tables are qualified.
        published_columns: SQL listing the column names of one table (parameter) of the
            previous publication.
        utc_minute: SQL template (``{}`` = a timestamptz) rendering ``2026-06-01 09:30 UTC``.
        errors: The driver's database error classes.
    """

    name: str
    relation_exists: str
    column_type: str
    published_schema: str
    published_columns: str
    utc_minute: str
    errors: tuple[type[Exception], ...]

    def published(self, table: str) -> str:
        """The previous publication's ``table``, qualified (its name quoted)."""
        return f"{self.published_schema}.{quote(table)}"


DUCKDB = Dialect(
    name="duckdb",
    relation_exists=(
        "select count(*) from ("
        " select schema_name, table_name as name from duckdb_tables()"
        " where database_name = current_database()"
        " union all"
        " select schema_name, view_name from duckdb_views()"
        " where database_name = current_database()"
        ") as relations where schema_name = ? and name = ?"
    ),
    column_type="data_type",
    published_schema=f"{PUBLISHED}.main",
    published_columns=(
        "select column_name from duckdb_columns()"
        f" where database_name = '{PUBLISHED}' and table_name = ?"
    ),
    utc_minute="strftime({} at time zone 'UTC', '%Y-%m-%d %H:%M UTC')",
    errors=(duckdb.Error,),
)


@cache
def _postgres_dialect() -> Dialect:
    import psycopg2  # only where PostgreSQL is the warehouse

    return Dialect(
        name="postgres",
        relation_exists=(
            "select count(*) from information_schema.tables"
            " where table_catalog = current_database() and table_schema = ? and table_name = ?"
        ),
        column_type=_PG_TYPE_SQL,
        published_schema=PUBLISHED,
        published_columns=(
            "select column_name from information_schema.columns"
            f" where table_catalog = current_database() and table_schema = '{PUBLISHED}'"
            " and table_name = ?"
        ),
        utc_minute="to_char({} at time zone 'UTC', 'YYYY-MM-DD HH24:MI \"UTC\"')",
        errors=(psycopg2.Error,),
    )


def of(con: WarehouseConnection) -> Dialect:
    """The dialect of ``con``'s engine."""
    return DUCKDB if isinstance(con, duckdb.DuckDBPyConnection) else _postgres_dialect()


def quote(name: str) -> str:
    """``name`` as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    """``value`` as an SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def frame(
    con: WarehouseConnection, sql: str, params: Mapping[str, object] | None = None
) -> pd.DataFrame:
    """Run ``sql`` (named parameters as ``$name``) and return its rows as a frame.

    DuckDB builds the frame itself (``df()``); PostgreSQL rows get the pandas types DuckDB
    gives the same column types (:data:`_PG_FRAME_TYPES`).
    """
    if isinstance(con, duckdb.DuckDBPyConnection):
        return con.execute(sql, dict(params or {})).df()
    positional, values = _bind(sql, params or {})
    cursor = con.execute(positional, values)
    try:
        names = [column.name for column in cursor.description]
        rows = pd.DataFrame.from_records(cursor.fetchall(), columns=names)
        return pd.DataFrame(
            {
                name: _PG_FRAME_TYPES.get(column.type_code, _text)(rows.iloc[:, i])
                for i, (name, column) in enumerate(zip(names, cursor.description, strict=True))
            },
            index=rows.index,
        )
    finally:
        cursor.close()


def _bind(sql: str, params: Mapping[str, object]) -> tuple[str, list[object]]:
    """``sql`` with each ``$name`` replaced by ``?``, and the values in that order."""
    values: list[object] = []

    def positional(match: re.Match[str]) -> str:
        values.append(params[match.group(1)])
        return "?"

    return _NAMED_PARAMETER.sub(positional, sql), values


def _integers(width: str) -> Callable[[pd.Series], pd.Series]:
    """DuckDB's integer columns: ``int64``, or nullable ``Int64`` when a value is null."""

    def convert(values: pd.Series) -> pd.Series:
        nullable = values.isna().any()
        return values.astype(width.capitalize() if nullable else width)

    return convert


def _booleans(values: pd.Series) -> pd.Series:
    return values.astype("boolean" if values.isna().any() else "bool")


def _floats(values: pd.Series) -> pd.Series:
    return values.astype("float64")


def _dates(values: pd.Series) -> pd.Series:
    """Dates and timestamps without time zone: DuckDB's ``datetime64[us]``."""
    return pd.to_datetime(values).astype("datetime64[us]")


def _timestamps(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, utc=True).astype("datetime64[us, UTC]")


def _intervals(values: pd.Series) -> pd.Series:
    return pd.to_timedelta(values).astype("timedelta64[us]")


def _text(values: pd.Series) -> pd.Series:
    """Text (and anything unmapped): pandas' ``str``, or ``None``s when all are null."""
    return values.astype("str") if values.notna().any() else values


# PostgreSQL type oids -> the pandas type DuckDB's df() gives the same SQL type.
_PG_FRAME_TYPES: dict[int, Callable[[pd.Series], pd.Series]] = {
    16: _booleans,  # boolean
    20: _integers("int64"),  # bigint
    21: _integers("int16"),  # smallint
    23: _integers("int32"),  # integer
    700: _floats,  # real
    701: _floats,  # double precision
    1700: _floats,  # numeric (DuckDB's df() turns decimals into doubles)
    1082: _dates,  # date
    1114: _dates,  # timestamp
    1184: _timestamps,  # timestamptz
    1186: _intervals,  # interval
}

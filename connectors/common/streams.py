"""Declarative stream specs and the registry the loader looks them up in.

A stream spec says what a stream's raw table looks like (typed payload columns with their
raw-contract facts, key, window column) and where its records come from (endpoint path and fixed
query parameters). Each fact is declared once, on the spec: the loader's quarantine rules
(``connectors.common.contract``), the raw gate's suites (``expectations.suites.raw_contract``)
and the dbt sources test (``tests/connectors/test_dbt_sources.py``) all read it from here.
Each source package declares its specs in ``connectors/<source>/streams.py`` and registers
them there; the registry imports that module on first lookup, so the generic loader never
hard-codes sources.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from typing import Any

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
# Types whose values can be compared with 0, and the text type numbers arrive as.
_NUMBER_TYPES = re.compile(r"^(?:TINYINT|SMALLINT|INTEGER|BIGINT|DOUBLE|DECIMAL\(\d+, \d+\))$")
TEXT = "VARCHAR"


@dataclass(frozen=True)
class Column:
    """A payload column: its DuckDB type and what the raw contract knows about its values.

    Attributes:
        type: DuckDB type, e.g. ``"VARCHAR"`` or ``"DECIMAL(18, 2)"``.
        numeric: A money or metric column: as text it must read as a non-negative number
            (``connectors.common.contract.NON_NEGATIVE_NUMBER``), as a number be >= 0.
        known_values: The values of an enumeration seen so far (a text column); a row with
            another value only warns, since platforms add values (a new placement).
    """

    type: str
    numeric: bool = False
    known_values: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.numeric and not (self.type == TEXT or _NUMBER_TYPES.match(self.type)):
            raise ValueError(f"a numeric column must be {TEXT} or a number type, not {self.type}")
        if self.known_values and self.type != TEXT:
            raise ValueError(f"known values need a {TEXT} column, not {self.type}")


ColumnDeclaration = str | Column
"""How a spec declares a column: a bare DuckDB type, or a :class:`Column` with facts."""

#: A money or metric the platform sends as text (Meta, TikTok reports, the ECB file).
NUMERIC_TEXT = Column(TEXT, numeric=True)
#: A count the platform sends as a JSON number (Threads and Instagram insights).
NUMERIC_COUNT = Column("BIGINT", numeric=True)


#: Paginator kinds: how the pages of a stream's answer follow each other.
NEXT_LINK = "next_link"  # Graph APIs: each page links the next (``paging.next``)
PAGE_NUMBER = "page_number"  # TikTok: ``page`` 1, 2, ... up to ``page_info.total_page``
CURSOR = "cursor"  # TikTok Shop: each page hands out the next one's token
ONE_PAGE = "one_page"  # one answer holds every record (insights, info endpoints)
PAGINATORS = frozenset({NEXT_LINK, PAGE_NUMBER, CURSOR, ONE_PAGE})


@dataclass(frozen=True)
class RequestWindow:
    """How a windowed request names the days it asks for, and how many one request may span.

    Attributes:
        start_param: Query parameter of the first day.
        end_param: Query parameter of the end of the window.
        unix: Days go as UTC midnights in unix seconds and the end is exclusive (Graph
            ``since``/``until``); otherwise as ISO dates, the end inclusive.
        max_span_days: The most days one request may ask for (``None``: any).
        shrink_days: Shorter spans tried in turn when the platform finds a query too large.
    """

    start_param: str
    end_param: str
    unix: bool = False
    max_span_days: int | None = None
    shrink_days: tuple[int, ...] = ()

    def params(self, start: date, end: date) -> dict[str, str]:
        """The query parameters asking for the days ``start..end``."""
        if self.unix:
            return {self.start_param: str(unix_day(start)), self.end_param: str(unix_day(end, 1))}
        return {self.start_param: start.isoformat(), self.end_param: end.isoformat()}

    def spans(self, start: date, end: date, days: int | None = None) -> Iterator[tuple[date, date]]:
        """``start..end`` cut into consecutive spans of at most ``days`` (default: the most
        one request may span)."""
        step = max(days or self.max_span_days or (end - start).days + 1, 1)
        while start <= end:
            last = min(end, start + timedelta(days=step - 1))
            yield start, last
            start = last + timedelta(days=1)


def unix_day(day: date, days_after: int = 0) -> int:
    """Unix seconds of UTC midnight starting ``day`` (plus ``days_after`` days)."""
    return int(datetime.combine(day + timedelta(days=days_after), time(), UTC).timestamp())


@dataclass(frozen=True)
class StreamSpec:
    """One stream of one source.

    Attributes:
        name: Stream name, e.g. ``"ad_insights_placement"``.
        source: Source package name, e.g. ``"meta"``; prefixes the raw table name.
        source_label: Value of the ``_source`` metadata column, e.g. ``"meta_marketing_api"``.
        columns: Payload column name -> DuckDB type or :class:`Column` (a type with contract
            facts), in table order, as the API returns them. Read back as name -> type;
            the facts are :attr:`numeric_columns` and :attr:`known_values`.
        key: Columns that identify one row (one version history per key).
        window_column: DATE column a pull's window refers to (tombstones stay inside it);
            ``None`` for a snapshot stream (entities): every pull returns the account's whole
            current set, so a key it no longer returns is tombstoned whatever its dates.
        account_column: Column holding the account a manifest was pulled for.
        path: Endpoint path template, formatted with what one request sequence is for: the
            ``account_id``, or an object of it (``post_id``, ``media_id``).
        params: Fixed query parameters of the endpoint.
        paginator: How pages follow each other: :data:`NEXT_LINK`, :data:`PAGE_NUMBER`,
            :data:`CURSOR` or :data:`ONE_PAGE`.
        records_path: Key of the records list in an answer (inside the platform's envelope);
            ``None``: the answer is the one record (a single object).
        account_param: Query parameter naming the account, when the path does not.
        request_window: How a request names its days (``None``: the stream is not asked by
            day, e.g. an entity snapshot).
        undeclared_fields: Fields the API returns that the stream knowingly does not store
            (anything else it does not declare is recorded as schema drift by the loader).
    """

    name: str
    source: str
    source_label: str
    columns: Mapping[str, ColumnDeclaration]
    key: tuple[str, ...]
    window_column: str | None
    account_column: str
    path: str = ""
    params: Mapping[str, str] = field(default_factory=dict)
    undeclared_fields: tuple[str, ...] = ()
    paginator: str = NEXT_LINK
    records_path: str | None = "data"
    account_param: str | None = None
    request_window: RequestWindow | None = None
    column_facts: Mapping[str, Column] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        facts = {
            name: kind if isinstance(kind, Column) else Column(kind)
            for name, kind in self.columns.items()
        }
        object.__setattr__(self, "column_facts", MappingProxyType(facts))
        object.__setattr__(
            self, "columns", MappingProxyType({name: c.type for name, c in facts.items()})
        )
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))
        if self.paginator not in PAGINATORS:
            raise ValueError(f"stream {self.name}: unknown paginator {self.paginator!r}")
        if self.records_path is None and self.paginator != ONE_PAGE:
            raise ValueError(f"stream {self.name}: the pages of a paged answer hold records lists")
        for ident in (self.name, self.source, *self.columns):
            if not _IDENTIFIER.match(ident):
                raise ValueError(f"{ident!r} is not a lower-case SQL identifier")
        window = {self.window_column} - {None}
        missing = {*self.key, *window, self.account_column} - set(self.columns)
        if missing:
            raise ValueError(f"stream {self.name}: columns {sorted(missing)} are not declared")
        if self.window_column is not None and self.columns[self.window_column] != "DATE":
            raise ValueError(f"stream {self.name}: window column must be DATE")

    @property
    def raw_table(self) -> str:
        """Table name inside schema ``raw``: ``<source>__<stream>``."""
        return f"{self.source}__{self.name}"

    @property
    def is_snapshot(self) -> bool:
        """Whether a pull is the account's complete current set rather than a date window."""
        return self.window_column is None

    @property
    def json_columns(self) -> tuple[str, ...]:
        """Payload columns stored as DuckDB JSON (nested lists and objects)."""
        return tuple(name for name, kind in self.columns.items() if kind == "JSON")

    @property
    def numeric_columns(self) -> tuple[str, ...]:
        """Money and metric columns (see :attr:`Column.numeric`), in table order."""
        return tuple(name for name, column in self.column_facts.items() if column.numeric)

    @property
    def known_values(self) -> dict[str, tuple[str, ...]]:
        """Enumeration column -> its known values (see :attr:`Column.known_values`)."""
        return {
            name: column.known_values
            for name, column in self.column_facts.items()
            if column.known_values
        }


_REGISTRY: dict[tuple[str, str], StreamSpec] = {}


def register(spec: StreamSpec) -> StreamSpec:
    """Add ``spec`` to the registry (re-registering the identical spec is a no-op)."""
    known = _REGISTRY.get((spec.source, spec.name))
    if known is not None and known != spec:
        raise ValueError(f"stream {spec.source}/{spec.name} is registered twice, differently")
    _REGISTRY[(spec.source, spec.name)] = spec
    return spec


def declarer(source: str, source_label: str, account_column: str) -> Callable[..., StreamSpec]:
    """A function declaring and registering the streams of one source.

    The source, its ``_source`` label and its account column are stated once; each call
    gives the stream's ``name`` and the other :class:`StreamSpec` fields.
    """

    def declare(name: str, **fields: Any) -> StreamSpec:
        spec = StreamSpec(
            name=name,
            source=source,
            source_label=source_label,
            account_column=account_column,
            **fields,
        )
        return register(spec)

    return declare


def get_stream(source: str, name: str) -> StreamSpec:
    """Return the spec of ``source``/``name``, importing ``connectors.<source>.streams`` if needed.

    Raises:
        KeyError: No such stream.
    """
    if (source, name) not in _REGISTRY:
        _import_streams_module(source)
    try:
        return _REGISTRY[(source, name)]
    except KeyError:
        raise KeyError(f"unknown stream {source}/{name}") from None


def source_streams(source: str) -> tuple[StreamSpec, ...]:
    """Every registered stream of ``source``, by name; imports its streams module if needed.

    Cheap (no HTTP client or database library is imported), so Airflow DAG files can call it
    at parse time to declare one asset per raw table.
    """
    _import_streams_module(source)
    return tuple(spec for (owner, _), spec in sorted(_REGISTRY.items()) if owner == source)


def _import_streams_module(source: str) -> None:
    if not _IDENTIFIER.match(source):
        return
    module = f"connectors.{source}.streams"
    try:
        importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name not in {module, f"connectors.{source}"}:
            raise

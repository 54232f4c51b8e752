"""The raw contract of every stream: what a stored row must satisfy.

The facts are declared once, on the columns of each stream spec (``connectors/<source>/
streams.py``: :class:`~connectors.common.streams.Column` ``numeric`` and ``known_values``);
this module adds the rules every stream shares (keys, window, ISO 4217 currency codes) and
the number pattern. The loaders (``connectors.common.land`` on DuckDB, ``land_postgres`` on
PostgreSQL) compile them to SQL both engines run and keep a
row that breaks them out of the raw tables (it goes to schema ``quarantine`` with its reason),
so nothing the contract rejects can reach a mart, not even through a later full refresh. The
raw gate (``expectations.suites.raw_contract``) turns the same facts into Great Expectations
suites and reports what each load quarantined. Unknown enum values (``known_values``: a new
placement) are expected now and then: they only warn, so they are never quarantined.
"""

from __future__ import annotations

from connectors.common.currencies import ISO_4217_CODES
from connectors.common.streams import StreamSpec

# A number the platforms send as text: digits with an optional fraction; "-" means "no value"
# (staging turns it into null). Signs, exponents and thousands separators are contract breaks.
# ASCII digits only ([0-9]: ``\d`` matches other scripts' digits in Python and PostgreSQL).
NON_NEGATIVE_NUMBER = r"^(?:[0-9]+(?:\.[0-9]+)?|-)$"


def currency_columns(spec: StreamSpec) -> tuple[str, ...]:
    """Text columns holding a currency code: ``currency`` or ``*_currency``."""
    return tuple(
        name
        for name, kind in spec.columns.items()
        if kind == "VARCHAR" and (name == "currency" or name.endswith("_currency"))
    )


def rejection_rules(spec: StreamSpec, window: tuple[str, str] | None) -> list[tuple[str, str]]:
    """``(reason, SQL predicate true for a breaking row)`` for every error-level contract rule.

    Args:
        spec: The stream.
        window: SQL expressions of the first and last day the row's pull asked for, or
            ``None`` to skip the window rule (a snapshot stream has none).

    Returns:
        The rules, in a stable order; predicates name payload columns unqualified and run on
        DuckDB and PostgreSQL alike.
    """
    rules = [(f"{key} is null", f"{quote_identifier(key)} is null") for key in spec.key]
    if spec.window_column is not None and window is not None:
        day, (first, last) = quote_identifier(spec.window_column), window
        rules.append(
            (
                f"{spec.window_column} outside the requested window",
                f"{day} not between {first} and {last}",
            )
        )
    for column in spec.numeric_columns:
        if spec.columns[column] == "VARCHAR":
            pattern = sql_literal(NON_NEGATIVE_NUMBER)
            # ``~`` is a full match on DuckDB and a search on PostgreSQL: the same for an
            # anchored pattern.
            predicate = f"not {quote_identifier(column)} ~ {pattern}"
            rules.append((f"{column} is not a non-negative number", predicate))
        else:
            rules.append((f"{column} is negative", f"{quote_identifier(column)} < 0"))
    codes = ", ".join(sql_literal(code) for code in sorted(ISO_4217_CODES))
    rules += [
        (
            f"{column} is not an ISO 4217 currency code",
            f"{quote_identifier(column)} not in ({codes})",
        )
        for column in currency_columns(spec)
    ]
    return rules


def quote_identifier(identifier: str) -> str:
    """``identifier`` as a quoted SQL identifier."""
    return '"' + identifier.replace('"', '""') + '"'


def sql_literal(value: str) -> str:
    """``value`` as a SQL string literal."""
    return "'" + value.replace("'", "''") + "'"

"""The raw contract of every stream: what a stored row must satisfy.

The facts are declared once, on the columns of each stream spec (``connectors/<source>/
streams.py``: :class:`~connectors.common.streams.Column` ``numeric`` and ``known_values``);
this module adds the rules every stream shares (keys, window, ISO 4217 currency codes) and
the number pattern. The loader (``connectors.common.land``) compiles them to SQL and keeps a
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
NON_NEGATIVE_NUMBER = r"^(?:\d+(?:\.\d+)?|-)$"


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
        The rules, in a stable order; predicates name payload columns unqualified.
    """
    rules = [(f"{key} is null", f"{_q(key)} is null") for key in spec.key]
    if spec.window_column is not None and window is not None:
        day, (first, last) = _q(spec.window_column), window
        rules.append(
            (
                f"{spec.window_column} outside the requested window",
                f"{day} not between {first} and {last}",
            )
        )
    for column in spec.numeric_columns:
        if spec.columns[column] == "VARCHAR":
            pattern = _literal(NON_NEGATIVE_NUMBER)
            predicate = f"not regexp_full_match({_q(column)}, {pattern})"
            rules.append((f"{column} is not a non-negative number", predicate))
        else:
            rules.append((f"{column} is negative", f"{_q(column)} < 0"))
    codes = ", ".join(_literal(code) for code in sorted(ISO_4217_CODES))
    rules += [
        (f"{column} is not an ISO 4217 currency code", f"{_q(column)} not in ({codes})")
        for column in currency_columns(spec)
    ]
    return rules


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"

"""The ECB historical CSV (wide: one column per currency) to long records, in DuckDB.

Format: header ``Date,USD,JPY,...`` with a trailing empty column, one row per business day,
rates in units of currency per 1 EUR, ``N/A`` where a currency has no rate that day.
"""

from __future__ import annotations

import io
from datetime import date

import duckdb

from connectors.common.errors import FatalApiError
from connectors.fx.errors import PLATFORM, SETTING

NOT_AVAILABLE = "N/A"

_LONG_SQL = """
with long as (
    unpivot wide on columns(* exclude ("Date")) into name currency value rate
),
cells as (
    select
        trim("Date") as day_text,
        try_strptime(trim("Date"), '%Y-%m-%d')::date as day,
        trim(currency) as currency,
        trim(rate) as rate
    from long
    where trim(rate) <> ''
)
select * from cells
"""


def parse_history_csv(text: str, provider: str, start: date, end: date) -> list[dict[str, str]]:
    """Published rates of ``start..end`` as ``{"provider", "date", "currency", "rate"}`` records.

    ``N/A`` cells are left out (nothing was published); rates keep the file's text.

    Raises:
        FatalApiError: The file has unexpected content, or starts after ``start`` (it covers
            every business day since 1999, so a later start means a cut-off download or a
            window before the first rate).
    """
    con = duckdb.connect()
    try:
        wide = con.read_csv(io.StringIO(text), header=True, all_varchar=True, delimiter=",")
        con.register("wide", wide)
        con.execute(f"create temp table cells as {_LONG_SQL}")
        problems = con.execute(
            "select any_value(day_text), any_value(currency), any_value(rate), count(*) "
            "from cells where day is null or not regexp_full_match(currency, '[A-Z]{3}') "
            f"or (rate <> '{NOT_AVAILABLE}' and try_cast(rate as decimal(18, 6)) is null "
            "or try_cast(rate as decimal(18, 6)) <= 0)"
        ).fetchone()
        if problems and problems[3]:
            raise FatalApiError(
                f"ECB rates file has {problems[3]} unexpected cell(s), e.g. date "
                f"{problems[0]!r} currency {problems[1]!r} rate {problems[2]!r}; check "
                f"{SETTING} serves the ECB historical CSV.",
                platform=PLATFORM,
            )
        first_day = con.execute("select min(day) from cells").fetchone()[0]
        if first_day is None or first_day > start:
            raise FatalApiError(
                f"ECB rates file starts at {first_day}, after the window start {start}: the "
                "download was cut short (re-run) or the window predates the published rates.",
                platform=PLATFORM,
            )
        rows = con.execute(
            f"select strftime(day, '%Y-%m-%d'), currency, rate from cells "
            f"where day between $start and $end and rate <> '{NOT_AVAILABLE}' "
            "order by day, currency",
            {"start": start, "end": end},
        ).fetchall()
    finally:
        con.close()
    return [
        {"provider": provider, "date": day, "currency": currency, "rate": rate}
        for day, currency, rate in rows
    ]

"""What the warehouse knows about loads and builds: relations, load windows, staleness."""

from __future__ import annotations

import logging

from expectations import dialect
from expectations.dialect import WarehouseConnection

log = logging.getLogger(__name__)


def relation_exists(con: WarehouseConnection, qualified: str) -> bool:
    """Whether ``schema.name`` is a table or view of the current database."""
    schema, name = qualified.split(".")
    (count,) = con.execute(dialect.of(con).relation_exists, [schema, name]).fetchone()
    return bool(count)


def latest_window(
    con: WarehouseConnection, source: str, stream: str
) -> tuple[object, object] | None:
    """Start and end of the latest load of ``source/stream`` of each account, combined;
    ``None`` when no such load is recorded."""
    if not relation_exists(con, "raw._loads"):
        return None
    row = con.execute(
        """
        select min(window_start), max(window_end) from (
            select window_start, window_end,
                row_number() over (partition by account_id order by loaded_at desc) as latest
            from raw._loads
            where source = ? and stream = ?
        ) as loads
        where latest = 1
        """,
        [source, stream],
    ).fetchone()
    return None if row is None or row[1] is None else (row[0], row[1])


def raw_loaded_since_build(con: WarehouseConnection) -> bool:
    """Whether a raw load finished after the latest dbt build started.

    Staging is a view over raw, so after such a load it no longer shows what the marts were
    built from, and comparing the two would report a difference the build never made. The
    load's asset triggers another transform, whose gate reconciles the newer state; the marts
    of this build are still a consistent snapshot and may be published.
    """
    if not (relation_exists(con, "raw._loads") and relation_exists(con, "audit.dbt_builds")):
        return False
    (changed,) = con.execute(
        "select (select max(loaded_at) from raw._loads)"
        " > (select max(started_at) from audit.dbt_builds)"
    ).fetchone()
    if changed:
        log.warning("raw tables changed after the latest dbt build: reconciliation deferred")
    return bool(changed)

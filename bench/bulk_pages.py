"""Spool pages cut from the generated raw tables: a bulk pull for the raw-load benchmark.

The stand-in serves a few hundred Meta rows a day, so on its pages the load path's fixed cost
per statement dominates. These pages hold the latest live version of every Meta placement row
of the newest ``days`` generated days, per account, in pages of the API's largest size, with
manifests as the extract writes them: a pull the size of a real multi-account sync.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from connectors.common.spool import MANIFEST_NAME, STATUS_COMPLETE, Manifest
from connectors.common.streams import get_stream

#: Rows per page: the largest page Meta's insights endpoint serves.
PAGE_SIZE = 5000


def write_pages(
    con: duckdb.DuckDBPyConnection, run_dir: Path, run_id: str, days: int
) -> list[Manifest]:
    """Write ``<run_dir>/meta/ad_insights_placement/<account>/page-*.json`` and manifests.

    Args:
        con: A connection to the generated warehouse.
        run_dir: The run's spool folder (created).
        run_id: Written into the manifests.
        days: How many of the newest report days to pull.

    Returns:
        One manifest per account, in account order.
    """
    spec = get_stream("meta", "ad_insights_placement")
    payload = ", ".join(f'"{c}"' for c in spec.columns)
    keys = ", ".join(f'"{k}"' for k in spec.key)
    (last,) = con.execute(f"select max(date_start) from raw.{spec.raw_table}").fetchone()
    first = last - timedelta(days=days - 1)
    con.execute(
        f"create or replace temp table _bulk as select {payload}, "
        f"(row_number() over (partition by account_id order by {keys}) - 1) // {PAGE_SIZE} "
        f"as _page from (select * from raw.{spec.raw_table} where date_start >= $first "
        f"qualify row_number() over (partition by {keys} order by _pulled_at desc) = 1 "
        f"and not _is_deleted)",
        {"first": first},
    )
    manifests = []
    pages = con.execute(
        "select account_id, count(*), max(_page) + 1 from temp._bulk group by 1 order by 1"
    ).fetchall()
    pulled_at = datetime.now(UTC)
    for account, rows, page_count in pages:
        unit = run_dir / spec.source / spec.name / account
        unit.mkdir(parents=True)
        files = [f"page-{page + 1:05d}.json" for page in range(page_count)]
        for page, name in enumerate(files):
            target = str(unit / name).replace("'", "''")
            literal = account.replace("'", "''")
            con.execute(
                f"copy (select {payload} from temp._bulk where account_id = '{literal}' "
                f"and _page = {page}) to '{target}' (format json, array true)"
            )
        manifest = Manifest(
            run_id=run_id,
            source=spec.source,
            stream=spec.name,
            account_id=account,
            window_start=first,
            window_end=last,
            pulled_at=pulled_at,
            files=tuple(files),
            row_count=int(rows),
            request_count=len(files),
            status=STATUS_COMPLETE,
        )
        (unit / MANIFEST_NAME).write_text(json.dumps(manifest.to_json()), encoding="utf-8")
        manifests.append(manifest)
    con.execute("drop table temp._bulk")
    return manifests

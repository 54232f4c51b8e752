"""Which Instagram media to pull: configured ids, else the ad creatives' source media.

The creatives come from ``raw.meta__adcreatives`` (the Meta source lands it) and from the
creatives the current run has already extracted into its spool (the Meta source runs
first), so a run pulls the media of the creatives it sees itself. Extract steps never write
the warehouse; this reads it (read-only on DuckDB) under the run lock, shared, so it waits
for a load in progress instead of failing on DuckDB's file lock, and treats a missing
warehouse, table or column as "no media yet".
"""

from __future__ import annotations

import logging
from typing import Any

import duckdb

from connectors.common.errors import ConnectorError
from socialmart import engines
from socialmart.run_lock import warehouse_lock
from socialmart.settings import Settings

log = logging.getLogger(__name__)

CREATIVES_TABLE = "meta__adcreatives"
MEDIA_COLUMN = "source_instagram_media_id"

# Latest version of each creative (by ``id``), unless that version is a tombstone; SQL both
# warehouses run.
_LATEST_MEDIA_SQL = f"""
select distinct media_id from (
    select
        {MEDIA_COLUMN} as media_id,
        _is_deleted,
        row_number() over (partition by id order by _pulled_at desc, _sync_id desc) as version_rank
    from raw.{CREATIVES_TABLE}
) as latest
where version_rank = 1 and not _is_deleted and media_id is not null and media_id <> ''
order by media_id
"""
_CREATIVES_COLUMNS_SQL = (
    "select column_name from information_schema.columns "
    f"where table_schema = 'raw' and table_name = '{CREATIVES_TABLE}'"
)


def media_ids(settings: Settings, run_id: str) -> list[str]:
    """``INSTAGRAM_MEDIA_IDS`` if set, else the source media of the latest ad creatives.

    Raises:
        ConnectorError: The warehouse exists but cannot be opened (another process writes it).
    """
    configured = list(dict.fromkeys(settings.instagram.media_ids))
    if configured:
        return configured
    spooled = _spooled_media_ids(settings, run_id)
    return sorted(set(_warehouse_media_ids(settings, run_id)) | set(spooled))


def _spooled_media_ids(settings: Settings, run_id: str) -> list[str]:
    """Source media of the creatives this run extracted but has not loaded yet."""
    pages = sorted((settings.spool_dir / run_id / "meta" / "adcreatives").glob("*/page-*.json"))
    if not pages:
        return []
    with duckdb.connect() as con:
        rows = con.execute(
            f"select distinct {MEDIA_COLUMN} from read_json($pages, format = 'array', "
            f"columns = {{{MEDIA_COLUMN}: 'VARCHAR'}}) where {MEDIA_COLUMN} <> ''",
            {"pages": [str(page) for page in pages]},
        ).fetchall()
    return [str(media) for (media,) in rows]


def _warehouse_media_ids(settings: Settings, run_id: str) -> list[str]:
    if settings.warehouse == "duckdb" and not settings.warehouse_path.exists():
        return []
    with warehouse_lock(settings, run_id, "instagram media ids", shared=True):
        con = _open(settings)
        try:
            columns = {name for (name,) in con.execute(_CREATIVES_COLUMNS_SQL).fetchall()}
            if not {MEDIA_COLUMN, "id", "_is_deleted", "_pulled_at"} <= columns:
                log.info(
                    "Instagram: no %s with %s yet; no media to pull", CREATIVES_TABLE, MEDIA_COLUMN
                )
                return []
            return [str(media) for (media,) in con.execute(_LATEST_MEDIA_SQL).fetchall()]
        finally:
            con.close()


def _open(settings: Settings) -> Any:
    """The warehouse, read-only where the engine allows it (DuckDB)."""
    if settings.warehouse != "duckdb":
        return engines.connect(settings)
    path = settings.warehouse_path
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise ConnectorError(
            f"Instagram: cannot read the ad creatives in {path} ({type(exc).__name__}); re-run "
            "when no other process writes the warehouse, or set INSTAGRAM_MEDIA_IDS."
        ) from None

"""Every Airflow asset of socialmart, defined once: one per raw table a source lands.

Built from the source registry at parse time (``connectors/<source>/streams.py`` only: no HTTP
client, no database library), so a new source's tables appear here without editing this file.
URIs name the warehouse table, never a host, path or credential.
"""

from airflow.sdk import Asset

from connectors.common.streams import source_streams
from connectors.sources import SOURCE_NAMES

URI_PREFIX = "x-duckdb://warehouse/raw."


def _raw_asset(table: str) -> Asset:
    return Asset(name=f"raw.{table}", uri=f"{URI_PREFIX}{table}", group="raw_tables")


RAW_ASSETS: dict[str, tuple[Asset, ...]] = {
    source: tuple(_raw_asset(spec.raw_table) for spec in source_streams(source))
    for source in SOURCE_NAMES
}
"""Source name -> the assets of its raw tables, in stream-name order."""

ALL_RAW_ASSETS: tuple[Asset, ...] = tuple(asset for group in RAW_ASSETS.values() for asset in group)

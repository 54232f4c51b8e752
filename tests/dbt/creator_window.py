"""The stand-in pull every creator and TikTok test of this folder reads: its seed, clock and
window, and a read-only query helper. The warehouse itself is conftest's session fixture
``creator_warehouse`` (built once per test process)."""

from __future__ import annotations

from datetime import date

import duckdb

from socialmart import pipeline
from socialmart.settings import Settings

SEED = 7
NOW = "2026-10-05T12:00:00+00:00"
WINDOW = pipeline.Window(date(2026, 9, 27), date(2026, 10, 4))


def query(settings: Settings, sql: str) -> list[tuple]:
    """Rows of one read-only query on the warehouse."""
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(sql).fetchall()

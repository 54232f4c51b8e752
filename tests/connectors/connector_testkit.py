"""Helpers shared by the connector tests (imported by name; conftest modules are not)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from connectors.common.graph import GraphClient
from connectors.common.http import Classifier
from connectors.common.land import load_spool
from sandbox.faults import FaultPlan
from sandbox.server import RunningSandbox, serve_in_thread
from socialmart.settings import HttpSettings, Settings, load_settings

FIXTURES = Path(__file__).parent / "fixtures"
TOKEN = "EAAB-test-secret-token-7f3a9c21d4"
META_BASE = "https://graph.facebook.com"
META_API = f"{META_BASE}/v27.0"


def fixture_json(name: str) -> Any:
    """A recorded response body; ``{TOKEN}`` placeholders become the test token."""
    return json.loads((FIXTURES / name).read_text().replace("{TOKEN}", TOKEN))


class FakeClock:
    """``time.time`` and ``time.sleep`` stand-ins: sleeping advances the clock, and is recorded."""

    def __init__(self, start: float = 1_780_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def timing(self) -> dict[str, Any]:
        """A client's ``sleep``, ``clock`` and ``jitter`` arguments on this clock; jitter 1.0
        makes backoff deterministic: the full ceiling."""
        return {"sleep": self.sleep, "clock": self.time, "jitter": lambda: 1.0}


# --- TikTok ------------------------------------------------------------------------------------

TIKTOK_BASE = "https://business-api.tiktok.com"
TIKTOK_API = f"{TIKTOK_BASE}/open_api/v1.3"
ADV = "7002238017842757633"


def graph_client(
    platform: str, base: str, token: str, http: HttpSettings, classify: Classifier, clock: FakeClock
) -> GraphClient:
    """A Graph client (Threads, Instagram) with the fake clock and full-ceiling backoff."""
    return GraphClient(
        platform,
        base,
        token,
        http,
        classify,
        **clock.timing(),
    )


# --- Runs against the stand-in (sandbox/) ----------------------------------------------------


def serve_stand_in(
    monkeypatch: pytest.MonkeyPatch, seed: int, faults: list[dict[str, Any]], now: str | None = None
) -> Iterator[RunningSandbox]:
    """The stand-in with ``faults`` injected and its clock at ``now`` (a fixture body:
    ``yield from serve_stand_in(...)``)."""
    if now is not None:
        monkeypatch.setenv("SANDBOX_NOW", now)
    with serve_in_thread(port=0, seed=seed, faults=FaultPlan.from_rules(faults)) as running:
        yield running


def stand_in_settings(monkeypatch: pytest.MonkeyPatch, home: Path, **env: str) -> Settings:
    """Settings read from the environment, as a deployment reads them, for a run against the
    stand-in: its own home, fast backoff, then ``env``."""
    monkeypatch.setenv("SOCIALMART_HOME", str(home))
    fast = {"HTTP_BACKOFF_BASE_SECONDS": "0.01", "HTTP_BACKOFF_MAX_SECONDS": "0.05"}
    for name, value in {**fast, **env}.items():
        monkeypatch.setenv(name, value)
    return load_settings()


def loaded_run(settings: Settings, run_id: str) -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse with run ``run_id``'s spool (in ``settings``) loaded into it."""
    con = duckdb.connect()
    load_spool(con, settings.spool_dir / run_id, run_id)
    return con


def latest_rows(settings: Settings, table: str, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """The latest, not deleted, version of every row of the warehouse's raw ``table`` per
    ``keys``: payload columns only (no bookkeeping), in key order."""
    by = ", ".join(keys)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        relation = con.sql(
            f"select * exclude (_sync_id, _pulled_at, _source, _row_hash, _is_deleted) "
            f"from (select * from {table} qualify row_number() over "
            f"(partition by {by} order by _pulled_at desc, _sync_id desc) = 1) "
            f"where not _is_deleted order by {by}"
        )
        return [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]

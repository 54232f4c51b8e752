"""Several ingest DAGs finishing one after the other queue one asset-triggered transform run
each; the first builds every load, the later ones find nothing new and skip. A build that
crashed before its gate does not count as having seen its loads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from airflow.utils.types import DagRunType

from socialmart import pipeline, warehouse
from socialmart.orchestration import transform_has_work
from socialmart.settings import Settings

T0 = datetime(2026, 10, 2, 3, 0, tzinfo=UTC)


def _load(con, minutes: int) -> None:
    con.execute(
        "insert into raw._loads (run_id, source, stream, account_id, window_start, window_end, "
        "pulled_at, loaded_at, rows_seen, rows_inserted, tombstones_inserted) values "
        "(?, 'meta', 'ads', 'act_1', '2026-10-01', '2026-10-01', ?, ?, 1, 1, 0)",
        [f"load_{minutes}", T0, T0 + timedelta(minutes=minutes)],
    )


def _build(con, run_id: str, minutes: int, *, published=False, gate_failed=False) -> None:
    started = T0 + timedelta(minutes=minutes)
    con.execute(
        "insert into audit.dbt_builds values (?, null, false, ?, ?, true)",
        [run_id, started, started + timedelta(minutes=1)],
    )
    if published:
        con.execute(
            "insert into audit.publish_log values (?, ?, 'marts.duckdb', 1, '{}')",
            [run_id, started + timedelta(minutes=2)],
        )
    if gate_failed:
        con.execute(
            "insert into audit.gate_runs values (?, ?, false, 1, 0)",
            [run_id, started + timedelta(minutes=2)],
        )


@pytest.fixture
def ready(settings: Settings) -> Settings:
    pipeline.prepare_raw_tables(settings)
    return settings


def test_loads_count_until_a_build_is_published_or_gated(ready: Settings) -> None:
    def unbuilt() -> int:
        return pipeline.unbuilt_loads(ready, "check")

    assert unbuilt() == 0
    with warehouse.connect(ready) as con:
        _load(con, 0)
        _load(con, 5)
    assert unbuilt() == 2  # never built
    with warehouse.connect(ready) as con:
        _build(con, "first", 10, published=True)
    assert unbuilt() == 0
    with warehouse.connect(ready) as con:
        _load(con, 20)
        _build(con, "crashed_before_gate", 30)
    assert unbuilt() == 1  # the crashed build's loads are built again
    with warehouse.connect(ready) as con:
        _build(con, "blocked", 40, gate_failed=True)
    assert unbuilt() == 0  # the gate saw them (and blocked): nothing new to build


def test_only_asset_triggered_runs_skip(ready: Settings) -> None:
    with warehouse.connect(ready) as con:
        _load(con, 0)
        _build(con, "first", 10, published=True)
    assert transform_has_work(DagRunType.ASSET_TRIGGERED, "asset_triggered__2") is False
    assert transform_has_work(DagRunType.MANUAL, "manual__1") is True
    assert transform_has_work(DagRunType.SCHEDULED, "scheduled__1") is True
    with warehouse.connect(ready) as con:
        _load(con, 20)
    assert transform_has_work(DagRunType.ASSET_TRIGGERED, "asset_triggered__3") is True

"""The scale generator: connector shapes, determinism, and a consistent ground truth."""

from __future__ import annotations

from dataclasses import replace

import duckdb
import pytest
from bench_support import PRESET, SEED

from bench import entities, meta_sql
from bench.generate import generate
from connectors.common.land import METADATA_COLUMNS
from connectors.common.streams import get_stream
from connectors.tiktok import streams as tiktok_streams

TINY = replace(PRESET, days=3, meta_ads_per_day=7)


@pytest.fixture
def built_warehouse(built):
    """A read-only connection to the built warehouse."""
    with duckdb.connect(str(built.warehouse_path), read_only=True) as con:
        yield con


def _fingerprint(path) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(
            "select count(*), sum(hash(_row_hash)), min(_pulled_at), max(_pulled_at) "
            "from raw.meta__ad_insights_placement"
        ).fetchall()


def test_generated_tables_have_exactly_the_connector_shapes(built_warehouse):
    tables = built_warehouse.execute(
        "select table_name from information_schema.tables where table_schema = 'raw' "
        "and not starts_with(table_name, '_')"
    ).fetchall()
    filled = 0
    for (table,) in tables:
        source, stream = table.split("__", 1)
        spec = get_stream(source, stream)
        columns = built_warehouse.execute(f"describe raw.{table}").fetchall()
        expected = [
            (name, built_warehouse.execute(f"select typeof(null::{kind})").fetchone()[0])
            for name, kind in {**spec.columns, **METADATA_COLUMNS}.items()
        ]
        assert [(c[0], c[1]) for c in columns] == expected, table
        filled += built_warehouse.execute(f"select count(*) > 0 from raw.{table}").fetchone()[0]
    assert filled >= 8 + len(entities.SNAPSHOTS)


def test_same_seed_same_rows_other_seed_other_rows(tmp_path):
    generate(tmp_path / "a.duckdb", TINY, SEED)
    generate(tmp_path / "b.duckdb", TINY, SEED)
    generate(tmp_path / "c.duckdb", TINY, SEED + 1)
    assert _fingerprint(tmp_path / "a.duckdb") == _fingerprint(tmp_path / "b.duckdb")
    assert _fingerprint(tmp_path / "a.duckdb") != _fingerprint(tmp_path / "c.duckdb")


def test_versions_follow_the_raw_layer_rules(built_warehouse):
    keys, rows, tombstones, restated = built_warehouse.execute(
        "select count(distinct (account_id, ad_id, date_start, publisher_platform, "
        "platform_position)), count(*), count(*) filter (_is_deleted), "
        "count(*) filter (_sync_id != 'bench-' || strftime(date_start + 1, '%Y%m%d') "
        "and not _is_deleted) from raw.meta__ad_insights_placement"
    ).fetchone()
    ads_per_day = built_warehouse.execute(
        "select min(n), max(n) from (select date_start, count(distinct ad_id) as n "
        "from raw.meta__ad_insights_placement group by 1)"
    ).fetchone()
    assert keys == PRESET.days * PRESET.meta_ads_per_day * len(meta_sql.PLACEMENTS)
    assert rows == keys + tombstones + restated
    assert tombstones > 0 and restated > 0
    assert ads_per_day == (PRESET.meta_ads_per_day, PRESET.meta_ads_per_day)


def test_base_insights_equal_the_sum_of_live_placements(built_warehouse):
    base = built_warehouse.execute(
        "select sum(cast(spend as decimal(18, 2))), sum(cast(impressions as bigint)) "
        "from raw.meta__ad_insights"
    ).fetchone()
    placements = built_warehouse.execute(
        "select sum(spend), sum(impressions) from marts.fct_placement_performance_daily "
        "where platform = 'meta'"
    ).fetchone()
    assert base == placements


def test_appending_a_day_adds_only_that_day(tmp_path):
    path = tmp_path / "w.duckdb"
    generate(path, TINY, SEED)
    before = _fingerprint(path)
    report = generate(path, TINY, SEED, day_from=TINY.days, day_to=TINY.days + 1)
    assert "meta__ads" not in report.rows  # snapshots are written once, up front
    with duckdb.connect(str(path), read_only=True) as con:
        (days,) = con.execute(
            "select count(distinct date_start) from raw.meta__ad_insights_placement"
        ).fetchone()
    assert days == TINY.days + 1
    assert _fingerprint(path)[0][0] > before[0][0]


def test_tiktok_placement_rows_add_up_to_the_ad_report(built_warehouse):
    """Every generated TikTok ad-day has two or three placement rows whose every AUDIENCE
    metric adds up exactly to its BASIC-report row (the real pull lands both reports)."""
    metrics = {
        "spend": "decimal(18, 3)",
        "impressions": "bigint",
        "clicks": "bigint",
        "conversion": "bigint",
        "complete_payment": "bigint",
        "total_complete_payment_rate": "decimal(18, 2)",
    }
    assert tuple(metrics) == tiktok_streams.PLACEMENT_METRICS
    keys = "advertiser_id, ad_id, stat_time_day"
    typed = ", ".join(f"cast({m} as {t}) as {m}" for m, t in metrics.items())
    summed = ", ".join(f"sum(cast({m} as {t})) as {m}" for m, t in metrics.items())
    ads = f"select {keys}, {typed} from raw.tiktok__ad_report_daily"
    placements = f"select {keys}, {summed} from raw.tiktok__ad_placement_report_daily group by all"
    only_ads, only_placements = built_warehouse.execute(
        f"select (select count(*) from (({ads}) except all ({placements}))), "
        f"(select count(*) from (({placements}) except all ({ads})))"
    ).fetchone()
    assert (only_ads, only_placements) == (0, 0)
    per_ad = built_warehouse.execute(
        "select min(n), max(n), count(*) from (select count(*) as n "
        f"from raw.tiktok__ad_placement_report_daily group by {keys})"
    ).fetchone()
    assert per_ad == (2, 3, PRESET.days * PRESET.tiktok_ads_per_day)

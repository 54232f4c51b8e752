"""TikTok syncs against the running stand-in: with faults injected the raw tables hold exactly
the ground truth; re-runs are idempotent; restatements add versions; a fatal code stops one
advertiser with nothing partial; the token appears nowhere."""

from __future__ import annotations

import logging
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from connector_testkit import stand_in_settings

from connectors.common.errors import FatalApiError
from connectors.common.land import load_spool
from connectors.common.spool import MANIFEST_NAME
from connectors.tiktok.source import SOURCE
from sandbox.faults import FaultPlan
from sandbox.server import RunningSandbox
from sandbox.tiktok.truth import (
    ad_day_truth,
    creator_truth,
    gmv_max_truth,
    placement_truth,
    smart_plus_ad_day_truth,
    smart_plus_placement_truth,
)
from socialmart.settings import SANDBOX_TIKTOK_TOKEN, Settings

SEED = 42
START, END = date(2026, 8, 27), date(2026, 10, 5)  # 40 days: two report chunks
NOW = "2026-10-05T12:00:00+00:00"
LATER = "2026-10-12T12:00:00+00:00"
FAULTS = [
    {"preset": "tiktok_qps_limit", "match": "/report/integrated/get", "nth": 2, "times": 2},
    {"preset": "tiktok_system_error", "match": "/adgroup/get", "nth": 1},
    {"kind": "http_504", "match": "/ad/get", "nth": 1},
    {"kind": "reset", "match": "/campaign/get", "nth": 2},
    {"kind": "truncated", "match": "/gmv_max/report/get", "nth": 1},
    {"kind": "slow", "seconds": 0.05, "match": "/advertiser/info", "nth": 1},
]
REPORT_KEY = "advertiser_id, ad_id, stat_time_day"
_LATEST = """
select * from raw.{table}
qualify row_number() over (partition by {key} order by _pulled_at desc, _sync_id desc) = 1
"""


@pytest.fixture
def tt_settings(
    stand_in: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    return stand_in_settings(
        monkeypatch,
        tmp_path,
        TIKTOK_BASE_URL=f"{stand_in.base_url}/business-api.tiktok.com",
        TIKTOK_APP_ID="sandbox-tiktok-app",
        TIKTOK_APP_SECRET="sandbox-tiktok-app-secret",
        TIKTOK_QPS="200",
    )


def sync(settings: Settings, run_id: str) -> list[str]:
    """Extract every advertiser (one failing does not stop the others), then load."""
    failures = []
    for account in SOURCE.accounts(settings):
        try:
            SOURCE.extract_account(settings, account, START, END, run_id)
        except FatalApiError as exc:
            failures.append(str(exc))
    with duckdb.connect(str(settings.warehouse_path)) as con:
        load_spool(con, settings.spool_dir / run_id, run_id)
    return failures


def latest(settings: Settings, table: str, key: str) -> list[dict[str, Any]]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        frame = con.execute(
            f"select * from ({_LATEST.format(table=table, key=key)}) where not _is_deleted"
        ).fetchdf()
    return frame.to_dict("records")


def _num(value: str) -> Decimal | None:
    return None if value == "-" else Decimal(value)


#: Rows of reports by ad_id that are creatives of Upgraded Smart+ ads (staging drops them).
SMART_PLUS_CREATIVE = "UPGRADED_SMART_PLUS_CREATIVE"


def ad_report_state(
    settings: Settings, table: str, with_placement: bool, ad: str = "ad_id"
) -> dict:
    key = f"advertiser_id, {ad}, stat_time_day" + (", placement" if with_placement else "")
    return {
        (r["advertiser_id"], r[ad], str(r["stat_time_day"])[:10])
        + ((r["placement"],) if with_placement else ()): (
            _num(r["spend"]),
            int(r["impressions"]),
            int(r["complete_payment"]),
            _num(r["total_complete_payment_rate"]),
        )
        + (() if with_placement else (_num(r["video_views_p100"]),))
        for r in latest(settings, table, key)
        if r.get("campaign_automation_type") != SMART_PLUS_CREATIVE
    }


def ad_truth_state(rows: list[dict[str, Any]], with_placement: bool) -> dict:
    return {
        (t["advertiser_id"], t["ad_id"], t["date"])
        + ((t["placement"],) if with_placement else ()): (
            t["spend"],
            t["impressions"],
            t["complete_payment"],
            t["purchase_value"],
        )
        + (() if with_placement else (_opt(t["video_views_p100"]),))
        for t in rows
    }


def _opt(value: int | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def assert_matches_truth(settings: Settings, as_of: datetime) -> None:
    basic = ad_report_state(settings, "tiktok__ad_report_daily", False)
    assert basic == ad_truth_state(ad_day_truth(SEED, START, END, as_of=as_of), False)
    by_placement = ad_report_state(settings, "tiktok__ad_placement_report_daily", True)
    assert by_placement == ad_truth_state(placement_truth(SEED, START, END, as_of=as_of), True)
    smart_plus = ad_report_state(settings, "tiktok__smart_plus_ad_report_daily", False, "ad_id_v2")
    truth = smart_plus_ad_day_truth(SEED, START, END, as_of=as_of)
    assert smart_plus == ad_truth_state(truth, False) and smart_plus
    smart_plus_placements = ad_report_state(
        settings, "tiktok__smart_plus_ad_placement_report_daily", True, "ad_id_v2"
    )
    truth = smart_plus_placement_truth(SEED, START, END, as_of=as_of)
    assert smart_plus_placements == ad_truth_state(truth, True)
    gmv = {
        (r["campaign_id"], str(r["stat_time_day"])[:10]): (
            Decimal(r["cost"]),
            None if r["orders"] == "-" else int(r["orders"]),
            Decimal(r["gross_revenue"]),
            int(r["product_clicks"]),
        )
        for r in latest(
            settings, "tiktok__gmv_max_report_daily", "advertiser_id, campaign_id, stat_time_day"
        )
    }
    assert gmv == {
        (t["campaign_id"], t["date"]): (
            t["cost"],
            t["orders"],
            t["gross_revenue"],
            t["product_clicks"],
        )
        for t in gmv_max_truth(SEED, START, END, as_of=as_of)
    }


def test_sync_with_faults_lands_the_truth_and_is_idempotent(
    tt_settings: Settings, stand_in: RunningSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    assert sync(tt_settings, "run-1") == []
    assert {r.fault for r in stand_in.requests} >= {"reset", "truncated", "http_504", "api_error"}
    assert_matches_truth(tt_settings, datetime.fromisoformat(NOW))

    ads = latest(tt_settings, "tiktok__ads", "advertiser_id, ad_id")
    assert sum(a["secondary_status"] == "AD_STATUS_DELETE" for a in ads) == 3
    spark_spend = _creator_spend_from_raw(tt_settings)
    truth = creator_truth(SEED, START, END, as_of=datetime.fromisoformat(NOW))
    assert spark_spend == {(t["advertiser_id"], t["identity_id"]): t["spend"] for t in truth}

    versions = _version_counts(tt_settings)
    for run in ("run-2", "run-3"):
        assert sync(tt_settings, run) == []
    assert _version_counts(tt_settings) == versions  # same range 3x: nothing new

    text = caplog.text + "".join(
        p.read_text() for p in tt_settings.spool_dir.rglob("*") if p.is_file()
    )
    with duckdb.connect(str(tt_settings.warehouse_path), read_only=True) as con:
        for (table,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'"
        ).fetchall():
            text += con.execute(f'select * from raw."{table}"').fetchdf().to_csv()
    assert SANDBOX_TIKTOK_TOKEN not in text
    assert "sandbox-tiktok-app-secret" not in text


def test_restated_conversions_add_versions_and_latest_is_final(
    tt_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync(tt_settings, "early")
    before = _version_counts(tt_settings)["tiktok__ad_report_daily"]
    monkeypatch.setenv("SANDBOX_NOW", LATER)
    sync(tt_settings, "later")
    after = _version_counts(tt_settings)["tiktok__ad_report_daily"]
    assert after > before  # the recent days' conversions matured
    assert_matches_truth(tt_settings, datetime.fromisoformat(LATER))


def test_fatal_code_stops_one_advertiser_with_nothing_partial(
    tt_settings: Settings, stand_in: RunningSandbox
) -> None:
    stand_in.server.faults = FaultPlan.from_rules(
        [{"preset": "tiktok_token_revoked", "match": "/report/integrated/get", "nth": 3}]
    )
    failures = sync(tt_settings, "run-f")
    assert len(failures) == 1 and "TIKTOK_ACCESS_TOKEN" in failures[0]
    with duckdb.connect(str(tt_settings.warehouse_path), read_only=True) as con:
        loaded = con.execute(
            "select account_id, count(*) from raw._loads group by 1 order by 1"
        ).fetchall()
    assert [n for _, n in loaded] == [15, 15]  # the failed advertiser: no stream at all


def test_kill_and_rerun_gives_the_same_result(tt_settings: Settings) -> None:
    run = "run-k"
    for account in SOURCE.accounts(tt_settings):
        SOURCE.extract_account(tt_settings, account, START, END, run)
    # A crash before a unit's manifest was written: that unit is not loadable.
    killed = next(tt_settings.spool_dir.glob(f"{run}/tiktok/ad_report_daily/*/{MANIFEST_NAME}"))
    killed.unlink()
    with duckdb.connect(str(tt_settings.warehouse_path)) as con:
        load_spool(con, tt_settings.spool_dir / run, run)
    assert sync(tt_settings, run) == []  # re-run the same run id
    assert_matches_truth(tt_settings, datetime.fromisoformat(NOW))


def _version_counts(settings: Settings) -> dict[str, int]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        tables = con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'raw' and table_name like 'tiktok__%'"
        ).fetchall()
        return {t: con.execute(f'select count(*) from raw."{t}"').fetchone()[0] for (t,) in tables}


def _creator_spend_from_raw(settings: Settings) -> dict[tuple[str, str], Decimal]:
    query = f"""
        with ads as ({_LATEST.format(table="tiktok__ads", key="advertiser_id, ad_id")}),
        report as ({_LATEST.format(table="tiktok__ad_report_daily", key=REPORT_KEY)})
        select ads.advertiser_id, ads.identity_id, sum(report.spend::decimal(18, 3))
        from report join ads using (advertiser_id, ad_id)
        where ads.tiktok_item_id is not null and not report._is_deleted and not ads._is_deleted
        group by all
    """
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return {(a, i): Decimal(s) for a, i, s in con.execute(query).fetchall()}

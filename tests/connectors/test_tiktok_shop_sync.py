"""TikTok Shop sync against the running stand-in: exact ground truth, faults, fatal errors,
idempotency, kill-and-rerun, order status changes, and no secret anywhere."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from connector_testkit import latest_rows

from connectors.common.spool import MANIFEST_NAME
from sandbox.faults import FaultPlan
from sandbox.server import RunningSandbox, serve_in_thread
from sandbox.tiktok_shop.api import ShopStandInConfig
from sandbox.tiktok_shop.errors import FAULT_PRESETS
from sandbox.tiktok_shop.scenario import build_scenario
from sandbox.tiktok_shop.truth import order_line_truth
from socialmart import pipeline
from socialmart.settings import Settings, load_settings

SEED = 11
NOW = datetime(2026, 10, 8, 12, tzinfo=UTC)
WINDOW = pipeline.Window(date(2026, 10, 1), date(2026, 10, 7))
TABLE = "raw.tiktok_shop__affiliate_orders"
SOURCES = ("tiktok_shop",)
SHOPS = tuple(shop.cipher for shop in build_scenario().shops)
TOKEN = "TTP_sync-test-access-token-93be0c"
SECRET = "sync-test-app-secret-4d17a2"
CONFIG = ShopStandInConfig(app_key="sync-app", app_secret=SECRET, access_token=TOKEN, now=NOW)
MONEY = (
    "price",
    "estimated_commission_base",
    "estimated_paid_commission",
    "actual_commission_base",
    "actual_paid_commission",
)
ORDERS = "/orders/search$"
FAULTS = [
    {**FAULT_PRESETS["rate_limit"], "match": ORDERS, "nth": 2, "times": 2},
    {**FAULT_PRESETS["system_error"], "match": ORDERS, "nth": 5},
    {"kind": "http_500", "match": ORDERS, "nth": 7},
    {"kind": "reset", "match": ORDERS, "nth": 9},
    {"kind": "truncated", "match": ORDERS, "nth": 11},
    {"kind": "http_503", "match": "/shops$", "nth": 1},
]


@contextmanager
def _stand_in(
    config: ShopStandInConfig = CONFIG, faults: list[dict] | None = None
) -> Iterator[RunningSandbox]:
    plan = FaultPlan.from_rules(faults) if faults else None
    with serve_in_thread(port=0, seed=SEED, tiktok_shop=config, faults=plan) as running:
        yield running


@pytest.fixture
def configure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Point the settings at a running stand-in through the environment, as a deployment does."""

    def point_at(stand_in: RunningSandbox, **extra: str) -> Settings:
        env = {
            "SOCIALMART_HOME": str(tmp_path / "home"),
            "TIKTOK_SHOP_BASE_URL": stand_in.tiktok_shop_base_url,
            "TIKTOK_SHOP_APP_KEY": "sync-app",
            "TIKTOK_SHOP_APP_SECRET": SECRET,
            "TIKTOK_SHOP_ACCESS_TOKEN": TOKEN,
            "TIKTOK_SHOP_PAGE_SIZE": "9",
            "HTTP_BACKOFF_BASE_SECONDS": "0.01",
            "HTTP_BACKOFF_MAX_SECONDS": "0.05",
            "HTTP_TIMEOUT_SECONDS": "5",
            **extra,
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return load_settings()

    return point_at


def _sync(settings: Settings, run_id: str) -> pipeline.ExtractOutcome:
    outcome = pipeline.extract(settings, WINDOW, run_id, SOURCES)
    pipeline.load(settings, run_id)
    return outcome


def _latest(settings: Settings) -> list[tuple]:
    """The latest, not deleted, version of every order line, money as exact decimals."""
    keys = ("shop_cipher", "order_id", "line_number")
    return sorted(_canonical(row) for row in latest_rows(settings, TABLE, keys))


def _canonical(row: dict[str, Any]) -> tuple:
    currencies = {row.get(f"{m}_currency") for m in MONEY} - {None}
    return (
        row["shop_cipher"],
        row["order_id"],
        row["line_number"],
        row["create_date"],
        row["create_time"],
        row["delivery_time"],
        row["order_status"],
        row["product_id"],
        row["quantity"],
        row["creator_username"],
        row["content_type"],
        row["content_id"],
        row["commission_rate"],
        row["refunded_quantity"],
        row["returned_quantity"],
        *(None if row[f"{m}_amount"] is None else Decimal(row[f"{m}_amount"]) for m in MONEY),
        tuple(sorted(currencies)),
    )


def _truth(now: datetime = NOW) -> list[tuple]:
    rows = []
    for row in order_line_truth(SEED, WINDOW.start, WINDOW.end, now):
        flat = {**row, **{f"{m}_amount": row[m] for m in MONEY}}
        flat.update({f"{m}_currency": row["currency"] for m in MONEY if row[m] is not None})
        rows.append(_canonical(flat))
    return sorted(rows)


def _versions(settings: Settings) -> int:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(f"select count(*) from {TABLE}").fetchone()[0]


def test_sync_with_faults_lands_exactly_the_ground_truth(configure) -> None:
    with _stand_in(faults=FAULTS) as stand_in:
        settings = configure(stand_in)
        outcome = _sync(settings, "run-faults")
        faults = [r.fault for r in stand_in.requests if r.fault]
    assert outcome.failures == [] and len(outcome.manifests) == 2
    assert len(faults) == 7  # every injected fault was met (rate limit twice) and survived
    truth = _truth()
    assert len(truth) > 100
    assert {row[6] for row in truth} == {"PROCESSING", "COMPLETED", "CANCELLED"}
    assert _latest(settings) == truth


def test_same_window_three_times_changes_nothing(configure) -> None:
    with _stand_in() as stand_in:
        settings = configure(stand_in)
        for run in ("run-a", "run-b", "run-c"):
            _sync(settings, run)
            if run == "run-a":
                first = _versions(settings)
    assert _versions(settings) == first == len(_truth())
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        inserted = con.execute(
            "select run_id, sum(rows_inserted + tombstones_inserted) from raw._loads "
            "group by run_id order by run_id"
        ).fetchall()
    assert inserted == [("run-a", first), ("run-b", 0), ("run-c", 0)]
    assert _latest(settings) == _truth()


def test_orders_that_move_on_add_versions_and_the_latest_is_current(configure) -> None:
    earlier = datetime(2026, 10, 5, 6, tzinfo=UTC)
    with _stand_in(config=ShopStandInConfig(**{**CONFIG.__dict__, "now": earlier})) as stand_in:
        settings = configure(stand_in)
        _sync(settings, "run-early")
    assert _latest(settings) != _truth() and _versions(settings) == len(_truth(earlier))
    with _stand_in() as stand_in:
        settings = configure(stand_in)
        _sync(settings, "run-later")
    assert _latest(settings) == _truth()
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        history = con.execute(
            f"select count(*) filter (where n > 1), count(*) from ("
            f"select count(*) as n from {TABLE} group by shop_cipher, order_id, line_number)"
        ).fetchone()
    assert 0 < history[0] < history[1]  # changed lines kept their earlier version


def test_kill_and_rerun_lands_the_same_result(configure) -> None:
    with _stand_in() as stand_in:
        settings = configure(stand_in)
        pipeline.extract(settings, WINDOW, "run-killed", SOURCES)
        # A kill before the second shop's manifest was written: its pages are not loadable.
        unit = settings.spool_dir / "run-killed" / "tiktok_shop" / "affiliate_orders" / SHOPS[1]
        (unit / MANIFEST_NAME).unlink()
        pipeline.load(settings, "run-killed")
        assert {row[0] for row in _latest(settings)} == {SHOPS[0]}
        _sync(settings, "run-killed")  # the re-run of the same run
    assert _latest(settings) == _truth()
    assert _versions(settings) == len(_truth())


def test_a_token_error_mid_paging_stops_that_shop_only_and_leaves_nothing_partial(
    configure,
) -> None:
    faults = [{**FAULT_PRESETS["expired_token"], "match": ORDERS, "nth": 2}]
    with _stand_in(faults=faults) as stand_in:
        settings = configure(stand_in, TIKTOK_SHOP_CIPHERS=",".join(SHOPS))
        outcome = _sync(settings, "run-fatal")
    (failure,) = outcome.failures
    assert failure.account == SHOPS[0] and "TIKTOK_SHOP_ACCESS_TOKEN" in failure.error
    assert "105001" in failure.error
    assert {row[0] for row in _latest(settings)} == {SHOPS[1]}
    assert [row for row in _latest(settings)] == [r for r in _truth() if r[0] == SHOPS[1]]


def test_wrong_credentials_are_refused_with_the_fix_named(configure) -> None:
    with _stand_in() as stand_in:
        settings = configure(
            stand_in, TIKTOK_SHOP_CIPHERS=SHOPS[0], TIKTOK_SHOP_APP_SECRET="not-the-secret"
        )
        outcome = _sync(settings, "run-bad-sign")
        settings = configure(stand_in, TIKTOK_SHOP_CIPHERS=SHOPS[0], TIKTOK_SHOP_ACCESS_TOKEN="x")
        token_outcome = _sync(settings, "run-bad-token")
    assert "TIKTOK_SHOP_APP_SECRET" in outcome.failures[0].error
    assert "TIKTOK_SHOP_ACCESS_TOKEN" in token_outcome.failures[0].error
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        landed = con.execute(
            "select count(*) from information_schema.tables where table_name = $name",
            {"name": TABLE.split(".")[1]},
        ).fetchone()[0]
    assert landed == 0  # nothing was loaded, not even an empty table


def test_no_token_or_secret_in_logs_spool_or_tables(
    configure, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with _stand_in(faults=FAULTS) as stand_in:
        settings = configure(stand_in)
        pipeline.extract(settings, WINDOW, "run-secrets", SOURCES)
        spooled = [p.read_text() for p in settings.spool_dir.rglob("*") if p.is_file()]
        pipeline.load(settings, "run-secrets")
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        tables = [
            con.execute(f"select * from {schema}.{name}").fetchall()
            for schema, name in con.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
        ]
    haystacks = [caplog.text, *spooled, json.dumps(tables, default=str)]
    assert len(spooled) > 2 and "retry" in caplog.text
    for secret in (TOKEN, SECRET):
        assert not any(secret in text for text in haystacks)

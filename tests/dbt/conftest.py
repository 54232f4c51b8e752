"""The folder's warehouses: fixture raw Meta insights built once per module with dbt, and the
stand-in pull of every source built once per test process (``creator_warehouse``)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb
import pytest
from creator_window import NOW, SEED, WINDOW
from stand_in_home import load_pulls, stand_in_home

from connectors.common.land import ensure_raw_table
from connectors.fx.streams import ECB_RATES
from sandbox.fx.truth import published_rates
from socialmart import transform, warehouse
from socialmart.pipeline import prepare_raw_tables
from socialmart.settings import SANDBOX_DEFAULT_SEED, Settings, load_settings

RAW_DDL = """
create table raw.meta__ad_insights_placement (
    account_id varchar, account_currency varchar, campaign_id varchar, campaign_name varchar,
    adset_id varchar, adset_name varchar, ad_id varchar, ad_name varchar,
    date_start date, date_stop date, publisher_platform varchar, platform_position varchar,
    impressions varchar, clicks varchar, spend varchar, actions json, action_values json,
    _sync_id varchar, _pulled_at timestamptz, _source varchar, _row_hash varchar,
    _is_deleted boolean
)
"""

T1, T2, T3 = "2026-06-02 06:00:00+00", "2026-06-03 06:00:00+00", "2026-06-04 06:00:00+00"


def _action(action_type: str, value: str, **windows: str) -> dict[str, str]:
    return {"action_type": action_type, "value": value} | {
        key.removeprefix("w"): amount for key, amount in windows.items()
    }


# Purchase aliases carry different numbers, so summing them or picking the wrong one shows.
RESTATED_ACTIONS = [
    _action("link_click", "81", w7d_click="81"),
    _action(
        "omni_purchase", "4", w1d_click="2", w7d_click="3", w28d_click="4", w1d_view="1", w1d_ev="2"
    ),
    _action("purchase", "4", w7d_click="3", w1d_view="1"),
    _action("offsite_conversion.fb_pixel_purchase", "2", w7d_click="2"),
]
RESTATED_VALUES = [
    _action(
        "omni_purchase",
        "199.96",
        w1d_click="99.98",
        w7d_click="149.97",
        w28d_click="199.96",
        w1d_view="49.99",
        w1d_ev="89.9",
    ),
    _action("purchase", "199.96", w7d_click="149.97"),
    _action("offsite_conversion.fb_pixel_purchase", "99.98", w7d_click="99.98"),
]


def _row(
    ad_id: str,
    platform: str,
    position: str,
    spend: str | None,
    *,
    sync_id: str = "run-1",
    pulled_at: str = T1,
    deleted: bool = False,
    account: str = "111",
    currency: str = "EUR",
    day: str = "2026-06-01",
    actions: list | None = None,
    values: list | None = None,
) -> tuple:
    payload = not deleted
    return (
        account,
        currency if payload else None,
        "c1" if payload else None,
        "Sales" if payload else None,
        "as1" if payload else None,
        "Auto" if payload else None,
        ad_id,
        f"Ad {ad_id}" if payload else None,
        day,
        day if payload else None,
        platform,
        position,
        "1000" if payload else None,
        "10" if payload else None,
        spend,
        json.dumps(actions) if actions is not None else None,
        json.dumps(values) if values is not None else None,
        sync_id,
        pulled_at,
        "meta_marketing_api",
        f"hash-{ad_id}-{sync_id}",
        deleted,
    )


RAW_ROWS = [
    # restated: the first version must be superseded by the second
    _row(
        "301",
        "instagram",
        "instagram_reels",
        "41.87",
        actions=[_action("omni_purchase", "3", w7d_click="2")],
        values=[_action("omni_purchase", "149.97")],
    ),
    _row(
        "301",
        "instagram",
        "instagram_reels",
        "45.1",
        sync_id="run-2",
        pulled_at=T2,
        actions=RESTATED_ACTIONS,
        values=RESTATED_VALUES,
    ),
    # no purchases at all: zeros, not nulls
    _row("301", "threads", "threads_feed", "3.12", actions=[_action("link_click", "4")]),
    # tombstoned: must disappear
    _row("302", "facebook", "feed", "10.00"),
    _row("302", "facebook", "feed", None, sync_id="run-2", pulled_at=T2, deleted=True),
    # deleted, then back: present with the latest payload
    _row("303", "facebook", "feed", "1.00"),
    _row("303", "facebook", "feed", None, sync_id="run-2", pulled_at=T2, deleted=True),
    _row("303", "facebook", "feed", "2.50", sync_id="run-3", pulled_at=T3),
    # same pulled_at: the greater sync id wins
    _row("304", "instagram", "feed", "7.77", sync_id="run-a", pulled_at=T2),
    _row("304", "instagram", "feed", "8.88", sync_id="run-b", pulled_at=T2),
    # exact decimals to the cent
    _row("305", "facebook", "feed", "5339.5"),
    _row("305", "facebook", "facebook_reels", "0.1"),
    _row("305", "facebook", "facebook_stories", "0.2"),
    _row("305", "audience_network", "an_classic", "12"),
    # unknown platform: kept (dbt warns)
    _row("306", "oculus", "vr_feed", "1.01"),
    # another account in another currency
    _row("401", "instagram", "feed", "99.99", account="222", currency="USD"),
]


# ECB rates around the fixture days, as the stand-in publishes them (2026-05-29 is a Friday).
FX_START, FX_END = date(2026, 5, 25), date(2026, 6, 5)


def create_raw_warehouse(settings: Settings) -> None:
    """Create the raw tables with the connectors' exact contracts and fixture rows.

    Every registered stream's table exists (empty unless filled here), as in a real warehouse.
    """
    with warehouse.connect(settings) as con:
        con.execute(RAW_DDL)
        con.executemany(
            f"insert into raw.meta__ad_insights_placement values ({', '.join('?' * 22)})",
            RAW_ROWS,
        )
        ensure_raw_table(con, ECB_RATES)
        con.executemany(
            "insert into raw.fx__ecb_rates values ('ecb', ?, ?, ?, 'run-fx', "
            "'2026-06-05 16:30:00+00', 'ecb_eurofxref', md5(? || ? || ?), false)",
            [
                [row["date"], row["currency"], row["rate"]] * 2
                for row in published_rates(SANDBOX_DEFAULT_SEED, FX_START, FX_END)
            ],
        )
    prepare_raw_tables(settings)


@pytest.fixture
def raw_settings(settings: Settings) -> Settings:
    """``settings`` of a warehouse that holds the fixture raw tables and nothing built: for
    dbt commands that read only the sources (source freshness)."""
    create_raw_warehouse(settings)
    return settings


@pytest.fixture(scope="module")
def built_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of a warehouse whose fixture raw data dbt has built into the marts."""
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOCIALMART_HOME", str(home))
        settings = load_settings()
    create_raw_warehouse(settings)
    transform.build(settings, "run-build")
    return settings


@pytest.fixture
def copy_warehouse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[[Settings], Settings]:
    """Copies a built warehouse into a fresh home (the test's ``tmp_path``) and returns that
    home's settings, for tests that change raw data, rebuild or let the gate write."""

    def copy(source: Settings) -> Settings:
        monkeypatch.setenv("SOCIALMART_HOME", str(tmp_path))
        settings = load_settings()
        shutil.copy(source.warehouse_path, settings.warehouse_path)
        return settings

    return copy


@pytest.fixture(scope="module")
def module_scratch_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for the whole module (see ``copy_warehouse_in_place``)."""
    return tmp_path_factory.mktemp("scratch")


@pytest.fixture
def copy_warehouse_in_place(
    module_scratch_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[[Settings], Settings]:
    """``copy_warehouse``, but the copy replaces the previous test's at one path per module
    and dbt's target folder is the module's.

    dbt re-parses the whole project (seconds of CPU per command) when the profile, which
    names the warehouse path, or the vars differ from those of its last parse in the target
    folder, and only changed files otherwise. The tests of a module run one after the other
    in one process (each pytest-xdist worker has its own module fixtures).
    """

    def copy(source: Settings) -> Settings:
        warehouse_path = module_scratch_dir / "warehouse.duckdb"
        for previous in (warehouse_path, warehouse_path.with_name("warehouse.duckdb.wal")):
            previous.unlink(missing_ok=True)
        shutil.copy(source.warehouse_path, warehouse_path)
        monkeypatch.setenv("SOCIALMART_HOME", str(tmp_path))
        monkeypatch.setenv("SOCIALMART_WAREHOUSE_PATH", str(warehouse_path))
        monkeypatch.setenv("SOCIALMART_DBT_TARGET_DIR", str(module_scratch_dir / "dbt_target"))
        return load_settings()

    return copy


@pytest.fixture
def copied_settings(
    built_settings: Settings, copy_warehouse_in_place: Callable[[Settings], Settings]
) -> Settings:
    """A copy of the built warehouse for a test that changes it, at the module's one path:
    dbt parses only what changed since the previous test's run with the same vars."""
    return copy_warehouse_in_place(built_settings)


@pytest.fixture
def copy_raw_placement_rows(copied_settings: Settings) -> Callable[..., None]:
    """Inserts into the copied warehouse copies of the raw Meta placement rows ``where``
    selects, their columns changed by ``replace`` (a DuckDB ``* replace (...)`` list), at
    most ``limit`` of them."""

    def copy(replace: str, where: str, *, limit: int | None = None) -> None:
        limited = f" limit {limit}" if limit else ""
        with duckdb.connect(str(copied_settings.warehouse_path)) as con:
            con.execute(
                "insert into raw.meta__ad_insights_placement "
                f"select * replace ({replace}) "
                f"from raw.meta__ad_insights_placement where {where}{limited}"
            )

    return copy


@pytest.fixture(scope="session")
def creator_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of a warehouse holding one pulled window of every source (creator_window),
    built by dbt: one build per test process, read by the creator, TikTok, dims, docs and
    PostgreSQL modules. Tests only read it; one that writes copies it (``copy_warehouse``).

    The environment is restored before the fixture returns: a pinned SANDBOX_NOW left behind
    would change what every later stand-in in the session serves.
    """
    home = tmp_path_factory.mktemp("creators-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SANDBOX_NOW", NOW)
        with stand_in_home(patch, home, SEED) as settings:
            load_pulls(settings, patch, WINDOW, [("creators-run", NOW)])
        prepare_raw_tables(settings)
        transform.build(settings, "creators-run")
    return settings

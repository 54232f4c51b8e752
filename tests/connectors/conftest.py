"""Shared fixtures for connector tests: settings in a tmp dir, a fake clock, recorded bodies."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from connector_testkit import ADV, META_BASE, TIKTOK_BASE, TOKEN, FakeClock, serve_stand_in

from connectors.meta.client import MetaClient
from connectors.tiktok.client import TikTokClient
from sandbox.server import RunningSandbox
from socialmart.settings import HttpSettings, Settings, load_settings


@pytest.fixture
def stand_in(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[RunningSandbox]:
    """The stand-in of a sync test module: its ``SEED``, its ``FAULTS`` injected and, when the
    module sets ``NOW`` (a datetime or an ISO string), the stand-in's clock at it."""
    module = request.module
    now = getattr(module, "NOW", None)
    iso_now = now.isoformat() if isinstance(now, datetime) else now
    yield from serve_stand_in(monkeypatch, module.SEED, module.FAULTS, iso_now)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def http_settings() -> HttpSettings:
    return HttpSettings(
        timeout_seconds=5, max_retries=3, backoff_base_seconds=1.0, backoff_max_seconds=8.0
    )


@pytest.fixture
def settings(tmp_path: Path, http_settings: HttpSettings) -> Settings:
    base = load_settings()
    return replace(
        base,
        home=tmp_path,
        warehouse_path=tmp_path / "warehouse.duckdb",
        spool_dir=tmp_path / "spool",
        http=http_settings,
        meta=replace(
            base.meta,
            base_url=META_BASE,
            api_version="v27.0",
            access_token=TOKEN,
            ad_account_ids=("act_1234567890",),
            page_limit=500,
        ),
    )


@pytest.fixture
def meta_client(settings: Settings, clock: FakeClock) -> MetaClient:
    return MetaClient(settings.meta, settings.http, **clock.timing())


@pytest.fixture
def tt_settings(settings: Settings) -> Settings:
    """Settings pointed at the TikTok host with the test token, one advertiser, no pacing."""
    tiktok = replace(
        settings.tiktok, base_url=TIKTOK_BASE, access_token=TOKEN, advertiser_ids=(ADV,), qps=0
    )
    return replace(settings, tiktok=tiktok)


@pytest.fixture
def tiktok(tt_settings: Settings, clock: FakeClock) -> TikTokClient:
    return TikTokClient(tt_settings.tiktok, tt_settings.http, **clock.timing())

"""Shared fixtures for connector tests: settings in a tmp dir, a fake clock, recorded bodies."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from connector_testkit import ADV, META_BASE, TIKTOK_BASE, TOKEN, FakeClock

from connectors.meta.client import MetaClient
from connectors.tiktok.client import TikTokClient
from socialmart.settings import HttpSettings, Settings, load_settings


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
    # jitter=1.0 makes backoff deterministic: the full ceiling.
    return MetaClient(
        settings.meta, settings.http, sleep=clock.sleep, clock=clock.time, jitter=lambda: 1.0
    )


@pytest.fixture
def tt_settings(settings: Settings) -> Settings:
    """Settings pointed at the TikTok host with the test token, one advertiser, no pacing."""
    tiktok = replace(
        settings.tiktok, base_url=TIKTOK_BASE, access_token=TOKEN, advertiser_ids=(ADV,), qps=0
    )
    return replace(settings, tiktok=tiktok)


@pytest.fixture
def tiktok(tt_settings: Settings, clock: FakeClock) -> TikTokClient:
    # jitter=1.0 makes backoff deterministic: the full ceiling.
    return TikTokClient(
        tt_settings.tiktok,
        tt_settings.http,
        sleep=clock.sleep,
        clock=clock.time,
        jitter=lambda: 1.0,
    )

"""Meta API versions: the default lives longest, and warnings come before the sunset.

Dates: Marketing API version history
(https://developers.facebook.com/documentation/ads-commerce/marketing-api/marketing-api-changelog/
versions, checked 2026-12-06): v27.0 released 2026-11-04 and v26.0 2026-07-29 (expiry TBD),
v25.0 expires 2027-02-23, v24.0 expired 2026-11-10. Graph API versions
(https://developers.facebook.com/docs/graph-api/changelog/versions/) for Instagram.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date

import pytest

from connectors.instagram import extract as instagram_extract
from connectors.meta import extract as meta_extract
from connectors.meta.versions import (
    EXPIRED,
    EXPIRING,
    INSTAGRAM_GRAPH_API,
    MARKETING_API,
    OK,
    UNKNOWN,
    WARN_DAYS,
    check_version,
    configured_checks,
    longest_lived,
    today_utc,
)
from socialmart.settings import Settings, load_settings

DEC_6 = date(2026, 12, 6)


@pytest.fixture
def defaults(monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name in ("META_API_VERSION", "INSTAGRAM_API_VERSION"):
        monkeypatch.delenv(name, raising=False)
    return load_settings()


def test_default_meta_versions_are_not_within_90_days_of_their_sunset(defaults: Settings) -> None:
    """Fails (on purpose, with today's date) once a default needs bumping: CI, not an outage."""
    today = today_utc()
    for check in configured_checks(defaults, today):
        assert check.status == OK, (
            f"{check.message} Bump the default in socialmart/settings.py, .env.example and "
            "README.md, and the table in connectors/meta/versions.py."
        )
        if check.expires is not None:
            assert (check.expires - today).days >= WARN_DAYS


def test_the_defaults_are_the_longest_lived_versions(defaults: Settings) -> None:
    today = today_utc()
    assert defaults.meta.api_version == longest_lived(MARKETING_API, today).version
    assert defaults.instagram.api_version == longest_lived(INSTAGRAM_GRAPH_API, today).version
    assert defaults.meta.api_version == "v27.0"


def test_longest_lived_prefers_a_version_without_sunset_then_the_newest() -> None:
    assert longest_lived(MARKETING_API, DEC_6).version == "v27.0"
    assert longest_lived(INSTAGRAM_GRAPH_API, DEC_6).version == "v27.0"


def test_v25_warns_79_days_before_its_sunset() -> None:
    check = check_version(MARKETING_API, "v25.0", DEC_6)
    assert (check.status, check.days_left, check.expires) == (EXPIRING, 79, date(2027, 2, 23))
    assert check.message == (
        "META_API_VERSION=v25.0: Meta Marketing API v25.0 expires on 2027-02-23 (79 days left, "
        "fewer than 90); set META_API_VERSION=v27.0 (the version with the longest life) before "
        "then. Dates: https://developers.facebook.com/documentation/ads-commerce/marketing-api/"
        "marketing-api-changelog/versions"
    )
    # 90 days or more: fine. The warning starts below 90.
    assert check_version(MARKETING_API, "v25.0", date(2026, 11, 25)).status == OK
    assert check_version(MARKETING_API, "v25.0", date(2026, 11, 26)).status == EXPIRING


def test_expired_versions_name_the_error_and_the_fix() -> None:
    check = check_version(MARKETING_API, "v24.0", DEC_6)
    assert check.status == EXPIRED
    assert check.days_left == -26
    assert check.message.startswith(
        "META_API_VERSION=v24.0: Meta Marketing API v24.0 expired on 2026-11-10; Meta answers "
        "calls to it with an error (#2635) or upgrades them. Set META_API_VERSION=v27.0"
    )
    assert check_version(MARKETING_API, "v24.0", date(2026, 11, 10)).status == EXPIRED
    assert check_version(MARKETING_API, "v24.0", date(2026, 11, 9)).status == EXPIRING
    old = check_version(MARKETING_API, "v17.0", DEC_6)
    assert old.status == EXPIRED
    assert "older than every version still listed" in old.message


def test_unknown_versions_say_so() -> None:
    check = check_version(MARKETING_API, "v28.0", DEC_6)
    assert check.status == UNKNOWN
    assert check.days_left is None
    assert "is not in the known version table" in check.message
    assert "sunset date is unknown" in check.message
    assert check_version(MARKETING_API, "latest", DEC_6).status == UNKNOWN


def test_instagram_uses_graph_api_dates() -> None:
    # Graph API v25.0 lives until 2028-07-29, unlike Marketing API v25.0.
    check = check_version(INSTAGRAM_GRAPH_API, "v25.0", DEC_6)
    assert (check.status, check.expires, check.setting) == (
        OK,
        date(2028, 7, 29),
        "INSTAGRAM_API_VERSION",
    )


def test_meta_extract_warns_at_start_when_the_version_runs_out(
    defaults: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(meta_extract, "today_utc", lambda: DEC_6)
    settings = replace(
        defaults,
        meta=replace(defaults.meta, api_version="v25.0", ad_account_ids=("act_1",)),
    )
    with caplog.at_level(logging.WARNING, logger="connectors.meta.versions"):
        assert meta_extract.list_accounts(settings) == ["1"]
    (record,) = caplog.records
    assert record.levelno == logging.WARNING
    assert "META_API_VERSION=v25.0" in record.getMessage()
    assert "79 days left" in record.getMessage()

    caplog.clear()
    expired = replace(settings, meta=replace(settings.meta, api_version="v24.0"))
    with caplog.at_level(logging.WARNING, logger="connectors.meta.versions"):
        meta_extract.list_accounts(expired)
    (record,) = caplog.records
    assert record.levelno == logging.ERROR
    assert "expired on 2026-11-10" in record.getMessage()

    caplog.clear()
    current = replace(settings, meta=replace(settings.meta, api_version="v27.0"))
    with caplog.at_level(logging.WARNING, logger="connectors.meta.versions"):
        meta_extract.list_accounts(current)
    assert caplog.records == []


def test_instagram_extract_warns_about_its_own_version(
    defaults: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(instagram_extract, "today_utc", lambda: date(2028, 6, 1))
    settings = replace(
        defaults,
        instagram=replace(defaults.instagram, api_version="v25.0", business_account_id="17"),
    )
    with caplog.at_level(logging.WARNING, logger="connectors.meta.versions"):
        assert instagram_extract.list_accounts(settings) == ["17"]
    assert "INSTAGRAM_API_VERSION=v25.0" in caplog.text
    assert "58 days left" in caplog.text


def test_an_expired_version_fails_the_extract_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    """Against the stand-in, which answers expired versions with Meta's error 2635."""
    from sandbox.client_env import client_env
    from sandbox.server import serve_in_thread
    from socialmart import pipeline

    monkeypatch.setenv("SANDBOX_NOW", "2026-12-06T00:00:00")
    with serve_in_thread(port=0, seed=7) as running:
        env = {
            **client_env(),
            "SOCIALMART_HOME": str(tmp_path),
            "SANDBOX_PORT": running.base_url.rsplit(":", 1)[1],
            "META_API_VERSION": "v24.0",
            "HTTP_BACKOFF_BASE_SECONDS": "0.01",
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        window = pipeline.Window(date(2026, 11, 1), date(2026, 11, 1))
        outcome = pipeline.extract(load_settings(), window, "run-1", sources=("meta",))
    assert outcome.manifests == []
    assert outcome.failures
    for failure in outcome.failures:
        assert "code 2635" in failure.error
        assert "You are calling a deprecated version of the Ads API" in failure.error
        assert "Set META_API_VERSION to a supported version" in failure.error

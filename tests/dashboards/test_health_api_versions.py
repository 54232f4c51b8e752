"""The data-health file and page say when a configured Meta API version runs out.

Dates: Marketing API version history (https://developers.facebook.com/documentation/
ads-commerce/marketing-api/marketing-api-changelog/versions): v25.0 expires 2027-02-23.
"""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from connectors.meta import versions
from dashboards.queries import health
from socialmart import publish, warehouse
from socialmart.settings import PROJECT_ROOT, Settings, load_settings

PAGE = str(PROJECT_ROOT / "dashboards" / "views" / "health.py")
DEC_6 = date(2026, 12, 6)


def _refresh(monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    monkeypatch.setattr(versions, "today_utc", lambda: DEC_6)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    with warehouse.connect(settings) as con:
        publish.refresh_health(con, settings)
    return settings


def test_health_file_records_each_configured_version(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    refreshed = _refresh(monkeypatch, META_API_VERSION="v25.0", INSTAGRAM_API_VERSION="v27.0")
    table = health.api_versions(refreshed.published_health_path)
    rows = table[["setting", "version", "status", "expires", "days_left"]].values.tolist()
    assert rows[0][:3] == ["META_API_VERSION", "v25.0", "expiring"]
    assert (rows[0][3].date(), rows[0][4]) == (date(2027, 2, 23), 79)
    assert rows[1][:3] == ["INSTAGRAM_API_VERSION", "v27.0", "ok"]
    assert "79 days left" in table["message"][0]


def test_page_warns_about_an_expiring_version(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _refresh(monkeypatch, META_API_VERSION="v25.0")
    app = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not app.exception, [exception.message for exception in app.exception]
    assert "API versions" in [header.value for header in app.subheader]
    warnings = [w.value for w in app.warning if "META_API_VERSION=v25.0" in w.value]
    assert len(warnings) == 1
    assert "expires on 2027-02-23 (79 days left" in warnings[0]
    assert "set META_API_VERSION=v27.0" in warnings[0]
    (versions_frame,) = [f.value for f in app.dataframe if "days_left" in f.value]
    assert set(versions_frame["setting"]) == {"META_API_VERSION", "INSTAGRAM_API_VERSION"}


def test_page_says_unknown_versions_are_unknown(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _refresh(monkeypatch, META_API_VERSION="v31.0")
    app = AppTest.from_file(PAGE, default_timeout=60).run()
    assert any("sunset date is unknown" in w.value for w in app.warning)


def test_current_defaults_show_no_version_warning(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("META_API_VERSION", raising=False)
    monkeypatch.delenv("INSTAGRAM_API_VERSION", raising=False)
    _refresh(monkeypatch)
    app = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not [w for w in app.warning if "API_VERSION" in w.value]
    assert any("90 days or more" in c.value for c in app.caption)

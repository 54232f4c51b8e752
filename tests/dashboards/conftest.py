"""Fixtures for the dashboard tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from socialmart.pipeline import Window

DEMO_SEED = 7
DEMO_NOW = "2026-10-05T12:00:00+00:00"
# Threads switches on inside the Advantage+ campaigns on 2026-10-01.
DEMO_WINDOW = Window(date(2026, 9, 27), date(2026, 10, 4))


@pytest.fixture
def marts_path(tmp_path: Path) -> Path:
    """Where the tests publish: the default location under a temporary SOCIALMART_HOME."""
    return tmp_path / "published" / "marts.duckdb"


@pytest.fixture
def socialmart_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the settings (and so the dashboard) at an empty temporary SOCIALMART_HOME."""
    monkeypatch.setenv("SOCIALMART_HOME", str(tmp_path))
    monkeypatch.delenv("SOCIALMART_PUBLISHED_DIR", raising=False)
    return tmp_path


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SOCIALMART_HOME whose marts and health file were published by the real pipeline.

    One window of every source pulled from the stand-in (time pinned with SANDBOX_NOW, so the
    Advantage+ campaigns switch Threads on inside it), loaded, built by dbt, gated and
    published, as `socialmart run` does. The environment is restored before it returns.
    """
    from stand_in_home import stand_in_home

    from socialmart import pipeline

    home = tmp_path_factory.mktemp("dashboard-demo-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SANDBOX_NOW", DEMO_NOW)
        patch.delenv("SOCIALMART_PUBLISHED_DIR", raising=False)
        with stand_in_home(patch, home, DEMO_SEED) as settings:
            pipeline.run(settings, DEMO_WINDOW, "dashboard-demo")
    return home

"""Fixtures for the dashboard tests."""

from __future__ import annotations

from pathlib import Path

import pytest


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

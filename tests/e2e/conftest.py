"""Fixtures of the end-to-end tests: one stand-in per module, a fresh home per test."""

import pytest
from e2e_support import SEED

from sandbox.client_env import client_env
from socialmart.settings import load_settings


@pytest.fixture(scope="module")
def stand_in():
    from sandbox.server import serve_in_thread

    with serve_in_thread(port=0, seed=SEED) as running:
        yield running


@pytest.fixture
def settings(stand_in, tmp_path, monkeypatch):
    monkeypatch.setenv("SOCIALMART_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("META_GRAPH_BASE_URL", f"{stand_in.base_url}/graph.facebook.com")
    monkeypatch.setenv("SANDBOX_PORT", stand_in.base_url.rsplit(":", 1)[1])
    monkeypatch.setenv("SANDBOX_SEED", str(SEED))
    monkeypatch.setenv("HTTP_BACKOFF_BASE_SECONDS", "0.01")
    for name, value in client_env().items():
        monkeypatch.setenv(name, value)
    return load_settings()

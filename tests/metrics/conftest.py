"""A SOCIALMART_HOME published by the real pipeline, for the semantic layer and demo summary."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from socialmart.pipeline import Window
from socialmart.settings import Settings, load_settings

SEED = 7
# Threads switches on inside the Advantage+ campaigns on 2026-10-01.
WINDOW = Window(date(2026, 9, 27), date(2026, 10, 4))


@pytest.fixture(scope="session")
def published_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of a home whose marts were pulled, built, gated and published (`socialmart run`).

    Real time, not a pinned one, so the window's conversions are final and the marts
    reconcile exactly with the stand-in's ground truth.
    """
    from sandbox.client_env import client_env
    from sandbox.server import serve_in_thread
    from socialmart import pipeline

    home: Path = tmp_path_factory.mktemp("metrics-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SANDBOX_NOW", raising=False)
        patch.delenv("SOCIALMART_PUBLISHED_DIR", raising=False)
        patch.setenv("SOCIALMART_HOME", str(home))
        patch.setenv("SANDBOX_SEED", str(SEED))
        patch.setenv("HTTP_BACKOFF_BASE_SECONDS", "0.01")
        for name, value in client_env().items():
            patch.setenv(name, value)
        with serve_in_thread(port=0, seed=SEED) as stand_in:
            patch.setenv("SANDBOX_PORT", stand_in.base_url.rsplit(":", 1)[1])
            settings = load_settings()
            pipeline.run(settings, WINDOW, "metrics")
    return settings

"""A SOCIALMART_HOME published by the real pipeline, for the semantic layer and demo summary."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from stand_in_home import stand_in_home

from socialmart import pipeline
from socialmart.settings import Settings

SEED = 7
# Threads switches on inside the Advantage+ campaigns on 2026-10-01.
WINDOW = pipeline.Window(date(2026, 9, 27), date(2026, 10, 4))


@pytest.fixture(scope="session")
def published_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of a home whose marts were pulled, built, gated and published (`socialmart run`).

    Real time, not a pinned one, so the window's conversions are final and the marts
    reconcile exactly with the stand-in's ground truth.
    """
    home: Path = tmp_path_factory.mktemp("metrics-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SANDBOX_NOW", raising=False)
        patch.delenv("SOCIALMART_PUBLISHED_DIR", raising=False)
        with stand_in_home(patch, home, SEED) as settings:
            pipeline.run(settings, WINDOW, "metrics")
    return settings

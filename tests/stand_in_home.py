"""A SOCIALMART_HOME fed by the stand-in: how the tests that pull real windows set one up.

Shared by the folders whose fixtures pull from the stand-in (dbt, metrics, dashboards); a
module beside ``pg_support``, importable from every test folder.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from connectors.sources import SOURCE_NAMES
from sandbox.client_env import client_env
from socialmart import pipeline
from socialmart.settings import Settings, load_settings


@contextmanager
def stand_in_home(patch: pytest.MonkeyPatch, home: Path, seed: int) -> Iterator[Settings]:
    """The settings of ``home`` while a stand-in serving ``seed`` runs on a free port.

    Sets SOCIALMART_HOME, SANDBOX_SEED, fast retries, the clients' stand-in settings and
    SANDBOX_PORT on ``patch``; the stand-in stops when the block ends.
    """
    from sandbox.server import serve_in_thread

    patch.setenv("SOCIALMART_HOME", str(home))
    patch.setenv("SANDBOX_SEED", str(seed))
    patch.setenv("HTTP_BACKOFF_BASE_SECONDS", "0.01")
    for name, value in client_env().items():
        patch.setenv(name, value)
    with serve_in_thread(port=0, seed=seed) as stand_in:
        patch.setenv("SANDBOX_PORT", stand_in.base_url.rsplit(":", 1)[1])
        yield load_settings()


def load_pulls(
    settings: Settings,
    patch: pytest.MonkeyPatch,
    window: pipeline.Window,
    pulls: Iterable[tuple[str, str]],
    sources: tuple[str, ...] = SOURCE_NAMES,
) -> None:
    """Extract and load ``window`` of ``sources`` once per ``(run_id, SANDBOX_NOW)`` pull."""
    for run_id, now in pulls:
        patch.setenv("SANDBOX_NOW", now)
        outcome = pipeline.extract(settings, window, run_id, sources=sources)
        assert not outcome.failures, outcome.failures
        pipeline.load(settings, run_id)

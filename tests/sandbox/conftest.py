"""Shared fixtures: a sandbox server running for the module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sandbox_support import SEED

from sandbox.server import RunningSandbox, serve_in_thread


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with serve_in_thread(seed=SEED) as running:
        yield running


@pytest.fixture(scope="module")
def graph(sandbox: RunningSandbox) -> str:
    """Versioned Graph API base URL of the stand-in."""
    return f"{sandbox.meta_base_url}/v27.0"

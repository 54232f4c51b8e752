"""Helpers shared by the connector tests (imported by name; conftest modules are not)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"
TOKEN = "EAAB-test-secret-token-7f3a9c21d4"
META_BASE = "https://graph.facebook.com"
META_API = f"{META_BASE}/v27.0"


def fixture_json(name: str) -> Any:
    """A recorded response body; ``{TOKEN}`` placeholders become the test token."""
    return json.loads((FIXTURES / name).read_text().replace("{TOKEN}", TOKEN))


class FakeClock:
    """``time.time`` and ``time.sleep`` stand-ins: sleeping advances the clock, and is recorded."""

    def __init__(self, start: float = 1_780_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

"""The stand-ins' notion of "now": real time, or ``SANDBOX_NOW`` (ISO 8601) when set.

Late conversions depend on how long after a day it is pulled, so tests and demos pin the time
with ``SANDBOX_NOW=2026-10-05T12:00:00+00:00`` (read on every request, so it can change while
the server runs). A value without an offset is taken as UTC.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime

ENV_VAR = "SANDBOX_NOW"

Clock = Callable[[], datetime]


def parse_now(raw: str) -> datetime:
    """An ISO 8601 moment, timezone-aware (UTC when it carries no offset)."""
    moment = datetime.fromisoformat(raw.strip())
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def sandbox_now() -> datetime:
    """``SANDBOX_NOW`` when set, else the current time (timezone-aware)."""
    raw = os.environ.get(ENV_VAR, "").strip()
    return parse_now(raw) if raw else datetime.now(UTC)

"""The stand-in's notion of "now": real time, or ``SANDBOX_NOW`` (ISO 8601) when set.

Late conversions depend on how long after a day it is pulled, so tests and demos pin the time
with ``SANDBOX_NOW=2026-10-05T12:00:00+00:00`` (read on every request, so it can change while
the server runs). A value without an offset is taken as UTC.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

ENV_VAR = "SANDBOX_NOW"


def sandbox_now() -> datetime:
    """The current stand-in time, timezone-aware."""
    raw = os.environ.get(ENV_VAR, "").strip()
    if not raw:
        return datetime.now(UTC)
    parsed = datetime.fromisoformat(raw)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)

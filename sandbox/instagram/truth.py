"""Ground truth of the Instagram stand-in, from the generator (never from the server)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sandbox.creators import partnership_media
from sandbox.instagram.media import AVAILABLE, MEDIA_METRICS, media_metrics, status


def media_insights(
    seed: int, now: datetime, media_ids: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """One dict per partnership post published by ``now``: ``media_id``, ``status`` and the
    metrics (None unless available)."""
    wanted = set(media_ids) if media_ids is not None else None
    rows = []
    for media in partnership_media():
        if media.posted_at > now or (wanted is not None and media.media_id not in wanted):
            continue
        state = status(media, now)
        numbers: dict[str, Any] = (
            media_metrics(seed, media, now) if state == AVAILABLE else dict.fromkeys(MEDIA_METRICS)
        )
        rows.append({"media_id": media.media_id, "status": state} | numbers)
    return rows

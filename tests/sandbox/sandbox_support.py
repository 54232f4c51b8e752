"""Helpers for the sandbox tests: constants and a client that walks Meta paging."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import Any

import requests

from sandbox.routing import Platform, Router
from sandbox.server import RunningSandbox, SandboxServer
from sandbox.threads.api import ThreadsApi
from socialmart.settings import SANDBOX_META_TOKEN, SANDBOX_THREADS_TOKEN

SEED = 42
TOKEN = SANDBOX_META_TOKEN
EU, US, UK = "248710003360117", "579220001184532", "331840007712906"


@contextmanager
def serving(platform: Platform, path: str) -> Iterator[str]:
    """Serve one stand-in platform alone (e.g. with its own clock) for the ``with`` block.

    Yields:
        The base URL followed by ``path`` (e.g. ``graph.threads.net/v1.0``).
    """
    running = RunningSandbox(SandboxServer(("127.0.0.1", 0), Router([platform]), None))
    try:
        yield f"{running.base_url}/{path}"
    finally:
        running.stop()


def serving_threads(now: datetime) -> AbstractContextManager[str]:
    """The Threads stand-in alone, its clock stopped at ``now``; yields its v1.0 base URL."""
    platform = ThreadsApi(seed=SEED, token=SANDBOX_THREADS_TOKEN, clock=lambda: now)
    return serving(platform, "graph.threads.net/v1.0")


def insights_params(since: str, until: str, **extra: Any) -> dict[str, Any]:
    """A typical ad x day x placement insights request."""
    params = {
        "access_token": TOKEN,
        "level": "ad",
        "time_increment": "1",
        "time_range": json.dumps({"since": since, "until": until}),
        "breakdowns": "publisher_platform,platform_position",
        "fields": "account_id,account_currency,campaign_id,adset_id,ad_id,impressions,clicks,"
        "spend,actions,action_values",
        "action_attribution_windows": '["1d_click","7d_click","28d_click","1d_ev","1d_view"]',
    }
    params.update(extra)
    return params


def walk(url: str, params: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Follow ``paging.next`` as a Meta client must; returns all rows and every page body."""
    rows: list[dict[str, Any]] = []
    pages: list[dict[str, Any]] = []
    response = requests.get(url, params=params, timeout=10)
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body)
        rows.extend(body["data"])
        next_url = body.get("paging", {}).get("next")
        if not next_url:
            return rows, pages
        response = requests.get(next_url, timeout=10)

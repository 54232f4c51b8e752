"""Latency of every query the dashboard pages run, on a published marts folder.

``measure(published_dir, repeats)`` calls the very functions the pages call (``dashboards.queries``,
``advantage_plus``, ``creators``, ``performance``, ``health``) with the arguments a reader's
first view of each page uses, over the whole date span and over its last 30 days, and reports
p50 / p95 in milliseconds per query and overall. The queries read the published file the way
the pages do: through ``dashboards.reader``'s database per published file version, whose
summaries each query builds on its first use. Those one-off costs, paid once per publication
and dashboard process, show in ``setup_ms`` (finding the ids the calls use runs a few
queries: open the file, build the Advantage+, spend and account-filter summaries) and in each
query's ``first_ms``; run in a fresh process to see them. Nothing here is a test: it only
measures.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from dashboards import reader
from dashboards.queries import advantage_plus, creators, health, performance, publication, spend

MARTS_FILE = "marts.duckdb"
HEALTH_FILE = "health.duckdb"
RECENT_DAYS = 30

Call = Callable[[], Any]


def percentile(samples: list[float], pct: float) -> float:
    """Nearest-rank percentile of ``samples`` (not empty)."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def _selection_calls(marts: Path, name: str, selection: reader.Selection) -> dict[str, Call]:
    """The queries that depend on the reader's selection, labelled ``<query>[<name>]``."""
    start, end = selection.start, selection.end
    calls: dict[str, Call] = {
        "advantage_plus.campaigns": lambda: advantage_plus.campaigns(marts, selection),
        "creators.leaderboard[revenue]": lambda: creators.leaderboard(
            marts, start, end, "creator_driven_revenue"
        ),
        "creators.leaderboard[roi]": lambda: creators.leaderboard(marts, start, end, "creator_roi"),
        "spend.totals_by_currency": lambda: spend.totals_by_currency(marts, selection),
    }
    campaigns = advantage_plus.campaigns(marts, selection)
    if not campaigns.empty:
        campaign_id = campaigns["campaign_id"].iloc[0]
        calls["advantage_plus.daily_share"] = lambda: advantage_plus.daily_share(
            marts, campaign_id, start, end
        )
        calls["advantage_plus.placements"] = lambda: advantage_plus.placements(
            marts, campaign_id, start, end
        )
        calls["advantage_plus.weekly_split"] = lambda: advantage_plus.weekly_split(
            marts, campaign_id, start, end
        )
    board = creators.leaderboard(marts, start, end, "creator_driven_revenue")
    if not board.empty:
        creator_id = board["creator_id"].iloc[0]
        calls["creators.daily"] = lambda: creators.daily(marts, creator_id, start, end)
    for mode in performance.CURRENCY_MODES:
        calls[f"performance.totals[{mode}]"] = lambda m=mode: performance.totals(
            marts, selection, m
        )
        calls[f"performance.daily_by_platform[{mode}]"] = lambda m=mode: (
            performance.daily_by_platform(marts, selection, m)
        )
        for level in performance.LEVELS:
            calls[f"performance.breakdown[{mode},{level}]"] = lambda m=mode, lv=level: (
                performance.breakdown(marts, selection, m, lv)
            )
    totals = spend.totals_by_currency(marts, selection)
    if not totals.empty:
        currency = totals["account_currency"].iloc[0]
        calls["spend.spend_by_platform_daily"] = lambda: spend.spend_by_platform_daily(
            marts, selection, currency
        )
        calls["spend.platform_totals"] = lambda: spend.platform_totals(marts, selection, currency)
    return {f"{query}[{name}]": call for query, call in calls.items()}


def dashboard_calls(published_dir: Path) -> dict[str, Call]:
    """Every dashboard query with the arguments the pages use, by a readable name.

    Args:
        published_dir: The folder holding ``marts.duckdb`` and ``health.duckdb``.

    Returns:
        Name -> a call running that one query; empty when nothing dated is published.
    """
    marts, health_file = published_dir / MARTS_FILE, published_dir / HEALTH_FILE
    span = publication.date_span(marts)
    if span is None:
        return {}
    first, last = span
    calls: dict[str, Call] = {
        # Every page: the shared filters and the publication caption.
        "publication.date_span": lambda: publication.date_span(marts),
        "publication.filter_accounts": lambda: publication.filter_accounts(marts),
        "publication.latest_publication": lambda: publication.latest_publication(marts),
        "publication.missing_tables": lambda: publication.missing_tables(
            marts, [advantage_plus.SPLIT_TABLE]
        ),
        "publication.marts_status": lambda: publication.marts_status(marts),
        "publication.date_bounds": lambda: publication.date_bounds(marts),
        # Data health.
        "health.last_publication": lambda: health.last_publication(health_file),
        "health.gate_history": lambda: health.gate_history(health_file),
        "health.gate_failures": lambda: health.gate_failures(health_file),
        "health.source_freshness": lambda: health.source_freshness(health_file, datetime.now(UTC)),
        "health.gate_failure_after_publication": lambda: health.gate_failure_after_publication(
            health_file
        ),
        "health.restatement_rows": lambda: health.restatement_rows(health_file),
    }
    recent = reader.Selection(max(first, last - timedelta(days=RECENT_DAYS - 1)), last)
    calls |= _selection_calls(marts, "all", reader.Selection(first, last))
    calls |= _selection_calls(marts, f"{RECENT_DAYS}d", recent)
    return calls


def measure(published_dir: Path, repeats: int) -> dict[str, Any]:
    """Time every dashboard query ``repeats`` times on the published marts.

    Args:
        published_dir: The folder holding the published ``marts.duckdb`` (and
            ``health.duckdb``), e.g. ``Settings.published_dir``.
        repeats: How often each query runs (at least 1).

    Returns:
        ``{"queries": {name: {"p50_ms", "p95_ms", "first_ms"}}, "p50_ms", "p95_ms",
        "samples", "setup_ms"}``: per query (names as in :func:`dashboard_calls`; ``first_ms``
        its first sample), then over every sample of every query; ``setup_ms`` is the time
        :func:`dashboard_calls` took. ``{"error": ...}`` when nothing dated is published.

    Raises:
        ValueError: ``repeats`` is below 1.
    """
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, not {repeats}")
    started = time.perf_counter()
    calls = dashboard_calls(published_dir)
    setup_ms = (time.perf_counter() - started) * 1000
    if not calls:
        return {"error": f"no published dated marts in {published_dir}"}
    queries: dict[str, dict[str, float]] = {}
    every: list[float] = []
    for name, call in calls.items():
        samples = []
        for _ in range(repeats):
            started = time.perf_counter()
            call()
            samples.append((time.perf_counter() - started) * 1000)
        queries[name] = {
            "p50_ms": percentile(samples, 50),
            "p95_ms": percentile(samples, 95),
            "first_ms": samples[0],
        }
        every += samples
    return {
        "queries": queries,
        "p50_ms": percentile(every, 50),
        "p95_ms": percentile(every, 95),
        "samples": len(every),
        "setup_ms": setup_ms,
    }

"""HTTP requests per Meta extract against the stand-in (issue #8): one request per page of
the page size asked for, no trailing empty page, one date span, and by default the largest
page Meta serves, so each stream of an account takes ``max(1, ceil(rows / 5000))`` requests."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from connectors.common.spool import Manifest, read_manifest
from connectors.meta.extract import extract_account
from connectors.meta.streams import AD_INSIGHTS_PLACEMENT
from sandbox.server import serve_in_thread
from socialmart.settings import Settings, load_settings

SEED = 42  # the benchmark's seed
ACCOUNT = "248710003360117"  # the stand-in's busiest account
END = date(2026, 10, 4)  # the benchmark's window end
LARGEST_META_PAGE = 5000
FORMER_DEFAULT_PAGE = 500


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.setenv("SANDBOX_NOW", "2026-10-05T12:00:00+00:00")
    with serve_in_thread(seed=SEED) as running:
        monkeypatch.setenv("SOCIALMART_HOME", str(tmp_path))
        monkeypatch.setenv("META_GRAPH_BASE_URL", running.meta_base_url)
        monkeypatch.delenv("META_PAGE_LIMIT", raising=False)
        yield load_settings()


def _extract(settings: Settings, days: int) -> list[Manifest]:
    start = END - timedelta(days=days - 1)
    paths = extract_account(settings, ACCOUNT, start, END, f"run-{days}")
    return [read_manifest(path) for path in paths]


def _fewest_requests(manifests: list[Manifest], page_size: int) -> list[tuple[str, int]]:
    return [(m.stream, max(1, math.ceil(m.row_count / page_size))) for m in manifests]


def _requests(manifests: list[Manifest]) -> list[tuple[str, int]]:
    return [(m.stream, m.request_count) for m in manifests]


@pytest.mark.parametrize("days", [7, 28])
def test_default_page_size_takes_the_fewest_requests_meta_allows(
    settings: Settings, days: int
) -> None:
    manifests = _extract(settings, days)

    placement = next(m for m in manifests if m.stream == AD_INSIGHTS_PLACEMENT.name)
    assert placement.row_count > FORMER_DEFAULT_PAGE  # several pages at the former default
    assert _requests(manifests) == _fewest_requests(manifests, LARGEST_META_PAGE)


def test_a_smaller_page_size_costs_one_request_per_page_and_no_more(settings: Settings) -> None:
    small_pages = replace(settings, meta=replace(settings.meta, page_limit=100))

    manifests = _extract(small_pages, 28)

    assert sum(m.request_count for m in manifests) > len(manifests)
    assert _requests(manifests) == _fewest_requests(manifests, 100)

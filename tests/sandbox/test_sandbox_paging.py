"""Cursor paging: every row exactly once, Meta's ``next`` semantics, token in ``next``."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sandbox_support import EU, TOKEN, US, insights_params, walk

from sandbox.meta.paging import decode_cursor, encode_cursor
from sandbox.server import RunningSandbox


def _key(row: dict[str, str]) -> tuple[str, ...]:
    return (row["date_start"], row["ad_id"], row["publisher_platform"], row["platform_position"])


@pytest.mark.parametrize("limit", ["7", "25", "1000"])
def test_walk_returns_every_row_exactly_once(graph: str, limit: str) -> None:
    url = f"{graph}/act_{US}/insights"
    everything = requests.get(
        url, params=insights_params("2026-09-28", "2026-10-03", limit="5000"), timeout=10
    ).json()
    assert "next" not in everything["paging"]
    rows, pages = walk(url, insights_params("2026-09-28", "2026-10-03", limit=limit))
    assert [_key(r) for r in rows] == [_key(r) for r in everything["data"]]
    assert len(set(map(_key, rows))) == len(rows)
    assert all(len(p["data"]) == int(limit) for p in pages[:-1])
    assert len(pages) == -(-len(rows) // int(limit))


def test_next_repeats_query_with_token_and_new_after(graph: str, sandbox: RunningSandbox) -> None:
    params = insights_params("2026-10-01", "2026-10-01", limit="3")
    body = requests.get(f"{graph}/act_{EU}/insights", params=params, timeout=10).json()
    next_url = body["paging"]["next"]
    parts = urlsplit(next_url)
    assert f"{parts.scheme}://{parts.netloc}" == sandbox.base_url
    assert parts.path == f"/graph.facebook.com/v27.0/act_{EU}/insights"
    query = parse_qs(parts.query)
    assert parts.query.startswith("access_token=")
    assert query["access_token"] == [TOKEN]
    assert query["after"] == [body["paging"]["cursors"]["after"]]
    for name in ("level", "time_range", "breakdowns", "fields", "limit"):
        assert query[name] == [params[name]]


def test_token_from_bearer_header_still_appears_in_next(graph: str) -> None:
    params = insights_params("2026-10-01", "2026-10-01", limit="2")
    del params["access_token"]
    headers = {"Authorization": f"Bearer {TOKEN}"}
    body = requests.get(f"{graph}/act_{EU}/insights", params=params, headers=headers, timeout=10)
    assert parse_qs(urlsplit(body.json()["paging"]["next"]).query)["access_token"] == [TOKEN]


def test_last_page_has_cursors_but_no_next(graph: str) -> None:
    rows, pages = walk(f"{graph}/act_{EU}/insights", insights_params("2026-10-01", "2026-10-01"))
    last = pages[-1]
    assert "next" not in last["paging"]
    assert set(last["paging"]["cursors"]) == {"before", "after"}
    assert all("next" in p["paging"] for p in pages[:-1])
    assert len(pages) > 1 and rows


def test_empty_result_is_bare_data(graph: str) -> None:
    # No campaign ran in January 2025 (the earliest starts in May 2026).
    body = requests.get(
        f"{graph}/act_{US}/insights", params=insights_params("2025-01-01", "2025-01-31"), timeout=10
    ).json()
    assert body == {"data": []}


def test_entity_edges_page_too(graph: str) -> None:
    rows, pages = walk(f"{graph}/act_{EU}/ads", {"access_token": TOKEN, "limit": "5"})
    # 20 ads, of which two archived and one deleted are left out without a status filter.
    assert len(pages) == 4 and len(rows) == 17
    assert len({r["id"] for r in rows}) == 17


def test_cursor_encoding_looks_like_meta() -> None:
    assert encode_cursor(0) == "MAZDZD"
    assert encode_cursor(1) == "MQZDZD"
    for offset in (0, 1, 9, 10, 99, 123, 4999, 1234567):
        assert decode_cursor(encode_cursor(offset)) == offset

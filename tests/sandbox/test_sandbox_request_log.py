"""The stand-in's opt-in request log: one token-free JSON line per served request."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import requests
from sandbox_support import TOKEN

from sandbox.server import serve_in_thread


def test_request_log_lines_keep_the_paging_and_drop_credentials(tmp_path: Path) -> None:
    log = tmp_path / "requests.jsonl"
    with serve_in_thread(seed=1, request_log=log) as sandbox:
        accounts = f"{sandbox.meta_base_url}/v27.0/me/adaccounts"
        params = {"access_token": TOKEN, "fields": "name", "limit": "5"}
        assert requests.get(accounts, params=params, timeout=10).status_code == 200
        requests.post(
            f"{sandbox.tiktok_shop_base_url}/affiliate_seller/202410/orders/search",
            params={"app_key": "k", "sign": "s", "timestamp": "1", "page_token": "p2"},
            data=b'{"page_size": 10}',
            timeout=10,
        )
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(line["method"], line["status"]) for line in lines][0] == ("GET", 200)
    assert lines[0]["path"] == "/graph.facebook.com/v27.0/me/adaccounts"
    assert sorted(map(tuple, lines[0]["query"])) == [("fields", "name"), ("limit", "5")]
    assert lines[0]["body_sha256"] is None
    assert sorted(map(tuple, lines[1]["query"])) == [("page_token", "p2"), ("timestamp", "1")]
    assert lines[1]["body_sha256"] == hashlib.sha256(b'{"page_size": 10}').hexdigest()
    assert TOKEN not in log.read_text()


def test_no_request_log_unless_asked(tmp_path: Path) -> None:
    with serve_in_thread(seed=1) as sandbox:
        requests.get(f"{sandbox.meta_base_url}/v27.0/me/adaccounts", timeout=10)
        assert sandbox.server.request_log is None
    assert list(tmp_path.iterdir()) == []

"""A blocked gate POSTs to the webhook (never failing the gate), so does a passing one that saw a
placement share jump in the newest week; Data Docs per validation."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import duckdb
import pytest
from mart_tables import PLACEMENTS as DATASET

from expectations.gate import run_gate
from socialmart.settings import Settings, load_settings


class _Webhook(BaseHTTPRequestHandler):
    received: list[dict] = []
    status = 200

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        length = int(self.headers["Content-Length"])
        type(self).received.append(json.loads(self.rfile.read(length)))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def webhook() -> Iterator[tuple[str, type[_Webhook]]]:
    handler = type("Hook", (_Webhook,), {"received": [], "status": 200})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hooks/secret-token", handler
    finally:
        server.shutdown()
        server.server_close()


def _with_webhook(monkeypatch: pytest.MonkeyPatch, url: str) -> Settings:
    monkeypatch.setenv("ALERT_WEBHOOK_URL", url)
    return load_settings()


def test_blocked_gate_posts_the_failing_expectations(
    settings: Settings, write_placements, dbt_tests, good_rows, webhook, monkeypatch, caplog
) -> None:
    url, hook = webhook
    settings = _with_webhook(monkeypatch, url)
    write_placements(good_rows)
    assert run_gate(settings, "run-good").passed
    assert hook.received == []  # nothing to say when the gate passes

    write_placements([good_rows[0] | {"ad_id": None}, good_rows[1]])
    dbt_tests("run-bad", "fct_placement_performance_daily")
    assert not run_gate(settings, "run-bad").passed
    [payload] = hook.received
    assert payload["run_id"] == "run-bad" and payload["gate"] == "marts"
    assert "blocked run run-bad" in payload["text"]
    failing = payload["failing_expectations"]
    assert any("dbt.not_null(ad_id): 1 failing row(s)" in line for line in failing)
    assert "secret-token" not in caplog.text


def test_a_failing_webhook_never_fails_the_gate(
    settings: Settings, write_placements, dbt_tests, good_rows, webhook, monkeypatch, caplog
) -> None:
    url, hook = webhook
    hook.status = 500
    write_placements([good_rows[0] | {"ad_id": None}])
    dbt_tests("run-bad", "fct_placement_performance_daily")
    for target in (url, "http://127.0.0.1:9/closed-port-token"):
        outcome = run_gate(_with_webhook(monkeypatch, target), "run-bad")
        assert not outcome.passed
    assert len(hook.received) == 1
    assert "HTTP 500" in caplog.text and "ConnectionError" in caplog.text
    assert "token" not in caplog.text


def test_data_docs_render_every_suite_and_the_path_is_recorded(
    settings: Settings, write_mart, good_rows, caplog
) -> None:
    write_mart(good_rows)
    outcome = run_gate(settings, "run-docs")
    # observed aggregates render (numpy scalars made GX's renderer fail)
    assert "data docs rendering" not in caplog.text
    index = outcome.data_docs_path
    assert index is not None and index.is_file()
    assert index.is_relative_to(settings.home / "data_docs" / "run-docs")
    suites = {r.suite for r in outcome.results}
    html = index.read_text()
    for suite in suites:
        assert suite in html
        page = (index.parent / f"{suite}.html").read_text()
        assert "Great Expectations" in page and suite in page
        # What GX prints when it is not told: the check and the run say who they are.
        assert "Data asset: None" not in page and "__none__" not in page
        assert f"Data asset: {suite}" in page and "marts gate, run run-docs" in page
        # Offline: nothing is loaded from a CDN or elsewhere; the styles are inline.
        assert re.findall(r'(?:src|href)="(?:https?:)?//[^"]*\.(?:css|js)', page) == []
        assert re.findall(r'<(?:script|img)\b[^>]*\bsrc="(?:https?:)?//', page) == []
        assert "<style>" in page
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        recorded = con.execute(
            "select data_docs_path from audit.gate_validations where run_id = 'run-docs'"
        ).fetchall()
    assert recorded == [(str(index),)]
    assert f"{DATASET}.shares" in suites and Path(recorded[0][0]).exists()


def _share_changes(is_latest_week: bool) -> list[dict]:
    """A Threads jump (in the newest week or not) and an older Facebook drop."""
    change = {"platform": "meta", "ad_account_id": "111", "account_currency": "EUR"}
    change |= {"campaign_id": "c1", "spend": "25.00", "campaign_spend": "100.00"}
    return [
        change
        | {"publisher_platform": "threads", "platform_position": "threads_feed"}
        | {"previous_spend_share": "0.02", "spend_share": "0.25"}
        | {"week_start_date": "2026-10-12", "is_latest_week": is_latest_week},
        change
        | {"publisher_platform": "facebook", "platform_position": "feed"}
        | {"previous_spend_share": "0.60", "spend_share": "0.40"}
        | {"week_start_date": "2026-10-05", "is_latest_week": False},
    ]


def test_a_share_jump_in_the_newest_week_warns_alerts_and_still_publishes(
    settings: Settings, write_table, webhook, monkeypatch
) -> None:
    from mart_tables import spec_table

    from expectations.suites import marts

    url, hook = webhook
    settings = _with_webhook(monkeypatch, url)
    columns = spec_table(marts.RPT_PLACEMENT_SHARE_CHANGES)
    assert columns["is_latest_week"] == "boolean"

    write_table(marts.RPT_PLACEMENT_SHARE_CHANGES.dataset, columns, _share_changes(False))
    assert run_gate(settings, "run-quiet").passed
    assert hook.received == []  # older changes are history: no warning, no alert

    write_table(marts.RPT_PLACEMENT_SHARE_CHANGES.dataset, columns, _share_changes(True))
    outcome = run_gate(settings, "run-jump")
    assert outcome.passed  # a warning: the marts still publish
    [warning] = [w for w in outcome.warnings if w.suite.endswith(".placement_share_jump")]
    assert "meta campaign c1, threads/threads_feed: 2.0 % -> 25.0 %" in warning.observed_value
    assert "facebook" not in warning.observed_value
    [payload] = hook.received
    assert payload["run_id"] == "run-jump" and "newest week" in payload["text"]
    assert "threads/threads_feed: 2.0 % -> 25.0 %" in payload["placement_share_jumps"][0]

"""A bad day at the platforms, end to end: nothing lost, nothing wrong published (issue 13).

The stand-in answers one account's insights with an empty page in a re-pulled window, then
with a field no stream declares. The published file must stay byte-identical while the
empty answer stands, and the marts must come back exactly when the platform answers again.
"""

import hashlib

import duckdb
import pytest
from e2e_support import SEED, WINDOW, all_text, assert_no_secret_in, mart_rows

from devtools.reconcile import reconcile_placements
from expectations.gate import GateFailed
from sandbox.faults import FaultPlan
from socialmart import pipeline

pytestmark = pytest.mark.e2e

ACCOUNT = "579220001184532"
INSIGHTS = rf"/act_{ACCOUNT}/insights$"


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _raw_versions(settings) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(
            "select count(*), count(*) filter (where _is_deleted) "
            "from raw.meta__ad_insights_placement"
        ).fetchall()


def test_an_empty_page_blocks_publishing_and_loses_nothing(settings, stand_in):
    pipeline.run(settings, WINDOW, "bad-day-clean")
    published = _digest(settings.published_marts_path)
    rows_before, raw_before = mart_rows(settings.published_marts_path), _raw_versions(settings)

    stand_in.server.faults = FaultPlan.from_rules(
        [{"kind": "empty_data", "match": INSIGHTS, "times": None}]
    )
    try:
        with pytest.raises(GateFailed) as blocked:
            pipeline.run(settings, WINDOW, "bad-day-empty")
    finally:
        stand_in.server.faults = None
    message = str(blocked.value)
    assert "Raw gate FAILED" in message
    assert (
        f"meta/ad_insights_placement account {ACCOUNT}: the pull of "
        f"{WINDOW.start}..{WINDOW.end} returned 0 rows where" in message
    )
    assert f"LOAD_CONFIRM_DELETIONS=meta/ad_insights_placement/{ACCOUNT}" in message
    assert _digest(settings.published_marts_path) == published
    assert _raw_versions(settings) == raw_before  # no tombstone written

    # The platform answers again, now with a field no stream declares: the rows come back
    # unchanged, the drift is recorded and only warns, and the marts are exactly as before.
    stand_in.server.faults = FaultPlan.from_rules(
        [{"kind": "extra_field", "match": INSIGHTS, "times": None}]
    )
    try:
        summary = pipeline.run(settings, WINDOW, "bad-day-back")
    finally:
        stand_in.server.faults = None
    drift = {(r.suite, r.observed_value) for r in summary.raw_gate.warnings if "drift" in r.suite}
    assert drift and "undeclared field undeclared_metric" in next(iter(drift))[1]
    assert mart_rows(settings.published_marts_path) == rows_before
    assert _raw_versions(settings) == raw_before
    verdict = reconcile_placements(settings.published_marts_path, SEED, WINDOW.start, WINDOW.end)
    assert verdict.ok, verdict.mismatches[:5]
    with duckdb.connect(str(settings.published_health_path), read_only=True) as con:
        fields = con.execute("select stream, field from schema_drift order by all").fetchall()
    assert ("ad_insights_placement", "undeclared_metric") in fields
    assert_no_secret_in(all_text(settings), settings)


def test_invalid_bytes_fail_the_account_and_the_others_load(settings, stand_in):
    stand_in.server.faults = FaultPlan.from_rules(
        [{"kind": "invalid_utf8", "match": INSIGHTS, "times": None}]
    )
    try:
        with pytest.raises(pipeline.ExtractFailed) as failed:
            pipeline.run(settings, WINDOW, "bad-bytes")
    finally:
        stand_in.server.faults = None
    [failure] = failed.value.failures
    assert (failure.source, failure.account) == ("meta", ACCOUNT)
    assert "not valid UTF-8" in failure.error and "access_token=" not in failure.error.replace(
        "access_token=***", ""
    )
    assert not settings.published_marts_path.exists()
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        accounts = con.execute(
            "select distinct account_id from raw._loads where stream = 'ad_insights_placement'"
        ).fetchall()
    assert ACCOUNT not in {account for (account,) in accounts} and len(accounts) == 2

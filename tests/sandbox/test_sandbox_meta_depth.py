"""Meta stand-in in depth: entity statuses and creatives, async report runs, restatements."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import requests
from sandbox_support import EU, SEED, TOKEN, US, insights_params, walk

from sandbox.faults import FaultPlan
from sandbox.meta.restatement import DEFAULT_HORIZON_DAYS, MaturingConversions
from sandbox.meta.scenario import THREADS_FEED, build_scenario
from sandbox.meta.truth import ad_truth, entity_truth
from sandbox.server import RunningSandbox

ALL = '["ACTIVE","PAUSED","ARCHIVED","DELETED","CAMPAIGN_PAUSED"]'
SCENARIO = build_scenario()


def _get(url: str, headers: dict[str, str] | None = None, **params: str) -> requests.Response:
    return requests.get(url, params={"access_token": TOKEN, **params}, headers=headers, timeout=10)


def test_campaigns_with_statuses_and_advantage_fields(graph: str) -> None:
    fields = "id,name,objective,status,effective_status,daily_budget,smart_promotion_type,"
    fields += "advantage_state_info,stop_time"
    default = _get(f"{graph}/act_{EU}/campaigns", fields=fields).json()["data"]
    every = _get(f"{graph}/act_{EU}/campaigns", fields=fields, effective_status=ALL).json()["data"]
    assert {c["effective_status"] for c in default} == {"ACTIVE"}
    archived = [c for c in every if c["effective_status"] == "ARCHIVED"]
    assert len(archived) == 1 and "stop_time" in archived[0]
    plus = next(c for c in every if "advantage_state_info" in c)
    assert plus["smart_promotion_type"] == "GUIDED_CREATION"
    assert plus["advantage_state_info"]["advantage_placement_state"] == "ENABLED"
    assert any(c.get("smart_promotion_type") == "AUTOMATED_SHOPPING_ADS" for c in every)
    assert all(isinstance(c.get("daily_budget", ""), str) for c in every)


def test_status_filter_rejects_unknown_values(graph: str) -> None:
    response = _get(f"{graph}/act_{EU}/ads", effective_status='["GONE"]')
    assert response.status_code == 400 and response.json()["error"]["code"] == 100


def test_deleted_ad_is_listed_on_request_and_keeps_insights(graph: str) -> None:
    ads = _get(
        f"{graph}/act_{EU}/ads", effective_status='["DELETED"]', fields="id,effective_status"
    ).json()
    [deleted] = ads["data"]
    assert deleted["effective_status"] == "DELETED"
    rows = _get(
        f"{graph}/act_{EU}/insights",
        level="ad",
        time_increment="1",
        time_range='{"since":"2026-09-14","until":"2026-09-22"}',
        fields="ad_id,spend",
        limit="500",
    ).json()["data"]
    days = {r["date_start"] for r in rows if r["ad_id"] == deleted["id"]}
    assert days and max(days) == "2026-09-20"


def test_adsets_show_threads_opt_in_and_exclusion(graph: str) -> None:
    adsets = _get(f"{graph}/act_{US}/adsets", fields="id,name,targeting").json()["data"]
    targeting = {a["name"]: a["targeting"] for a in adsets}
    opt_in = targeting["US | IG feed + Threads opt-in"]
    assert opt_in["publisher_platforms"] == ["instagram", "threads"]
    assert opt_in["threads_positions"] == ["threads_stream"]
    assert opt_in["instagram_positions"] == ["stream"]
    assert "publisher_platforms" not in targeting["US | A+ audience"]  # Advantage+ placements
    excluded = targeting["US | Feeds+stories"]
    assert "threads" not in excluded["publisher_platforms"]


def test_partnership_creatives_match_the_reference_shape(graph: str) -> None:
    fields = (
        "id,name,object_story_spec,source_instagram_media_id,branded_content,"
        "facebook_branded_content,instagram_branded_content"
    )
    creatives = _get(f"{graph}/act_{EU}/adcreatives", fields=fields, limit="100").json()["data"]
    partnership = [c for c in creatives if "branded_content" in c]
    assert len(partnership) == 2
    first = partnership[0]
    assert first["branded_content"]["ad_format"] == 1
    creator_ids = {
        p["ig_user_id"]
        for p in first["branded_content"]["partners"]
        if p["identity_type"] == "CREATOR"
    }
    # Creator-primary: the ad runs under the creator, the brand is the sponsor.
    assert first["object_story_spec"]["instagram_user_id"] not in {"17841400000000011"}
    assert first["instagram_branded_content"] == {"sponsor_id": "17841400000000011"}
    assert creator_ids and first["source_instagram_media_id"].isdigit()
    us = _get(f"{graph}/act_{US}/adcreatives", fields=fields, limit="100").json()["data"]
    brand_primary = [c for c in us if "branded_content" in c]
    assert all(c["object_story_spec"]["page_id"] == "110001241469329" for c in brand_primary)
    assert max(len(c["branded_content"]["partners"]) for c in brand_primary) == 3
    handles = {h for row in entity_truth()["adcreatives"] for h in row["creator_handles"]}
    assert len(handles) >= 3


def _report(graph: str, sandbox: RunningSandbox, params: dict[str, str]) -> tuple[str, list]:
    created = requests.post(f"{graph}/act_{EU}/insights", params=params, timeout=10)
    assert created.status_code == 200, created.text
    run_id = created.json()["report_run_id"]
    statuses = []
    for _ in range(10):
        node = _get(f"{graph}/{run_id}").json()
        statuses.append((node["async_status"], node["async_percent_completion"]))
        if node["async_status"] in ("Job Completed", "Job Failed", "Job Skipped"):
            break
    return run_id, statuses


def test_async_report_run_lifecycle_and_results_equal_sync(
    graph: str, sandbox: RunningSandbox
) -> None:
    params = insights_params("2026-10-01", "2026-10-03", limit="40")
    early = requests.post(f"{graph}/act_{EU}/insights", params=params, timeout=10).json()
    premature = _get(f"{graph}/{early['report_run_id']}/insights")
    assert premature.status_code == 400
    run_id, statuses = _report(graph, sandbox, params)
    assert statuses[0] == ("Job Not Started", 0)
    assert statuses[-1] == ("Job Completed", 100)
    assert any(s == "Job Running" and 0 < p < 100 for s, p in statuses)
    rows, pages = walk(f"{graph}/{run_id}/insights", {"access_token": TOKEN, "limit": "40"})
    sync_rows, _ = walk(f"{graph}/act_{EU}/insights", params)
    assert len(pages) > 1 and rows == sync_rows


@pytest.mark.parametrize(
    ("rule", "status"),
    [
        ({"preset": "async_too_large"}, "Job Failed"),
        ({"kind": "async_skipped"}, "Job Skipped"),
        ({"kind": "async_stalled"}, "Job Running"),
    ],
)
def test_async_faults_decide_how_jobs_end(
    graph: str, sandbox: RunningSandbox, rule: dict, status: str
) -> None:
    sandbox.server.faults = FaultPlan.from_rules([{**rule, "match": r"act_\d+/insights$"}])
    try:
        run_id, statuses = _report(graph, sandbox, insights_params("2026-10-01", "2026-10-01"))
    finally:
        sandbox.server.faults = None
    assert statuses[-1][0] == status
    node = _get(f"{graph}/{run_id}").json()
    if status == "Job Failed":
        assert node["error_code"] == -3 and node["error_subcode"] == 1504045
        assert node["error_message"] and node["error_user_title"] and node["error_user_msg"]


def _purchases(graph: str, now: str, day: str) -> int:
    rows = _get(
        f"{graph}/act_{EU}/insights",
        headers={"X-Sandbox-Now": now},
        level="ad",
        time_increment="1",
        time_range=f'{{"since":"{day}","until":"{day}"}}',
        fields="ad_id,actions",
        limit="500",
    ).json()["data"]
    return sum(
        int(a["value"])
        for r in rows
        for a in r.get("actions", [])
        if a["action_type"] == "omni_purchase"
    )


def test_conversions_grow_after_the_day_and_match_truth_as_pulled(graph: str) -> None:
    day = "2026-10-05"
    pulls = ["2026-10-05T20:00:00+00:00", "2026-10-08T20:00:00+00:00", "2026-11-30T00:00:00Z"]
    served = [_purchases(graph, now, day) for now in pulls]
    assert served[0] < served[1] < served[2]
    for now, value in zip(pulls, served, strict=True):
        moment = datetime.fromisoformat(now.replace("Z", "+00:00"))
        truth = ad_truth(
            SEED,
            date(2026, 10, 5),
            date(2026, 10, 5),
            as_of=moment,
            restatement_days=DEFAULT_HORIZON_DAYS,
        )
        assert value == sum(r["purchases"] for r in truth if r["account_id"] == EU)
    final = ad_truth(SEED, date(2026, 10, 5), date(2026, 10, 5))
    assert served[2] == sum(r["purchases"] for r in final if r["account_id"] == EU)


def test_maturing_conversions_settle_at_the_horizon() -> None:
    model = MaturingConversions(horizon_days=4)
    day = date(2026, 10, 5)
    shares = [
        model.share(day, datetime(2026, 10, 5 + age, 12, tzinfo=UTC), "Europe/Berlin")
        for age in range(6)
    ]
    assert shares == [(1, 5), (2, 5), (3, 5), (4, 5), (1, 1), (1, 1)]
    with pytest.raises(ValueError):
        MaturingConversions(horizon_days=29)


def test_truth_spend_is_independent_of_pull_time() -> None:
    kw = {"restatement_days": DEFAULT_HORIZON_DAYS}
    early = ad_truth(
        SEED, date(2026, 10, 1), date(2026, 10, 2), as_of=datetime(2026, 10, 2, tzinfo=UTC), **kw
    )
    final = ad_truth(SEED, date(2026, 10, 1), date(2026, 10, 2))
    assert [r["spend"] for r in early] == [r["spend"] for r in final]
    assert sum(r["spend"] for r in final) > Decimal(0)
    assert any(THREADS_FEED in ad.placements_on(date(2026, 10, 2)) for ad in SCENARIO.ads)

"""Attribution windows are a setting; engage-through (``1d_ev``) is requested by default.

Payload shape: Meta's AdsActionStats (``action_type``, ``value`` and one numeric string per
requested window: ``1d_click``, ``7d_click``, ``28d_click``, ``1d_ev``, ``1d_view``), as in
the Ad Insights reference (https://developers.facebook.com/docs/marketing-api/reference/adgroup/insights/,
``action_attribution_windows``) and the field list of facebook/facebook-python-business-sdk
``facebook_business/adobjects/adsactionstats.py``. Windows still returned after 2026-01-12:
https://developers.facebook.com/blog/post/2025/10/16/ads-insights-api-metric-availability-updates/
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import duckdb
import pytest
import responses
from connector_testkit import META_API

from connectors.common.errors import ConnectorError
from connectors.common.land import load_spool
from connectors.meta.client import MetaClient
from connectors.meta.extract import extract_streams, list_accounts
from connectors.meta.streams import ACCOUNT_INSIGHTS, AD_INSIGHTS
from socialmart.settings import META_DEFAULT_ATTRIBUTION_WINDOWS, Settings, load_settings

INSIGHTS = f"{META_API}/act_1234567890/insights"
DAY = date(2026, 10, 6)

#: One base-report row after the click-through change: link-click purchases in the click
#: windows, non-link-click and engaged-view purchases in ``1d_ev``.
ROW = {
    "account_id": "1234567890",
    "account_currency": "EUR",
    "campaign_id": "120210000000000101",
    "campaign_name": "Sales A+",
    "adset_id": "120210000000000201",
    "adset_name": "Auto placements",
    "ad_id": "120210000000000301",
    "ad_name": "Creator reel",
    "date_start": "2026-10-06",
    "date_stop": "2026-10-06",
    "impressions": "5210",
    "clicks": "97",
    "spend": "41.87",
    "actions": [
        {
            "action_type": "link_click",
            "value": "81",
            "1d_click": "81",
            "7d_click": "81",
            "28d_click": "81",
            "1d_ev": "0",
            "1d_view": "0",
        },
        {
            "action_type": "omni_purchase",
            "value": "4",
            "1d_click": "2",
            "7d_click": "3",
            "28d_click": "3",
            "1d_ev": "2",
            "1d_view": "1",
        },
    ],
    "action_values": [
        {
            "action_type": "omni_purchase",
            "value": "199.96",
            "1d_click": "99.98",
            "7d_click": "149.97",
            "28d_click": "149.97",
            "1d_ev": "89.9",
            "1d_view": "49.99",
        }
    ],
}


def _with_windows(settings: Settings, *windows: str) -> Settings:
    return replace(settings, meta=replace(settings.meta, attribution_windows=windows))


def _windows_requested(call: responses.Call) -> list[str] | None:
    raw = call.request.params.get("action_attribution_windows")
    return None if raw is None else json.loads(raw)


def test_the_default_is_every_window_meta_still_returns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("META_ATTRIBUTION_WINDOWS", raising=False)
    assert load_settings().meta.attribution_windows == META_DEFAULT_ATTRIBUTION_WINDOWS
    assert META_DEFAULT_ATTRIBUTION_WINDOWS == (
        "1d_click",
        "7d_click",
        "28d_click",
        "1d_ev",
        "1d_view",
    )
    monkeypatch.setenv("META_ATTRIBUTION_WINDOWS", " 7d_click, 1d_ev ")
    assert load_settings().meta.attribution_windows == ("7d_click", "1d_ev")


@responses.activate
def test_configured_windows_are_requested_and_1d_ev_lands_in_raw(settings: Settings) -> None:
    responses.get(INSIGHTS, json={"data": [ROW]})
    responses.get(INSIGHTS, json={"data": []})
    chosen = _with_windows(settings, "7d_click", "1d_ev")
    meta_client = MetaClient(chosen.meta, chosen.http)
    for account in list_accounts(chosen, meta_client):
        extract_streams((AD_INSIGHTS, ACCOUNT_INSIGHTS))(
            chosen, account, DAY, DAY, "run-1", meta_client
        )
    ad_call, account_call = responses.calls
    assert _windows_requested(ad_call) == ["7d_click", "1d_ev"]
    # The account totals carry no actions, so they name no windows.
    assert _windows_requested(account_call) is None
    with duckdb.connect(str(chosen.warehouse_path)) as con:
        load_spool(con, chosen.spool_dir / "run-1", "run-1")
        [(ev, ev_value)] = con.execute(
            'select list_filter(from_json(actions, \'[{"action_type":"VARCHAR",'
            '"1d_ev":"VARCHAR"}]\'), a -> a.action_type = \'omni_purchase\')[1]."1d_ev",'
            " json_extract_string(action_values, '$[0].1d_ev')"
            " from raw.meta__ad_insights"
        ).fetchall()
    assert (ev, ev_value) == ("2", "89.9")


@pytest.mark.parametrize(
    ("windows", "named"),
    [
        (("1d_click", "7d_view"), "7d_view not returned since 2026-01-12"),
        (("2d_click",), "2d_click is not a window Meta returns"),
        ((), "empty"),
    ],
)
@responses.activate
def test_a_window_meta_does_not_return_fails_before_any_request(
    settings: Settings, meta_client: MetaClient, windows: tuple[str, ...], named: str
) -> None:
    with pytest.raises(ConnectorError, match="META_ATTRIBUTION_WINDOWS") as raised:
        list_accounts(_with_windows(settings, *windows), meta_client)
    assert named in str(raised.value)
    assert len(responses.calls) == 0

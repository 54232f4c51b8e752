"""Ground truth equals what the server serves, walked through the API, to the cent."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from sandbox_support import SEED, insights_params, walk

from sandbox.meta.generator import WINDOWS
from sandbox.meta.scenario import build_scenario
from sandbox.meta.truth import dumps, jsonable, placement_truth, totals_by_day_account_placement

START, END = date(2026, 9, 26), date(2026, 10, 5)
KEY = ("date", "account_id", "ad_id", "publisher_platform", "platform_position")


def _purchase(entries: list[dict[str, str]], key: str) -> str:
    for entry in entries:
        if entry["action_type"] == "omni_purchase":
            return entry[key]
    return "0"


def _served_as_truth(row: dict[str, Any]) -> dict[str, Any]:
    actions, values = row.get("actions", []), row.get("action_values", [])
    link = [e["value"] for e in actions if e["action_type"] == "link_click"]
    out = {
        "date": row["date_start"],
        "account_id": row["account_id"],
        "account_currency": row["account_currency"],
        "campaign_id": row["campaign_id"],
        "adset_id": row["adset_id"],
        "ad_id": row["ad_id"],
        "publisher_platform": row["publisher_platform"],
        "platform_position": row["platform_position"],
        "spend": Decimal(row["spend"]),
        "impressions": int(row["impressions"]),
        "clicks": int(row["clicks"]),
        "link_clicks": int(link[0]) if link else 0,
        "purchases": int(_purchase(actions, "value")),
        "purchase_value": Decimal(_purchase(values, "value")),
    }
    for window in WINDOWS:
        out[f"purchases_{window}"] = int(_purchase(actions, window))
        out[f"purchase_value_{window}"] = Decimal(_purchase(values, window))
    return out


def test_truth_equals_everything_the_api_serves(graph: str) -> None:
    served = []
    for account in build_scenario().accounts:
        url = f"{graph}/act_{account.account_id}/insights"
        params = insights_params(START.isoformat(), END.isoformat(), limit="400")
        rows, _ = walk(url, params)
        served.extend(_served_as_truth(r) for r in rows)
    truth = placement_truth(SEED, START, END)
    assert len(truth) > 1000
    assert sorted(served, key=lambda r: [r[k] for k in KEY]) == sorted(
        truth, key=lambda r: [r[k] for k in KEY]
    )


def test_totals_are_sums_of_placement_rows() -> None:
    rows = placement_truth(SEED, START, END)
    totals = totals_by_day_account_placement(SEED, START, END)
    spend: dict[tuple[str, ...], Decimal] = defaultdict(Decimal)
    value: dict[tuple[str, ...], Decimal] = defaultdict(Decimal)
    for row in rows:
        key = (row["date"], row["account_id"], row["publisher_platform"], row["platform_position"])
        spend[key] += row["spend"]
        value[key] += row["purchase_value"]
    assert len(totals) == len(spend)
    for total in totals:
        key = (
            total["date"],
            total["account_id"],
            total["publisher_platform"],
            total["platform_position"],
        )
        assert total["spend"] == spend[key]
        assert total["purchase_value"] == value[key]
        assert "ad_id" not in total


def test_truth_is_json_serialisable_with_exact_decimal_strings() -> None:
    rows = placement_truth(SEED, date(2026, 10, 1), date(2026, 10, 1))
    decoded = json.loads(dumps(rows))
    assert decoded == jsonable(rows)
    first = decoded[0]
    assert isinstance(first["spend"], str) and Decimal(first["spend"]) == rows[0]["spend"]
    assert len(first["spend"].split(".")[1]) == 2


def test_truth_depends_on_seed() -> None:
    one = placement_truth(1, date(2026, 10, 1), date(2026, 10, 2))
    two = placement_truth(2, date(2026, 10, 1), date(2026, 10, 2))
    assert [r["spend"] for r in one] != [r["spend"] for r in two]
    assert placement_truth(1, date(2026, 10, 1), date(2026, 10, 2)) == one

"""GMV Max revenue in the ad-performance mart is labelled for what it is and kept out of ROAS.

TikTok: Product GMV Max counts "all paid and organic orders for the products you chose ...
whether or not they engaged with one of your ads" while the campaign runs
(https://ads.tiktok.com/help/article/about-attribution-for-gmv-max). The stand-in draws every
Shop order with its true channel; the mart's GMV Max revenue must be exactly the orders of all
channels the campaign counts, and must never enter ``roas``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from creator_window import NOW, SEED, WINDOW, query

from sandbox.tiktok_shop.channels import CHANNELS
from sandbox.tiktok_shop.truth import channel_order_truth
from socialmart.settings import Settings

pytestmark = pytest.mark.e2e

MART = "marts.fct_ad_performance_daily"


def test_gmv_max_revenue_is_every_order_of_every_channel(creator_warehouse: Settings) -> None:
    by_channel: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(dict)
    orders: dict[tuple[str, str], int] = defaultdict(int)
    for row in channel_order_truth(SEED, WINDOW.start, WINDOW.end, datetime.fromisoformat(NOW)):
        if row["gmv_max_campaign_id"]:
            key = (row["gmv_max_campaign_id"], row["date"].isoformat())
            parts = by_channel[key]
            parts[row["channel"]] = parts.get(row["channel"], Decimal("0.00")) + row["gross"]
            orders[key] += 1
    rows = query(
        creator_warehouse,
        f"select campaign_id, cast(report_date as varchar), purchase_value, conversions"
        f" from {MART} where revenue_attribution = 'gmv_max_all_orders'",
    )
    # LIVE GMV Max days without orders report "-" orders and 0 revenue: no order to compare.
    mart = {(campaign, day): (value, count) for campaign, day, value, count in rows if count}
    expected = {key: (sum(parts.values()), orders[key]) for key, parts in by_channel.items()}
    assert mart == expected
    # Product GMV Max revenue holds affiliate, Spark Ad, GMV Max ad and organic orders alike.
    seen = {channel for parts in by_channel.values() for channel in parts}
    assert seen == set(CHANNELS)


def test_gmv_max_rows_have_gmv_max_roi_and_never_roas(creator_warehouse: Settings) -> None:
    rows = query(
        creator_warehouse,
        f"select platform, is_clickless, revenue_attribution, spend, purchase_value, roas,"
        f" gmv_max_roi from {MART}",
    )
    gmv = [r for r in rows if r[2] == "gmv_max_all_orders"]
    assert gmv and all(platform == "tiktok" and clickless for platform, clickless, *_ in gmv)
    for *_, spend, value, roas, roi in gmv:
        assert roas is None
        expected = (value / spend).quantize(Decimal("0.0001"), ROUND_HALF_UP) if spend else None
        assert roi == expected
    others = [r for r in rows if r[2] != "gmv_max_all_orders"]
    assert {r[2] for r in others} == {"ad_attributed"}
    assert all(not clickless and roi is None for _, clickless, *_, roi in others)
    assert any(roas is not None for *_, roas, _ in others)

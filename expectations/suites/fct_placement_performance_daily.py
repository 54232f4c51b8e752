"""The placement performance mart's contract (``marts.fct_placement_performance_daily``).

Its spec (``expectations.suites.marts``) is built from these names: the columns the
dashboards rely on, the grain and the known placement values.
"""

from __future__ import annotations

DATASET = "marts.fct_placement_performance_daily"

# Rows of one ad account: the platform and its account id.
ACCOUNT = ("platform", "ad_account_id")

GRAIN = (
    "platform",
    "report_date",
    "ad_account_id",
    "campaign_id",
    "adset_id",
    "ad_id",
    "publisher_platform",
    "platform_position",
)

# The dashboards are built on these names, in this order.
COLUMNS = (
    "platform",
    "report_date",
    "ad_account_id",
    "account_currency",
    "campaign_id",
    "campaign_name",
    "adset_id",
    "adset_name",
    "ad_id",
    "ad_name",
    "publisher_platform",
    "platform_position",
    "spend",
    "impressions",
    "clicks",
    "purchases",
    "purchase_value",
    *(
        f"{measure}_{window}"
        for window in ("1d_click", "7d_click", "28d_click", "1d_view", "1d_ev")
        for measure in ("purchases", "purchase_value")
    ),
    "reporting_currency",
    "spend_reporting",
    "purchase_value_reporting",
    "is_advantage_plus_campaign",
    "placement_mode",
    "threads_inclusion",
)

# Meta's publisher platforms, then TikTok's placements as int_tiktok__placements maps them.
KNOWN_PUBLISHER_PLATFORMS = (
    "facebook",
    "instagram",
    "threads",
    "messenger",
    "audience_network",
    "whatsapp",
    "tiktok",
    "pangle",
    "global_app_bundle",
    "topbuzz",
    "helo",
    "lemon8",
    "pine_drama",
)

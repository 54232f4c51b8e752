"""Raw records for the gate tests."""

from __future__ import annotations

from datetime import date


def placement_row(**overrides: object) -> dict:
    """A valid raw Meta placement insights record (strings as the API sends them)."""
    return {
        "account_id": "111",
        "account_currency": "EUR",
        "campaign_id": "c1",
        "campaign_name": "Sales",
        "adset_id": "as1",
        "adset_name": "Audience",
        "ad_id": "301",
        "ad_name": "Ad",
        "date_start": date(2026, 6, 2),
        "date_stop": date(2026, 6, 2),
        "publisher_platform": "instagram",
        "platform_position": "instagram_reels",
        "impressions": "5210",
        "clicks": "97",
        "spend": "41.87",
    } | overrides

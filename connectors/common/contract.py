"""The raw contract of every stream: what a stored row must satisfy, declared once.

The loader (``connectors.common.land``) compiles these facts to SQL and keeps a row that breaks
them out of the raw tables (it goes to schema ``quarantine`` with its reason), so nothing the
contract rejects can reach a mart, not even through a later full refresh. The raw gate
(``expectations.suites.raw_contract``) turns the same facts into Great Expectations suites and
reports what each load quarantined. Unknown enum values (``KNOWN_VALUES``: a new placement) are
expected now and then: they only warn, so they are never quarantined.
"""

from __future__ import annotations

from connectors.common.currencies import ISO_4217_CODES
from connectors.common.streams import StreamSpec

# A number the platforms send as text: digits with an optional fraction; "-" means "no value"
# (staging turns it into null). Signs, exponents and thousands separators are contract breaks.
NON_NEGATIVE_NUMBER = r"^(?:\d+(?:\.\d+)?|-)$"

# Money and metric columns per raw table: text numbers must match NON_NEGATIVE_NUMBER, typed
# numbers must be >= 0. Every name must be a declared column (tests/expectations checks).
NUMERIC_COLUMNS: dict[str, tuple[str, ...]] = {
    "meta__ad_insights": ("impressions", "clicks", "spend"),
    "meta__ad_insights_placement": ("impressions", "clicks", "spend"),
    "meta__account_insights": ("impressions", "clicks", "spend"),
    "meta__adsets": ("daily_budget", "lifetime_budget"),
    "meta__campaigns": ("daily_budget", "lifetime_budget"),
    "tiktok__ad_report_daily": (
        "spend",
        "impressions",
        "clicks",
        "conversion",
        "complete_payment",
        "total_complete_payment_rate",
        "video_play_actions",
        "video_watched_2s",
        "video_views_p100",
    ),
    "tiktok__ad_placement_report_daily": (
        "spend",
        "impressions",
        "clicks",
        "conversion",
        "complete_payment",
        "total_complete_payment_rate",
    ),
    "tiktok__advertiser_report_daily": ("spend", "impressions", "clicks"),
    "tiktok__adgroups": ("budget",),
    "tiktok__campaigns": ("budget",),
    "tiktok__smart_plus_ad_report_daily": (
        "spend",
        "impressions",
        "clicks",
        "conversion",
        "complete_payment",
        "total_complete_payment_rate",
        "video_play_actions",
        "video_watched_2s",
        "video_views_p100",
    ),
    "tiktok__smart_plus_ad_placement_report_daily": (
        "spend",
        "impressions",
        "clicks",
        "conversion",
        "complete_payment",
        "total_complete_payment_rate",
    ),
    "tiktok__smart_plus_adgroups": ("budget",),
    "tiktok__smart_plus_campaigns": ("budget",),
    "tiktok__gmv_max_report_daily": (
        "cost",
        "net_cost",
        "orders",
        "cost_per_order",
        "gross_revenue",
        "roi",
        "product_impressions",
        "product_clicks",
    ),
    "tiktok_shop__affiliate_orders": (
        "quantity",
        "commission_rate",
        "shop_ads_commission_rate",
        "price_amount",
        "estimated_commission_base_amount",
        "estimated_paid_commission_amount",
        "actual_commission_base_amount",
        "actual_paid_commission_amount",
        "refunded_quantity",
        "returned_quantity",
    ),
    "threads__post_insights": ("views", "likes", "replies", "reposts", "quotes", "shares"),
    "threads__profile_insights_daily": (
        "views",
        "likes",
        "replies",
        "reposts",
        "quotes",
        "clicks",
        "followers_count",
    ),
    "instagram__media_insights": (
        "reach",
        "views",
        "likes",
        "comments",
        "shares",
        "saved",
        "total_interactions",
    ),
    "fx__ecb_rates": ("rate",),
}

# AUDIENCE-report placements of TikTok: the placements enum, then the Upgraded Smart+
# subplacements Lemon8 and PineDrama (reported by their tiktok_subplacements names: an
# assumption, DECISIONS.md "TikTok Smart+").
_TIKTOK_PLACEMENTS = (
    "PLACEMENT_TIKTOK",
    "PLACEMENT_PANGLE",
    "PLACEMENT_GLOBAL_APP_BUNDLE",
    "PLACEMENT_TOPBUZZ",
    "PLACEMENT_HELO",
    "LEMON8",
    "PINE_DRAMA",
)

# Enumerations whose new values are expected now and then (a new Meta surface): warn only.
KNOWN_VALUES: dict[str, dict[str, tuple[str, ...]]] = {
    "meta__ad_insights_placement": {
        "publisher_platform": (
            "facebook",
            "instagram",
            "threads",
            "messenger",
            "audience_network",
            "whatsapp",
        ),
    },
    "tiktok__ad_placement_report_daily": {"placement": _TIKTOK_PLACEMENTS},
    "tiktok__smart_plus_ad_placement_report_daily": {"placement": _TIKTOK_PLACEMENTS},
}


def currency_columns(spec: StreamSpec) -> tuple[str, ...]:
    """Text columns holding a currency code: ``currency`` or ``*_currency``."""
    return tuple(
        name
        for name, kind in spec.columns.items()
        if kind == "VARCHAR" and (name == "currency" or name.endswith("_currency"))
    )


def rejection_rules(spec: StreamSpec, window: tuple[str, str] | None) -> list[tuple[str, str]]:
    """``(reason, SQL predicate true for a breaking row)`` for every error-level contract rule.

    Args:
        spec: The stream.
        window: SQL expressions of the first and last day the row's pull asked for, or
            ``None`` to skip the window rule (a snapshot stream has none).

    Returns:
        The rules, in a stable order; predicates name payload columns unqualified.
    """
    rules = [(f"{key} is null", f"{_q(key)} is null") for key in spec.key]
    if spec.window_column is not None and window is not None:
        day, (first, last) = _q(spec.window_column), window
        rules.append(
            (
                f"{spec.window_column} outside the requested window",
                f"{day} not between {first} and {last}",
            )
        )
    for column in NUMERIC_COLUMNS.get(spec.raw_table, ()):
        if spec.columns[column] == "VARCHAR":
            pattern = _literal(NON_NEGATIVE_NUMBER)
            predicate = f"not regexp_full_match({_q(column)}, {pattern})"
            rules.append((f"{column} is not a non-negative number", predicate))
        else:
            rules.append((f"{column} is negative", f"{_q(column)} < 0"))
    codes = ", ".join(_literal(code) for code in sorted(ISO_4217_CODES))
    rules += [
        (f"{column} is not an ISO 4217 currency code", f"{_q(column)} not in ({codes})")
        for column in currency_columns(spec)
    ]
    return rules


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"

"""Meta streams, declared as data and registered for the generic loader."""

from __future__ import annotations

import json

from connectors.common.streams import StreamSpec, register

SOURCE = "meta"
SOURCE_LABEL = "meta_marketing_api"

ATTRIBUTION_WINDOWS = ("1d_click", "7d_click", "28d_click", "1d_view")
PLACEMENT_BREAKDOWNS = ("publisher_platform", "platform_position")

# Payload columns exactly as the API returns them: ids, names and numbers stay strings.
_INSIGHTS_PLACEMENT_COLUMNS = {
    "account_id": "VARCHAR",
    "account_currency": "VARCHAR",
    "campaign_id": "VARCHAR",
    "campaign_name": "VARCHAR",
    "adset_id": "VARCHAR",
    "adset_name": "VARCHAR",
    "ad_id": "VARCHAR",
    "ad_name": "VARCHAR",
    "date_start": "DATE",
    "date_stop": "DATE",
    "publisher_platform": "VARCHAR",
    "platform_position": "VARCHAR",
    "impressions": "VARCHAR",
    "clicks": "VARCHAR",
    "spend": "VARCHAR",
    "actions": "JSON",
    "action_values": "JSON",
}

# Requested fields: the payload minus the dates (always returned) and the breakdown columns
# (returned because of ``breakdowns``).
_INSIGHTS_FIELDS = tuple(
    name
    for name in _INSIGHTS_PLACEMENT_COLUMNS
    if name not in {"date_start", "date_stop", *PLACEMENT_BREAKDOWNS}
)

AD_INSIGHTS_PLACEMENT = register(
    StreamSpec(
        name="ad_insights_placement",
        source=SOURCE,
        source_label=SOURCE_LABEL,
        columns=_INSIGHTS_PLACEMENT_COLUMNS,
        key=("account_id", "ad_id", "date_start", "publisher_platform", "platform_position"),
        window_column="date_start",
        account_column="account_id",
        path="act_{account_id}/insights",
        params={
            "level": "ad",
            "time_increment": "1",
            "breakdowns": ",".join(PLACEMENT_BREAKDOWNS),
            "fields": ",".join(_INSIGHTS_FIELDS),
            "action_attribution_windows": json.dumps(list(ATTRIBUTION_WINDOWS)),
        },
    )
)

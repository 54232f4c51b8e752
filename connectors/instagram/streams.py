"""Instagram streams, declared as data and registered for the generic loader.

``media_insights`` is a snapshot stream: every pull covers all the account's media, so a
media no longer pulled is tombstoned. One row per media: the lifetime metrics as columns
(JSON numbers -> BIGINT, null when Instagram returned none), and ``status`` saying why
metrics are missing: ``no_data`` (Instagram answered an empty list, e.g. still within its
reporting delay), ``not_enough_viewers`` (a small story, error #10) or ``inaccessible`` (the
media is deleted or the token may not read it).
"""

from __future__ import annotations

from connectors.common.streams import NUMERIC_COUNT, ONE_PAGE, StreamSpec, register

SOURCE = "instagram"
SOURCE_LABEL = "instagram_graph_api"

MEDIA_METRICS = ("reach", "views", "likes", "comments", "shares", "saved", "total_interactions")
AVAILABLE, NO_DATA, NOT_ENOUGH_VIEWERS, INACCESSIBLE = (
    "available",
    "no_data",
    "not_enough_viewers",
    "inaccessible",
)

MEDIA_INSIGHTS = register(
    StreamSpec(
        name="media_insights",
        source=SOURCE,
        source_label=SOURCE_LABEL,
        columns={
            "ig_account_id": "VARCHAR",
            "media_id": "VARCHAR",
            "status": "VARCHAR",
            "status_detail": "VARCHAR",
            **dict.fromkeys(MEDIA_METRICS, NUMERIC_COUNT),
        },
        key=("ig_account_id", "media_id"),
        window_column=None,
        account_column="ig_account_id",
        path="{media_id}/insights",
        params={"metric": ",".join(MEDIA_METRICS)},
        paginator=ONE_PAGE,
    )
)

STREAMS = (MEDIA_INSIGHTS,)

"""Threads streams, declared as data and registered for the generic loader.

Numbers are JSON numbers in the Threads API and land as BIGINT. Each insight entry
(``{name, period, values | total_value}``) becomes one column named after the metric, so a
pull of a post or a profile day is one row: its versions are the history of lifetime numbers.
``profile_id`` (the profile queried) and the UTC ``post_date`` / ``report_date`` are added by
the connector: the loader needs an account column and a DATE window column.

Profile ``clicks`` come per link (``link_total_values: [{value, link_url}]``, no
``total_value``; see connectors/threads/extract.py): ``clicks`` is their sum and
``clicks_by_url`` keeps the list as JSON (``[{"link_url": ..., "value": n}]``).
"""

from __future__ import annotations

from connectors.common.streams import (
    NUMERIC_COUNT,
    ONE_PAGE,
    RequestWindow,
    declarer,
)

SOURCE = "threads"
SOURCE_LABEL = "threads_api"

POST_FIELDS = (
    "id",
    "media_product_type",
    "media_type",
    "permalink",
    "text",
    "timestamp",
    "username",
)
POST_METRICS = ("views", "likes", "replies", "reposts", "quotes", "shares")
PROFILE_METRICS = ("views", "likes", "replies", "reposts", "quotes", "clicks", "followers_count")

_declare = declarer(SOURCE, SOURCE_LABEL, account_column="profile_id")
#: Graph ``since``/``until``: UTC midnights in unix seconds, ``until`` exclusive.
SINCE_UNTIL = RequestWindow("since", "until", unix=True)
#: Profile insights: one request per UTC day, so each answer's totals cover exactly that day.
ONE_DAY = RequestWindow("since", "until", unix=True, max_span_days=1)

POSTS = _declare(
    "posts",
    columns={
        "profile_id": "VARCHAR",
        "post_date": "DATE",
        **dict.fromkeys(POST_FIELDS, "VARCHAR"),
    },
    key=("profile_id", "id"),
    window_column="post_date",
    path="{account_id}/threads",
    params={"fields": ",".join(POST_FIELDS)},
    request_window=SINCE_UNTIL,
)

POST_INSIGHTS = _declare(
    "post_insights",
    columns={
        "profile_id": "VARCHAR",
        "post_id": "VARCHAR",
        "post_date": "DATE",
        **dict.fromkeys(POST_METRICS, NUMERIC_COUNT),
    },
    key=("profile_id", "post_id"),
    window_column="post_date",
    path="{post_id}/insights",
    params={"metric": ",".join(POST_METRICS)},
    paginator=ONE_PAGE,
)

PROFILE_INSIGHTS_DAILY = _declare(
    "profile_insights_daily",
    columns={
        "profile_id": "VARCHAR",
        "report_date": "DATE",
        **dict.fromkeys(PROFILE_METRICS, NUMERIC_COUNT),
        "clicks_by_url": "JSON",
    },
    key=("profile_id", "report_date"),
    window_column="report_date",
    path="{account_id}/threads_insights",
    params={"metric": ",".join(PROFILE_METRICS)},
    paginator=ONE_PAGE,
    request_window=ONE_DAY,
)

STREAMS = (POSTS, POST_INSIGHTS, PROFILE_INSIGHTS_DAILY)

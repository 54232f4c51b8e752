"""Extracting one Threads profile: posts of the window, their lifetime insights, daily insights.

The three streams of a profile are one unit of work (``AccountRun``): if any call fails for
good, every unit of the profile is discarded, so nothing partial of it is loadable. Insights
answers are pivoted into one row per post or day (what is genuinely Threads' own).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from connectors.common.extract import AccountRun, account_extract, write_batches
from connectors.common.graph import GraphClient, mask_secrets
from connectors.common.spool import SpoolWriter
from connectors.common.streams import unix_day
from connectors.threads.client import threads_client
from connectors.threads.streams import (
    ONE_DAY,
    POST_INSIGHTS,
    POST_METRICS,
    POSTS,
    PROFILE_INSIGHTS_DAILY,
    PROFILE_METRICS,
    SINCE_UNTIL,
)
from socialmart.settings import Settings

log = logging.getLogger(__name__)

#: The API refuses ``since`` before these instants (reference section 7).
POSTS_MIN_SINCE = 1688540400
INSIGHTS_FIRST_DAY = date(2024, 4, 14)  # the first whole UTC day after 1712991600


def list_profiles(settings: Settings) -> list[str]:
    """The configured Threads profiles (none: Threads is not pulled)."""
    return list(settings.threads.profiles)


@account_extract(threads_client)
def extract_account(run: AccountRun[GraphClient]) -> list[Path]:
    """Pull every Threads stream of one profile (the account) for the UTC days ``start..end``."""
    mask_secrets(run.settings.threads.secrets)
    api, profile, start, end = run.client, run.account, run.start, run.end
    posts: list[dict[str, Any]] = []
    manifests = [
        run.unit(POSTS, lambda w: posts.extend(_pull_posts(run, w))),
        run.unit(POST_INSIGHTS, lambda w: write_batches(w, _post_insights(api, profile, posts))),
        run.unit(
            PROFILE_INSIGHTS_DAILY,
            lambda w: write_batches(w, _profile_days(api, profile, start, end)),
        ),
    ]
    log.info("Threads profile %s: %d posts %s..%s", profile, len(posts), start, end)
    return manifests


def _pull_posts(run: AccountRun[GraphClient], writer: SpoolWriter) -> list[dict[str, Any]]:
    """Write the posts published on the run's UTC days; returns them."""
    start, end, profile = run.start, run.end, run.account
    since = max(unix_day(start), POSTS_MIN_SINCE)
    if unix_day(end, 1) <= since:
        return []
    params = {**POSTS.params, **SINCE_UNTIL.params(start, end), SINCE_UNTIL.start_param: str(since)}
    kept: list[dict[str, Any]] = []
    path = POSTS.path.format(account_id=profile)
    page_size = run.settings.threads.page_limit
    for page in run.client.pages(path, params, account=profile, page_size=page_size):
        rows = [row for row in (_post_row(profile, post) for post in page) if row]
        # The edge filters by time; the window is the UTC day of ``timestamp``.
        rows = [row for row in rows if start <= row["post_date"] <= end]
        writer.write_page([{**row, "post_date": row["post_date"].isoformat()} for row in rows])
        kept.extend(rows)
    return kept


def _post_row(profile: str, post: dict[str, Any]) -> dict[str, Any] | None:
    stamp = post.get("timestamp")
    if not post.get("id") or not stamp:
        log.warning("Threads profile %s: skipping a post without id or timestamp", profile)
        return None
    posted = datetime.strptime(str(stamp), "%Y-%m-%dT%H:%M:%S%z").astimezone(UTC)
    return {"profile_id": profile, "post_date": posted.date(), **post}


def _post_insights(
    api: GraphClient, profile: str, posts: list[dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    """One row per post with insights (reposts answer an empty list and get no row)."""
    for post in posts:
        path = POST_INSIGHTS.path.format(post_id=post["id"])
        entries = api.data(path, POST_INSIGHTS.params, account=profile)
        if not entries:
            continue
        base = {"profile_id": profile, "post_id": post["id"]}
        yield base | {"post_date": post["post_date"].isoformat()} | _metrics(entries, POST_METRICS)


def _profile_days(
    api: GraphClient, profile: str, start: date, end: date
) -> Iterator[dict[str, Any]]:
    """One request and one row per UTC day (the spec's one-day spans): totals then cover
    exactly that day."""
    spec = PROFILE_INSIGHTS_DAILY
    path = spec.path.format(account_id=profile)
    for day, _ in ONE_DAY.spans(max(start, INSIGHTS_FIRST_DAY), end):
        entries = api.data(path, {**spec.params, **ONE_DAY.params(day, day)}, account=profile)
        row = {"profile_id": profile, "report_date": day.isoformat()}
        yield row | _metrics(entries, PROFILE_METRICS) | {"clicks_by_url": _per_link(entries)}


def _metrics(entries: Iterable[dict[str, Any]], names: tuple[str, ...]) -> dict[str, Any]:
    """``{metric: value}`` from insight entries; metrics not returned stay null."""
    values: dict[str, Any] = dict.fromkeys(names)
    for entry in entries:
        name = entry.get("name")
        if name in values:
            values[name] = _value(entry)
    return values


def _value(entry: dict[str, Any]) -> Any:
    """A ``total_value`` as is; per-link ``link_total_values`` summed; else the last of
    ``values`` (one per day, or the lifetime). Any other shape is logged and stays null.

    The profile metric ``clicks`` answers ``link_total_values: [{"value": n, "link_url": u}]``
    (Threads Insights API, user metric ``clicks``:
    https://developers.facebook.com/documentation/threads/insights ; shape as reported in
    https://qiita.com/MisaNeco/items/6cf07b23787e717d5789), so reading only ``total_value``
    and ``values`` left clicks null without a word.
    """
    total = entry.get("total_value")
    if isinstance(total, dict):
        return total.get("value")
    links = entry.get("link_total_values")
    if isinstance(links, list):
        return sum(int(link.get("value") or 0) for link in links if isinstance(link, dict))
    series = entry.get("values")
    if isinstance(series, list):
        return (series[-1] if series else {}).get("value")
    log.warning(
        "Threads metric %s came back in an unknown shape (keys: %s): stored as null",
        entry.get("name"),
        ", ".join(sorted(entry)),
    )
    return None


def _per_link(entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """The clicks of each link (``[{link_url, value}]``), or null when clicks came without."""
    for entry in entries:
        links = entry.get("link_total_values")
        if entry.get("name") == "clicks" and isinstance(links, list):
            return [
                {"link_url": link.get("link_url"), "value": link.get("value")}
                for link in links
                if isinstance(link, dict)
            ]
    return None

"""Reconcile published marts with the stand-in APIs' ground truth, to the cent.

Used by the demo (to print a verdict), the soak and the end-to-end tests (to assert it).
The published marts are the DuckDB file (:func:`reconcile_placements`) or, on a PostgreSQL
warehouse, schema ``published`` (:func:`reconcile_published` picks by the settings); either
way the comparison runs in DuckDB on exact decimals.
"""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

    from socialmart.settings import Settings

MEASURES = ("spend", "impressions", "clicks", "purchases", "purchase_value")
#: Meta's purchases per attribution window (engage-through ``1d_ev`` included); null on
#: TikTok rows on both sides.
META_WINDOW_MEASURES = tuple(
    f"{measure}_{window}"
    for window in ("1d_click", "7d_click", "28d_click", "1d_view", "1d_ev")
    for measure in ("purchases", "purchase_value")
)
COMPARED = MEASURES + META_WINDOW_MEASURES
GRAIN = ("platform", "report_date", "ad_account_id", "publisher_platform", "platform_position")
PLATFORMS = ("meta", "tiktok")
TIKTOK_PLACEMENT_PREFIX = "PLACEMENT_"


@dataclass(frozen=True)
class Reconciliation:
    """Rows of the grain where the mart and the truth differ (empty when they agree)."""

    compared_rows: int
    mismatches: list[dict]

    @property
    def ok(self) -> bool:
        return self.compared_rows > 0 and not self.mismatches


def _truth_frame(seed: int, start: date, end: date, platforms: tuple[str, ...]):
    """Both platforms' truth at or below the grain (TikTok per ad), in the mart's names.

    Meta names placements as the mart does; a TikTok ``PLACEMENT_X`` (or a subplacement such
    as ``LEMON8``) is publisher platform ``x`` with the one position ``all``, and its
    purchases are complete payments. TikTok's truth covers manual and Upgraded Smart+ ads.
    """
    import pandas as pd

    from sandbox.meta.truth import totals_by_day_account_placement
    from sandbox.tiktok.truth import placement_truth as tiktok_placement_truth
    from sandbox.tiktok.truth import smart_plus_placement_truth

    meta = pd.DataFrame(totals_by_day_account_placement(seed, start, end)).rename(
        columns={"date": "report_date", "account_id": "ad_account_id"}
    )
    meta.insert(0, "platform", "meta")
    tiktok = pd.DataFrame(
        tiktok_placement_truth(seed, start, end) + smart_plus_placement_truth(seed, start, end)
    )
    tiktok = pd.DataFrame(
        {
            "platform": "tiktok",
            "report_date": tiktok["date"],
            "ad_account_id": tiktok["advertiser_id"],
            "publisher_platform": tiktok["placement"]
            .str.removeprefix(TIKTOK_PLACEMENT_PREFIX)
            .str.lower(),
            "platform_position": "all",
            "spend": tiktok["spend"],
            "impressions": tiktok["impressions"],
            "clicks": tiktok["clicks"],
            "purchases": tiktok["complete_payment"],
            "purchase_value": tiktok["purchase_value"],
            **dict.fromkeys(META_WINDOW_MEASURES, None),
        }
    )
    both = pd.concat([meta[list(GRAIN + COMPARED)], tiktok], ignore_index=True)
    # Exact amounts travel as text: DuckDB would type a column of Python decimals from its
    # first values (e.g. DECIMAL(5, 2)) and fail on a larger amount further down.
    for column in COMPARED:
        both[column] = both[column].map(lambda value: None if pd.isna(value) else str(value))
    return both[both["platform"].isin(platforms)]


_GRAIN_LIST = ", ".join(GRAIN)
#: The published placement mart summed to the compared grain, in the window.
_MART_SUMS_SQL = f"""
select {_GRAIN_LIST}, {", ".join(f"sum({c}) as {c}" for c in COMPARED)}
from {{relation}}
where report_date between {{start}} and {{end}} and {{platform_in}}
group by {_GRAIN_LIST}
"""


def reconcile_placements(
    published_marts: Path,
    seed: int,
    start: date,
    end: date,
    platforms: tuple[str, ...] = PLATFORMS,
) -> Reconciliation:
    """Compare spend, delivery and purchases (Meta: also per attribution window) per
    platform x day x account x placement of a published DuckDB file with the truth, for the
    ``platforms`` that were ingested (default: Meta and TikTok)."""
    import duckdb

    mart = _MART_SUMS_SQL.format(
        relation="fct_placement_performance_daily",
        start="$start",
        end="$end",
        platform_in="list_contains($platforms, platform)",
    )
    with duckdb.connect(str(published_marts), read_only=True) as con:
        params = {"start": start, "end": end, "platforms": list(platforms)}
        return _compare(con, mart, params, seed, start, end, platforms)


def reconcile_published(
    settings: Settings,
    seed: int,
    start: date,
    end: date,
    platforms: tuple[str, ...] = PLATFORMS,
) -> Reconciliation:
    """:func:`reconcile_placements` of the configured warehouse's publication: the DuckDB
    file, or schema ``published`` of the PostgreSQL warehouse (summed there, compared here)."""
    if settings.warehouse != "postgres":
        return reconcile_placements(settings.published_marts_path, seed, start, end, platforms)
    import duckdb
    import pandas as pd
    import psycopg2

    sums = _MART_SUMS_SQL.format(
        relation="published.fct_placement_performance_daily",
        start="%(start)s",
        end="%(end)s",
        platform_in="platform = any(%(platforms)s)",
    )
    # Every value as text, so the decimals arrive exact (the comparison casts them back).
    as_text = ", ".join(f"cast({name} as varchar) as {name}" for name in GRAIN + COMPARED)
    with closing(psycopg2.connect(**settings.postgres.connect_kwargs())) as pg:
        with pg.cursor() as cursor:
            cursor.execute(
                f"select {as_text} from ({sums}) as sums",
                {"start": start, "end": end, "platforms": list(platforms)},
            )
            rows = cursor.fetchall()
    published = pd.DataFrame(rows, columns=list(GRAIN + COMPARED), dtype=object)
    with duckdb.connect() as con:
        con.register("published_sums", published)
        return _compare(con, "select * from published_sums", {}, seed, start, end, platforms)


def _compare(
    con: duckdb.DuckDBPyConnection,
    mart: str,
    params: dict[str, object],
    seed: int,
    start: date,
    end: date,
    platforms: tuple[str, ...],
) -> Reconciliation:
    """Compare the grain's sums of query ``mart`` (run on ``con`` with ``params``) with the
    truth."""
    truth = _truth_frame(seed, start, end, platforms)  # noqa: F841 - read by DuckDB's replacement scan
    measures_equal = " and ".join(f"m.{c} is not distinct from t.{c}" for c in COMPARED)
    grain = _GRAIN_LIST
    casts = ", ".join(
        [
            "platform",
            "cast(report_date as date) as report_date",
            "cast(ad_account_id as varchar) as ad_account_id",
            "publisher_platform",
            "platform_position",
            "cast(spend as decimal(18, 2)) as spend",
            "cast(impressions as bigint) as impressions",
            "cast(clicks as bigint) as clicks",
            "cast(purchases as bigint) as purchases",
            "cast(purchase_value as decimal(18, 2)) as purchase_value",
            *(f"cast({c} as decimal(18, 2)) as {c}" for c in META_WINDOW_MEASURES),
        ]
    )
    # The truth's amounts are text (see _truth_frame): exact decimals before summing.
    truth_sums = ", ".join(f"sum(cast({c} as decimal(38, 2))) as {c}" for c in COMPARED)
    query = f"""
        with mart as ({mart}),
        m as (select {casts} from mart),
        t as (select {casts} from (select {grain}, {truth_sums} from truth group by all))
        select
            coalesce(m.platform, t.platform) as platform,
            coalesce(m.report_date, t.report_date) as report_date,
            coalesce(m.ad_account_id, t.ad_account_id) as ad_account_id,
            coalesce(m.publisher_platform, t.publisher_platform) as publisher_platform,
            coalesce(m.platform_position, t.platform_position) as platform_position,
            {", ".join(f"m.{c} as mart_{c}, t.{c} as truth_{c}" for c in COMPARED)},
            ({measures_equal}) and m.report_date is not null and t.report_date is not null
                as matches
        from m
        full outer join t using ({grain})
    """
    compared = con.execute(query, params).df()
    mismatches = compared[~compared["matches"].fillna(False)].drop(columns="matches")
    return Reconciliation(len(compared), mismatches.to_dict("records"))

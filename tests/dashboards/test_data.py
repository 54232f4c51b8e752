"""The dashboards' data-access layer against real DuckDB files shaped like the published marts."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from dashboard_marts import ROWS, total, write_marts

from dashboards import reader
from dashboards.queries import publication, spend

ALL = reader.Selection(start=date(2026, 10, 1), end=date(2026, 10, 3))


def test_status_tells_missing_file_missing_mart_empty_mart_and_ready(marts_path: Path) -> None:
    assert publication.marts_status(marts_path) is publication.MartsStatus.MISSING
    write_marts(marts_path, with_mart=False, publications=[])
    assert publication.marts_status(marts_path) is publication.MartsStatus.NO_MART
    write_marts(marts_path, rows=[])
    assert publication.marts_status(marts_path) is publication.MartsStatus.EMPTY
    write_marts(marts_path)
    assert publication.marts_status(marts_path) is publication.MartsStatus.READY


def test_totals_are_exact_and_one_row_per_currency(marts_path: Path) -> None:
    write_marts(marts_path)

    totals = spend.totals_by_currency(marts_path, ALL).set_index("account_currency")

    assert list(totals.index) == ["EUR", "USD"]
    assert totals.at["EUR", "spend"] == Decimal("1000006.64") == total("EUR")
    assert totals.at["USD", "spend"] == Decimal("11.00") == total("USD")
    assert isinstance(totals.at["EUR", "spend"], Decimal)
    assert totals.at["EUR", "purchase_value"] == total("EUR", field=9) == Decimal("125.49")
    assert totals.at["EUR", "accounts"] == 2
    assert totals.at["USD", "impressions"] == 610
    assert totals.at["USD", "clicks"] == 12


def test_account_and_date_filters_are_inclusive_and_keep_currencies_apart(
    marts_path: Path,
) -> None:
    write_marts(marts_path)
    selection = reader.Selection(date(2026, 10, 1), date(2026, 10, 2), account_ids=("111",))

    totals = spend.totals_by_currency(marts_path, selection)

    assert totals["account_currency"].tolist() == ["EUR"]
    assert totals.at[0, "spend"] == Decimal("3.30")  # 0.10 + 0.20 + 0.70 + 0.30 + 2.00
    last_day_only = reader.Selection(date(2026, 10, 3), date(2026, 10, 3))
    last_day = spend.totals_by_currency(marts_path, last_day_only).set_index("account_currency")
    assert last_day["spend"].to_dict() == {"EUR": Decimal("3.33"), "USD": Decimal("1.00")}


def test_daily_spend_by_platform_sums_only_the_chosen_currency(marts_path: Path) -> None:
    write_marts(marts_path)

    daily = spend.spend_by_platform_daily(marts_path, ALL, "EUR")

    assert list(daily.columns) == spend.DAILY_COLUMNS
    by_key = {(row.report_date, row.publisher_platform): row.spend for row in daily.itertuples()}
    assert by_key == {
        (date(2026, 10, 1), "facebook"): Decimal("1000000.11"),
        (date(2026, 10, 1), "instagram"): Decimal("0.20"),
        (date(2026, 10, 1), "threads"): Decimal("0.70"),
        (date(2026, 10, 2), "facebook"): Decimal("2.00"),
        (date(2026, 10, 2), "threads"): Decimal("0.30"),
        (date(2026, 10, 3), "instagram"): Decimal("3.33"),
    }
    assert sum(daily["spend"]) == total("EUR")
    usd = spend.spend_by_platform_daily(marts_path, ALL, "USD")
    assert sum(usd["spend"]) == total("USD")
    assert spend.spend_by_platform_daily(marts_path, ALL, "JPY").empty


def test_platform_totals_keep_threads_as_its_own_platform(marts_path: Path) -> None:
    write_marts(marts_path)

    platforms = spend.platform_totals(marts_path, ALL, "USD")

    assert platforms["publisher_platform"].tolist() == ["facebook", "instagram", "threads"]
    assert platforms["spend"].tolist() == [Decimal("5.55"), Decimal("4.45"), Decimal("1.00")]
    assert platforms["spend_share"].sum() == pytest.approx(1.0)
    threads = platforms.set_index("publisher_platform").loc["threads"]
    assert threads["spend_share"] == pytest.approx(1 / 11)


def test_accounts_and_date_bounds(marts_path: Path) -> None:
    write_marts(marts_path)

    accounts = publication.filter_accounts(marts_path)

    assert accounts.values.tolist() == [
        ["meta", "111", "EUR"],
        ["meta", "222", "USD"],
        ["meta", "333", "EUR"],
    ]
    assert publication.date_bounds(marts_path) == (date(2026, 10, 1), date(2026, 10, 3))


@pytest.mark.parametrize("with_mart", [False, True])
def test_missing_file_or_mart_gives_empty_frames_not_errors(
    marts_path: Path, with_mart: bool
) -> None:
    if with_mart:
        write_marts(marts_path, rows=[])
    else:
        assert not marts_path.exists()

    assert publication.date_bounds(marts_path) is None
    frames = {
        tuple(publication.ACCOUNT_COLUMNS): publication.filter_accounts(marts_path),
        tuple(spend.CURRENCY_COLUMNS): spend.totals_by_currency(marts_path, ALL),
        tuple(spend.DAILY_COLUMNS): spend.spend_by_platform_daily(marts_path, ALL, "EUR"),
        tuple(spend.PLATFORM_COLUMNS): spend.platform_totals(marts_path, ALL, "EUR"),
    }
    for columns, frame in frames.items():
        assert frame.empty
        assert tuple(frame.columns) == columns


def test_latest_publication_reads_the_newest_record(marts_path: Path) -> None:
    older = datetime(2026, 10, 31, 4, 0, tzinfo=UTC)
    newest = datetime(2026, 11, 1, 4, 5, tzinfo=UTC)
    write_marts(
        marts_path,
        publications=[
            ("run-old", older, "fct_placement_performance_daily", 7),
            ("run-new", newest, "fct_placement_performance_daily", len(ROWS)),
            ("run-new", newest, "dim_campaigns", 4),
            ("run-old", older, "dim_campaigns", 3),
        ],
    )

    latest = publication.latest_publication(marts_path)

    assert latest is not None
    assert latest.recorded
    assert latest.run_id == "run-new"
    assert latest.published_at == newest
    assert latest.row_counts == {
        "dim_campaigns": 4,
        "fct_placement_performance_daily": len(ROWS),
    }


@pytest.mark.parametrize("publications", [None, []], ids=["no table", "empty table"])
def test_publication_of_old_files_falls_back_to_the_file_time(
    marts_path: Path, publications: list | None
) -> None:
    write_marts(marts_path, publications=publications)
    stamp = datetime(2026, 9, 30, 12, 0, tzinfo=UTC).timestamp()
    os.utime(marts_path, (stamp, stamp))

    latest = publication.latest_publication(marts_path)

    assert latest is not None
    assert not latest.recorded
    assert latest.run_id is None
    assert latest.published_at == datetime(2026, 9, 30, 12, 0, tzinfo=UTC)


def test_nothing_published_has_no_publication(marts_path: Path) -> None:
    assert publication.latest_publication(marts_path) is None


def test_open_marts_is_read_only_and_cannot_reach_other_files(
    marts_path: Path, tmp_path: Path
) -> None:
    write_marts(marts_path)
    other = write_marts(tmp_path / "other.duckdb")

    with reader.open_marts(marts_path) as con:
        with pytest.raises(duckdb.Error, match="read-only"):
            con.execute("delete from fct_placement_performance_daily")
        with pytest.raises(duckdb.Error):
            con.execute(f"attach '{other}' as other")


def test_paths_with_quotes_are_opened_safely(tmp_path: Path) -> None:
    path = write_marts(tmp_path / "o'brien" / "marts.duckdb")

    assert publication.marts_status(path) is publication.MartsStatus.READY


def _publish(path: Path, rows: list) -> None:
    """Publish like the pipeline: build a complete file beside the old one, then rename."""
    staging = write_marts(path.with_name("marts.duckdb.new"), rows=rows)
    os.replace(staging, path)


def test_open_readers_do_not_block_publish_and_next_query_sees_new_data(
    marts_path: Path,
) -> None:
    write_marts(marts_path)
    republished = [
        *ROWS,
        (date(2026, 10, 4), "222", "USD", "threads", "threads_feed", "9.00", 10, 1, "0", "0"),
    ]

    # One reader mid-query through the data layer, one BI tool holding a plain connection.
    with reader.open_marts(marts_path) as reading, duckdb.connect(str(marts_path), True) as bi:
        _publish(marts_path, republished)

        totals = spend.totals_by_currency(marts_path, ALL).set_index("account_currency")
        assert publication.date_bounds(marts_path) == (date(2026, 10, 1), date(2026, 10, 4))
        # Readers that opened the old file keep their consistent snapshot.
        for con in (reading, bi):
            (days,) = con.execute(
                "select count(distinct report_date) from fct_placement_performance_daily"
            ).fetchone()
            assert days == 3
    assert totals.at["USD", "spend"] == Decimal("11.00")  # the filter stops at 2026-10-03
    wider = reader.Selection(date(2026, 10, 1), date(2026, 10, 4))
    usd = spend.totals_by_currency(marts_path, wider).set_index("account_currency")
    assert usd.at["USD", "spend"] == Decimal("20.00")


def test_summaries_are_built_anew_for_each_published_version(marts_path: Path) -> None:
    write_marts(marts_path)
    wider = reader.Selection(date(2026, 10, 1), date(2026, 10, 4))
    before = spend.totals_by_currency(marts_path, wider).set_index("account_currency")
    assert before.at["USD", "spend"] == Decimal("11.00")

    _publish(
        marts_path,
        [
            *ROWS,
            (date(2026, 10, 4), "222", "USD", "threads", "threads_feed", "9.00", 10, 1, "0", "0"),
        ],
    )

    after = spend.totals_by_currency(marts_path, wider).set_index("account_currency")
    assert after.at["USD", "spend"] == Decimal("20.00")


def test_queries_of_one_published_version_share_its_summaries(marts_path: Path) -> None:
    write_marts(marts_path)
    summary = reader.summary_table(spend.PLACEMENT_BY_ACCOUNT)

    spend.totals_by_currency(marts_path, ALL)

    with reader.open_marts(marts_path) as con:
        (summed,) = con.execute(f"select sum(spend) from {summary}").fetchone()
    assert summed == total("EUR") + total("USD")


def test_concurrent_readers_of_a_new_version_get_exact_answers(marts_path: Path) -> None:
    write_marts(marts_path)

    def read(_: int) -> tuple[Decimal, Decimal]:
        totals = spend.totals_by_currency(marts_path, ALL).set_index("account_currency")
        daily = spend.spend_by_platform_daily(marts_path, ALL, "USD")
        return totals.at["EUR", "spend"], sum(daily["spend"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = set(pool.map(read, range(32)))

    assert answers == {(total("EUR"), total("USD"))}

"""Meta marts on a warehouse pulled from the stand-in: exact against its ground truth.

One module-scoped warehouse: three ISO weeks around the day Threads joins Advantage+
placements (2026-10-01), extracted and loaded once, built once by dbt. Tests that run dbt
again work on copies of it.
"""

from __future__ import annotations

import subprocess
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import dbt_cli
import duckdb
import pytest

from sandbox.client_env import client_env
from sandbox.meta.scenario import THREADS_FEED, build_scenario
from sandbox.meta.truth import entity_truth, placement_truth
from socialmart import pipeline, transform
from socialmart.settings import Settings, load_settings

pytestmark = pytest.mark.e2e

SEED = 7
WINDOW = pipeline.Window(date(2026, 9, 21), date(2026, 10, 11))  # Monday to Sunday
THREADS_ROLLOUT = date(2026, 10, 1)
ADVANTAGE_KINDS = {"advantage_plus", "legacy_asc"}
AD_PERFORMANCE = "marts.fct_ad_performance_daily"
PLACEMENT_PERFORMANCE = "marts.fct_placement_performance_daily"
# Incremental marts and the raw Meta table each is built from.
INCREMENTAL_MARTS = {
    AD_PERFORMANCE: "meta__ad_insights",
    PLACEMENT_PERFORMANCE: "meta__ad_insights_placement",
}


@pytest.fixture(scope="module")
def stand_in_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A warehouse extracted from the stand-in and built by dbt (the whole project)."""
    from sandbox.server import serve_in_thread

    home = tmp_path_factory.mktemp("marts-meta")
    with serve_in_thread(port=0, seed=SEED) as running, pytest.MonkeyPatch.context() as patch:
        env = {
            "SOCIALMART_HOME": str(home),
            "SANDBOX_PORT": running.base_url.rsplit(":", 1)[1],
            "SANDBOX_SEED": str(SEED),
            "HTTP_BACKOFF_BASE_SECONDS": "0.01",
            **client_env(),
        }
        for name, value in env.items():
            patch.setenv(name, value)
        settings = load_settings()
        outcome = pipeline.extract(settings, WINDOW, "run-1")
        assert not outcome.failures, outcome.failures
        pipeline.load(settings, "run-1")
        pipeline.transform(settings, "run-1")
        yield settings


@pytest.fixture(scope="module")
def built_settings(stand_in_settings: Settings) -> Settings:
    """This module's built warehouse: ``copied_settings`` gives each test that changes raw
    data or rebuilds a private copy of it."""
    return stand_in_settings


def rows(settings: Settings, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def dbt_target(settings: Settings, extra_vars: dict[str, str]) -> Path:
    """dbt's target folder for runs with ``extra_vars``: one per set of vars, since dbt
    re-parses the whole project when the vars of its last parse in the folder differ."""
    suffix = "".join(f"-{name}-{value}" for name, value in sorted(extra_vars.items()))
    return settings.dbt_target_dir.with_name(settings.dbt_target_dir.name + suffix)


def run_dbt(
    settings: Settings, args: list[str], monkeypatch: pytest.MonkeyPatch, **extra_vars: str
) -> subprocess.CompletedProcess[str]:
    """Run dbt on ``settings``' warehouse with the pipeline's vars plus ``extra_vars`` (only
    these: a test's earlier run's extra vars do not carry over)."""
    monkeypatch.setattr(dbt_cli, "dbt_vars", lambda s: {**transform.dbt_vars(s), **extra_vars})
    return dbt_cli.run_dbt(settings, args, dbt_target(settings, extra_vars))


def dbt(
    settings: Settings, args: list[str], monkeypatch: pytest.MonkeyPatch, **extra_vars: str
) -> None:
    """:func:`run_dbt`, which must succeed."""
    result = run_dbt(settings, args, monkeypatch, **extra_vars)
    assert result.returncode == 0, result.stdout[-4000:]


def _half_up(value: Decimal, places: str) -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def test_spend_per_placement_equals_the_truth_to_the_cent(stand_in_settings: Settings) -> None:
    truth = {
        (
            date.fromisoformat(r["date"]),
            r["ad_id"],
            r["publisher_platform"],
            r["platform_position"],
        ): (r["spend"], r["impressions"], r["clicks"], r["purchase_value"])
        for r in placement_truth(SEED, WINDOW.start, WINDOW.end)
    }
    mart = rows(
        stand_in_settings,
        "select report_date, ad_id, publisher_platform, platform_position, spend, impressions,"
        " clicks, purchase_value from marts.fct_placement_performance_daily"
        " where platform = 'meta'",
    )
    assert {tuple(r[:4]): tuple(r[4:]) for r in mart} == truth
    assert len(mart) == len(truth)


def test_placement_rows_sum_to_the_ad_totals(stand_in_settings: Settings) -> None:
    mismatches = rows(
        stand_in_settings,
        f"""
        with placements as (
            select ad_account_id, ad_id, report_date, sum(spend) as spend,
                sum(impressions) as impressions, sum(clicks) as clicks,
                sum(purchase_value) as purchase_value
            from marts.fct_placement_performance_daily where platform = 'meta' group by all
        ),
        ads as (
            select ad_account_id, ad_id, report_date, spend, impressions, clicks,
                purchase_value
            from {AD_PERFORMANCE} where platform = 'meta'
        )
        select * from placements full outer join ads using (ad_account_id, ad_id, report_date)
        where placements.spend is distinct from ads.spend
            or placements.impressions is distinct from ads.impressions
            or placements.clicks is distinct from ads.clicks
            or placements.purchase_value is distinct from ads.purchase_value
        """,
    )
    assert mismatches == []
    assert rows(stand_in_settings, f"select count(*) from {AD_PERFORMANCE}")[0][0] > 0


def _truth_threads_shares() -> tuple[dict, dict]:
    """Threads' share of spend per Advantage+ campaign and ISO week, and its first day."""
    kinds = {c["id"]: c["kind"] for c in entity_truth()["campaigns"]}
    spend: dict[tuple[str, date], Decimal] = defaultdict(Decimal)
    threads: dict[tuple[str, date], Decimal] = defaultdict(Decimal)
    first_day: dict[str, date] = {}
    for row in placement_truth(SEED, WINDOW.start, WINDOW.end):
        if kinds[row["campaign_id"]] not in ADVANTAGE_KINDS:
            continue
        day = date.fromisoformat(row["date"])
        key = (row["campaign_id"], day - timedelta(days=day.weekday()))
        spend[key] += row["spend"]
        if row["publisher_platform"] == "threads" and row["spend"] > 0:
            threads[key] += row["spend"]
            first_day[row["campaign_id"]] = min(first_day.get(row["campaign_id"], day), day)
    shares = {key: _half_up(threads[key] / total, "0.000001") for key, total in spend.items()}
    return shares, first_day


def test_threads_share_per_advantage_plus_campaign_equals_the_truth(
    stand_in_settings: Settings,
) -> None:
    shares, first_day = _truth_threads_shares()
    report = rows(
        stand_in_settings,
        "select campaign_id, week_start_date, sum(case when publisher_platform = 'threads' "
        "then spend_share else 0 end), max(threads_first_spend_date), "
        "bool_and(threads_without_opt_in) "
        "from marts.rpt_advantage_plus_placement_split group by all",
    )
    assert {(c, w): share for c, w, share, _, _ in report} == shares
    assert {c: d for c, _, _, d, _ in report if d is not None} == first_day
    assert set(first_day.values()) == {THREADS_ROLLOUT}
    # Threads came without the advertiser naming it: every such campaign is flagged.
    assert {c for c, _, _, _, flag in report if flag} == set(first_day)


def test_threads_spend_without_opt_in_is_the_threads_spend_itself(
    stand_in_settings: Settings,
) -> None:
    """Per campaign and week: Threads spend in ad sets whose targeting does not name Threads.

    The stand-in knows which ad sets named Threads (``AdSet.placements``: empty means automatic
    placements, which Threads joined on the rollout day without the advertiser acting).
    """
    scenario = build_scenario()
    kinds = {c.id: c.kind for c in scenario.campaigns}
    truth: dict[tuple[str, date], Decimal] = defaultdict(Decimal)
    all_spend: dict[str, Decimal] = defaultdict(Decimal)
    for row in placement_truth(SEED, WINDOW.start, WINDOW.end):
        if kinds[row["campaign_id"]] not in ADVANTAGE_KINDS:
            continue
        all_spend[row["campaign_id"]] += row["spend"]
        named = THREADS_FEED in scenario.adset(row["adset_id"]).placements
        if row["publisher_platform"] == "threads" and not named:
            day = date.fromisoformat(row["date"])
            truth[(row["campaign_id"], day - timedelta(days=day.weekday()))] += row["spend"]
    report = rows(
        stand_in_settings,
        "select campaign_id, week_start_date, sum(threads_spend_without_opt_in), "
        "sum(spend) filter (where publisher_platform = 'threads'), "
        "sum(threads_spend_without_opt_in) filter (where publisher_platform <> 'threads'), "
        "bool_or(threads_without_opt_in) "
        "from marts.rpt_advantage_plus_placement_split group by all",
    )
    measured = {(c, w): amount for c, w, amount, _, _, _ in report if amount}
    assert measured == {key: amount for key, amount in truth.items() if amount}
    assert sum(truth.values()) > 0
    # Zero on every other placement; never more than the Threads row's spend.
    assert all(other in (None, 0) for _, _, _, _, other, _ in report)
    assert all(amount <= (threads or 0) for _, _, amount, threads, _, _ in report)
    # The flag alone would have counted every placement's spend of the flagged campaigns.
    flagged = {c for c, _, _, _, _, flag in report if flag}
    assert sum(all_spend[c] for c in flagged) > 10 * sum(truth.values())


def test_automation_flags_follow_the_campaign_and_ad_set_settings(
    stand_in_settings: Settings,
) -> None:
    kinds = {c["id"]: c["kind"] for c in entity_truth()["campaigns"]}
    campaigns = rows(
        stand_in_settings,
        "select campaign_id, is_advantage_plus_campaign from marts.dim_campaigns"
        " where platform = 'meta'",
    )
    assert dict(campaigns) == {cid: kind in ADVANTAGE_KINDS for cid, kind in kinds.items()}
    modes = rows(
        stand_in_settings,
        "select adset_name, placement_mode, threads_inclusion from marts.dim_ads "
        "where platform = 'meta' group by all order by 1",
    )
    by_name = {name: (mode, threads) for name, mode, threads in modes}
    assert by_name["US | IG feed + Threads opt-in"] == ("manual", "explicitly_included")
    assert by_name["EU | A+ audience"] == ("advantage_plus", "automatic")
    assert by_name["EU | FB+IG feeds"] == ("manual", "excluded")
    deleted = rows(
        stand_in_settings,
        "select count(*) from marts.dim_ads where platform = 'meta' and is_deleted",
    )
    truth_deleted = [a for a in entity_truth()["ads"] if a["effective_status"] == "DELETED"]
    assert deleted[0][0] == len(truth_deleted) > 0


def _restate(
    settings: Settings, raw_table: str, ad_id: str, day: date, spend_delta: str, sync_id: str
) -> int:
    """Store a newer version of an ad's rows of one day with their spend changed.

    Returns the number of rows restated (one per placement in the placement report).
    """
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute(
            f"""
            insert into raw.{raw_table}
            select * replace (
                cast(cast(spend as decimal(18, 2)) + {spend_delta} as varchar) as spend,
                '{sync_id}' as _sync_id, now() as _pulled_at, md5('{sync_id}') as _row_hash
            )
            from raw.{raw_table} where ad_id = ? and date_start = ?
            """,
            [ad_id, day],
        )
        return con.execute(
            "select count(*) from raw." + raw_table + " where _sync_id = ?", [sync_id]
        ).fetchone()[0]


def _mart_rows(settings: Settings, mart: str) -> list[tuple]:
    return rows(settings, f"select * from {mart} order by all")


@pytest.mark.parametrize("mart", sorted(INCREMENTAL_MARTS))
def test_incremental_run_reprocesses_only_the_lookback_window_and_full_refresh_agrees(
    copied_settings: Settings, monkeypatch: pytest.MonkeyPatch, mart: str
) -> None:
    raw_table = INCREMENTAL_MARTS[mart]
    # The mart and the staging table it reads (a table: it must be rebuilt to see raw rows).
    select = ["run", "--select", f"stg_{raw_table} {mart.removeprefix('marts.')}"]

    def spend_on(day: date) -> Decimal:
        """The Meta ad's spend on ``day`` (summed over its placements)."""
        return rows(
            copied_settings,
            f"select sum(spend) from {mart}"
            " where platform = 'meta' and ad_id = ? and report_date = ?",
            [ad_id, day],
        )[0][0]

    ad_id = rows(
        copied_settings,
        f"select min(ad_id) from {mart} where platform = 'meta' and report_date = ?",
        [WINDOW.start],
    )[0][0]
    old_spend, new_spend = spend_on(WINDOW.start), spend_on(WINDOW.end)
    start_rows = _restate(copied_settings, raw_table, ad_id, WINDOW.start, "1.00", "run-early")
    end_rows = _restate(copied_settings, raw_table, ad_id, WINDOW.end, "2.00", "run-late")
    assert start_rows > 0 and end_rows > 0
    # Every run with the 7-day lookback (a full refresh ignores it; one set of vars: one parse).
    dbt(copied_settings, select, monkeypatch, incremental_lookback_days="7")

    assert spend_on(WINDOW.end) == new_spend + 2 * end_rows  # inside the window: rebuilt
    assert spend_on(WINDOW.start) == old_spend  # 20 days back: left alone

    dbt(copied_settings, [*select, "--full-refresh"], monkeypatch, incremental_lookback_days="7")
    full = _mart_rows(copied_settings, mart)
    assert spend_on(WINDOW.start) == old_spend + start_rows
    dbt(copied_settings, select, monkeypatch, incremental_lookback_days="7")
    assert _mart_rows(copied_settings, mart) == full


def _log_load(settings: Settings, raw_table: str, day: date, run_id: str) -> None:
    """Record in raw._loads a load of ``day`` landing now (after every recorded build)."""
    source, stream = raw_table.split("__", 1)
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute(
            "insert into raw._loads (run_id, source, stream, account_id, window_start, "
            "window_end, pulled_at, loaded_at, rows_seen, rows_inserted, tombstones_inserted) "
            "values (?, ?, ?, 'backfill', ?, ?, now(), now(), 1, 1, 0)",
            [run_id, source, stream, day, day],
        )


@pytest.mark.parametrize("mart", sorted(INCREMENTAL_MARTS))
def test_a_backfill_older_than_the_lookback_reaches_the_incremental_mart(
    copied_settings: Settings, monkeypatch: pytest.MonkeyPatch, mart: str
) -> None:
    """Days a load covered since the last successful build are rebuilt, however old."""
    raw_table = INCREMENTAL_MARTS[mart]
    day = WINDOW.start
    ad_id, old_spend = rows(
        copied_settings,
        f"select ad_id, sum(spend) from {mart} where platform = 'meta' and report_date = ?"
        " group by ad_id order by ad_id limit 1",
        [day],
    )[0]
    with duckdb.connect(str(copied_settings.warehouse_path)) as con:
        succeeded = con.execute("select count(*) from audit.dbt_builds where succeeded").fetchone()[
            0
        ]
    assert succeeded > 0, "the fixture's warehouse records its build"
    restated = _restate(copied_settings, raw_table, ad_id, day, "3.00", "run-backfill")
    _log_load(copied_settings, raw_table, day, "run-backfill")
    with duckdb.connect(str(copied_settings.warehouse_path)) as con:
        # A build of a selection since the load rebuilt other models: it must not count.
        con.execute(
            "insert into audit.dbt_builds values ('run-partial', 'dim_ads', false, now(),"
            " now(), true)"
        )
    dbt(
        copied_settings,
        ["run", "--select", f"stg_{raw_table} {mart.removeprefix('marts.')}"],
        monkeypatch,
        incremental_lookback_days="7",
    )

    new_spend = rows(
        copied_settings,
        f"select sum(spend) from {mart} where platform = 'meta' and ad_id = ? and report_date = ?",
        [ad_id, day],
    )[0][0]
    assert new_spend == old_spend + 3 * restated


def test_conversion_restatements_compare_first_and_latest_pull(
    copied_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    ad_id, day, purchases, value = rows(
        copied_settings,
        "select ad_id, report_date, purchases, purchase_value from marts.fct_ad_performance_daily"
        " where purchases >= 2 and platform = 'meta' order by ad_id, report_date limit 1",
    )[0]
    with duckdb.connect(str(copied_settings.warehouse_path)) as con:
        # An earlier pull that saw one purchase less (its value unknown yet: 0 fewer cents).
        con.execute(
            """
            insert into raw.meta__ad_insights
            select * replace (
                '[{"action_type": "omni_purchase", "value": "1", "7d_click": "1"}]'::json
                    as actions,
                '[]'::json as action_values,
                'run-0' as _sync_id, _pulled_at - interval 1 day as _pulled_at
            )
            from raw.meta__ad_insights where ad_id = ? and date_start = ?
            """,
            [ad_id, day],
        )
    dbt(copied_settings, ["run", "--select", "fct_conversion_restatements"], monkeypatch)
    restated = rows(
        copied_settings,
        "select attribution_window, first_purchases, latest_purchases, first_purchase_value,"
        " latest_purchase_value, version_count, is_restated"
        " from marts.fct_conversion_restatements where ad_id = ? and report_date = ?"
        " order by attribution_window",
        [ad_id, day],
    )
    by_window = {r[0]: r[1:] for r in restated}
    assert by_window["default"] == (1, purchases, 0, value, 2, True)
    assert by_window["7d_click"][0] == 1
    unchanged = rows(
        copied_settings,
        "select count(*) from marts.fct_conversion_restatements where is_restated",
    )[0][0]
    assert unchanged == sum(1 for r in restated if r[-1])


def test_placement_flags_are_the_ad_set_settings_of_a_single_pull(
    stand_in_settings: Settings,
) -> None:
    """One pull stored one settings version: every day gets it (the earliest version)."""
    differing = rows(
        stand_in_settings,
        """
        select count(*)
        from marts.fct_placement_performance_daily as placements
        left join intermediate.int_meta__adset_automation as current_settings
            using (adset_id)
        where placements.platform = 'meta' and (
            placements.is_advantage_plus_campaign
                is distinct from current_settings.is_advantage_plus_campaign
            or placements.placement_mode is distinct from current_settings.placement_mode
            or placements.threads_inclusion is distinct from current_settings.threads_inclusion
        )
        """,
    )
    assert differing == [(0,)]
    flagged = rows(
        stand_in_settings,
        "select count(*) from marts.fct_placement_performance_daily"
        " where platform = 'meta' and is_advantage_plus_campaign",
    )
    assert flagged[0][0] > 0


def _repeat_a_mart_row(settings: Settings, day: date) -> None:
    """Store one placement mart row of ``day`` twice (breaks the mart's unique test)."""
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute(
            f"insert into {PLACEMENT_PERFORMANCE} select * from {PLACEMENT_PERFORMANCE}"
            " where report_date = ? order by all limit 1",
            [day],
        )


def _test_mart(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> str | None:
    """``dbt test`` of the placement mart with a 7-day lookback; the output if it failed."""
    args = ["test", "--select", "fct_placement_performance_daily"]
    result = run_dbt(settings, args, monkeypatch, incremental_lookback_days="7")
    return None if result.returncode == 0 else result.stdout


def test_an_incremental_build_tests_only_the_days_it_may_have_rewritten(
    copied_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests of a model with meta.test_window_column read the days from lookback_start on
    once a full-project build has succeeded; before that, every day."""
    _repeat_a_mart_row(copied_settings, WINDOW.start)  # 20 days back: outside a 7-day window
    assert _test_mart(copied_settings, monkeypatch) is None

    with duckdb.connect(str(copied_settings.warehouse_path)) as con:
        con.execute("update audit.dbt_builds set succeeded = false")
    failed = _test_mart(copied_settings, monkeypatch)
    assert failed and "unique_combination_of_columns_fct_placement_performance_daily" in failed

    with duckdb.connect(str(copied_settings.warehouse_path)) as con:
        con.execute("update audit.dbt_builds set succeeded = true")
    _repeat_a_mart_row(copied_settings, WINDOW.end)  # inside the window
    failed = _test_mart(copied_settings, monkeypatch)
    assert failed and "unique_combination_of_columns_fct_placement_performance_daily" in failed


def test_a_full_refresh_tests_every_day(
    copied_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The on-run-start hook stores the tests' first day; null (every row) on a full refresh."""

    def first_day(*flags: str) -> date | None:
        dbt(copied_settings, ["run", "--select", "int_fx_rates_daily", *flags], monkeypatch)
        return rows(copied_settings, "select first_day from audit.dbt_test_window")[0][0]

    assert first_day() is not None
    assert first_day("--full-refresh") is None


def test_conversion_restatements_built_incrementally_equal_a_full_refresh(
    copied_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A restatement inside a 7-day lookback reaches the incremental mart, and the result
    equals a full rebuild."""
    day = WINDOW.end - timedelta(days=2)
    ad_id = rows(
        copied_settings,
        "select min(ad_id) from marts.fct_ad_performance_daily"
        " where platform = 'meta' and report_date = ? and purchases > 0",
        [day],
    )[0][0]
    with duckdb.connect(str(copied_settings.warehouse_path)) as con:
        con.execute(
            """
            insert into raw.meta__ad_insights
            select * replace (
                '[]'::json as actions, '[]'::json as action_values,
                'run-0' as _sync_id, _pulled_at - interval 1 day as _pulled_at
            )
            from raw.meta__ad_insights where ad_id = ? and date_start = ?
            """,
            [ad_id, day],
        )
    select = ["run", "--select", "fct_conversion_restatements"]
    dbt(copied_settings, select, monkeypatch, incremental_lookback_days="7")
    incremental = _mart_rows(copied_settings, "marts.fct_conversion_restatements")
    restated = rows(
        copied_settings,
        "select bool_and(is_restated) from marts.fct_conversion_restatements"
        " where platform = 'meta' and ad_id = ? and report_date = ?"
        " and attribution_window = 'default'",
        [ad_id, day],
    )[0][0]
    assert restated

    dbt(copied_settings, [*select, "--full-refresh"], monkeypatch, incremental_lookback_days="7")
    assert _mart_rows(copied_settings, "marts.fct_conversion_restatements") == incremental

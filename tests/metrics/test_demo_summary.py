"""`make demo`'s progress lines and closing summary (no Airflow run: a published home)."""

from __future__ import annotations

from datetime import date

import duckdb

from devtools.demo import DagProgress, _print_summary

_LINES = [
    "[i] [DAG TEST] end task task_id=plan map_index=-1",
    "[i] dbt: 05:42:00  Found 2 models, 2 data tests, 1 seed, 4 operations, 9 unit tests",
    "[i] dbt: 05:42:01  1 of 5 START sql view model staging.stg_a ....... [RUN]",
    "[i] dbt: 05:42:01  1 of 5 OK created sql view model staging.stg_a .. [OK in 0.09s] [s]",
    "[i] dbt: 05:42:01  2 of 5 OK loaded seed file reference.registry  [INSERT 6 in 0.06s]",
    "[i] dbt: 05:42:01  3 of 5 PASS not_null_stg_a_id .................. [PASS in 0.02s] [s]",
    "[i] dbt: 05:42:02  4 of 5 ERROR creating sql table model marts.fct_b  [ERROR in 0.5s] [s]",
    "[i] [DAG TEST] end task task_id=dbt_build map_index=-1",
    "[i] [DAG TEST] end task task_id=extract map_index=3",
    "[i] DagRun Finished: dag_id=transform_publish, state=failed, run_type=manual",
]


def test_progress_shows_each_model_with_counts_and_elapsed_time():
    progress = DagProgress("transform_publish", started=100.0)

    shown = [s for line in _LINES if (s := progress.feed(line, now=165.0))]

    assert [s.split()[:3] for s in shown] == [
        ["dbt:", "3", "models"],
        ["dbt", "[1/3]", "staging.stg_a"],
        ["dbt", "[2/3]", "reference.registry"],
        ["dbt", "[3/3]", "marts.fct_b"],
        ["task", "dbt_build", "done"],
    ]
    assert shown[1].split()[-4:] == ["OK", "in", "0.09s", "(1:05)"]
    assert "ERROR in 0.5s" in shown[3]
    assert progress.tasks_done == 3 and progress.failed


def test_progress_counts_the_models_the_build_runs():
    # A build that leaves the unchanged views alone runs fewer models than the project has
    # (2 models, 1 seed, 2 tests); its hooks are numbered apart.
    progress = DagProgress("transform_publish", started=100.0)
    lines = [
        "[i] dbt: 05:42:00  Found 3 models, 2 data tests, 1 seed, 4 operations",
        "[i] dbt: 05:42:01  1 of 4 START hook: socialmart.on-run-start.0 ...... [RUN]",
        "[i] dbt: 05:42:01  1 of 4 OK hook: socialmart.on-run-start.0 ......... [OK in 0.01s]",
        "[i] dbt: 05:42:01  1 of 5 START sql table model marts.fct_b ...... [RUN]",
        "[i] dbt: 05:42:01  1 of 5 OK created sql table model marts.fct_b .. [OK in 0.2s]",
        "[i] dbt: 05:42:01  2 of 5 OK loaded seed file reference.registry  [INSERT 6 in 0.06s]",
    ]
    shown = [s for line in lines if (s := progress.feed(line, now=101.0))]
    assert [s.split()[:3] for s in shown] == [
        ["dbt:", "3", "models"],
        ["dbt", "[1/3]", "marts.fct_b"],
        ["dbt", "[2/3]", "reference.registry"],
    ]


def _headline_from_sql(con) -> list[tuple]:
    return con.execute(
        """
        select campaign_id, account_currency, min(threads_first_spend_date),
            sum(threads_spend_without_opt_in),
            sum(purchase_value) filter (where publisher_platform = 'threads')
              / sum(spend) filter (where publisher_platform = 'threads'),
            sum(purchase_value) filter (where publisher_platform <> 'threads'
                and week_start_date >= date_trunc('week', threads_first_spend_date))
              / sum(spend) filter (where publisher_platform <> 'threads'
                and week_start_date >= date_trunc('week', threads_first_spend_date))
        from rpt_advantage_plus_placement_split
        group by all having sum(threads_spend_without_opt_in) > 0
        """
    ).fetchall()


def test_summary_leads_with_the_threads_headline_then_spend_by_platform(published_settings, capsys):
    assert _print_summary(published_settings, date(2026, 9, 27), date(2026, 10, 4))

    out = capsys.readouterr().out
    lines = out.strip().splitlines()
    with duckdb.connect(str(published_settings.published_marts_path), read_only=True) as con:
        campaigns = _headline_from_sql(con)
        spend = con.execute(
            "select platform, publisher_platform, account_currency, sum(spend) "
            "from fct_placement_performance_daily group by all"
        ).fetchall()
    headline = out.index("Advantage+ campaigns that paid for Threads without opting in")
    assert headline < out.index("Spend by platform and placement")
    assert len(campaigns) >= 2
    for campaign_id, currency, since, amount, threads_roas, other_roas in campaigns:
        block = out[out.index(f"({campaign_id})") :]
        since_line = f"    since {since}: {currency} {amount:,.2f} on Threads without opt-in"
        assert block.splitlines()[1].startswith(since_line)
        roas = f"ROAS {threads_roas:.2f} on Threads vs {other_roas:.2f} on its other placements"
        assert roas in block.splitlines()[2]
    labels = {"meta": "Meta", "tiktok": "TikTok"}
    for platform, placement, currency, amount in spend:
        assert f"  {labels[platform]:<7} {placement:<20} {currency} {amount:>14,.2f}" in lines
    assert lines[-1].startswith("Reconciled with the stand-in's ground truth: ")
    assert lines[-1].endswith(" rows, exact.")

"""`make demo` (``python -m devtools.demo``): the whole pipeline through Airflow against the
stand-in APIs.

Starts the stand-in in this process, runs every ingest DAG once with `airflow dags test` for a
fixed demo window (so the story in the data, e.g. Threads switched on inside an Advantage+
campaign on 2026-10-01, is always visible), then the transform DAG (dbt build, gate, publish;
`dags test` does not follow asset triggers, so it runs explicitly), all in one Airflow process
(:mod:`devtools.dags_test`), printing each DAG's progress
and each dbt model as it is built. It then tells the story (each Advantage+ campaign that paid
for Threads without opting in), shows spend by platform and placement, reconciles the published
marts with the stand-in's ground truth and prints where to look. The runs are recorded in the
local Airflow, so `make airflow` shows them in the UI.

With ``SOCIALMART_WAREHOUSE=postgres`` (`make demo WAREHOUSE=postgres`) the same runs go to a
local PostgreSQL cluster the demo starts under ``<SOCIALMART_HOME>/postgres`` (Debian's server
binaries, 127.0.0.1 on ``SOCIALMART_PG_PORT``) and stops at the end; the story is read from
the dashboards' copy of schema ``published`` (through the BI role) and the reconciliation
from ``published`` itself.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, nullcontext
from datetime import date
from pathlib import Path

import duckdb

from devtools import dags_test
from socialmart.airflow_env import airflow_env, prepare_airflow
from socialmart.engines import published_location
from socialmart.orchestration import ingest_dag_ids
from socialmart.settings import PROJECT_ROOT, Settings

DEMO_START = date(2026, 9, 1)
DEMO_END = date(2026, 10, 31)
TRANSFORM_DAG_ID = "transform_publish"
#: The demo cluster's logins when the settings leave them empty (local only, like the stack's
#: metadata database; the cluster listens on 127.0.0.1).
DEMO_PG_PASSWORDS = {
    "SOCIALMART_PG_PASSWORD": "demo-warehouse-local-only",
    "SOCIALMART_PG_BI_PASSWORD": "demo-bi-local-only",
}


_TASK_END = re.compile(r"\[DAG TEST\] end task task_id=(?P<task>\S+) map_index=(?P<map>-?\d+)")
# dbt's count of the project's data tests ("Found 74 models, 344 data tests, 1 seed, ...").
_DBT_FOUND_TESTS = re.compile(r"dbt: \S+\s+Found .*?\b(?P<tests>\d+) data tests?\b")
# Any node line of `dbt build` ("12 of 362 START ..."): the run's selected nodes, tests
# included. Its hooks are counted apart ("1 of 4 START hook: ...").
_DBT_NODE_OF = re.compile(r"dbt: \S+\s+\d+ of (?P<selected>\d+) (?!\S+ hook: )")
# A finished model or seed of `dbt build` (tests print PASS/FAIL/WARN and are not shown).
_DBT_NODE_DONE = re.compile(
    r"dbt: \S+\s+\d+ of \d+ (?P<status>OK|ERROR|SKIP|NO-OP)\b.*?"
    r"\b(?:model|seed file|relation) (?P<node>[\w.]+) [ .]*\[(?P<result>[^\]]*)\]"
)
_PLATFORM_LABELS = {"meta": "Meta", "tiktok": "TikTok"}


def _elapsed(seconds: float) -> str:
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


class DagProgress:
    """What one `airflow dags test` run prints while it runs: its tasks and dbt's models.

    Reads the run's output line by line; tasks of mapped tasks count once per map index.
    """

    def __init__(self, dag_id: str, started: float) -> None:
        self.dag_id = dag_id
        self.started = started
        self.tasks_done = 0
        self.failed = False
        self._data_tests: int | None = None
        self._models_total = 0
        self._models_done = 0

    def feed(self, line: str, now: float) -> str | None:
        """The progress line ``line`` gives, if any."""
        self.failed = self.failed or "state=failed" in line
        if task := _TASK_END.search(line):
            self.tasks_done += 1
            if task["map"] == "-1" and self._models_total:
                return f"    task {task['task']} done ({_elapsed(now - self.started)})"
            return None
        if found := _DBT_FOUND_TESTS.search(line):
            self._data_tests = int(found["tests"])
            return None
        shown = []
        selected = _DBT_NODE_OF.search(line)
        if selected and self._data_tests is not None and not self._models_total:
            # Every data test runs in the pipeline's builds; the rest are models and seeds
            # (fewer than the project's when unchanged views are left alone).
            self._models_total = int(selected["selected"]) - self._data_tests
            shown.append(f"    dbt: {self._models_total} models and seeds to build")
        if node := _DBT_NODE_DONE.search(line):
            self._models_done += 1
            width = len(str(self._models_total))
            count = f"{self._models_done:>{width}}/{self._models_total}"
            shown.append(
                f"    dbt [{count}] {node['node']:<52} {node['result']:<18} "
                f"({_elapsed(now - self.started)})"
            )
        return "\n".join(shown) or None


def run_dag(settings: Settings, dag_id: str, conf: dict) -> None:
    """Run one DAG once with `airflow dags test` (see :func:`run_dags`)."""
    run_dags(settings, [(dag_id, conf)])


def run_dags(settings: Settings, runs: list[tuple[str, dict]]) -> None:
    """Run each DAG of ``runs`` (dag id, run conf) once with `airflow dags test`, in order, in
    one Airflow process (:mod:`devtools.dags_test`), printing each one's progress; raise if
    one fails (the DAGs after it do not run).

    No logical date is given (it defaults to now): `dags test` records a run's start as its
    logical date, so a past date made every demo run last weeks (the window is in the conf).
    Each DAG's output goes to ``<SOCIALMART_HOME>/airflow/dags-test/<dag_id>.log`` as it
    comes; the process's start-up output goes to the first DAG's log, its exit to the last's.
    """
    log_dir = settings.home / "airflow" / "dags-test"
    log_dir.mkdir(parents=True, exist_ok=True)
    dag_ids = [dag_id for dag_id, _ in runs]
    succeeded: set[str] = set()
    progress = DagProgress(dag_ids[0], time.monotonic())
    print("  starting Airflow ...", flush=True)
    with ExitStack() as stack:
        logs = {
            dag_id: stack.enter_context((log_dir / f"{dag_id}.log").open("w")) for dag_id in dag_ids
        }
        process = stack.enter_context(
            subprocess.Popen(
                [sys.executable, "-m", "devtools.dags_test", json.dumps(runs)],
                env={**airflow_env(settings), "PYTHONUNBUFFERED": "1"},
                cwd=PROJECT_ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
        )
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith(dags_test.BEGIN):
                progress = DagProgress(line[len(dags_test.BEGIN) :].strip(), time.monotonic())
                print(f"  {progress.dag_id} ...", flush=True)
            logs[progress.dag_id].write(line)
            if line.startswith(dags_test.END):
                logs[progress.dag_id].flush()  # whole once the DAG is done, not at the end
                took = _elapsed(time.monotonic() - progress.started)
                if line.rstrip().endswith(" ok") and not progress.failed:
                    succeeded.add(progress.dag_id)
                    print(
                        f"  {progress.dag_id} done: {progress.tasks_done} tasks in {took}",
                        flush=True,
                    )
                else:
                    print(f"  {progress.dag_id} failed after {took}", flush=True)
            elif shown := progress.feed(line, time.monotonic()):
                print(shown, flush=True)
    failed = next((d for d in dag_ids if d not in succeeded), None)
    if failed is not None or process.returncode != 0:
        failed = failed or progress.dag_id
        raise RuntimeError(
            f"the Airflow run of {failed} failed; its log is in {log_dir / f'{failed}.log'}"
        )


def run_pipeline_dags(settings: Settings, start: date, end: date) -> None:
    """Every ingest DAG for ``start..end`` (a backfill), then the transform DAG once."""
    window = {"start": start.isoformat(), "end": end.isoformat()}
    run_dags(settings, [*((dag_id, window) for dag_id in ingest_dag_ids()), (TRANSFORM_DAG_ID, {})])


_HEADLINE_SQL = """
select
    arg_max(campaign_name, week_start_date) as campaign_name,
    campaign_id,
    account_currency,
    min(threads_first_spend_date) as threads_since,
    sum(threads_spend_without_opt_in) as threads_without_opt_in,
    sum(spend) filter (where is_threads) as threads_spend,
    sum(purchase_value) filter (where is_threads) / nullif(sum(spend) filter (where is_threads), 0)
        as threads_roas,
    sum(purchase_value) filter (where not is_threads and in_threads_weeks)
        / nullif(sum(spend) filter (where not is_threads and in_threads_weeks), 0) as other_roas,
    sum(spend) filter (where in_threads_weeks) as spend_since
from (
    select
        *,
        publisher_platform = 'threads' as is_threads,
        week_start_date >= date_trunc('week', threads_first_spend_date) as in_threads_weeks
    from rpt_advantage_plus_placement_split
    where week_start_date between date_trunc('week', cast(? as date)) and ?
)
group by campaign_id, account_currency
having bool_or(threads_without_opt_in) and sum(threads_spend_without_opt_in) > 0
order by threads_without_opt_in desc, campaign_id
"""
_SPEND_SQL = """
select platform, publisher_platform, account_currency, sum(spend) as spend
from fct_placement_performance_daily
where report_date between ? and ?
group by all
order by platform, account_currency, spend desc
"""


def _ratio(value: object) -> str:
    return "-" if value is None else f"{value:.2f}"


def print_headline(con: duckdb.DuckDBPyConnection, start: date, end: date) -> None:
    """Each Advantage+ campaign that paid for Threads without opting in: since, how much, ROAS."""
    campaigns = con.execute(_HEADLINE_SQL, [start, end]).fetchall()
    if not campaigns:
        print(f"\nNo Advantage+ campaign paid for Threads without opting in, {start}..{end}.")
        return
    print(f"\nAdvantage+ campaigns that paid for Threads without opting in, {start}..{end}:")
    for name, campaign_id, currency, since, amount, threads, t_roas, o_roas, total in campaigns:
        share = f"{threads / total:.1%}" if total else "-"
        print(f"  {name} ({campaign_id})")
        print(
            f"    since {since}: {currency} {amount:,.2f} on Threads without opt-in "
            f"({share} of the campaign's spend since that week)"
        )
        print(
            f"    ROAS {_ratio(t_roas)} on Threads vs {_ratio(o_roas)} on its other "
            "placements over the same weeks"
        )


def print_spend(con: duckdb.DuckDBPyConnection, start: date, end: date) -> None:
    """Spend by platform and placement, each placement named with its platform."""
    print(f"\nSpend by platform and placement, {start}..{end} (account currency):")
    for platform, placement, currency, amount in con.execute(_SPEND_SQL, [start, end]).fetchall():
        label = _PLATFORM_LABELS.get(platform, platform)
        print(f"  {label:<7} {placement:<20} {currency} {amount:>14,.2f}")


def _readable_marts(settings: Settings) -> Path:
    """A DuckDB file of the published marts: the publication itself, or on PostgreSQL the
    dashboards' copy of it (read through the BI role, as the dashboards read it)."""
    if settings.warehouse != "postgres":
        return settings.published_marts_path
    from dashboards import pg_snapshot

    return pg_snapshot.refresh(settings).marts


def _print_summary(settings: Settings, start: date, end: date) -> bool:
    from devtools.reconcile import reconcile_published

    print(f"\nPublished marts: {published_location(settings)}")
    with duckdb.connect(str(_readable_marts(settings)), read_only=True) as con:
        print_headline(con, start, end)
        print_spend(con, start, end)
    verdict = reconcile_published(settings, settings.sandbox_seed, start, end)
    if verdict.ok:
        print(f"Reconciled with the stand-in's ground truth: {verdict.compared_rows} rows, exact.")
    else:
        print(f"MISMATCH with ground truth in {len(verdict.mismatches)} rows, e.g.:")
        print(verdict.mismatches[:3])
    return verdict.ok


@contextmanager
def local_postgres(settings: Settings) -> Iterator[None]:
    """Start the demo's PostgreSQL warehouse cluster for the body of the ``with`` block."""
    from socialmart.stack import postgres

    cluster = postgres.warehouse_cluster(settings)
    if cluster.host != "127.0.0.1":
        raise RuntimeError(
            f"SOCIALMART_PG_HOST is {cluster.host}: the demo starts its own cluster on "
            "127.0.0.1 (unset SOCIALMART_PG_HOST, or run the pipeline on that server instead)"
        )
    log_path = settings.home / "logs" / "demo-postgres.log"
    print(f"Starting a local PostgreSQL warehouse on {cluster.host}:{cluster.port} ...")
    with postgres.running(cluster, log_path):
        yield
    print(f"Stopped the local PostgreSQL warehouse (data in {postgres.cluster_dir(cluster)}).")


def run_demo(settings: Settings, start: date | None = None, end: date | None = None) -> int:
    """Run the demo and return a process exit code."""
    from sandbox.client_env import client_env
    from sandbox.server import serve_in_thread

    start, end = start or DEMO_START, end or DEMO_END
    for name, value in client_env().items():
        os.environ.setdefault(name, value)  # the DAG runs inherit it; explicit settings win
    postgres = settings.warehouse == "postgres"
    with local_postgres(settings) if postgres else nullcontext():
        print("Preparing Airflow (metadata database, warehouse pool, dbt manifest) ...")
        prepare_airflow(settings)
        print(f"Starting the stand-in APIs on port {settings.sandbox_port} ...")
        with serve_in_thread(port=settings.sandbox_port, seed=settings.sandbox_seed):
            print(f"Running the DAGs for {start}..{end} through Airflow:")
            run_pipeline_dags(settings, start, end)
        ok = _print_summary(settings, start, end)
    print("\nLook at it:")
    if postgres:
        print(f"  {published_location(settings)}: the published marts, read by the")
        print(f"                      dashboards and BI tools as role {settings.postgres.bi_role}")
        print("                      while the warehouse runs (the demo's cluster is stopped;")
        print("                      `make demo WAREHOUSE=postgres` starts it again)")
    else:
        airflow_url = f"http://{settings.stack.bind_host}:{settings.stack.api_port}"
        dashboard_url = f"http://{settings.stack.bind_host}:{settings.stack.dashboard_port}"
        print(f"  make airflow     -> {airflow_url} (the daily pipeline under the real")
        print("                      scheduler; local only: no password,")
        print("                      every user is admin; `make airflow-stop` stops it)")
        print(f"  make dashboard   -> {dashboard_url} (Advantage+ placement split, creators,")
        print("                      cross-platform performance, data health)")
        print(
            f"  {settings.published_marts_path}: the published marts (open read-only, see README)"
        )
    print(f"  Airflow task logs: {settings.home / 'airflow' / 'dags-test'}")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    from socialmart.logs import configure_logging
    from socialmart.settings import load_settings

    parser = argparse.ArgumentParser(
        prog="python -m devtools.demo", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--start", type=date.fromisoformat, help="defaults to the demo window")
    parser.add_argument("--end", type=date.fromisoformat)
    args = parser.parse_args(argv)
    if os.environ.get("SOCIALMART_WAREHOUSE", "").strip().lower() == "postgres":
        for name, value in DEMO_PG_PASSWORDS.items():
            if not os.environ.get(name, "").strip():
                os.environ[name] = value  # the DAG runs inherit it
    settings = load_settings()
    configure_logging(settings)
    return run_demo(settings, args.start, args.end)


if __name__ == "__main__":
    sys.exit(main())

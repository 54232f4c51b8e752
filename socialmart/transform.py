"""Run the dbt project (``dbt_project/``) against the warehouse.

dbt runs in a child process (``python -m socialmart.dbt_main``: dbt's command line, minus
rewrites of an unchanged manifest), not in-process through ``dbtRunner``, because:

* DuckDB locks the warehouse file per process. A child that exits is guaranteed to have
  released its lock and flushed its writes, so the gate and publish can open the file
  right after; an in-process run leaves adapter connections and caches behind.
* dbt configures global state (flags, logging handlers, the adapter registry) and is not
  safe to invoke repeatedly or concurrently inside one interpreter, such as an Airflow
  worker or a test session.
* A crash or memory blow-up in dbt stays in the child and surfaces as an error here.

The cost is interpreter start-up (a few seconds), small next to a build.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from socialmart import dbt_state, engines, warehouse
from socialmart.publish import MARTS_SCHEMA
from socialmart.settings import DBT_BUILD_FLAGS, Settings

if TYPE_CHECKING:
    from socialmart.pg_warehouse import Connection as PostgresConnection

    #: Either warehouse's connection: the audit SQL here runs on both engines.
    Connection = duckdb.DuckDBPyConnection | PostgresConnection

logger = logging.getLogger(__name__)

_FAILED_STATUSES = frozenset({"error", "fail", "runtime error"})
_OUTPUT_TAIL_LINES = 40
#: dbt's saved parse, in its target folder.
PARTIAL_PARSE_FILE = "partial_parse.msgpack"

#: Failing rows of a test kept with its result, so the gate can name what failed.
_FAILING_ROWS_SAMPLE = 5


class TransformError(RuntimeError):
    """dbt could not build the project; the message names the failing nodes."""


@dataclass(frozen=True)
class MartTestResult:
    """One dbt data test of a published mart, as a build ran it.

    Attributes:
        unique_id: dbt's node id of the test.
        test_name: The generic test's name (``unique_combination_of_columns``), or the
            singular test's file name.
        model: The mart the test belongs to (``fct_ad_performance_daily``).
        column_names: The mart columns the test is about (empty: the whole row).
        severity: dbt's configured severity, ``error`` or ``warn``.
        status: dbt's result: ``pass``, ``warn``, ``fail``, ``error`` or ``skipped``.
        failures: Rows the test returned (``None`` when it did not run).
        message: dbt's message (the database error of a test that could not run).
        kwargs: The test's arguments (expression, columns, groups), for the reader.
        compiled_sql: The query dbt ran (its rows are the failures).
        failing_rows: A few of those rows, once read back from the warehouse.
    """

    unique_id: str
    test_name: str
    model: str
    column_names: tuple[str, ...]
    severity: str
    status: str
    failures: int | None
    message: str
    kwargs: dict[str, Any]
    compiled_sql: str = ""
    failing_rows: tuple[dict[str, Any], ...] = ()

    @property
    def failed(self) -> bool:
        """dbt failed the build on it (an error-severity failure, or it could not run)."""
        return self.status in _FAILED_STATUSES


def build(
    settings: Settings,
    run_id: str,
    *,
    select: str | None = None,
    full_refresh: bool = False,
) -> None:
    """Run ``dbt build`` (models and their tests) against the warehouse.

    Every attempt is recorded in ``audit.dbt_builds``, so publish can tell whether the
    marts changed after the gate validated them, and the results of the published marts'
    data tests in ``audit.mart_test_results``: those tests are the marts' contract, and the
    gate decides publishing from them (see ``expectations.gate``). A build whose only
    failures are such tests therefore returns (recorded as not succeeded, so the next build
    rebuilds and re-tests the same days) and the gate blocks the publish; any other failure
    (a model, a seed, a test of a staging or intermediate model, which leaves
    no candidate marts) raises.

    Args:
        settings: Warehouse path, dbt project and target folders.
        run_id: The pipeline run this build belongs to.
        select: Optional dbt node selection (``--select``).
        full_refresh: Rebuild incremental models from scratch.

    A changed ``REPORTING_CURRENCY`` (built marts hold another currency) makes the build a
    full refresh: incremental marts would otherwise keep older rows in the old currency.
    A build of the whole project that is no full refresh leaves alone the views unchanged
    since the last one (``socialmart.dbt_state``); every test still runs.

    Raises:
        TransformError: dbt reported failing nodes other than the marts' data tests, or
            could not run at all.
    """
    switched = None if full_refresh else currency_switch(settings)
    if switched:
        logger.warning("%s: rebuilding every model from the raw tables (full refresh)", switched)
        full_refresh = True
    built_from = dbt_state.fingerprint(settings, dbt_vars(settings))
    args = ["build", *DBT_BUILD_FLAGS]
    if select:
        args += ["--select", select]
    if full_refresh:
        args.append("--full-refresh")
    if not select and not full_refresh:
        args += dbt_state.selection_args(settings, built_from)
    started_at = record_build_start(settings, run_id, select=select, full_refresh=full_refresh)
    try:
        _run_dbt(settings, args)
    except TransformError as error:
        failed = {unique_id for unique_id, _ in _failed_nodes(_run_results_path(settings))}
        tests = mart_test_results(settings)
        record_build_end(settings, run_id, started_at, succeeded=False, tests=tests)
        contract_failures = {test.unique_id for test in tests if test.failed}
        if not failed or not failed <= contract_failures:
            samples = _failing_rows_listing(settings, failed - contract_failures)
            raise TransformError(f"{error}{samples}") from error
        logger.warning(
            "dbt build: %d data test(s) of the marts failed; the gate will block the publish",
            len(failed),
        )
        return
    record_build_end(
        settings, run_id, started_at, succeeded=True, tests=mart_test_results(settings)
    )
    if not select:
        dbt_state.save(settings, built_from, run_id, started_at)


def currency_switch(settings: Settings) -> str | None:
    """Why the built marts no longer match ``REPORTING_CURRENCY`` (``None``: they do).

    Looks at every mart table with a ``reporting_currency`` column; an empty or new
    warehouse matches.
    """
    wanted = settings.fx.reporting_currency
    with engines.connect(settings) as con:
        tables = con.execute(
            "select table_name from information_schema.columns as c "
            "join information_schema.tables as t using (table_schema, table_name) "
            "where c.table_schema = 'marts' and c.column_name = 'reporting_currency' "
            "and t.table_type = 'BASE TABLE' order by table_name"
        ).fetchall()
        for (table,) in tables:
            other = con.execute(
                f'select reporting_currency from marts."{table}" '
                "where reporting_currency is distinct from ? limit 1",
                [wanted],
            ).fetchone()
            if other:
                return (
                    f"REPORTING_CURRENCY is {wanted} but marts.{table} holds amounts in "
                    f"{other[0]} (the setting changed since the last build)"
                )
    return None


def parse_manifest(settings: Settings) -> Path:
    """Run ``dbt parse`` and return the path of the ``manifest.json`` it wrote.

    Args:
        settings: dbt project and target folders.

    Returns:
        ``<settings.dbt_target_dir>/manifest.json``.

    Raises:
        TransformError: The project does not parse.
    """
    _run_dbt(settings, ["parse"])
    return settings.dbt_target_dir / "manifest.json"


def record_build_start(
    settings: Settings, run_id: str, *, select: str | None = None, full_refresh: bool = False
) -> datetime:
    """Record a dbt build attempt in ``audit.dbt_builds``; return its start time.

    Also used by the Airflow transform DAG, whose build Cosmos runs.
    """
    started_at = datetime.now(UTC)
    with engines.connect(settings) as con:
        con.execute(
            "insert into audit.dbt_builds values (?, ?, ?, ?, null, null)",
            [run_id, select, full_refresh, started_at],
        )
    return started_at


def record_build_end(
    settings: Settings,
    run_id: str,
    started_at: datetime,
    *,
    succeeded: bool,
    tests: Sequence[MartTestResult] = (),
) -> None:
    """Mark the build recorded by :func:`record_build_start` as finished and store the
    results of the marts' data tests it ran, with a few failing rows of each test that
    returned any (one transaction)."""
    with engines.connect(settings) as con:
        tests = [_with_failing_rows(con, test) for test in tests]
        rows = _mart_test_rows(run_id, started_at, tests)
        warehouse.ensure_writer_table(con, "mart_test_results")
        con.begin()
        con.execute(
            "update audit.dbt_builds set finished_at = ?, succeeded = ? "
            "where run_id = ? and started_at = ?",
            [datetime.now(UTC), succeeded, run_id, started_at],
        )
        if rows:  # one statement, both engines (the PostgreSQL connection has no executemany)
            values = ", ".join([f"({', '.join('?' * len(rows[0]))})"] * len(rows))
            con.execute(
                f"insert into audit.mart_test_results values {values}",
                [value for row in rows for value in row],
            )
        con.commit()


def _with_failing_rows(con: Connection, test: MartTestResult) -> MartTestResult:
    """``test`` with a few of the rows its query returns (none when it passed or could not
    run); the marts are as the build left them, so the rows are the failures dbt counted."""
    if not test.failures or not test.compiled_sql or test.status == "error":
        return test
    return dataclasses.replace(
        test, failing_rows=_failing_rows(con, test.unique_id, test.compiled_sql)
    )


def _failing_rows(con: Connection, unique_id: str, compiled_sql: str) -> tuple[dict[str, Any], ...]:
    """A few of the rows a failed test's query returns (none when they cannot be read: the
    failure count stays the finding)."""
    import psycopg2

    try:
        cursor = con.execute(
            f"select * from ({compiled_sql}) as failing limit {_FAILING_ROWS_SAMPLE}"
        )
    except (duckdb.Error, psycopg2.Error) as error:
        logger.warning("could not read the failing rows of %s: %s", unique_id, error)
        return ()
    names = [column[0] for column in cursor.description]
    return tuple(dict(zip(names, row, strict=True)) for row in cursor.fetchall())


def _failing_rows_listing(settings: Settings, unique_ids: set[str]) -> str:
    """Lines for an error message: a few failing rows of each failed test in ``unique_ids``
    (a combined null check's rows name the column), or nothing."""
    run_results = _run_results_path(settings)
    if not unique_ids or not run_results.exists():
        return ""
    failed_tests = [
        result
        for result in json.loads(run_results.read_text(encoding="utf-8")).get("results", [])
        if result["unique_id"] in unique_ids
        and result.get("status") == "fail"
        and result.get("compiled_code")
    ]
    if not failed_tests:
        return ""
    with engines.connect(settings) as con:
        lines = [
            f"  - {result['unique_id']}: "
            + "; ".join(
                json.dumps(row, default=str)
                for row in _failing_rows(con, result["unique_id"], result["compiled_code"])
            )
            for result in failed_tests
        ]
    return "\nfailing rows (at most {} per test):\n{}".format(
        _FAILING_ROWS_SAMPLE, "\n".join(lines)
    )


def _mart_test_rows(
    run_id: str, started_at: datetime, tests: Sequence[MartTestResult]
) -> list[list[Any]]:
    return [
        [
            run_id,
            started_at,
            test.unique_id,
            test.test_name,
            test.model,
            ", ".join(test.column_names) or None,
            test.severity,
            test.status,
            test.failures,
            test.message or None,
            json.dumps(test.kwargs, default=str),
            json.dumps(test.failing_rows, default=str),
        ]
        for test in tests
    ]


def latest_build_mart_tests(con: Connection) -> tuple[datetime | None, list[MartTestResult]]:
    """The start of the latest build attempt and the marts' data tests it ran.

    The latest build produced (or tried to produce) the marts that are now candidates for
    publishing, whatever its outcome; builds before it do not speak for them.

    Args:
        con: Warehouse connection (DuckDB, or ``socialmart.pg_warehouse.Connection``).

    Returns:
        ``(None, [])`` before any build; an empty list when the build ran no such test
        (a selection without marts, or a build whose results were not recorded).
    """
    warehouse.ensure_writer_table(con, "mart_test_results")
    (started_at,) = con.execute("select max(started_at) from audit.dbt_builds").fetchone()
    if started_at is None:
        return None, []
    rows = con.execute(
        # JSON as text: psycopg2 would hand back parsed values, DuckDB hands back text.
        "select unique_id, test_name, model, column_names, severity, status, failures, "
        "message, cast(test_kwargs as varchar), cast(failing_rows as varchar) "
        "from audit.mart_test_results "
        "where build_started_at = ? order by model, unique_id",
        [started_at],
    ).fetchall()
    return started_at, [
        MartTestResult(
            unique_id=unique_id,
            test_name=test_name,
            model=model,
            column_names=tuple(column_names.split(", ")) if column_names else (),
            severity=severity,
            status=status,
            failures=failures,
            message=message or "",
            kwargs=json.loads(test_kwargs) if test_kwargs else {},
            failing_rows=tuple(json.loads(failing_rows) if failing_rows else ()),
        )
        for (
            unique_id,
            test_name,
            model,
            column_names,
            severity,
            status,
            failures,
            message,
            test_kwargs,
            failing_rows,
        ) in rows
    ]


def mart_test_results(settings: Settings) -> list[MartTestResult]:
    """The data tests of published marts in the last dbt invocation's ``run_results.json``,
    described from its ``manifest.json`` (both in the dbt target folder)."""
    run_results = _run_results_path(settings)
    manifest_path = settings.dbt_target_dir / "manifest.json"
    if not run_results.exists() or not manifest_path.exists():
        return []
    nodes = json.loads(manifest_path.read_text(encoding="utf-8"))["nodes"]
    found = []
    for result in json.loads(run_results.read_text(encoding="utf-8")).get("results", []):
        node = nodes.get(result["unique_id"])
        model = _tested_mart(node, nodes) if node and node["resource_type"] == "test" else None
        if model is not None:
            found.append(_mart_test_result(result, node, model))
    return found


def _tested_mart(test: dict[str, Any], nodes: dict[str, Any]) -> str | None:
    """The published mart a data test belongs to: the model a generic test is attached to,
    or the first mart a singular test reads; ``None`` for tests of other models."""
    candidates = [test["attached_node"]] if test.get("attached_node") else []
    candidates += test["depends_on"]["nodes"]
    for unique_id in candidates:
        node = nodes.get(unique_id) or {}
        if node.get("resource_type") == "model" and node.get("schema") == MARTS_SCHEMA:
            return str(node["name"])
    return None


def _mart_test_result(result: dict[str, Any], test: dict[str, Any], model: str) -> MartTestResult:
    metadata = test.get("test_metadata") or {}
    kwargs = {k: v for k, v in (metadata.get("kwargs") or {}).items() if k != "model"}
    if test.get("column_name"):
        columns: list[str] = [test["column_name"]]
    else:
        columns = list(kwargs.get("combination_of_columns") or kwargs.get("columns") or [])
        if kwargs.get("currency_column"):
            columns = [kwargs["currency_column"], *kwargs.get("group_by", [])]
    return MartTestResult(
        unique_id=result["unique_id"],
        test_name=metadata.get("name") or test["name"],
        model=model,
        column_names=tuple(columns),
        severity=str(test["config"]["severity"]).lower(),
        status=result["status"],
        failures=result.get("failures"),
        message=(result.get("message") or "").strip(),
        kwargs=kwargs,
        compiled_sql=result.get("compiled_code") or "",
    )


def dbt_command(
    settings: Settings,
    args: list[str],
    *,
    target: str | None = None,
    target_path: Path | None = None,
    log_path: Path | None = None,
    variables: dict[str, Any] | None = None,
) -> list[str]:
    """The command line of a dbt invocation: ``python -m socialmart.dbt_main <args>`` on the
    project. The pipeline's defaults: the configured warehouse's target
    (``settings.dbt_target``), the target and log folders under SOCIALMART_HOME and
    :func:`dbt_vars` (run it with :func:`dbt_env_overrides` in the environment)."""
    return [
        sys.executable,
        "-m",
        "socialmart.dbt_main",
        *args,
        "--project-dir",
        str(settings.dbt_project_dir),
        "--profiles-dir",
        str(settings.dbt_project_dir),
        "--target",
        target or settings.dbt_target,
        "--target-path",
        str((target_path or settings.dbt_target_dir).resolve()),
        "--log-path",
        str((log_path or dbt_log_dir(settings)).resolve()),
        "--vars",
        json.dumps(dbt_vars(settings) if variables is None else variables),
        "--no-use-colors",
    ]


def _run_results_path(settings: Settings) -> Path:
    return settings.dbt_target_dir / "run_results.json"


def _run_dbt(settings: Settings, args: list[str]) -> None:
    """Run one dbt command in a child process; raise TransformError when it fails."""
    run_results = _run_results_path(settings)
    run_results.unlink(missing_ok=True)
    command = dbt_command(settings, args)
    logger.info("running dbt %s", " ".join(args))
    completed = _stream(command, settings)
    if completed.returncode != 0:
        raise TransformError(_failure_message(args[0], completed, run_results))


def _stream(command: list[str], settings: Settings) -> subprocess.CompletedProcess[str]:
    """Run dbt, logging each output line as dbt prints it (progress while a build runs)."""
    lines = []
    folder, env = dbt_process(settings)
    with tempfile.TemporaryFile(mode="w+") as stderr:
        with subprocess.Popen(
            [*command, *parse_seed_flags(settings, settings.dbt_target_dir)],
            cwd=folder,
            env={**env, "PYTHONUNBUFFERED": "1"},
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        ) as process:
            assert process.stdout is not None
            for line in process.stdout:
                lines.append(line)
                logger.info("dbt: %s", line.rstrip("\n"))
        stderr.seek(0)
        errors = stderr.read()
    return subprocess.CompletedProcess(command, process.returncode, "".join(lines), errors)


def dbt_process(settings: Settings) -> tuple[Path, dict[str, str]]:
    """The folder dbt runs in and its environment.

    On DuckDB, dbt runs in the warehouse file's folder and the profile names the file alone.
    dbt keys its saved parse on the profile (the path included): with the file's name only,
    warehouses in different homes share one saved parse (``SOCIALMART_DBT_PARSE_SEED``), and
    a relative ``SOCIALMART_WAREHOUSE_PATH`` names the same file for dbt as for socialmart.
    """
    env = _dbt_env(settings)
    if settings.warehouse == "postgres":
        return settings.dbt_project_dir, env
    warehouse_file = settings.warehouse_path.resolve()
    warehouse_file.parent.mkdir(parents=True, exist_ok=True)
    return warehouse_file.parent, {**env, "SOCIALMART_WAREHOUSE_PATH": warehouse_file.name}


def parse_seed_flags(settings: Settings, target_dir: Path) -> list[str]:
    """dbt's flag to start from the saved parse ``SOCIALMART_DBT_PARSE_SEED`` when the target
    folder holds none of its own (dbt then parses only what differs, and writes its own)."""
    seed = settings.dbt.parse_seed
    if seed is None or (target_dir / PARTIAL_PARSE_FILE).exists():
        return []
    return ["--partial-parse-file-path", str(seed.resolve())]


def dbt_vars(settings: Settings) -> dict[str, str]:
    """The dbt vars the pipeline passes on every invocation."""
    return {
        "meta_purchase_action_type": settings.meta.purchase_action_type,
        "meta_attribution_windows": ",".join(settings.meta.attribution_windows),
        "tiktok_spark_order_match": settings.tiktok_shop.spark_order_match,
        "reporting_currency": settings.fx.reporting_currency,
        "fx_carry_forward_days": str(settings.fx.carry_forward_days),
        "source_freshness_warn_hours": str(settings.dbt.freshness_warn_hours),
        "source_freshness_error_hours": str(settings.dbt.freshness_error_hours),
    }


def dbt_log_dir(settings: Settings) -> Path:
    """Where dbt writes ``dbt.log`` (under SOCIALMART_HOME, never inside the repository)."""
    return settings.home / "logs" / "dbt"


def dbt_env_overrides(settings: Settings) -> dict[str, str]:
    """The environment variables every dbt invocation needs on top of the process's own.

    ``profiles.yml`` reads the DuckDB resource settings from them (its ``settings:`` block)
    and, on PostgreSQL, where the server is (``SOCIALMART_PG_*``, the ``postgres`` target).
    The password is not among them (they travel through Airflow's XComs): dbt finds it in
    the process's own environment (:func:`_dbt_env` passes it on).
    """
    resources = warehouse.resource_settings(settings)
    overrides = {
        "SOCIALMART_WAREHOUSE_PATH": str(settings.warehouse_path),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DUCKDB_MEMORY_LIMIT": resources["memory_limit"],
        "DUCKDB_THREADS": resources["threads"],
    }
    if settings.warehouse == "postgres":
        pg = settings.postgres
        overrides |= {
            "SOCIALMART_PG_HOST": pg.host,
            "SOCIALMART_PG_PORT": str(pg.port),
            "SOCIALMART_PG_USER": pg.user,
            "SOCIALMART_PG_DBNAME": pg.dbname,
        }
    return overrides


def _dbt_env(settings: Settings) -> dict[str, str]:
    env = {**os.environ, **dbt_env_overrides(settings)}
    if settings.warehouse == "postgres":
        env["SOCIALMART_PG_PASSWORD"] = settings.postgres.password
    return env


_SCHEMA_OUT_OF_SYNC = "schemas on this incremental model are out of sync"
SCHEMA_CHANGE_HINT = (
    "\nA socialmart upgrade changed the columns of incremental models (they refuse to guess: "
    "on_schema_change='fail'). Rebuild them once from the raw tables, which keep every "
    "version: `socialmart transform --full-refresh --run-id upgrade`, then "
    "`socialmart validate --run-id upgrade` and `socialmart publish --run-id upgrade` (or "
    "trigger transform_publish). Stop the Airflow stack's schedules first (`make "
    "airflow-pause`)."
)


def _failure_message(
    command: str, completed: subprocess.CompletedProcess[str], run_results: Path
) -> str:
    failed = [f"{unique_id}: {message}" for unique_id, message in _failed_nodes(run_results)]
    if failed:
        listing = "\n".join(f"  - {node}" for node in failed)
        hint = SCHEMA_CHANGE_HINT if any(_SCHEMA_OUT_OF_SYNC in node for node in failed) else ""
        return f"dbt {command} failed on {len(failed)} node(s):\n{listing}{hint}"
    tail = "\n".join(completed.stdout.splitlines()[-_OUTPUT_TAIL_LINES:])
    stderr = completed.stderr.strip()
    return f"dbt {command} exited with code {completed.returncode}:\n{tail}\n{stderr}".rstrip()


def _failed_nodes(run_results: Path) -> list[tuple[str, str]]:
    """``(unique_id, message)`` of every errored or failed node in run_results.json."""
    if not run_results.exists():
        return []
    results = json.loads(run_results.read_text(encoding="utf-8")).get("results", [])
    return [
        (result["unique_id"], (result.get("message") or "").strip())
        for result in results
        if result.get("status") in _FAILED_STATUSES
    ]

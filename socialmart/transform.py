"""Run the dbt project (``dbt_project/``) against the warehouse.

dbt runs in a child process (``python -m dbt.cli.main``), not in-process through
``dbtRunner``, because:

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

import json
import logging
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from socialmart import warehouse
from socialmart.settings import Settings

logger = logging.getLogger(__name__)

_FAILED_STATUSES = frozenset({"error", "fail", "runtime error"})
_OUTPUT_TAIL_LINES = 40


class TransformError(RuntimeError):
    """dbt could not build the project; the message names the failing nodes."""


def build(
    settings: Settings,
    run_id: str,
    *,
    select: str | None = None,
    full_refresh: bool = False,
) -> None:
    """Run ``dbt build`` (models and their tests) against the warehouse.

    Every attempt is recorded in ``audit.dbt_builds``, so publish can tell whether the
    marts changed after the gate validated them.

    Args:
        settings: Warehouse path, dbt project and target folders.
        run_id: The pipeline run this build belongs to.
        select: Optional dbt node selection (``--select``).
        full_refresh: Rebuild incremental models from scratch.

    A changed ``REPORTING_CURRENCY`` (built marts hold another currency) makes the build a
    full refresh: incremental marts would otherwise keep older rows in the old currency.

    Raises:
        TransformError: dbt reported failing nodes or could not run at all.
    """
    switched = None if full_refresh else currency_switch(settings)
    if switched:
        logger.warning("%s: rebuilding every model from the raw tables (full refresh)", switched)
        full_refresh = True
    started_at = record_build_start(settings, run_id, select=select, full_refresh=full_refresh)
    args = ["build"]
    if select:
        args += ["--select", select]
    if full_refresh:
        args.append("--full-refresh")
    try:
        _run_dbt(settings, args)
    except TransformError:
        record_build_end(settings, run_id, started_at, succeeded=False)
        raise
    record_build_end(settings, run_id, started_at, succeeded=True)


def currency_switch(settings: Settings) -> str | None:
    """Why the built marts no longer match ``REPORTING_CURRENCY`` (``None``: they do).

    Looks at every mart table with a ``reporting_currency`` column; an empty or new
    warehouse matches.
    """
    wanted = settings.fx.reporting_currency
    with warehouse.connect(settings) as con:
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
    with warehouse.connect(settings) as con:
        con.execute(
            "insert into audit.dbt_builds values (?, ?, ?, ?, null, null)",
            [run_id, select, full_refresh, started_at],
        )
    return started_at


def record_build_end(
    settings: Settings, run_id: str, started_at: datetime, *, succeeded: bool
) -> None:
    """Mark the build recorded by :func:`record_build_start` as finished."""
    with warehouse.connect(settings) as con:
        con.execute(
            "update audit.dbt_builds set finished_at = ?, succeeded = ? "
            "where run_id = ? and started_at = ?",
            [datetime.now(UTC), succeeded, run_id, started_at],
        )


def _run_dbt(settings: Settings, args: list[str]) -> None:
    """Run one dbt command in a child process; raise TransformError when it fails."""
    run_results = settings.dbt_target_dir / "run_results.json"
    run_results.unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "dbt.cli.main",
        *args,
        "--project-dir",
        str(settings.dbt_project_dir),
        "--profiles-dir",
        str(settings.dbt_project_dir),
        "--target-path",
        str(settings.dbt_target_dir),
        "--log-path",
        str(dbt_log_dir(settings)),
        "--vars",
        json.dumps(dbt_vars(settings)),
        "--no-use-colors",
    ]
    logger.info("running dbt %s", " ".join(args))
    completed = _stream(command, settings)
    if completed.returncode != 0:
        raise TransformError(_failure_message(args[0], completed, run_results))


def _stream(command: list[str], settings: Settings) -> subprocess.CompletedProcess[str]:
    """Run dbt, logging each output line as dbt prints it (progress while a build runs)."""
    lines = []
    with tempfile.TemporaryFile(mode="w+") as stderr:
        with subprocess.Popen(
            command,
            cwd=settings.dbt_project_dir,
            env={**_dbt_env(settings), "PYTHONUNBUFFERED": "1"},
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

    ``profiles.yml`` reads the DuckDB resource settings from them (its ``settings:`` block).
    """
    resources = warehouse.resource_settings(settings)
    return {
        "SOCIALMART_WAREHOUSE_PATH": str(settings.warehouse_path),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DUCKDB_MEMORY_LIMIT": resources["memory_limit"],
        "DUCKDB_THREADS": resources["threads"],
    }


def _dbt_env(settings: Settings) -> dict[str, str]:
    return {**os.environ, **dbt_env_overrides(settings)}


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
    failed = _failed_nodes(run_results)
    if failed:
        listing = "\n".join(f"  - {node}" for node in failed)
        hint = SCHEMA_CHANGE_HINT if any(_SCHEMA_OUT_OF_SYNC in node for node in failed) else ""
        return f"dbt {command} failed on {len(failed)} node(s):\n{listing}{hint}"
    tail = "\n".join(completed.stdout.splitlines()[-_OUTPUT_TAIL_LINES:])
    stderr = completed.stderr.strip()
    return f"dbt {command} exited with code {completed.returncode}:\n{tail}\n{stderr}".rstrip()


def _failed_nodes(run_results: Path) -> list[str]:
    """``unique_id: message`` for every errored or failed node in run_results.json."""
    if not run_results.exists():
        return []
    results = json.loads(run_results.read_text(encoding="utf-8")).get("results", [])
    return [
        f"{result['unique_id']}: {(result.get('message') or '').strip()}"
        for result in results
        if result.get("status") in _FAILED_STATUSES
    ]

"""Run dbt the way ``socialmart.transform`` does, and read per-node timings back."""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass

from socialmart import dbt_state
from socialmart.settings import DBT_BUILD_FLAGS, Settings
from socialmart.transform import (
    dbt_command,
    dbt_env_overrides,
    dbt_vars,
    record_build_end,
    record_build_start,
)


def run_command(settings: Settings, args: list[str]) -> subprocess.CompletedProcess[str]:
    """``dbt <args>`` in a child process with the pipeline's environment; raises on failure.

    Raises:
        RuntimeError: dbt failed (its output tail is in the message).
    """
    done = subprocess.run(
        dbt_command(settings, args),
        cwd=settings.dbt_project_dir,
        env={**os.environ, **dbt_env_overrides(settings)},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        tail = "\n".join(done.stdout.splitlines()[-30:])
        raise RuntimeError(f"dbt {' '.join(args)} failed:\n{tail}\n{done.stderr[-2000:]}")
    return done


@dataclass(frozen=True)
class DbtTimings:
    """Where one dbt invocation's time went.

    Attributes:
        wall_s: The whole child process: interpreter start-up, parsing, execution.
        elapsed_s: dbt's own ``elapsed_time`` in ``run_results.json`` (after start-up and
            parsing: connection set-up, per-node bookkeeping and execution).
        node_seconds: ``unique_id -> execution_time`` of each node.
    """

    wall_s: float
    elapsed_s: float
    node_seconds: dict[str, float]

    def split(self) -> dict[str, float]:
        """Seconds in start-up and parsing, in models' SQL, in tests' SQL, in dbt per node."""
        models = sum(t for n, t in self.node_seconds.items() if n.startswith("model."))
        tests = sum(t for n, t in self.node_seconds.items() if n.startswith("test."))
        nodes = sum(self.node_seconds.values())
        return {
            "startup_s": max(0.0, self.wall_s - self.elapsed_s),
            "models_s": models,
            "tests_s": tests,
            "per_node_overhead_s": max(0.0, self.elapsed_s - nodes),
        }


def run(settings: Settings, args: list[str]) -> DbtTimings:
    """``dbt <args>``; its wall time and the timings of ``run_results.json``."""
    started = time.perf_counter()
    run_command(settings, args)
    wall = time.perf_counter() - started
    results = json.loads((settings.dbt_target_dir / "run_results.json").read_text("utf-8"))
    return DbtTimings(
        wall_s=wall,
        elapsed_s=float(results.get("elapsed_time") or 0.0),
        node_seconds={
            r["unique_id"]: float(r.get("execution_time") or 0.0)
            for r in results.get("results", [])
        },
    )


def build(settings: Settings, args: list[str], run_id: str) -> DbtTimings:
    """``dbt build <args>`` with the pipeline's flags (``DBT_BUILD_FLAGS``: no unit tests),
    recorded in ``audit.dbt_builds`` as ``socialmart.transform.build`` records it: incremental
    windows (``lookback_start``) and the tests' window read that log, so a benchmark build
    without it would not behave like the pipeline's. Like the pipeline's, a build of the
    whole project leaves alone the views unchanged since the last one
    (``socialmart.dbt_state``)."""
    full_refresh = "--full-refresh" in args
    whole_project = "--select" not in args
    built_from = dbt_state.fingerprint(settings, dbt_vars(settings))
    if whole_project and not full_refresh:
        args = [*args, *dbt_state.selection_args(settings, built_from)]
    started_at = record_build_start(settings, run_id, full_refresh=full_refresh)
    try:
        timings = run(settings, ["build", *DBT_BUILD_FLAGS, *args])
    except RuntimeError:
        record_build_end(settings, run_id, started_at, succeeded=False)
        raise
    record_build_end(settings, run_id, started_at, succeeded=True)
    if whole_project:
        dbt_state.save(settings, built_from, run_id, started_at)
    return timings


def mart_models(settings: Settings) -> list[str]:
    """Names of the project's mart models (files under ``models/marts``)."""
    marts = settings.dbt_project_dir / "models" / "marts"
    return sorted(path.stem for path in marts.rglob("*.sql"))

"""Run dbt the way ``socialmart.transform`` does, and read per-node timings back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from socialmart.settings import Settings
from socialmart.transform import dbt_log_dir, dbt_vars


def run(settings: Settings, args: list[str]) -> dict[str, float]:
    """``dbt <args>`` in a child process; returns seconds of execution per node.

    Raises:
        RuntimeError: dbt failed (its output tail is in the message).
    """
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
    env = {
        **os.environ,
        "SOCIALMART_WAREHOUSE_PATH": str(settings.warehouse_path),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    done = subprocess.run(
        command, cwd=settings.dbt_project_dir, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        tail = "\n".join(done.stdout.splitlines()[-30:])
        raise RuntimeError(f"dbt {' '.join(args)} failed:\n{tail}\n{done.stderr[-2000:]}")
    return node_seconds(settings.dbt_target_dir / "run_results.json")


def node_seconds(run_results: Path) -> dict[str, float]:
    """``unique_id -> execution_time`` from a ``run_results.json``."""
    results = json.loads(run_results.read_text(encoding="utf-8")).get("results", [])
    return {r["unique_id"]: float(r.get("execution_time") or 0.0) for r in results}


def mart_models(settings: Settings) -> list[str]:
    """Names of the project's mart models (files under ``models/marts``)."""
    marts = settings.dbt_project_dir / "models" / "marts"
    return sorted(path.stem for path in marts.rglob("*.sql"))

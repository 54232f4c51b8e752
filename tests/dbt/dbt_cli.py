"""Running dbt commands other than the pipeline's build (other targets, source freshness)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from socialmart import pipeline
from socialmart.settings import Settings
from socialmart.transform import dbt_vars


def run_dbt(
    settings: Settings,
    args: list[str],
    target_dir: Path,
    *,
    target: str = "local",
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``dbt <args>`` on the project in a child process; return it (never raises)."""
    command = [
        sys.executable,
        "-m",
        "dbt.cli.main",
        *args,
        "--project-dir",
        str(settings.dbt_project_dir),
        "--profiles-dir",
        str(settings.dbt_project_dir),
        "--target",
        target,
        "--target-path",
        str(target_dir),
        "--log-path",
        str(target_dir / "logs"),
        "--vars",
        json.dumps(dbt_vars(settings)),
        "--no-use-colors",
    ]
    child_env = {
        **os.environ,
        "SOCIALMART_WAREHOUSE_PATH": str(settings.warehouse_path),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        **(env or {}),
    }
    return subprocess.run(
        command,
        cwd=settings.dbt_project_dir,
        env=child_env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def build_selected(settings: Settings, select: str, target_dir: Path) -> None:
    """Prepare the raw tables, then ``dbt build`` the ``select``ion; fail on any error.

    Cautious indirect selection: a test that also reads a model outside the selection (the
    placements, say) is left out.
    """
    pipeline.prepare_raw_tables(settings)
    result = run_dbt(
        settings,
        ["build", "--select", select, "--indirect-selection", "cautious"],
        target_dir,
    )
    assert result.returncode == 0, result.stdout[-6000:]

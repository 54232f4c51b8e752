"""Running dbt commands other than the pipeline's build (other targets, source freshness)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from socialmart import pipeline
from socialmart.settings import Settings
from socialmart.transform import dbt_command, dbt_vars


def run_dbt(
    settings: Settings,
    args: list[str],
    target_dir: Path,
    *,
    target: str = "local",
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``dbt <args>`` on the project in a child process; return it (never raises)."""
    command = dbt_command(
        settings,
        args,
        target=target,
        target_path=target_dir,
        log_path=target_dir / "logs",
        variables=dbt_vars(settings),  # looked up here: tests patch this module's dbt_vars
    )
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

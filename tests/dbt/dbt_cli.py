"""Running dbt commands other than the pipeline's build (other targets, source freshness)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from socialmart import pipeline
from socialmart.settings import Settings
from socialmart.transform import dbt_command, dbt_process, dbt_vars, parse_seed_flags


def run_dbt(
    settings: Settings,
    args: list[str],
    target_dir: Path,
    *,
    target: str = "local",
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``dbt <args>`` on the project in a child process; return it (never raises).

    On the ``local`` target dbt runs as the pipeline runs it, so a new ``target_dir``
    starts from the test run's saved parse (``SOCIALMART_DBT_PARSE_SEED``, tests/conftest.py).
    """
    command = dbt_command(
        settings,
        args,
        target=target,
        target_path=target_dir,
        log_path=target_dir / "logs",
        variables=dbt_vars(settings),  # looked up here: tests patch this module's dbt_vars
    )
    if target == "local":  # where the pipeline runs dbt, so the test homes' parse seed fits
        folder, child_env = dbt_process(settings)
        command += parse_seed_flags(settings, target_dir)
    else:
        folder, child_env = settings.dbt_project_dir, dict(os.environ)
    child_env |= {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false", **(env or {})}
    return subprocess.run(
        command,
        cwd=folder,
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

"""`make soak` in small: one daily schedule through the real scheduler (PostgreSQL metadata,
LocalExecutor), the scheduler SIGKILLed while a task runs, a settling backfill, then the
published marts against the stand-in's truth. The 30-day figure lives in BENCHMARKS.md."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from socialmart.settings import PROJECT_ROOT
from socialmart.stack.soak import result_path

pytestmark = pytest.mark.e2e


def test_one_day_soak_ends_exact_with_nothing_stuck(tmp_path: Path) -> None:
    home = tmp_path / "soak"
    done = subprocess.run(
        [sys.executable, "-m", "socialmart.stack.soak", "--days", "1", "--home", str(home)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=40 * 60,
    )
    output = done.stdout + done.stderr
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    assert done.returncode == 0, output[-6000:]
    assert last.startswith("soak: 1 days, ") and last.endswith(", 0 stuck, 0 manual, marts exact")

    summary = json.loads(result_path(home).read_text())
    assert summary["killed"].startswith("scheduler"), summary  # the kill really happened
    assert summary["restarts"].get("scheduler", 0) >= 1, summary
    assert set(summary["runs"]) == {"success"}, summary
    assert summary["compared_rows"] > 0

"""One run at a time: the run lock names its holder, a killed holder releases it, DuckDB's own
lock error is said plainly, and what killed runs leave behind (spool folders) is cleaned."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from socialmart import pipeline, warehouse
from socialmart.cli import main
from socialmart.publish import publish
from socialmart.run_lock import (
    WarehouseBusy,
    held_by_another_process,
    lock_path,
    read_holder,
    warehouse_lock,
)
from socialmart.settings import Settings

HOLD_LOCK = """
import sys, time
from socialmart.run_lock import warehouse_lock
from socialmart.settings import load_settings
with warehouse_lock(load_settings(), sys.argv[1], sys.argv[2]):
    print("held", flush=True)
    time.sleep(600)
"""

OPEN_WAREHOUSE = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("held", flush=True)
time.sleep(600)
"""


def _start(script: str, *args: str) -> subprocess.Popen:
    """A child process (same environment, so the same SOCIALMART_HOME) that holds something."""
    child = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "held", "the child did not take the lock"
    return child


@pytest.fixture
def children():
    started: list[subprocess.Popen] = []
    yield started
    for child in started:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=30)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_second_run_fails_at_once_naming_the_holder(settings: Settings, children) -> None:
    holder = _start(HOLD_LOCK, "nightly-1", "load")
    children.append(holder)
    started = time.monotonic()
    with pytest.raises(WarehouseBusy) as caught, warehouse_lock(settings, "r2", "load", timeout=0):
        pass
    assert time.monotonic() - started < 2
    message = str(caught.value)
    assert message.startswith(
        f"another socialmart run holds the warehouse: run nightly-1, step load, "
        f"PID {holder.pid} on host {socket.gethostname()} since "
    )
    assert str(lock_path(settings)) in message
    assert "Wait for it to finish" in message and "fuser -v" in message


def test_a_waiting_run_takes_the_lock_when_the_holder_finishes(
    settings: Settings, children
) -> None:
    holder = _start(HOLD_LOCK, "nightly-1", "publish")
    children.append(holder)
    with pytest.raises(WarehouseBusy, match="waited 0.5 s"):
        with warehouse_lock(settings, "r2", "load", timeout=0.5):
            pass
    holder.terminate()
    with warehouse_lock(settings, "r2", "load", timeout=10) as me:
        assert me.run_id == "r2" and me.pid == os.getpid()


def test_a_killed_holder_releases_the_lock(settings: Settings, children) -> None:
    holder = _start(HOLD_LOCK, "killed-run", "run/transform")
    children.append(holder)
    assert held_by_another_process(settings).run_id == "killed-run"
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=30)
    # its body is still in the file, but the kernel dropped the lock with the process
    assert read_holder(lock_path(settings)).run_id == "killed-run"
    assert held_by_another_process(settings) is None
    with warehouse_lock(settings, "next-run", "load", timeout=0):
        assert read_holder(lock_path(settings)).run_id == "next-run"


def test_the_lock_is_reentrant_and_names_the_inner_step(settings: Settings) -> None:
    path = lock_path(settings)
    with warehouse_lock(settings, "r1", "run"):
        assert read_holder(path).step == "run"
        with warehouse_lock(settings, "r1", "load", timeout=0):
            body = json.loads(path.read_text())
            assert (body["run_id"], body["step"], body["pid"]) == ("r1", "run/load", os.getpid())
        assert read_holder(path).step == "run"
        assert held_by_another_process(settings) is None
    assert path.read_text() == ""  # released: nobody named


def test_cli_run_against_a_held_lock_exits_1_and_touches_nothing(
    settings: Settings, write_mart, good_rows, children
) -> None:
    from expectations.gate import run_gate

    write_mart(good_rows)
    assert run_gate(settings, "published-run").passed
    publish(settings, "published-run")
    before = {p: _sha256(p) for p in (settings.warehouse_path, settings.published_marts_path)}

    holder = _start(HOLD_LOCK, "first-run", "run/load")
    children.append(holder)
    second = subprocess.run(
        [sys.executable, "-m", "socialmart.cli", "run", "--start", "2026-10-01"]
        + ["--end", "2026-10-02", "--run-id", "second-run"],
        capture_output=True,
        text=True,
        env=os.environ | {"SOCIALMART_LOCK_TIMEOUT_SECONDS": "0"},
        timeout=120,
    )
    assert second.returncode == 1
    assert (
        "socialmart run failed: another socialmart run holds the warehouse: run first-run, "
        f"step run/load, PID {holder.pid} on host {socket.gethostname()} since "
    ) in second.stderr
    assert "Could not set lock" not in second.stderr
    assert {p: _sha256(p) for p in before} == before
    assert not (settings.spool_dir / "second-run").exists(), "the losing run pulled nothing"


def test_duckdb_lock_error_is_said_plainly(settings: Settings, children, capsys) -> None:
    warehouse.connect(settings).close()
    other = _start(OPEN_WAREHOUSE, str(settings.warehouse_path))
    children.append(other)
    with pytest.raises(WarehouseBusy) as caught:
        warehouse.connect(settings)
    message = str(caught.value)
    assert message.startswith(
        f"the warehouse {settings.warehouse_path} is open in another process by "
    )
    assert f"(PID {other.pid})" in message
    assert "no socialmart step holds the run lock" in message and "dbt build" in message
    assert isinstance(caught.value.__cause__, duckdb.IOException)

    assert main(["validate", "--run-id", "r1"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("socialmart validate failed: the warehouse ")
    assert "Could not set lock" not in err


def test_duckdb_lock_error_names_the_run_lock_holder(settings: Settings, children) -> None:
    warehouse.connect(settings).close()
    children.append(_start(OPEN_WAREHOUSE, str(settings.warehouse_path)))
    holder = _start(HOLD_LOCK, "airflow-run", "load")
    children.append(holder)
    with pytest.raises(WarehouseBusy, match=f"run airflow-run, step load, PID {holder.pid}"):
        warehouse.connect(settings)


def _unit(spool: Path, run_id: str, account: str, manifest: str | None) -> Path:
    unit = spool / run_id / "meta" / "ad_insights_placement" / account
    unit.mkdir(parents=True)
    (unit / "page-00001.json").write_text("[]")
    if manifest:
        (unit / manifest).write_text("{}")
    return unit


def _age(folder: Path, hours: float) -> None:
    stamp = time.time() - hours * 3600
    for path in [folder, *folder.rglob("*")]:
        os.utime(path, (stamp, stamp))


def test_load_cleans_stale_spool_folders_and_reports_unloaded_units(
    settings: Settings, caplog
) -> None:
    spool = settings.spool_dir
    _unit(spool, "killed-mid-extract", "111", None)
    _unit(spool, "killed-after-load", "111", "manifest.loaded.json")
    _unit(spool, "killed-before-load", "111", "manifest.json")
    _unit(spool, "killed-before-load", "222", None)
    _unit(spool, "extracting-now", "111", None)
    for run in ("killed-mid-extract", "killed-after-load", "killed-before-load"):
        _age(spool / run, settings.spool_stale_hours + 1)

    with caplog.at_level(logging.INFO, logger="socialmart.pipeline"):
        assert pipeline.load(settings, "current") == []

    remaining = sorted(p.name for p in spool.iterdir())
    assert remaining == ["extracting-now", "killed-before-load"]
    assert (spool / "killed-before-load/meta/ad_insights_placement/111/manifest.json").exists()
    assert (
        "holds 1 complete unit(s) that were never loaded (a killed or failed run); load them "
        "with `socialmart load --run-id killed-before-load`"
    ) in caplog.text

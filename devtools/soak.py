"""`make soak DAYS=N`: N consecutive daily schedules through the real scheduler, unattended.

A fresh home (``var/soak``) and a supervised stack of its own on free loopback ports (the
executor from ``AIRFLOW_EXECUTOR``). The ingest schedule ends after the range
(``SOCIALMART_SCHEDULE_END``), so unpausing the DAGs starts no run of today; for each
simulated day D the soak moves the stand-in's clock to D+1 03:30 UTC (just after the daily
03:00 schedule fires) and creates the scheduled run of every ingest DAG for logical date
D 03:00 as a one-interval backfill, so each run has the data interval, window and lookback of
a real scheduled run; the transform DAG follows through the raw-table assets.
Mid-range it kills the scheduler (LocalExecutor) or one Celery worker
once (SIGKILL); the supervisor restarts it and Airflow fails and retries the tasks it held.

The stand-in's ground truth is fully matured (late conversions included), so after the last
day the clock moves 30 days on and one settling backfill re-pulls the whole range (the
runbook's backfill), then the published marts must equal the truth for the range.

The final line is ``soak: N days, R runs, S stuck, M manual, marts exact|MISMATCH`` and the
exit code is 0 only for ``0 stuck, 0 manual, marts exact``. "Manual" counts runs that were
triggered or task states that were set by hand (the soak does neither; a person might).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from socialmart.orchestration import ingest_dag_ids
from socialmart.settings import PROJECT_ROOT

DEFAULT_START = date(2026, 10, 1)
SETTLE_DAYS = 30
DAY_TIMEOUT_SECONDS = 45 * 60
TERMINAL = {"success", "failed"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _say(message: str) -> None:
    stamp = datetime.now(UTC).strftime("%H:%M:%S")
    print(f"[{stamp}] {message}", flush=True)


class Soak:
    def __init__(self, days: int, start: date, home: str) -> None:
        self.days = days
        self.start = start
        self.end = start + timedelta(days=days - 1)
        self.home = home
        self.run_ids: set[tuple[str, str]] = set()
        self.killed = ""

    # -- the stack ------------------------------------------------------------------------
    def configure(self) -> None:
        """Point this process (and so the supervisor it starts) at a fresh soak home."""
        shutil.rmtree(self.home, ignore_errors=True)
        os.environ.update(
            {
                "SOCIALMART_HOME": self.home,
                "AIRFLOW_API_PORT": str(_free_port()),
                "AIRFLOW_DB_PORT": str(_free_port()),
                "SANDBOX_PORT": str(_free_port()),
                "REDIS_PORT": str(_free_port()),
                "STACK_STANDIN": "on",
                # No run of today when the DAGs are unpaused: the schedule ends after the range
                # (and the settling run on the day after it).
                "SOCIALMART_SCHEDULE_END": (self.end + timedelta(days=1)).isoformat(),
                "AIRFLOW_TASK_HEARTBEAT_TIMEOUT": os.environ.get(
                    "AIRFLOW_TASK_HEARTBEAT_TIMEOUT", "60"
                ),
                # The soak's own clock also decides what the pipeline calls "fresh".
                "SANDBOX_HOST": "127.0.0.1",
            }
        )
        for name in ("SANDBOX_NOW", "SOCIALMART_WAREHOUSE_PATH", "SOCIALMART_PUBLISHED_DIR"):
            os.environ.pop(name, None)
        from socialmart.settings import load_settings

        self.settings = load_settings()

    def set_clock(self, moment: datetime) -> None:
        from socialmart.stack.supervisor import standin_clock_file

        path = standin_clock_file(self.settings)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(moment.isoformat())
        time.sleep(1.5)  # the stand-in re-reads it every 0.5 s

    def start_stack(self) -> None:
        from socialmart.airflow_env import AirflowStack
        from socialmart.stack import control

        _say(f"starting the stack ({self.settings.stack.executor}) in {self.home}")
        control.up(self.settings, timeout=900)
        self.client = AirflowStack(self.settings)
        self.client.wait_until_ready(dag_ids(), timeout=600)
        for dag_id in dag_ids():
            self.client.api("PATCH", f"/dags/{dag_id}", {"is_paused": False})

    def stop_stack(self) -> None:
        from socialmart.stack import control

        control.down(self.settings)

    # -- the days -------------------------------------------------------------------------
    def backfill(self, logical: datetime, conf: dict | None = None) -> None:
        for dag_id in ingest_dag_ids():
            body = {
                "dag_id": dag_id,
                "from_date": logical.isoformat(),
                "to_date": logical.isoformat(),
                "reprocess_behavior": "completed",
                "max_active_runs": 1,
                "dag_run_conf": conf or {},
            }
            self.client.api("POST", "/backfills", body)

    def runs(self, dag_id: str) -> list[dict]:
        runs = self.client.api("GET", f"/dags/{dag_id}/dagRuns?order_by=run_after&limit=1000")
        return runs["dag_runs"]

    def wait_until_settled(self, label: str, kill: bool = False) -> None:
        """Wait until every run is finished and no asset event waits; kill once if asked."""
        deadline = time.monotonic() + DAY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            active = 0
            for dag_id in dag_ids():
                for run in self.runs(dag_id):
                    self.run_ids.add((dag_id, run["dag_run_id"]))
                    active += run["state"] not in TERMINAL
            if kill and not self.killed and self._kill_mid_run():
                kill = False
            queued = self.client.queued_asset_events("transform_publish")
            if not active and not queued:
                return
            time.sleep(5)
        raise TimeoutError(f"{label}: runs still active after {DAY_TIMEOUT_SECONDS}s")

    def _kill_mid_run(self) -> bool:
        """SIGKILL the scheduler (LocalExecutor) or worker-1 (Celery) while a task runs."""
        from socialmart.stack import control

        running = [
            ti
            for dag_id in ingest_dag_ids()
            for run in self.runs(dag_id)
            if run["state"] == "running"
            for ti in self.client.api(
                "GET", f"/dags/{dag_id}/dagRuns/{run['dag_run_id']}/taskInstances?limit=100"
            )["task_instances"]
            if ti["state"] == "running"
        ]
        if not running:
            return False
        name = "worker-1" if self.settings.stack.executor == "CeleryExecutor" else "scheduler"
        pid = control.state(self.settings)["components"][name]["pid"]
        if not pid:
            return False
        os.kill(pid, signal.SIGKILL)
        self.killed = f"{name} (pid {pid}) while {running[0]['task_id']} ran"
        _say(f"killed {self.killed}")
        return True

    def run(self) -> int:
        self.configure()
        first_clock = datetime.combine(self.start, datetime.min.time(), UTC)
        self.set_clock(first_clock + timedelta(days=1, hours=3, minutes=30))
        started = time.monotonic()
        self.start_stack()
        _say(f"stack ready in {time.monotonic() - started:.0f}s")
        self.wait_until_settled("runs started by unpausing (none expected)")
        kill_day = self.days // 2
        day_seconds = []
        try:
            for number in range(self.days):
                day = self.start + timedelta(days=number)
                logical = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=3)
                self.set_clock(logical + timedelta(days=1, minutes=30))
                began = time.monotonic()
                self.backfill(logical)
                self.wait_until_settled(f"day {day}", kill=number == kill_day)
                day_seconds.append(time.monotonic() - began)
                _say(f"day {number + 1}/{self.days} ({day}) settled in {day_seconds[-1]:.0f}s")
            settle_clock = datetime.combine(self.end, datetime.min.time(), UTC) + timedelta(
                days=SETTLE_DAYS
            )
            self.set_clock(settle_clock)
            window = {"start": self.start.isoformat(), "end": self.end.isoformat()}
            self.backfill(
                datetime.combine(self.end, datetime.min.time(), UTC) + timedelta(days=1, hours=3),
                window,
            )
            self.wait_until_settled("settle")
            return self.verdict(day_seconds, time.monotonic() - started)
        finally:
            self.stop_stack()

    def verdict(self, day_seconds: list[float], total: float) -> int:
        from devtools.reconcile import reconcile_placements

        states: dict[str, int] = {}
        stuck = manual = 0
        for dag_id in dag_ids():
            for run in self.runs(dag_id):
                states[run["state"]] = states.get(run["state"], 0) + 1
                stuck += run["state"] not in TERMINAL
                manual += run["run_type"] == "manual"
        verdict = reconcile_placements(
            self.settings.published_marts_path, self.settings.sandbox_seed, self.start, self.end
        )
        restarts = {
            name: c["restarts"]
            for name, c in self._last_state().get("components", {}).items()
            if c["restarts"]
        }
        summary = {
            "days": self.days,
            "window": [self.start.isoformat(), self.end.isoformat()],
            "executor": self.settings.stack.executor,
            "runs": states,
            "killed": self.killed,
            "restarts": restarts,
            "seconds_per_day": [round(s) for s in day_seconds],
            "total_seconds": round(total),
            "compared_rows": verdict.compared_rows,
            "mismatches": len(verdict.mismatches),
        }
        out = result_path(self.home)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(summary, indent=2))
        _say(json.dumps(summary))
        if not verdict.ok:
            _say(f"mismatches, e.g.: {verdict.mismatches[:3]}")
        marts = "marts exact" if verdict.ok else "marts MISMATCH"
        total_runs = sum(states.values())
        print(f"soak: {self.days} days, {total_runs} runs, {stuck} stuck, {manual} manual, {marts}")
        return 0 if (verdict.ok and stuck == 0 and manual == 0) else 1

    def _last_state(self) -> dict:
        from socialmart.airflow_env import stack_dir

        path = stack_dir(self.settings) / "state.json"
        return json.loads(path.read_text()) if path.exists() else {}


def result_path(home: str | Path) -> Path:
    """Where a soak writes its summary: ``<home>-result.json`` (``var/soak-result.json``)."""
    home = Path(home)
    return home.with_name(f"{home.name}-result.json")


def dag_ids() -> list[str]:
    """Every socialmart DAG: the ingest DAGs, then the transform DAG."""
    return [*ingest_dag_ids(), "transform_publish"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.soak", description=__doc__)
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--start", type=date.fromisoformat, default=DEFAULT_START)
    parser.add_argument("--home", default=str(PROJECT_ROOT / "var" / "soak"))
    args = parser.parse_args(argv)
    return Soak(args.days, args.start, args.home).run()


if __name__ == "__main__":
    sys.exit(main())

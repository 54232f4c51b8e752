"""The ingest extracts fanned out over Celery workers: one worker against two (issue 16).

Usage: ``python -m bench.celery_fanout --days 60 [--account-copies 17]`` (``make bench-celery
[ACCOUNT_COPIES=17]``).

For each worker count (1, then 2) a throw-away stack of the soak's (CeleryExecutor, Redis,
``--concurrency`` task slots per worker, free loopback ports, a home of its own under
``var/bench-celery``) runs every ingest DAG once on the same window, with the stand-in's clock
30 days after it and its opt-in request log on (``SANDBOX_REQUEST_LOG``). The transform DAG
stays paused: only extract and load run. The stand-in serves every source's accounts (Meta's
3 ad accounts, TikTok's 3 advertisers, the Threads profiles ...); ``--account-copies N``
starts it with ``SANDBOX_ACCOUNT_COPIES=N``, N copies of the Meta ad accounts and TikTok
advertisers (17: an agency's 102 ad accounts). The window's length and the copies set the work.

Measured per worker count, from Airflow's own timestamps: the extract phase (first extract
start to last extract end) and which worker ran each extract (the ``Executing workload``
lines of each worker's log: every task instance reports the machine's name as its hostname,
the same for both workers on one machine). Proven per worker count, or the bench fails:
every page the stand-in served (method, endpoint, query without credentials and the clock's
``timestamp``, body digest) was served once (Meta's async status polls excepted), every
account listed by a run has one successful extract, every spool unit has exactly one
``raw._loads`` row, no spool file holds a stand-in token, and the runs listed every ad account
the stand-in serves.

The result is one JSON line (and ``var/bench-celery-result.json``) and a one-line summary on
stderr (:func:`summary_line`); BENCHMARKS.md records it.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from devtools.soak import SETTLE_DAYS, Soak, result_path
from socialmart.orchestration import ingest_dag_ids
from socialmart.settings import (
    PROJECT_ROOT,
    SANDBOX_INSTAGRAM_TOKEN,
    SANDBOX_META_TOKEN,
    SANDBOX_THREADS_TOKEN,
    SANDBOX_TIKTOK_SHOP_ACCESS_TOKEN,
    SANDBOX_TIKTOK_SHOP_APP_KEY,
    SANDBOX_TIKTOK_SHOP_APP_SECRET,
    SANDBOX_TIKTOK_TOKEN,
    parse_account_copies,
)

DEFAULT_END = date(2026, 10, 31)
DEFAULT_DAYS = 60
RUN_TIMEOUT_SECONDS = 45 * 60
TERMINAL = {"success", "failed", "skipped", "upstream_failed"}
#: Every credential the stand-in accepts: none may reach the spool.
STANDIN_SECRETS = (
    SANDBOX_META_TOKEN,
    SANDBOX_THREADS_TOKEN,
    SANDBOX_INSTAGRAM_TOKEN,
    SANDBOX_TIKTOK_TOKEN,
    SANDBOX_TIKTOK_SHOP_APP_KEY,
    SANDBOX_TIKTOK_SHOP_APP_SECRET,
    SANDBOX_TIKTOK_SHOP_ACCESS_TOKEN,
)
#: Query parameters that differ between two identical pulls (TikTok Shop signs the time).
VOLATILE_PARAMS = frozenset({"timestamp"})
_WORKLOAD = re.compile(r"Executing workload in Celery: (?P<workload>.*)$")
#: The task instance's fields in that line (quoted strings, or an integer map index).
_TI_FIELDS = ("dag_id", "task_id", "run_id", "map_index")
#: The sources whose accounts are ad accounts (the ones ``SANDBOX_ACCOUNT_COPIES`` copies).
AD_ACCOUNT_SOURCES = ("meta", "tiktok")


# -- the analysis (pure) ------------------------------------------------------------------
def page_key(line: Mapping) -> tuple:
    """What identifies a pull in a request-log line: method, endpoint, query (without the
    volatile parameters; the log has no credentials), body digest."""
    query = tuple(sorted((k, v) for k, v in line["query"] if k not in VOLATILE_PARAMS))
    return (line["method"], line["path"], query, line.get("body_sha256"))


def is_status_poll(line: Mapping) -> bool:
    """Meta's async report-run status (``GET /{id}?fields=...async_status``): asked again by
    design until the job ends."""
    return any(k == "fields" and "async_status" in v for k, v in line["query"])


def pulled_twice(lines: Iterable[Mapping]) -> dict[tuple, int]:
    """Pulls served successfully (2xx) more than once, with their counts."""
    counts = Counter(
        page_key(line)
        for line in lines
        if line["status"] is not None and 200 <= line["status"] < 300 and not is_status_poll(line)
    )
    return {key: n for key, n in counts.items() if n > 1}


@dataclass(frozen=True)
class Extract:
    """One extract task instance (one account of one source's run)."""

    source: str
    account: str
    state: str
    start: datetime | None
    end: datetime | None
    map_index: int


def workload_key(text: str) -> tuple[str, str, str, int] | None:
    """(dag_id, task_id, run_id, map_index) of a worker log's ``Executing workload`` line."""
    match = _WORKLOAD.search(text)
    if not match:
        return None
    workload = match["workload"]
    fields = {name: re.search(rf"\b{name}=(?:'([^']*)'|(-?\d+))", workload) for name in _TI_FIELDS}
    if not all(fields.values()):
        return None
    dag_id, task_id, run_id, map_index = (m.group(1) or m.group(2) for m in fields.values())
    return dag_id, task_id, run_id, int(map_index)


def executions(worker_logs: Mapping[str, str]) -> dict[tuple[str, str, str, int], list[str]]:
    """Task instance -> the workers that started it (once each time they did)."""
    ran: dict[tuple[str, str, str, int], list[str]] = {}
    for worker, text in worker_logs.items():
        for line in text.splitlines():
            key = workload_key(line)
            if key is not None:
                ran.setdefault(key, []).append(worker)
    return ran


@dataclass
class Verdict:
    """What the no-double-pull analysis found; ``ok`` only when every list is empty."""

    pulled_twice: dict[tuple, int] = field(default_factory=dict)
    missing_accounts: list[tuple[str, str]] = field(default_factory=list)
    extracted_twice: list[tuple[str, str]] = field(default_factory=list)
    units_not_loaded_once: dict[tuple[str, str, str], int] = field(default_factory=dict)
    tokens_in_spool: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (
            self.pulled_twice
            or self.missing_accounts
            or self.extracted_twice
            or self.units_not_loaded_once
            or self.tokens_in_spool
        )

    def summary(self) -> dict:
        return {
            "ok": self.ok,
            "pulled_twice": [[list(map(str, k)), n] for k, n in self.pulled_twice.items()][:5],
            "missing_accounts": self.missing_accounts,
            "extracted_twice": self.extracted_twice,
            "units_not_loaded_once": [[*k, n] for k, n in self.units_not_loaded_once.items()][:5],
            "tokens_in_spool": self.tokens_in_spool[:5],
        }


def analyse(
    requests: Iterable[Mapping],
    expected: Mapping[str, Sequence[str]],
    extracts: Sequence[Extract],
    units: Iterable[tuple[str, str, str]],
    loads: Iterable[tuple[str, str, str]],
    tokens_in_spool: Sequence[str] = (),
) -> Verdict:
    """The no-double-pull proof of one run of every ingest DAG.

    Args:
        requests: The stand-in's request-log lines of the run.
        expected: Source -> the accounts its ``plan`` task listed.
        extracts: Every extract task instance of the runs.
        units: (source, stream, account) of every spool manifest the runs wrote.
        loads: (source, stream, account) of every ``raw._loads`` row of the runs.
        tokens_in_spool: Spool files that hold a stand-in credential.
    """
    succeeded = Counter((e.source, e.account) for e in extracts if e.state == "success")
    wanted = [(source, account) for source, accounts in expected.items() for account in accounts]
    loaded = Counter(loads)
    unit_set = set(units)
    loaded_accounts = {(unit[0], unit[2]) for unit in unit_set if loaded[unit]}
    return Verdict(
        pulled_twice=pulled_twice(requests),
        missing_accounts=[
            key for key in wanted if succeeded[key] == 0 or key not in loaded_accounts
        ],
        extracted_twice=sorted(key for key, n in succeeded.items() if n > 1),
        units_not_loaded_once={
            unit: loaded[unit]
            for unit in unit_set | set(loaded)
            if loaded[unit] != 1 or unit not in unit_set
        },
        tokens_in_spool=list(tokens_in_spool),
    )


def served_ad_accounts(account_copies: int) -> int:
    """How many ad accounts the stand-in serves with ``account_copies`` (Meta + TikTok)."""
    from sandbox.meta.scenario import build_scenario as meta_scenario
    from sandbox.tiktok.scenario import build_scenario as tiktok_scenario

    meta = meta_scenario(account_copies=account_copies)
    return len(meta.accounts) + len(tiktok_scenario(account_copies).advertisers)


def ad_accounts(expected: Mapping[str, Sequence[str]]) -> int:
    """The ad accounts a run listed (Meta ad accounts and TikTok advertisers)."""
    return sum(len(expected.get(source, ())) for source in AD_ACCOUNT_SOURCES)


def extract_phase_seconds(extracts: Sequence[Extract]) -> float:
    """First extract start to last extract end (Airflow's timestamps)."""
    starts = [e.start for e in extracts if e.start]
    ends = [e.end for e in extracts if e.end]
    return (max(ends) - min(starts)).total_seconds()


# -- the measurement ----------------------------------------------------------------------
class Fanout(Soak):
    """One throw-away Celery stack with ``workers`` workers; the ingest DAGs only."""

    def __init__(
        self,
        workers: int,
        concurrency: int,
        days: int,
        end: date,
        home: str,
        account_copies: int = 1,
    ) -> None:
        super().__init__(days, end - timedelta(days=days - 1), home)
        self.workers = workers
        self.concurrency = concurrency
        self.account_copies = account_copies

    def configure(self) -> None:
        os.environ.update(
            {
                "AIRFLOW_EXECUTOR": "CeleryExecutor",
                "AIRFLOW_CELERY_WORKERS": str(self.workers),
                "AIRFLOW_WORKER_CONCURRENCY": str(self.concurrency),
                "SANDBOX_REQUEST_LOG": str(Path(self.home) / "sandbox-requests.jsonl"),
                # The supervisor starts the stand-in with this process's environment.
                "SANDBOX_ACCOUNT_COPIES": str(self.account_copies),
            }
        )
        super().configure()

    def start_stack(self) -> None:
        from socialmart.airflow_env import AirflowStack
        from socialmart.stack import control

        control.up(self.settings, timeout=900)
        self.client = AirflowStack(self.settings)
        self.client.wait_until_ready(ingest_dag_ids(), timeout=600)
        for dag_id in ingest_dag_ids():  # the transform DAG stays paused
            self.client.api("PATCH", f"/dags/{dag_id}", {"is_paused": False})

    def run_window(self) -> dict[str, str]:
        """Trigger every ingest DAG on the window; wait for the runs. Returns dag -> run id."""
        window = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        logical = datetime.combine(self.end + timedelta(days=1), datetime.min.time(), UTC)
        runs = {
            dag_id: self.client.trigger(dag_id, window, logical + timedelta(hours=3))
            for dag_id in ingest_dag_ids()
        }
        deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            states = {
                dag_id: self.client.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}")["state"]
                for dag_id, run_id in runs.items()
            }
            if all(state in TERMINAL for state in states.values()):
                return runs
            time.sleep(5)
        raise TimeoutError(f"ingest runs still active after {RUN_TIMEOUT_SECONDS}s: {states}")

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        path = f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances?limit=1000"
        return self.client.api("GET", path)["task_instances"]

    def listed_accounts(self, dag_id: str, run_id: str) -> list[str]:
        path = f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances/plan/xcomEntries/return_value"
        value = self.client.api("GET", path)["value"]
        planned = ast.literal_eval(value) if isinstance(value, str) else list(value or [])
        return [extract["account"] for extract in planned]

    def reported_units(self, dag_id: str, run_id: str, map_index: int) -> int:
        """The spool units an extract reported (its return value's ``units``)."""
        path = (
            f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances/extract/xcomEntries/return_value"
            f"?map_index={map_index}"
        )
        value = self.client.api("GET", path)["value"]
        return int((ast.literal_eval(value) if isinstance(value, str) else value)["units"])

    def collect(self, runs: Mapping[str, str]) -> dict:
        """Everything the analysis needs, from the API (while the stack is up)."""
        expected, extracts, states, units = {}, [], {}, {}
        for dag_id, run_id in runs.items():
            source = dag_id.removeprefix("ingest_")
            tis = self.task_instances(dag_id, run_id)
            states[source] = {ti["task_id"]: ti["state"] for ti in tis if ti["map_index"] < 1}
            accounts = (
                self.listed_accounts(dag_id, run_id)
                if any(ti["task_id"] == "extract" for ti in tis)
                else []
            )
            expected[source] = accounts
            extracts += [
                Extract(
                    source,
                    accounts[ti["map_index"]],
                    ti["state"],
                    _when(ti["start_date"]),
                    _when(ti["end_date"]),
                    ti["map_index"],
                )
                for ti in tis
                if ti["task_id"] == "extract" and ti["map_index"] >= 0
            ]
            for ti in tis:
                if ti["task_id"] == "extract" and ti["state"] == "success":
                    account = accounts[ti["map_index"]]
                    units[(source, account)] = self.reported_units(dag_id, run_id, ti["map_index"])
        return {"expected": expected, "extracts": extracts, "states": states, "units": units}


class SpoolWatch:
    """Reads the spool while the runs are active (a load removes its run's folder): every
    unit whose manifest appeared, and every file of it that holds a stand-in credential."""

    def __init__(self, spool: Path) -> None:
        self.spool = spool
        self.units: dict[Path, tuple[str, str, str]] = {}
        self.files_read = 0
        self.with_token: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="spool-watch", daemon=True)

    def __enter__(self) -> SpoolWatch:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.scan()

    def _watch(self) -> None:
        while not self._stop.wait(0.3):
            self.scan()

    def scan(self) -> None:
        secrets = [s.encode() for s in STANDIN_SECRETS]
        for manifest in self.spool.glob("*/*/*/*/manifest*.json"):
            unit = manifest.parent
            if unit in self.units:
                continue
            try:
                raw = json.loads(manifest.read_text())
                files = [p.read_bytes() for p in unit.iterdir() if p.is_file()]
            except (FileNotFoundError, json.JSONDecodeError):
                continue  # loaded and removed (or being renamed) meanwhile
            self.units[unit] = (raw["source"], raw["stream"], raw["account_id"])
            self.files_read += len(files)
            if any(secret in body for body in files for secret in secrets):
                self.with_token.append(str(unit))


def _when(raw: str | None) -> datetime | None:
    return datetime.fromisoformat(raw) if raw else None


def _loads(warehouse: Path) -> list[tuple[str, str, str]]:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("select source, stream, account_id from raw._loads").fetchall()


def _worker_logs(stack_logs: Path) -> dict[str, str]:
    return {p.stem: p.read_text(errors="replace") for p in sorted(stack_logs.glob("worker-*.log"))}


def measure_once(
    workers: int, concurrency: int, days: int, end: date, home: str, account_copies: int = 1
) -> dict:
    """One stack, one window; the phase's figures and its verdict."""
    from socialmart.airflow_env import stack_dir

    bench = Fanout(workers, concurrency, days, end, home, account_copies)
    bench.configure()
    bench.set_clock(datetime.combine(end + timedelta(days=SETTLE_DAYS), datetime.min.time(), UTC))
    bench.start_stack()
    try:
        with SpoolWatch(bench.settings.spool_dir) as spool:
            runs = bench.run_window()
        collected = bench.collect(runs)
    finally:
        bench.stop_stack()
    settings = bench.settings
    extracts = collected["extracts"]
    ran = executions(_worker_logs(stack_dir(settings) / "logs"))
    by_worker = Counter(
        worker
        for (_, task_id, _, _), names in ran.items()
        if task_id == "extract"
        for worker in names
    )
    twice_started = sorted(str(key) for key, names in ran.items() if len(names) > 1)
    request_log = Path(home) / "sandbox-requests.jsonl"
    lines = [json.loads(line) for line in request_log.read_text().splitlines()]
    verdict = analyse(
        lines,
        collected["expected"],
        extracts,
        spool.units.values(),
        _loads(settings.warehouse_path),
        spool.with_token,
    )
    reported = sum(collected["units"].values())
    return {
        "workers": workers,
        "run_states": collected["states"],
        "accounts": sum(len(a) for a in collected["expected"].values()),
        "accounts_by_source": {s: len(a) for s, a in sorted(collected["expected"].items())},
        "ad_accounts": ad_accounts(collected["expected"]),
        "extract_tasks": len(extracts),
        "extract_seconds": round(extract_phase_seconds(extracts), 1),
        "extracts_by_worker": dict(sorted(by_worker.items())),
        "task_instances_started_twice": twice_started,
        "requests_served": len(lines),
        "spool_units_reported": reported,
        "spool_units_seen": len(spool.units),
        "spool_files_read": spool.files_read,
        "verdict": verdict.summary(),
    }


def _phase_ok(phase: Mapping, served: int) -> bool:
    """The verdict holds, no task instance started twice, the spool watch saw every unit the
    extracts reported (so the token check read them all), and the runs listed all ``served``
    ad accounts."""
    return (
        phase["verdict"]["ok"]
        and not phase["task_instances_started_twice"]
        and phase["spool_units_seen"] == phase["spool_units_reported"]
        and phase["ad_accounts"] == served
    )


def measure(days: int, end: date, concurrency: int, home: str, account_copies: int = 1) -> dict:
    phases = [
        measure_once(
            workers,
            concurrency,
            days,
            end,
            str(Path(home) / f"workers-{workers}"),
            account_copies,
        )
        for workers in (1, 2)
    ]
    one, two = phases
    served = served_ad_accounts(account_copies)
    return {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "window": [(end - timedelta(days=days - 1)).isoformat(), end.isoformat()],
        "account_copies": account_copies,
        "ad_accounts_served": served,
        "worker_concurrency": concurrency,
        "cpus": os.cpu_count(),
        "speed_up": round(one["extract_seconds"] / two["extract_seconds"], 2),
        "phases": phases,
        "ok": all(_phase_ok(p, served) for p in phases),
        "load_average": os.getloadavg(),
    }


def summary_line(result: Mapping) -> str:
    """The result in one line: accounts, the two extract phases, the speed-up, the proof."""
    one, two = result["phases"]
    by_source = ", ".join(f"{n} {s}" for s, n in one["accounts_by_source"].items())
    return (
        f"celery fan-out {result['window'][0]}..{result['window'][1]}: "
        f"{one['ad_accounts']} ad accounts of {result['ad_accounts_served']} served "
        f"(x{result['account_copies']}), {one['extract_tasks']} extract tasks ({by_source}); "
        f"1 worker {one['extract_seconds']} s, 2 workers {two['extract_seconds']} s, "
        f"speed-up {result['speed_up']}; "
        + ("nothing pulled twice" if result["ok"] else "NOT PROVEN (see the JSON's verdicts)")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.celery_fanout", description=__doc__)
    parser.add_argument("--days", type=int, default=DEFAULT_DAYS, help="window length")
    parser.add_argument("--end", type=date.fromisoformat, default=DEFAULT_END)
    parser.add_argument("--concurrency", type=int, default=2, help="task slots per worker")
    parser.add_argument("--home", default=str(PROJECT_ROOT / "var" / "bench-celery"))
    parser.add_argument(
        "--account-copies",
        type=parse_account_copies,
        default=1,
        help="copies of the stand-in's Meta ad accounts and TikTok advertisers"
        " (SANDBOX_ACCOUNT_COPIES; 17 = 102 ad accounts)",
    )
    args = parser.parse_args(argv)
    result = measure(args.days, args.end, args.concurrency, args.home, args.account_copies)
    result_path(args.home).write_text(json.dumps(result, indent=2, default=str))
    print(json.dumps(result, default=str))
    print(summary_line(result), file=sys.stderr)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())

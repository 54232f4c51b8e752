"""Issue 13: kill -9 in every phase of `socialmart run`, then re-run: nothing lost, nothing wrong.

One clean run in its own SOCIALMART_HOME gives the reference. In a second home the same
command (same run id) is started again and again; each attempt is SIGKILLed (its whole
process group, so dbt's child process too, as a container or Airflow worker kill would) as soon
as the next phase has begun:

extract (a unit is complete in the spool), load (the first unit is committed), raw gate and
marts gate (their Data Docs are being written, the result not yet recorded), dbt (models are
being built) and publish (the temp file of the new publication exists). The attempt after the
last kill runs to completion. Then raw (the live version of every key of every raw table, and
how many versions each table stores) and the published marts equal the clean run's by
checksum, and no leftover (spool folder, publish temp file) remains.

Phases are detected from what the run writes (spool manifests, log lines on stderr, Data
Docs folders, dbt's log, the publish temp file), never from sleeps: the test fails when a
phase ends before it could be caught.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest
from e2e_support import (
    PINNED_NOW,
    SEED,
    marts_digest,
    raw_digest,
    socialmart_command,
    stand_in_env,
)

from socialmart.settings import PROJECT_ROOT

pytestmark = pytest.mark.e2e

# Three days inside the demo window, across Threads' switch-on (2026-10-01): every source has
# rows (Meta, TikTok, TikTok Shop, Threads, Instagram, FX).
START, END = "2026-09-29", "2026-10-01"
RUN_ID = "killed"
PHASE_TIMEOUT_SECONDS = 600
POLL_SECONDS = 0.005


@pytest.fixture(scope="module")
def pinned_stand_in():
    """The stand-in with its clock pinned (the env var is read per request, in this process)."""
    from sandbox.server import serve_in_thread

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SANDBOX_NOW", PINNED_NOW)
        with serve_in_thread(port=0, seed=SEED) as running:
            yield running


@dataclass
class Attempt:
    """One `socialmart run` subprocess, its output in files next to (not in) its home."""

    home: Path
    label: str
    base_url: str
    run_id: str = RUN_ID
    proc: subprocess.Popen = field(init=False)
    started: float = field(init=False)
    err_path: Path = field(init=False)
    out_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.err_path = self.home.parent / f"{self.label}.stderr"
        self.out_path = self.home.parent / f"{self.label}.stdout"
        self.started = time.time()
        with self.err_path.open("w") as err, self.out_path.open("w") as out:
            self.proc = subprocess.Popen(
                socialmart_command("run", "--start", START, "--end", END, "--run-id", self.run_id),
                env=stand_in_env(self.base_url, self.home),
                cwd=PROJECT_ROOT,
                stdout=out,
                stderr=err,
                start_new_session=True,  # its own process group: the kill reaches dbt too
            )

    @property
    def stderr(self) -> str:
        return self.err_path.read_text(errors="replace")

    @property
    def stdout(self) -> str:
        return self.out_path.read_text(errors="replace")

    def wait_for(self, phase: str, began: Callable[[], bool]) -> float:
        """Poll until ``began()``; fail if the run ends (or takes too long) before that."""
        deadline = time.monotonic() + PHASE_TIMEOUT_SECONDS
        while not began():
            if self.proc.poll() is not None:
                pytest.fail(
                    f"{self.label}: the run ended (exit {self.proc.returncode}) before phase "
                    f"{phase} could be caught; stderr tail:\n{self.stderr[-3000:]}"
                )
            if time.monotonic() > deadline:
                self.kill()
                pytest.fail(f"{self.label}: phase {phase} did not begin in time")
            time.sleep(POLL_SECONDS)
        return time.time() - self.started

    def kill(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def finish(self) -> int:
        return self.proc.wait(timeout=PHASE_TIMEOUT_SECONDS)

    def stop(self) -> None:
        """Kill the run if it still runs (a failed test leaves no process behind)."""
        if self.proc.poll() is None:
            self.kill()


def _spool(home: Path) -> Path:
    return home / "spool" / RUN_ID


def _publish_temps(home: Path) -> list[Path]:
    return sorted((home / "published").glob(".marts.duckdb.*.tmp*"))


def _new_docs(home: Path, gate: str, before: set[Path]) -> Callable[[], bool]:
    def began() -> bool:
        return bool(set((home / "data_docs" / RUN_ID).glob(f"{gate}-*")) - before)

    return began


def _unit_completed_since(home: Path, started: float) -> bool:
    """Whether a unit of the spool was completed since ``started`` (others are not, yet)."""
    try:
        return any(p.stat().st_mtime >= started for p in _spool(home).glob("*/*/*/manifest.json"))
    except OSError:  # the spool changed while looked at: look again
        return False


def _phases(home: Path) -> list[tuple[str, Callable[[Attempt], Callable[[], bool]]]]:
    """Each phase with a factory: given the attempt just started, a 'has it begun' probe."""

    def extract(attempt: Attempt) -> Callable[[], bool]:
        return lambda: _unit_completed_since(home, attempt.started)

    def load(attempt: Attempt) -> Callable[[], bool]:
        return lambda: "connectors.common.land: loaded raw." in attempt.stderr

    def gate(name: str) -> Callable[[Attempt], Callable[[], bool]]:
        def probe(attempt: Attempt) -> Callable[[], bool]:
            return _new_docs(home, name, set((home / "data_docs" / RUN_ID).glob(f"{name}-*")))

        return probe

    def dbt(attempt: Attempt) -> Callable[[], bool]:
        log = home / "logs" / "dbt" / "dbt.log"
        offset = log.stat().st_size if log.exists() else 0

        def began() -> bool:  # dbt (a child process) has built a model of this attempt
            if "running dbt build" not in attempt.stderr or not log.exists():
                return False
            with log.open("rb") as handle:
                handle.seek(offset)
                return b"OK created sql" in handle.read()

        return began

    def publish(attempt: Attempt) -> Callable[[], bool]:
        return lambda: bool(_publish_temps(home))

    return [
        ("extract", extract),
        ("load", load),
        ("raw gate", gate("raw")),
        ("dbt", dbt),
        ("marts gate", gate("marts")),
        ("publish", publish),
    ]


@pytest.fixture
def attempts():
    """Every attempt started by the test; whatever still runs at the end is killed."""
    started: list[Attempt] = []
    yield started
    for attempt in started:
        attempt.stop()


def test_kill_9_in_each_phase_then_rerun_matches_a_clean_run(pinned_stand_in, tmp_path, attempts):
    base_url = pinned_stand_in.base_url
    clean_home, home = tmp_path / "clean" / "home", tmp_path / "killed" / "home"
    clean_home.mkdir(parents=True)
    home.mkdir(parents=True)

    # The reference run goes on while the kills happen (phases are detected, not timed).
    clean = Attempt(clean_home, "clean", base_url, run_id="clean")
    attempts.append(clean)

    caught: dict[str, float] = {}
    for number, (phase, probe) in enumerate(_phases(home), start=1):
        attempt = Attempt(home, f"attempt-{number}-{phase.replace(' ', '-')}", base_url)
        attempts.append(attempt)
        caught[phase] = attempt.wait_for(phase, probe(attempt))
        attempt.kill()
        assert attempt.proc.returncode == -signal.SIGKILL, attempt.stderr[-2000:]
        assert "published run" not in attempt.stdout
        if phase == "publish":  # the kill left the interrupted publication behind
            assert _publish_temps(home), "the publication finished before the kill"
            assert not (home / "published" / "marts.duckdb").exists()

    final = Attempt(home, "final", base_url)
    attempts.append(final)
    assert final.finish() == 0, final.stderr[-3000:]
    assert f"published run {RUN_ID}" in final.stdout
    assert "left behind by an interrupted publication" in final.stderr
    assert _publish_temps(home) == [], "a publish temp file survived the re-run"
    assert not _spool(home).exists(), "the killed runs' spool folder survived the re-run"

    assert clean.finish() == 0, clean.stderr[-3000:]
    clean_raw = raw_digest(clean_home / "warehouse.duckdb")
    clean_marts = marts_digest(clean_home / "published" / "marts.duckdb")
    assert all(live for _, live, _ in clean_raw.values()), "a source pulled nothing: widen START"
    assert raw_digest(home / "warehouse.duckdb") == clean_raw
    assert marts_digest(home / "published" / "marts.duckdb") == clean_marts
    with duckdb.connect(str(home / "published" / "marts.duckdb"), read_only=True) as con:
        assert con.execute("select distinct run_id from _publication").fetchall() == [(RUN_ID,)]
    print("\nphase caught (s after start):", {k: round(v, 2) for k, v in caught.items()})

    _assert_digests_see_a_changed_row(clean_home, tmp_path / "tampered", clean_raw, clean_marts)


def _assert_digests_see_a_changed_row(
    clean_home: Path, scratch: Path, clean_raw: dict, clean_marts: dict
) -> None:
    """The checks above can fail: one changed value in raw or in a mart changes its digest."""
    scratch.mkdir()
    warehouse = scratch / "warehouse.duckdb"
    published = scratch / "marts.duckdb"
    shutil.copy(clean_home / "warehouse.duckdb", warehouse)
    shutil.copy(clean_home / "published" / "marts.duckdb", published)
    table = "raw.meta__ad_insights_placement"
    with duckdb.connect(str(warehouse)) as con:  # a newer version of one key, one cent more
        con.execute(
            f"insert into {table} select * replace (_pulled_at + interval 1 second as "
            f"_pulled_at, cast(spend as double) + 0.01 as spend) from {table} "
            "order by all limit 1"
        )
    tampered_raw = raw_digest(warehouse)
    assert tampered_raw[table] != clean_raw[table]
    assert {t: d for t, d in tampered_raw.items() if t != table} == {
        t: d for t, d in clean_raw.items() if t != table
    }
    with duckdb.connect(str(published)) as con:
        con.execute(
            "update fct_placement_performance_daily set spend = spend + 0.01 "
            "where rowid = (select min(rowid) from fct_placement_performance_daily)"
        )
    mart = "fct_placement_performance_daily"
    assert marts_digest(published)[mart] != clean_marts[mart]

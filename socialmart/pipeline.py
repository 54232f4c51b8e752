"""The pipeline's steps as plain functions: the `socialmart` command and the DAGs call these.

extract -> load -> transform -> validate -> publish. Each step is idempotent for a given
window and run id, so any step (or the whole run) can be repeated safely. The warehouse is
``SOCIALMART_WAREHOUSE``'s engine (:func:`socialmart.engines.engine`: its connect, loader and
publish); every step but extract holds the run lock (:mod:`socialmart.run_lock`), loads
shared where the engine allows several writers.
"""

from __future__ import annotations

import logging
import re
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from connectors.sources import SOURCE_NAMES
from socialmart.engines import engine
from socialmart.run_lock import warehouse_lock
from socialmart.settings import Settings

if TYPE_CHECKING:
    from collections.abc import Callable

    from connectors.common.land import LoadPolicy, LoadReport
    from expectations.gate import GateOutcome
    from socialmart.publish import PublishResult

log = logging.getLogger(__name__)

_UNSAFE_RUN_ID_CHARS = re.compile(r"[^A-Za-z0-9_.-]+")
ALL_ACCOUNTS = "(listing accounts)"


@dataclass(frozen=True)
class Window:
    """An inclusive range of report days (account-local dates, as the platforms report them)."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"window end {self.end} is before its start {self.start}")

    @classmethod
    def parse(cls, start: str, end: str) -> Window:
        return cls(date.fromisoformat(start), date.fromisoformat(end))

    def as_dict(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


@dataclass(frozen=True)
class AccountFailure:
    source: str
    account: str
    error: str


@dataclass
class ExtractOutcome:
    manifests: list[Path] = field(default_factory=list)
    failures: list[AccountFailure] = field(default_factory=list)


OTHERS_LOADED = "The other accounts' data was loaded; nothing was published."


class ExtractFailed(Exception):
    """Some accounts could not be pulled; the others were kept (loaded, or in the spool).

    Args:
        failures: One per failed account (source, account, cause).
        others: What happened to the other accounts' data (default: loaded, not published).
    """

    def __init__(self, failures: list[AccountFailure], others: str = OTHERS_LOADED) -> None:
        lines = [f"- {f.source} account {f.account}: {f.error}" for f in failures]
        super().__init__(
            f"{len(failures)} account(s) could not be extracted:\n"
            + "\n".join(lines)
            + f"\n{others} Fix the "
            "credential or permission named above, or remove the account from the settings, "
            "and re-run the same window (re-running is safe)."
        )
        self.failures = failures


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    window: Window
    loads: list[LoadReport]
    gate: GateOutcome
    publication: PublishResult
    raw_gate: GateOutcome | None = None


def window_for_interval(interval_start: datetime, interval_end: datetime) -> Window:
    """The report days of a scheduled run: every day the data interval covers.

    A daily interval [2026-10-31T00:00, 2026-11-01T00:00) covers the single day 2026-10-31.
    """
    last_day = (interval_end - timedelta(microseconds=1)).date()
    return Window(min(interval_start.date(), last_day), last_day)


def safe_run_id(run_id: str | None = None) -> str:
    """A run id usable as a folder name and a table value (Airflow's ids hold ':' and '+')."""
    if not run_id:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        return f"cli__{stamp}__{uuid.uuid4().hex[:8]}"
    return _UNSAFE_RUN_ID_CHARS.sub("_", run_id).strip("_")


def run_spool_dir(settings: Settings, run_id: str) -> Path:
    return settings.spool_dir / run_id


def extract(
    settings: Settings,
    window: Window,
    run_id: str,
    sources: tuple[str, ...] = SOURCE_NAMES,
) -> ExtractOutcome:
    """Pull the window from every source's accounts into the run's spool (no warehouse access).

    An account that fails is recorded and the others go on, so one bad credential or
    permission never loses the rest of the data.
    """
    from connectors.common.errors import ConnectorError
    from connectors.sources import get_source

    outcome = ExtractOutcome()
    for name in sources:
        source = get_source(name)
        try:
            accounts = source.accounts(settings)
        except ConnectorError as error:
            log.error("%s: listing accounts failed: %s", name, error)
            outcome.failures.append(AccountFailure(name, ALL_ACCOUNTS, str(error)))
            continue
        for account in accounts:
            try:
                outcome.manifests += source.extract_account(
                    settings, account, window.start, window.end, run_id
                )
            except ConnectorError as error:
                log.error("%s account %s failed: %s", name, account, error)
                outcome.failures.append(AccountFailure(name, account, str(error)))
    log.info(
        "extracted %d units for %s..%s, %d account(s) failed",
        len(outcome.manifests),
        window.start,
        window.end,
        len(outcome.failures),
    )
    return outcome


def load(
    settings: Settings, run_id: str, sources: tuple[str, ...] | None = None
) -> list[LoadReport]:
    """Merge the run's spool into the versioned raw tables, then drop what was loaded.

    With ``sources``, only those sources' part of the run's spool (``<run>/<source>/``) is
    loaded and dropped: Airflow gives the ingest DAGs of one logical date the same run id
    (``scheduled__...``, ``backfill__...``), so each DAG's load must leave the folders the
    other DAGs' extracts may still be writing. (Loading the whole folder loaded their
    finished units and deleted the unfinished ones: data lost without an error.)

    Holds the run lock (shared on PostgreSQL: loads of other sources go on beside it).
    Afterwards, other runs' spool folders left behind by killed runs are removed or reported
    (:func:`sweep_stale_spool`).
    """
    warehouse = engine(settings)
    with warehouse_lock(settings, run_id, "load", shared=True):
        spool = run_spool_dir(settings, run_id)
        parts = [spool] if sources is None else [spool / source for source in sources]
        if not any(part.exists() for part in parts):
            log.warning("run %s extracted nothing: %s does not exist", run_id, parts[0])
            reports = []
        else:
            with warehouse.connect(settings) as con:
                reports = warehouse.land.load_spool(
                    con,
                    spool,
                    run_id,
                    _load_policy(settings),
                    sources,
                    **warehouse.load_options,
                )
            for part in parts:
                if part.exists():
                    shutil.rmtree(part)
        for report in reports:
            log.info("loaded %s", report)
        sweep_stale_spool(settings, keep=run_id)
    return reports


def sweep_stale_spool(settings: Settings, keep: str | None = None) -> list[Path]:
    """Remove or report the spool folders that killed runs left behind.

    A run folder (``<spool>/<run id>/``) other than ``keep`` whose newest file is older than
    ``SOCIALMART_SPOOL_STALE_HOURS`` is stale: no extract is writing it any more. When it
    holds no complete unit that is not loaded yet (only unfinished units, or units already
    loaded before a kill), it is removed: nothing in it can ever be loaded. When it holds a
    complete unloaded unit, it is kept (deleting it would lose pulled data) and a warning
    names the command that loads it. Folders written recently are left alone (an extract of
    another DAG run may be writing them).

    Returns:
        The folders removed.
    """
    from connectors.common.spool import MANIFEST_NAME

    root = settings.spool_dir
    if not root.is_dir():
        return []
    cutoff = datetime.now(UTC).timestamp() - settings.spool_stale_hours * 3600
    removed = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and p.name != keep):
        newest = _newest_mtime(folder)
        if newest is None or newest > cutoff:
            continue
        loadable = sorted(folder.glob(f"*/*/*/{MANIFEST_NAME}"))
        if loadable:
            log.warning(
                "spool folder %s (run %s) holds %d complete unit(s) that were never loaded "
                "(a killed or failed run); load them with `socialmart load --run-id %s`, or "
                "delete the folder if that data is not wanted",
                folder,
                folder.name,
                len(loadable),
                folder.name,
            )
            continue
        shutil.rmtree(folder, ignore_errors=True)
        log.info("removed stale spool folder %s: no loadable unit in it", folder)
        removed.append(folder)
    return removed


def _newest_mtime(folder: Path) -> float | None:
    """The newest modification time in a folder tree; None if it changed while looked at."""
    try:
        return max((p.stat().st_mtime for p in folder.rglob("*")), default=folder.stat().st_mtime)
    except OSError:  # a file vanished: someone is working in it
        return None


def prepare_raw_tables(settings: Settings) -> None:
    """Create every registered stream's raw table (sources not configured stay empty)."""
    from connectors.sources import get_source

    warehouse = engine(settings)
    with (
        warehouse_lock(settings, "(prepare)", "prepare_raw_tables", shared=True),
        warehouse.connect(settings) as con,
    ):
        for name in SOURCE_NAMES:
            for spec in get_source(name).streams:
                warehouse.land.ensure_raw_table(con, spec)


def record_skip(settings: Settings, source_name: str, run_id: str, reason: str) -> None:
    """Record a run of a source without accounts and refresh the data-health file at once.

    The skip emits no asset event, so no transform run follows; refreshing the health file
    here is what makes the skip visible on the data-health page ("Skipped sources").
    """
    from connectors.sources import get_source

    warehouse = engine(settings)
    with (
        warehouse_lock(settings, run_id, "record_skip", shared=True),
        warehouse.connect(settings) as con,
    ):
        for spec in get_source(source_name).streams:
            warehouse.land.ensure_raw_table(con, spec)
        warehouse.land.record_skipped_run(con, source_name, run_id, reason)
        warehouse.publishing.refresh_health(con, settings)


# Raw loads that landed after the start of the latest build that was settled: published, or
# stopped by the mart gate. A build that succeeded but was neither (a crash before the gate)
# does not count, so its loads are built again.
_UNBUILT_LOADS_SQL = """
select count(*) from raw._loads
where loaded_at > coalesce((
    select max(builds.started_at) from audit.dbt_builds as builds
    where builds.succeeded and (
        builds.run_id in (select run_id from audit.publish_log)
        or builds.run_id in (select run_id from audit.gate_runs where not passed)
    )
), '-infinity'::timestamptz)
"""


def unbuilt_loads(settings: Settings, run_id: str) -> int:
    """How many raw loads no settled build has seen yet (all of them before any build)."""
    warehouse = engine(settings)
    with (
        warehouse_lock(settings, run_id, "unbuilt_loads", shared=True),
        warehouse.connect(settings) as con,
    ):
        present = con.execute(
            "select 1 from information_schema.tables "
            "where table_schema = 'raw' and table_name = '_loads'"
        ).fetchone()
        return int(con.execute(_UNBUILT_LOADS_SQL).fetchone()[0]) if present else 0


def transform(settings: Settings, run_id: str, *, full_refresh: bool = False) -> None:
    """Build and test every dbt model against the warehouse; failing tests of the marts'
    contract are recorded for the gate (:func:`validate`) to block on, any other failure
    raises here."""
    from socialmart.transform import build

    with warehouse_lock(settings, run_id, "transform"):
        prepare_raw_tables(settings)
        build(settings, run_id, full_refresh=full_refresh)


def validate(settings: Settings, run_id: str) -> GateOutcome:
    """Run the quality gate on the built marts; ``GateFailed`` when an error-level check fails."""
    from expectations.gate import run_gate

    return _gate(settings, run_id, "validate", run_gate, "gate")


def validate_raw(settings: Settings, run_id: str) -> GateOutcome:
    """Run the raw-table contracts on the latest loads before dbt; ``GateFailed`` blocks it."""
    from expectations.gate import run_raw_gate

    return _gate(settings, run_id, "validate_raw", run_raw_gate, "raw gate")


def _gate(
    settings: Settings,
    run_id: str,
    step: str,
    run: Callable[[Settings, str], GateOutcome],
    label: str,
) -> GateOutcome:
    """Run one gate holding the run lock, log its summary and raise if it failed."""
    from expectations.gate import enforce

    with warehouse_lock(settings, run_id, step):
        outcome = run(settings, run_id)
    log.info("%s: %s", label, outcome.summary())
    enforce(outcome)
    return outcome


def publish(settings: Settings, run_id: str) -> PublishResult:
    """Swap the validated marts in for readers, atomically (holding the run lock)."""
    with warehouse_lock(settings, run_id, "publish"):
        return engine(settings).publishing.publish(settings, run_id)


def run(settings: Settings, window: Window, run_id: str | None = None) -> RunSummary:
    """The whole pipeline for one window, outside Airflow, holding the run lock throughout.

    The lock is taken before anything else, so a second concurrent run fails at once
    (naming this one) without pulling or leaving a spool folder behind.
    """
    run_id = safe_run_id(run_id)
    with warehouse_lock(settings, run_id, "run"):
        log.info("run %s: %s..%s", run_id, window.start, window.end)
        extracted = extract(settings, window, run_id)
        loads = load(settings, run_id)
        if extracted.failures:
            raise ExtractFailed(extracted.failures)
        raw_gate = validate_raw(settings, run_id)
        transform(settings, run_id)
        gate = validate(settings, run_id)
        publication = publish(settings, run_id)
    return RunSummary(run_id, window, loads, gate, publication, raw_gate)


def _load_policy(settings: Settings) -> LoadPolicy:
    """What the settings say a pull needs before it may delete what it no longer returns."""
    from connectors.common.land import LoadPolicy

    return LoadPolicy(settings.load.max_vanished_share, settings.load.confirm_deletions)

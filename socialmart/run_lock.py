"""One socialmart run at a time on a warehouse: a lock file that names its holder.

Every step that writes the warehouse (load, transform, validate_raw, validate, publish, and
``socialmart run`` as a whole) takes :func:`warehouse_lock` for as long as it runs. The lock
is ``<SOCIALMART_HOME>/warehouse.lock``, held with ``fcntl.flock``: the kernel releases it
when the holder's process ends, however it ends (``kill -9`` included), so a killed run never
leaves a lock behind that someone must delete. While held, the file's JSON body names the
holder (run id, step, PID, host, since when), and a second run fails with that in its
message (after waiting up to ``SOCIALMART_LOCK_TIMEOUT_SECONDS``) instead of DuckDB's raw
"Could not set lock on file".

``extract`` does not take the lock: it never opens the warehouse and writes only its own
run's spool folder (``<spool>/<run id>/``), so Airflow's per-account extract tasks stay
parallel with each other and with loads and transforms of other DAGs.

Within one process the lock is re-entrant: ``socialmart run`` holds it and each step it calls
takes it again (the body then names the inner step). Airflow tasks take and release it inside
the task; the Cosmos dbt producer runs ``dbt`` itself, outside the lock, and is serialized
with the other warehouse writers by the one-slot pool ``warehouse_writer``. Whatever else
opens the warehouse (a DuckDB shell, a dbt run by hand) is caught by DuckDB's own file lock;
:func:`warehouse_in_use_message` turns that error into the same kind of message.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from socialmart.settings import Settings

log = logging.getLogger(__name__)

LOCK_FILE_NAME = "warehouse.lock"
_POLL_SECONDS = 0.2
_DUCKDB_HOLDER = re.compile(r"Conflicting lock is held in (.+?) \(PID (\d+)\)")


class WarehouseBusy(RuntimeError):
    """Another process holds the warehouse; the message names it and what to do."""


@dataclass(frozen=True)
class Holder:
    """Who holds the lock (the lock file's JSON body)."""

    run_id: str
    step: str
    pid: int
    host: str
    since: str

    def describe(self) -> str:
        return (
            f"run {self.run_id}, step {self.step}, PID {self.pid} on host {self.host} "
            f"since {self.since}"
        )


@dataclass
class _Held:
    fd: int
    pid: int
    holder: Holder
    depth: int = 1


_HELD: dict[str, _Held] = {}
_HELD_GUARD = threading.Lock()


def lock_path(settings: Settings) -> Path:
    """The lock file: ``<SOCIALMART_HOME>/warehouse.lock``."""
    return settings.home / LOCK_FILE_NAME


@contextmanager
def warehouse_lock(
    settings: Settings, run_id: str, step: str, *, timeout: float | None = None
) -> Iterator[Holder]:
    """Hold the socialmart run lock for the body of the ``with`` block.

    Args:
        settings: Where the lock lives (``settings.home``) and how long to wait
            (``settings.lock_timeout_seconds``).
        run_id: The run taking the lock (shown to whoever waits for it).
        step: The step taking it (``load``, ``publish``, ``run``, ...).
        timeout: Seconds to wait for a holder to finish; default the setting.

    Yields:
        This process's :class:`Holder` record.

    Raises:
        WarehouseBusy: Another process held the lock for the whole wait; the message names
            it (run, step, PID, host, since when) and what to do.
    """
    path = lock_path(settings)
    key = str(path)
    with _HELD_GUARD:
        held = _HELD.get(key)
        nested = held is not None and held.pid == os.getpid()
    if nested:
        assert held is not None
        yield from _nested(held, step)
        return
    wait = settings.lock_timeout_seconds if timeout is None else timeout
    fd = _acquire(path, wait)
    holder = Holder(run_id, step, os.getpid(), socket.gethostname(), _now())
    held = _Held(fd, os.getpid(), holder)
    try:
        _write_body(fd, holder)
        with _HELD_GUARD:
            _HELD[key] = held
        log.debug("run lock %s taken: %s", path, holder.describe())
        yield holder
    finally:
        with _HELD_GUARD:
            _HELD.pop(key, None)
        try:
            os.ftruncate(fd, 0)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def _nested(held: _Held, step: str) -> Iterator[Holder]:
    outer = held.holder
    # The outer run id stays: a nested step is part of the run that took the lock.
    inner = Holder(outer.run_id, f"{outer.step}/{step}", outer.pid, outer.host, outer.since)
    held.depth += 1
    held.holder = inner
    _write_body(held.fd, inner)
    try:
        yield inner
    finally:
        held.depth -= 1
        held.holder = outer
        _write_body(held.fd, outer)


def _acquire(path: Path, wait: float) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + max(wait, 0.0)
    logged = False
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except BlockingIOError:
                pass
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WarehouseBusy(busy_message(path, read_holder(path), wait))
            if not logged:
                log.info("waiting up to %g s for the run lock: %s", wait, _who(path))
                logged = True
            time.sleep(min(_POLL_SECONDS, remaining))
    except BaseException:
        os.close(fd)
        raise


def _write_body(fd: int, holder: Holder) -> None:
    body = json.dumps(asdict(holder)).encode()
    os.ftruncate(fd, 0)
    os.pwrite(fd, body, 0)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def read_holder(path: Path) -> Holder | None:
    """The holder the lock file names, or None (empty, unreadable or just being written)."""
    try:
        return Holder(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def held_by_another_process(settings: Settings) -> Holder | None:
    """Whether another process holds the run lock right now, and who (if it says).

    Returns:
        The holder when the lock is held by another process (a placeholder holder if its
        body is not readable), None when it is free or held by this process.
    """
    path = lock_path(settings)
    with _HELD_GUARD:
        held = _HELD.get(str(path))
        if held is not None and held.pid == os.getpid():
            return None
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return read_holder(path) or Holder("(unknown)", "(unknown)", 0, "(unknown)", "(unknown)")
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _who(path: Path) -> str:
    holder = read_holder(path)
    return holder.describe() if holder else "a process that has not written its name yet"


def busy_message(path: Path, holder: Holder | None, waited: float) -> str:
    """The message of a run that found the lock held."""
    who = holder.describe() if holder else "a process that has not written its name yet"
    return (
        f"another socialmart run holds the warehouse: {who} (lock file {path}, waited "
        f"{waited:g} s). Wait for it to finish and re-run (re-running a step is safe), or set "
        "SOCIALMART_LOCK_TIMEOUT_SECONDS to wait longer. A killed run releases the lock by "
        f"itself; if that PID is gone and the lock stays, a child it started still has the "
        f"file open: find it with `fuser -v {path}` and stop it. Never delete the lock file."
    )


def warehouse_in_use_message(settings: Settings, error: Exception) -> str:
    """DuckDB's "Could not set lock on file" said plainly: which file, who likely holds it.

    Args:
        settings: The warehouse path and the run lock.
        error: DuckDB's ``IOException``; its holder detail (program and PID) is kept.
    """
    match = _DUCKDB_HOLDER.search(str(error))
    detail = f" by {match.group(1)} (PID {match.group(2)})" if match else ""
    holder = held_by_another_process(settings)
    if holder is not None:
        likely = f"the socialmart run lock is held by {holder.describe()}"
    else:
        likely = (
            "no socialmart step holds the run lock, so it is likely an Airflow dbt build "
            "(the Cosmos producer runs dbt outside the lock), a dashboard or notebook, or a "
            "DuckDB shell that opened the warehouse file itself"
        )
    return (
        f"the warehouse {settings.warehouse_path} is open in another process{detail}: "
        f"{likely}. Wait for it to finish or close it, then re-run (re-running a step is safe)."
    )

"""One socialmart run at a time on a warehouse: a lock that names its holder.

Every step that writes the warehouse (load, transform, validate_raw, validate, publish, and
``socialmart run`` as a whole) takes :func:`warehouse_lock` for as long as it runs. The lock
is ``<SOCIALMART_HOME>/warehouse.lock``, held with ``fcntl.flock``: the kernel releases it
when the holder's process ends, however it ends (``kill -9`` included), so a killed run never
leaves a lock behind that someone must delete. While held, the file's JSON body names the
holder (run id, step, PID, host, since when), and a second run fails with that in its
message (after waiting up to ``SOCIALMART_LOCK_TIMEOUT_SECONDS``) instead of DuckDB's raw
"Could not set lock on file".

``extract`` does not take the lock: it never writes the warehouse, only its own run's spool
folder (``<spool>/<run id>/``), so Airflow's per-account extract tasks stay parallel with
each other and with loads and transforms of other DAGs. The one read, Instagram's look-up of
the ad creatives' media, takes the lock shared for that moment, so it waits for a load in
progress instead of failing on DuckDB's file lock.

Within one process the lock is re-entrant: ``socialmart run`` holds it and each step it calls
takes it again (the body then names the inner step). Airflow tasks take and release it inside
the task; the Cosmos dbt producer runs ``dbt`` itself, outside the lock, and is serialized
with the other warehouse writers by the pool ``warehouse_writer`` (taking every slot of it).
Whatever else opens the warehouse (a DuckDB shell, a dbt run by hand) is caught by DuckDB's own
file lock; :func:`warehouse_in_use_message` turns that error into the same kind of message.

On PostgreSQL (``SOCIALMART_WAREHOUSE=postgres``) the lock is a session-level advisory lock
in the warehouse database (:class:`_AdvisoryLock`): PostgreSQL releases it when the holding
session ends, and ``audit.lock_holders`` names each holding session's run and step. Loads
take it shared (``shared=True``): loads of different sources run side by side (the loader's
own per-stream locks serialise one stream), while dbt builds, the gates and publish take it
exclusive, so a build never reads raw tables that a load is changing, and two operators
running the same step get a message naming the other. On DuckDB every holder is exclusive.
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
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from socialmart.settings import Settings

if TYPE_CHECKING:
    from socialmart.pg_warehouse import Connection

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


class _Handle(Protocol):
    def write(self, holder: Holder) -> None: ...

    def release(self) -> None: ...


@dataclass
class _Held:
    handle: _Handle
    pid: int
    holder: Holder
    shared: bool
    depth: int = 1


_HELD: dict[str, _Held] = {}
_HELD_GUARD = threading.Lock()


def lock_path(settings: Settings) -> Path:
    """The lock file: ``<SOCIALMART_HOME>/warehouse.lock``."""
    return settings.home / LOCK_FILE_NAME


@contextmanager
def warehouse_lock(
    settings: Settings,
    run_id: str,
    step: str,
    *,
    timeout: float | None = None,
    shared: bool = False,
) -> Iterator[Holder]:
    """Hold the socialmart run lock for the body of the ``with`` block.

    Args:
        settings: Which warehouse (``settings.warehouse``), where the DuckDB lock file lives
            (``settings.home``) and how long to wait (``settings.lock_timeout_seconds``).
        run_id: The run taking the lock (shown to whoever waits for it).
        step: The step taking it (``load``, ``publish``, ``run``, ...).
        timeout: Seconds to wait for a holder to finish; default the setting.
        shared: The step may run beside other shared holders where the warehouse allows
            several writers (PostgreSQL: loads); exclusive on DuckDB.

    Yields:
        This process's :class:`Holder` record.

    Raises:
        WarehouseBusy: Another process held the lock for the whole wait; the message names
            it (run, step, PID, host, since when) and what to do.
    """
    postgres = settings.warehouse == "postgres"
    key = _advisory_key(settings) if postgres else str(lock_path(settings))
    with _HELD_GUARD:
        held = _HELD.get(key)
        nested = held is not None and held.pid == os.getpid()
    if nested:
        assert held is not None
        if held.shared and not shared:
            raise RuntimeError(f"step {step} needs the run lock that {held.holder.step} shares")
        yield from _nested(held, step)
        return
    wait = settings.lock_timeout_seconds if timeout is None else timeout
    handle: _Handle
    if postgres:
        handle = _AdvisoryLock.acquire(settings, wait, shared=shared)
    else:
        handle, shared = _FileLock(_acquire(lock_path(settings), wait)), False
    holder = Holder(run_id, step, os.getpid(), socket.gethostname(), _now())
    held = _Held(handle, os.getpid(), holder, shared)
    try:
        handle.write(holder)
        with _HELD_GUARD:
            _HELD[key] = held
        log.debug("run lock %s taken: %s", key, holder.describe())
        yield holder
    finally:
        with _HELD_GUARD:
            _HELD.pop(key, None)
        handle.release()


def _nested(held: _Held, step: str) -> Iterator[Holder]:
    outer = held.holder
    # The outer run id stays: a nested step is part of the run that took the lock.
    inner = Holder(outer.run_id, f"{outer.step}/{step}", outer.pid, outer.host, outer.since)
    held.depth += 1
    held.holder = inner
    held.handle.write(inner)
    try:
        yield inner
    finally:
        held.depth -= 1
        held.holder = outer
        held.handle.write(outer)


@dataclass
class _FileLock:
    """The DuckDB warehouse's lock: ``flock`` on the lock file, the holder in its body."""

    fd: int

    def write(self, holder: Holder) -> None:
        _write_body(self.fd, holder)

    def release(self) -> None:
        try:
            os.ftruncate(self.fd, 0)
        finally:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)


#: The advisory lock's name; its two 32-bit keys are derived from it (pg_locks shows them as
#: classid and objid, objsubid 2).
ADVISORY_LOCK_NAME = "socialmart warehouse run lock"
_HOLDERS_DDL = """
create table if not exists audit.lock_holders (
    backend_pid integer primary key,
    run_id varchar not null,
    step varchar not null,
    pid integer not null,
    host varchar not null,
    since varchar not null,
    shared boolean not null
)
"""
_HOLDING_SESSIONS_SQL = """
select locks.pid, holders.run_id, holders.step, holders.pid, holders.host, holders.since,
    activity.application_name, cast(activity.client_addr as varchar),
    cast(activity.backend_start as varchar)
from pg_locks as locks
join pg_stat_activity as activity on activity.pid = locks.pid
left join audit.lock_holders as holders on holders.backend_pid = locks.pid
where locks.locktype = 'advisory' and locks.granted and locks.objsubid = 2
    and cast(locks.classid as bigint) = ? and cast(locks.objid as bigint) = ?
order by locks.pid
"""


def _int4_keys() -> tuple[int, int]:
    """The lock's two keys as PostgreSQL ``int4`` values (signed)."""
    return tuple(  # type: ignore[return-value]
        value - 2**32 if value >= 2**31 else value
        for value in (zlib.crc32(b"socialmart"), zlib.crc32(ADVISORY_LOCK_NAME.encode()))
    )


def _advisory_key(settings: Settings) -> str:
    pg = settings.postgres
    return f"postgresql://{pg.host}:{pg.port}/{pg.dbname}#{ADVISORY_LOCK_NAME}"


@dataclass
class _AdvisoryLock:
    """The PostgreSQL warehouse's lock: an advisory lock held by a session of its own."""

    con: Connection
    shared: bool

    @classmethod
    def acquire(cls, settings: Settings, wait: float, *, shared: bool) -> _AdvisoryLock:
        """Take the lock, waiting in PostgreSQL's lock queue up to ``wait`` seconds."""
        import psycopg2.errors

        from socialmart import pg_warehouse

        con = pg_warehouse.connect(settings)
        try:
            _ensure_holders_table(con)
            function = "pg_advisory_lock_shared" if shared else "pg_advisory_lock"
            keys = list(_int4_keys())
            (taken,) = con.execute(f"select pg_try_{function[3:]}(?, ?)", keys).fetchone()
            if not taken:
                if wait <= 0:
                    raise WarehouseBusy(postgres_busy_message(settings, con, wait))
                log.info(
                    "waiting up to %g s for the run lock: %s",
                    wait,
                    _describe_sessions(_holding_sessions(con)),
                )
                # Queued behind the holder, and ahead of later comers (no starvation).
                con.execute(f"set lock_timeout = '{int(wait * 1000)}ms'")
                try:
                    con.execute(f"select {function}(?, ?)", keys)
                except psycopg2.errors.LockNotAvailable:
                    raise WarehouseBusy(postgres_busy_message(settings, con, wait)) from None
                con.execute("reset lock_timeout")
        except BaseException:
            con.close()
            raise
        return cls(con, shared)

    def write(self, holder: Holder) -> None:
        self.con.execute(
            "insert into audit.lock_holders values (pg_backend_pid(), ?, ?, ?, ?, ?, ?) "
            "on conflict (backend_pid) do update set run_id = excluded.run_id, "
            "step = excluded.step, pid = excluded.pid, host = excluded.host, "
            "since = excluded.since, shared = excluded.shared",
            [holder.run_id, holder.step, holder.pid, holder.host, holder.since, self.shared],
        )

    def release(self) -> None:
        """Forget the holder row; closing the session releases the lock."""
        try:
            self.con.execute("delete from audit.lock_holders where backend_pid = pg_backend_pid()")
        finally:
            self.con.close()


def _ensure_holders_table(con: Connection) -> None:
    import psycopg2.errors

    try:
        con.execute(_HOLDERS_DDL)
    except psycopg2.errors.UniqueViolation:  # another session created it at the same moment
        pass


def _holding_sessions(con: Connection) -> list[tuple]:
    unsigned = [key % 2**32 for key in _int4_keys()]
    return con.execute(_HOLDING_SESSIONS_SQL, unsigned).fetchall()


def _describe_sessions(sessions: list[tuple]) -> str:
    if not sessions:
        return "a session that has just released it"
    described = []
    for backend, run_id, step, pid, host, since, application, client, started in sessions:
        if run_id is not None:
            who = Holder(run_id, step, pid, host, since).describe()
        else:  # not a socialmart step: a session that took the lock by hand
            who = f"application {application or '(unnamed)'} from {client or 'a local socket'}"
            who += f", connected since {started}"
        described.append(f"{who} (database session {backend})")
    return "; ".join(described)


def postgres_busy_message(settings: Settings, con: Connection, waited: float) -> str:
    """The message of a run that found the PostgreSQL run lock held."""
    pg = settings.postgres
    sessions = _holding_sessions(con)
    backends = ", ".join(str(session[0]) for session in sessions) or "<pid>"
    return (
        f"another socialmart run holds the warehouse {pg.dbname} on {pg.host}:{pg.port}: "
        f"{_describe_sessions(sessions)} (advisory lock '{ADVISORY_LOCK_NAME}', waited "
        f"{waited:g} s). Wait for it to finish and re-run (re-running a step is safe), or set "
        "SOCIALMART_LOCK_TIMEOUT_SECONDS to wait longer. A killed run releases the lock when "
        "its database session ends; if that run is gone and the lock stays, end the session: "
        f"select pg_terminate_backend({backends});"
    )


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

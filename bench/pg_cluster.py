"""The PostgreSQL bench's own throw-away cluster, and the memory of its server processes.

The cluster is one of the project's (``socialmart.stack.postgres``: Debian's server, password
authentication, started and stopped by :func:`socialmart.stack.postgres.running`) on a free
port of 127.0.0.1, in a folder under the bench's home; it is deleted when the bench ends.
"""

from __future__ import annotations

import secrets
import shutil
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from socialmart.stack import postgres as stack

#: Seconds between two looks at the server processes' memory.
SAMPLE_SECONDS = 0.2


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bench_cluster(home: Path) -> stack.Cluster:
    """A cluster under ``home`` on a free port of 127.0.0.1, with a fresh password."""
    return stack.Cluster(
        home / "postgres",
        "bench",
        "127.0.0.1",
        _free_port(),
        "socialmart",
        secrets.token_urlsafe(16),
        "socialmart",
    )


def warehouse_env(cluster: stack.Cluster) -> dict[str, str]:
    """The settings that make the pipeline, dbt and the bench steps use ``cluster``."""
    return {
        "SOCIALMART_WAREHOUSE": "postgres",
        "SOCIALMART_PG_HOST": cluster.host,
        "SOCIALMART_PG_PORT": str(cluster.port),
        "SOCIALMART_PG_USER": cluster.user,
        "SOCIALMART_PG_PASSWORD": cluster.password,
        "SOCIALMART_PG_DBNAME": cluster.dbname,
    }


@contextmanager
def throwaway(home: Path) -> Iterator[tuple[stack.Cluster, ServerMemory]]:
    """Start a bench cluster, watch its processes' memory, stop and delete it afterwards."""
    cluster = bench_cluster(home)
    root = stack.cluster_dir(cluster)
    try:
        with stack.running(cluster, home / "postgres.log"):
            pid = int((root / "data" / "postmaster.pid").read_text().split()[0])
            memory = ServerMemory(pid)
            memory.start()
            try:
                yield cluster, memory
            finally:
                memory.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _status(pid: int) -> dict[str, int]:
    """The ``kB`` fields of ``/proc/<pid>/status`` (``VmHWM``, ``RssAnon``, ...); empty if
    the process is gone."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    fields = {}
    for line in lines:
        name, _, value = line.partition(":")
        if value.strip().endswith(" kB"):
            fields[name] = int(value.split()[0])
    return fields


def _kind(pid: int) -> str:
    """What a server process is (``postmaster``, ``checkpointer``, ``client backend``, ...)
    from its title (``postgres: socialmart socialmart 127.0.0.1(5123) idle``)."""
    try:
        title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return "gone"
    if not title.startswith("postgres:"):
        return "postmaster"
    words = title.removeprefix("postgres:").split()
    return "client backend" if len(words) > 2 and "(" in words[2] else " ".join(words[:2])


def _children(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


@dataclass
class ServerMemory:
    """Peak memory of a PostgreSQL server's processes, sampled every ``SAMPLE_SECONDS``.

    ``peak_kb`` is each kind of process's largest ``VmHWM`` (its own peak resident set, which
    counts the shared buffers it touched); ``total_peak_kb`` the largest sum over the server
    of private memory (``RssAnon`` + ``RssFile``) plus the shared memory once (the largest
    ``RssShmem``). A backend that lives shorter than a sample is missed.
    """

    postmaster: int
    peak_kb: dict[str, int] = field(default_factory=dict)
    total_peak_kb: int = 0
    processes_seen: int = 0
    _seen: set[int] = field(default_factory=set)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def sample(self) -> None:
        """Look at every server process once."""
        total, shared = 0, 0
        for pid in [self.postmaster, *_children(self.postmaster)]:
            status, kind = _status(pid), _kind(pid)
            if not status:
                continue
            self._seen.add(pid)
            self.peak_kb[kind] = max(self.peak_kb.get(kind, 0), status.get("VmHWM", 0))
            total += status.get("RssAnon", 0) + status.get("RssFile", 0)
            shared = max(shared, status.get("RssShmem", 0))
        self.total_peak_kb = max(self.total_peak_kb, total + shared)
        self.processes_seen = len(self._seen)

    def start(self) -> None:
        def watch() -> None:
            while not self._stop.wait(SAMPLE_SECONDS):
                self.sample()

        self.sample()
        self._thread = threading.Thread(target=watch, name="pg-memory", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def result(self) -> dict[str, object]:
        """Peaks in MB, for the run's JSON."""
        return {
            "peak_mb_by_kind": {k: v / 1024 for k, v in sorted(self.peak_kb.items())},
            "total_peak_mb": self.total_peak_kb / 1024,
            "processes_seen": self.processes_seen,
            "sample_seconds": SAMPLE_SECONDS,
        }

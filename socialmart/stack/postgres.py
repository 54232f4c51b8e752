"""Project-owned PostgreSQL clusters: Airflow's metadata database, and the demo's warehouse.

Debian's server binaries (``scripts/install-postgres.sh``) run a cluster in a folder under
SOCIALMART_HOME with password (SCRAM) authentication for one user, listening on one address
and port (:class:`Cluster`). Airflow's (:func:`airflow_cluster`) is in
``<SOCIALMART_HOME>/airflow/postgres`` on ``SOCIALMART_BIND_HOST`` and ``AIRFLOW_DB_PORT`` as
``AIRFLOW_DB_USER``; the demo's warehouse (:func:`warehouse_cluster`, `make demo
WAREHOUSE=postgres`) in ``<SOCIALMART_HOME>/postgres`` on the ``SOCIALMART_PG_*`` settings.
Every function takes a :class:`Cluster`, or the settings for Airflow's. PostgreSQL refuses
to run as root, so as root the server runs as the ``postgres`` OS user.
"""

from __future__ import annotations

import os
import pwd
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from socialmart.settings import Settings

PG_ROOT = Path("/usr/lib/postgresql")
SERVER_OS_USER = "postgres"


def bin_dir() -> Path:
    """The newest ``/usr/lib/postgresql/<version>/bin`` holding a server.

    Raises:
        RuntimeError: No server is installed; the message says how to install one.
    """
    found = [path.parent for path in PG_ROOT.glob("*/bin/postgres")]
    if not found:
        raise RuntimeError(
            "PostgreSQL is not installed; run `make system-deps` as root "
            "(or: sudo apt-get install -y postgresql)"
        )
    return max(found, key=lambda path: int(path.parent.name))


@dataclass(frozen=True)
class Cluster:
    """One project-owned cluster: where it lives, where it listens, its one login and database.

    Attributes:
        home: Its folder under SOCIALMART_HOME (``data/`` and ``sockets/`` inside).
        label: Names its folder in the temp dir when the server's OS user cannot reach
            ``home`` (see :func:`cluster_dir`).
    """

    home: Path
    label: str
    host: str
    port: int
    user: str
    password: str = field(repr=False)
    dbname: str


def airflow_cluster(settings: Settings) -> Cluster:
    """Airflow's metadata database (``AIRFLOW_DB_*``, ``SOCIALMART_BIND_HOST``)."""
    stack = settings.stack
    return Cluster(
        settings.home / "airflow" / "postgres",
        "airflow",
        stack.bind_host,
        stack.db_port,
        stack.db_user,
        stack.db_password,
        stack.db_name,
    )


def warehouse_cluster(settings: Settings) -> Cluster:
    """A local warehouse cluster where ``SOCIALMART_PG_*`` points (the demo's)."""
    pg = settings.postgres
    return Cluster(
        settings.home / "postgres", "warehouse", pg.host, pg.port, pg.user, pg.password, pg.dbname
    )


def _cluster(target: Settings | Cluster) -> Cluster:
    return target if isinstance(target, Cluster) else airflow_cluster(target)


def cluster_dir(target: Settings | Cluster) -> Path:
    """The cluster's folder (``<home>/airflow/postgres`` for Airflow's); as root, when the
    ``postgres`` OS user cannot reach it (a home inside a private folder, as pytest's are), a
    folder named after it in the temp dir."""
    cluster = _cluster(target)
    wanted = cluster.home
    if os.geteuid() != 0 or _others_can_enter(wanted.parent):
        return wanted
    import hashlib

    digest = hashlib.sha256(str(wanted).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"socialmart-{cluster.label}-pg-{digest}"


def _others_can_enter(folder: Path) -> bool:
    for part in [folder, *folder.parents]:
        if part.exists() and not part.stat().st_mode & 0o001:
            return False
    return True


def sqlalchemy_url(settings: Settings, driver: str = "psycopg2") -> str:
    """``postgresql+<driver>://user:password@host:port/db`` of the metadata database."""
    stack = settings.stack
    return (
        f"postgresql+{driver}://{stack.db_user}:{stack.db_password}"
        f"@{stack.bind_host}:{stack.db_port}/{stack.db_name}"
    )


def _server_account() -> pwd.struct_passwd | None:
    """The OS account the server runs as when we are root, else None (run as ourselves)."""
    return pwd.getpwnam(SERVER_OS_USER) if os.geteuid() == 0 else None


def popen_kwargs() -> dict:
    """``subprocess`` arguments that run a server command as the right OS user."""
    account = _server_account()
    if account is None:
        return {}
    return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}


def _own(path: Path) -> None:
    account = _server_account()
    if account is not None:
        os.chown(path, account.pw_uid, account.pw_gid)


def init_cluster(target: Settings | Cluster) -> Path:
    """Create the cluster once (idempotent); return its data directory."""
    cluster = _cluster(target)
    root = cluster_dir(cluster)
    data = root / "data"
    if (data / "PG_VERSION").exists():
        return data
    root.mkdir(parents=True, exist_ok=True)
    (root / "sockets").mkdir(exist_ok=True)
    root.chmod(0o755)
    _own(root)
    _own(root / "sockets")
    with tempfile.NamedTemporaryFile("w", dir=root, delete=False) as pwfile:
        pwfile.write(cluster.password + "\n")
    _own(Path(pwfile.name))
    try:
        _run(
            [
                str(bin_dir() / "initdb"),
                "-D",
                str(data),
                "-U",
                cluster.user,
                f"--pwfile={pwfile.name}",
                "--auth=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C",
            ]
        )
    finally:
        Path(pwfile.name).unlink(missing_ok=True)
    return data


def _run(command: list[str]) -> None:
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=120, check=False, **popen_kwargs()
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:1])} failed: {result.stderr.strip()[-2000:]}")


def server_command(target: Settings | Cluster) -> list[str]:
    """The foreground ``postgres`` command the supervisor (or the demo) runs."""
    cluster = _cluster(target)
    root = cluster_dir(cluster)
    return [
        str(bin_dir() / "postgres"),
        "-D",
        str(root / "data"),
        "-c",
        f"listen_addresses={cluster.host}",
        "-p",
        str(cluster.port),
        "-k",
        str(root / "sockets"),
        "-c",
        "max_connections=200",
    ]


def wait_until_accepting(target: Settings | Cluster, timeout: float = 60) -> None:
    """Wait until the server accepts connections; create the database the first time."""
    import psycopg2

    cluster = _cluster(target)
    deadline = time.monotonic() + timeout
    while True:
        try:
            admin = psycopg2.connect(
                host=cluster.host,
                port=cluster.port,
                user=cluster.user,
                password=cluster.password,
                dbname="postgres",
                connect_timeout=5,
            )
            break
        except psycopg2.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("select 1 from pg_database where datname = %s", (cluster.dbname,))
        if cursor.fetchone() is None:
            cursor.execute(f'create database "{cluster.dbname}"')
    admin.close()


@contextmanager
def running(cluster: Cluster, log_path: Path) -> Iterator[Cluster]:
    """Create (once) and start ``cluster`` for the body of the ``with`` block, then stop it
    (PostgreSQL's fast shutdown); the server's output goes to ``log_path``.

    Raises:
        RuntimeError: Something already listens on the cluster's address and port (another
            server: point the settings at a free port), or the server did not start.
    """
    import socket

    with socket.socket() as probe:
        if probe.connect_ex((cluster.host, cluster.port)) == 0:
            raise RuntimeError(
                f"{cluster.host}:{cluster.port} is already in use: set the port of the "
                f"{cluster.label} cluster to a free one"
            )
    init_cluster(cluster)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("a") as log:
        server = subprocess.Popen(
            server_command(cluster), stdout=log, stderr=subprocess.STDOUT, **popen_kwargs()
        )
    try:
        try:
            wait_until_accepting(cluster)
        except Exception as error:
            raise RuntimeError(
                f"the {cluster.label} PostgreSQL cluster did not start; its log: {log_path}"
            ) from error
        yield cluster
    finally:
        server.send_signal(signal.SIGINT)  # fast shutdown: sessions end, data is flushed
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

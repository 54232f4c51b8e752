"""The project-owned PostgreSQL cluster that holds Airflow's metadata.

Debian's server binaries (``scripts/install-postgres.sh``) run a cluster in
``<SOCIALMART_HOME>/airflow/postgres/data``, listening on ``SOCIALMART_BIND_HOST`` and
``AIRFLOW_DB_PORT`` with password (SCRAM) authentication for ``AIRFLOW_DB_USER``. PostgreSQL
refuses to run as root, so as root the server runs as the ``postgres`` OS user.
"""

from __future__ import annotations

import os
import pwd
import subprocess
import tempfile
import time
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


def cluster_dir(settings: Settings) -> Path:
    """``<home>/airflow/postgres``; as root, when the ``postgres`` OS user cannot reach it (a
    home inside a private folder, as pytest's are), a folder named after it in the temp dir."""
    wanted = settings.home / "airflow" / "postgres"
    if os.geteuid() != 0 or _others_can_enter(wanted.parent):
        return wanted
    import hashlib

    digest = hashlib.sha256(str(wanted).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"socialmart-airflow-pg-{digest}"


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


def init_cluster(settings: Settings) -> Path:
    """Create the cluster once (idempotent); return its data directory."""
    root = cluster_dir(settings)
    data = root / "data"
    if (data / "PG_VERSION").exists():
        return data
    root.mkdir(parents=True, exist_ok=True)
    (root / "sockets").mkdir(exist_ok=True)
    root.chmod(0o755)
    _own(root)
    _own(root / "sockets")
    stack = settings.stack
    with tempfile.NamedTemporaryFile("w", dir=root, delete=False) as pwfile:
        pwfile.write(stack.db_password + "\n")
    _own(Path(pwfile.name))
    try:
        _run(
            [
                str(bin_dir() / "initdb"),
                "-D",
                str(data),
                "-U",
                stack.db_user,
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


def server_command(settings: Settings) -> list[str]:
    """The foreground ``postgres`` command the supervisor runs (and restarts)."""
    root = cluster_dir(settings)
    return [
        str(bin_dir() / "postgres"),
        "-D",
        str(root / "data"),
        "-c",
        f"listen_addresses={settings.stack.bind_host}",
        "-p",
        str(settings.stack.db_port),
        "-k",
        str(root / "sockets"),
        "-c",
        "max_connections=200",
    ]


def wait_until_accepting(settings: Settings, timeout: float = 60) -> None:
    """Wait until the server accepts connections; create the database the first time."""
    import psycopg2

    stack = settings.stack
    deadline = time.monotonic() + timeout
    while True:
        try:
            admin = psycopg2.connect(
                host=stack.bind_host,
                port=stack.db_port,
                user=stack.db_user,
                password=stack.db_password,
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
        cursor.execute("select 1 from pg_database where datname = %s", (stack.db_name,))
        if cursor.fetchone() is None:
            cursor.execute(f'create database "{stack.db_name}"')
    admin.close()

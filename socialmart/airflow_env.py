"""The environment a local Airflow (dags test, standalone, scheduler) runs with.

Airflow reads its configuration from ``AIRFLOW__SECTION__KEY`` variables; this module is the
one place the native (non-Docker) stack sets them, so the demo, the tests and `make airflow`
agree. docker-compose.yml sets the same keys for the containerised stack.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from pathlib import Path

from socialmart.settings import PROJECT_ROOT, Settings

DAGS_FOLDER = PROJECT_ROOT / "dags"
WAREHOUSE_POOL = "warehouse_writer"  # the same name as dags/factories.py
LOCAL_USER = "admin"


#: Processes of the stack's API server: one can serve tasks while the other is busy.
API_SERVER_WORKERS = 2


def airflow_home(settings: Settings) -> Path:
    """``<SOCIALMART_HOME>/airflow``: metadata database, logs, generated passwords."""
    return settings.home / "airflow"


def stack_dir(settings: Settings) -> Path:
    """``<SOCIALMART_HOME>/airflow/stack``: the supervisor's pid, state and component logs."""
    return airflow_home(settings) / "stack"


def stack_secrets(settings: Settings) -> dict[str, str]:
    """The JWT secret and API secret key every component must share.

    ``AIRFLOW_JWT_SECRET`` / ``AIRFLOW_API_SECRET_KEY`` when set, else random values generated
    once per home (64 bytes: shorter HMAC keys log InsecureKeyLengthWarning on every call).
    """
    import secrets

    path = stack_dir(settings) / "secrets.json"
    stored = json.loads(path.read_text()) if path.exists() else {}
    if not stored:
        stored = {
            "jwt_secret": secrets.token_urlsafe(64),
            "api_secret_key": secrets.token_urlsafe(64),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(stored))
        path.chmod(0o600)
    return {
        "jwt_secret": settings.stack.jwt_secret or stored["jwt_secret"],
        "api_secret_key": settings.stack.api_secret_key or stored["api_secret_key"],
    }


def standin_env(settings: Settings) -> dict[str, str]:
    """The stand-in identities ``make demo`` uses, for every source still on the stand-in.

    Threads profiles, the Instagram account and the TikTok app cannot be discovered from the
    API; without them those sources have no accounts. A source whose base URL or identities
    are set explicitly (real credentials) keeps them: nothing here overrides a set variable.
    """
    on_standin = {
        "THREADS_": not os.environ.get("THREADS_BASE_URL", "").strip(),
        "INSTAGRAM_": not os.environ.get("INSTAGRAM_GRAPH_BASE_URL", "").strip(),
        "TIKTOK_": not os.environ.get("TIKTOK_BASE_URL", "").strip(),
    }
    if not any(on_standin.values()):
        return {}
    env = {}
    for name, value in _standin_client_env().items():
        prefix = next((p for p in on_standin if name.startswith(p)), None)
        if prefix and on_standin[prefix] and not os.environ.get(name, "").strip():
            env[name] = value
    # The TikTok app pair only lists advertisers; explicit advertiser ids need no app.
    if os.environ.get("TIKTOK_ADVERTISER_IDS", "").strip():
        env.pop("TIKTOK_APP_ID", None)
        env.pop("TIKTOK_APP_SECRET", None)
    if os.environ.get("THREADS_ACCESS_TOKENS", "").strip():
        env.pop("THREADS_PROFILES", None)
    return env


@functools.cache
def _standin_client_env() -> dict[str, str]:
    """The stand-in's identities, as its own command prints them (``python -m sandbox
    client-env``): asked of a process, like the stack starts the stand-in, so that this
    package never imports the stand-in."""
    printed = subprocess.run(
        [sys.executable, "-m", "sandbox", "client-env"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(printed.stdout)


def airflow_env(
    settings: Settings, api_port: int | None = None, *, stack: bool = False
) -> dict[str, str]:
    """A copy of the current environment with Airflow pointed at the project.

    ``stack=False`` (``make demo``'s `airflow dags test`, no scheduler): a SQLite metadata
    database in ``<home>/airflow/airflow.db``. ``stack=True`` (`make airflow`, the soak, the
    real-scheduler tests): the project's PostgreSQL cluster, the configured executor, shared
    secrets, every listener on ``SOCIALMART_BIND_HOST``.

    Local use only: the simple auth manager makes every user an admin without a password
    (``SIMPLE_AUTH_MANAGER_ALL_ADMINS``).
    """
    stack_settings = settings.stack
    host = stack_settings.bind_host
    api_port = api_port or stack_settings.api_port
    home = airflow_home(settings)
    env = dict(os.environ)
    env.update(standin_env(settings))
    env.update(
        {
            "SOCIALMART_HOME": str(settings.home),
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            # SQLite's default 5 s busy timeout let a running scheduler's components crash with
            # "database is locked" while many task processes wrote at once; wait up to 60 s.
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}?timeout=60",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
            # Stored task logs are read in files and the UI: no ANSI colour codes.
            "AIRFLOW__LOGGING__COLORED_CONSOLE_LOG": "False",
            # A documented choice (docs/operations.md): new DAGs start paused, so starting
            # Airflow never starts runs nobody asked for; `make airflow-unpause` switches the
            # schedules on.
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": os.environ.get(
                "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION", "True"
            ),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{LOCAL_USER}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
            "AIRFLOW__API__HOST": host,
            "AIRFLOW__API__PORT": str(api_port),
            "AIRFLOW__API__BASE_URL": f"http://{host}:{api_port}",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://{host}:{api_port}/execution/",
            # A task whose API calls fail (the API server restarting) waits and retries for
            # about 6 minutes instead of 31 s before it fails.
            "AIRFLOW__WORKERS__EXECUTION_API_RETRIES": "10",
            "AIRFLOW__WORKERS__EXECUTION_API_RETRY_WAIT_MAX": "60",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "True",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_HOST": host,
            "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
            "DO_NOT_TRACK": "1",
            "TQDM_DISABLE": "1",
            "NO_COLOR": "1",
            # `airflow standalone` starts its components as `airflow ...` from PATH.
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        }
    )
    if stack:
        env.update(_stack_only_env(settings))
    return env


def _stack_only_env(settings: Settings) -> dict[str, str]:
    from socialmart.stack.executors import CELERY_CONFIG_PATH, executor_class_path
    from socialmart.stack.postgres import sqlalchemy_url

    stack = settings.stack
    secrets = stack_secrets(settings)
    env = {
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": sqlalchemy_url(settings, "psycopg2"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": sqlalchemy_url(settings, "asyncpg"),
        # Task processes fork with the task bodies' libraries already imported.
        "AIRFLOW__CORE__EXECUTOR": executor_class_path(stack.executor),
        "AIRFLOW__CORE__PARALLELISM": "16",
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets["jwt_secret"],
        "AIRFLOW__API__SECRET_KEY": secrets["api_secret_key"],
        "AIRFLOW__API__WORKERS": str(API_SERVER_WORKERS),
        # Re-parsing the transform DAG (Cosmos renders ~100 tasks) every 30 s cost a core's
        # worth of CPU on a 2-core machine; DAG files change rarely.
        "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "120",
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": str(stack.task_heartbeat_timeout),
        "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.25",
        # A restarted scheduler only fails tasks it queued itself; those of the dead one are
        # reset (and so run again) by its orphan check: every minute, not Airflow's 5.
        "AIRFLOW__SCHEDULER__ORPHANED_TASKS_CHECK_INTERVAL": "60",
    }
    if stack.executor == "CeleryExecutor":
        redis = f"redis://{stack.bind_host}:{stack.redis_port}/0"
        env.update(
            {
                "AIRFLOW__CELERY__BROKER_URL": redis,
                "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + sqlalchemy_url(settings, "psycopg2"),
                "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(stack.worker_concurrency),
                "AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS": CELERY_CONFIG_PATH,
            }
        )
    return env


def airflow_command(*args: str) -> list[str]:
    """The `airflow` CLI of this interpreter's environment."""
    return [str(Path(sys.executable).with_name("airflow")), *args]


def prepare_airflow(settings: Settings, *, stack: bool = False) -> None:
    """Make a fresh or existing local Airflow ready to run socialmart (idempotent).

    Migrates the metadata database, sets the warehouse-writer pool's slots and writes
    dbt's manifest, which the transform DAG renders its per-model tasks from.
    """
    from socialmart.transform import parse_manifest

    airflow_home(settings).mkdir(parents=True, exist_ok=True)
    env = airflow_env(settings, stack=stack)
    for args in (
        ("db", "migrate"),
        (
            "pools",
            "set",
            WAREHOUSE_POOL,
            str(settings.warehouse_pool_slots),
            "warehouse writers: a load takes one slot, build, gate and publish every slot "
            "(1 on DuckDB: one writer per file)",
        ),
    ):
        subprocess.run(airflow_command(*args), env=env, check=True, stdout=subprocess.DEVNULL)
    parse_manifest(settings)


class AirflowStack:
    """The supervised local stack (``socialmart.stack``) and a client of its REST API.

    As a context manager it starts the stack (PostgreSQL metadata database, api-server,
    scheduler, dag-processor, triggerer, workers) on ``api_port`` and stops it on exit; as a
    plain object it talks to a stack that already runs. The v2 REST API is called with a JWT
    from the simple auth manager (local: all admins).
    """

    def __init__(self, settings: Settings, api_port: int | None = None) -> None:
        import dataclasses

        if api_port and api_port != settings.stack.api_port:
            settings = dataclasses.replace(
                settings, stack=dataclasses.replace(settings.stack, api_port=api_port)
            )
        self.settings = settings
        self.base_url = f"http://{settings.stack.bind_host}:{settings.stack.api_port}"
        self.log_path = stack_dir(settings) / "supervisor.log"
        self._started = False
        self._token = ""

    def __enter__(self) -> AirflowStack:
        from socialmart.stack import control

        self._started = True
        try:
            control.up(self.settings, env={"AIRFLOW_API_PORT": str(self.settings.stack.api_port)})
        except BaseException:  # a failed or interrupted start leaves nothing running
            self.stop()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop every process of the stack this object started."""
        from socialmart.stack import control

        if self._started:
            control.down(self.settings)
            self._started = False

    def wait_until_ready(self, dag_ids: list[str], timeout: float) -> None:
        """Wait until the API answers and every DAG in ``dag_ids`` is parsed."""
        import time

        import requests

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._started and not _stack_running(self.settings):
                raise RuntimeError(f"the stack stopped; see {self.log_path}")
            try:
                known = {dag["dag_id"] for dag in self.api("GET", "/dags")["dags"]}
                if set(dag_ids) <= known:
                    return
            except requests.RequestException:
                pass
            time.sleep(2)
        raise TimeoutError(f"Airflow did not serve {dag_ids} in {timeout:.0f}s: {self.log_path}")

    def api(self, method: str, path: str, body: dict | None = None) -> dict:
        """Call ``/api/v2<path>`` and return the JSON answer.

        Reads are retried a few times on a 5xx (the local stack's SQLite metadata database
        answers "database is locked" now and then while the scheduler writes) and when the
        API server does not answer in time.
        """
        import time

        import requests

        if not self._token:
            answer = requests.get(f"{self.base_url}/auth/token", timeout=10)
            answer.raise_for_status()
            self._token = answer.json()["access_token"]
        # GETs are idempotent: a busy API server (5xx, or no answer in 30 s while the
        # scheduler and dbt share the cores) is asked again, up to 5 times.
        attempts = 5 if method == "GET" else 1
        for attempt in range(1, attempts + 1):
            try:
                response = requests.request(
                    method,
                    f"{self.base_url}/api/v2{path}",
                    json=body,
                    headers={"Authorization": f"Bearer {self._token}"},
                    timeout=30,
                )
            except (requests.Timeout, requests.ConnectionError):
                if attempt == attempts:
                    raise
                time.sleep(2)
                continue
            if response.status_code < 500 or attempt == attempts:
                break
            time.sleep(2)
        response.raise_for_status()
        return response.json()

    def trigger(self, dag_id: str, conf: dict | None = None, logical_date=None) -> str:
        """Trigger a run (logical date: now unless given); return its run id."""
        from datetime import UTC, datetime

        moment = logical_date or datetime.now(UTC)
        body = {"logical_date": moment.isoformat(), "conf": conf or {}}
        return self.api("POST", f"/dags/{dag_id}/dagRuns", body)["dag_run_id"]

    def wait_until_idle(self, dag_id: str, timeout: float) -> dict:
        """Wait until a DAG has runs, none is queued or running, and no asset event is still
        waiting to trigger another run; return the newest run."""
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            runs = self.runs(dag_id)
            settled = runs and all(run["state"] in ("success", "failed") for run in runs)
            if settled and not self.queued_asset_events(dag_id):
                return runs[-1]
            time.sleep(2)
        raise TimeoutError(f"{dag_id} did not finish in {timeout:.0f}s; see {self.log_path}")

    def queued_asset_events(self, dag_id: str) -> int:
        """How many asset events wait to trigger a run of ``dag_id``."""
        import requests

        try:
            return self.api("GET", f"/dags/{dag_id}/assets/queuedEvents")["total_entries"]
        except requests.HTTPError as error:
            if error.response is not None and error.response.status_code == 404:
                return 0
            raise

    def runs(self, dag_id: str) -> list[dict]:
        """Every run of a DAG, oldest first."""
        return self.api("GET", f"/dags/{dag_id}/dagRuns?order_by=run_after")["dag_runs"]

    def wait_for_run(self, dag_id: str, timeout: float, run_id: str | None = None) -> dict:
        """Wait until the run (default: the DAG's first run) finishes; return it.

        Raises:
            RuntimeError: The run failed. TimeoutError: it did not finish in time.
        """
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            runs = [r for r in self.runs(dag_id) if run_id in (None, r["dag_run_id"])]
            if runs and runs[0]["state"] in ("success", "failed"):
                if runs[0]["state"] == "failed":
                    raise RuntimeError(f"{dag_id} run {runs[0]['dag_run_id']} failed")
                return runs[0]
            time.sleep(2)
        raise TimeoutError(f"{dag_id} did not finish in {timeout:.0f}s; see {self.log_path}")


def _stack_running(settings: Settings) -> bool:
    from socialmart.stack import control

    return bool(control.state(settings))

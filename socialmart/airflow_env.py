"""The environment a local Airflow (dags test, standalone, scheduler) runs with.

Airflow reads its configuration from ``AIRFLOW__SECTION__KEY`` variables; this module is the
one place the native (non-Docker) stack sets them, so the demo, the tests and `make airflow`
agree. docker-compose.yml sets the same keys for the containerised stack.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

from socialmart.settings import PROJECT_ROOT, Settings

DAGS_FOLDER = PROJECT_ROOT / "dags"
WAREHOUSE_POOL = "warehouse_writer"  # the same name as dags/factories.py
LOCAL_USER = "admin"


def airflow_home(settings: Settings) -> Path:
    """``<SOCIALMART_HOME>/airflow``: metadata database, logs, generated passwords."""
    return settings.home / "airflow"


def airflow_env(settings: Settings, api_port: int = 8080) -> dict[str, str]:
    """A copy of the current environment with Airflow pointed at the project.

    Local use only: the simple auth manager makes every user an admin without a password
    (``SIMPLE_AUTH_MANAGER_ALL_ADMINS``); the API binds 127.0.0.1.
    """
    home = airflow_home(settings)
    env = dict(os.environ)
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
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": os.environ.get(
                "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION", "False"
            ),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{LOCAL_USER}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(api_port),
            "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{api_port}",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "True",
            "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
            "DO_NOT_TRACK": "1",
            "TQDM_DISABLE": "1",
            # `airflow standalone` starts its components as `airflow ...` from PATH.
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        }
    )
    return env


def airflow_command(*args: str) -> list[str]:
    """The `airflow` CLI of this interpreter's environment."""
    return [str(Path(sys.executable).with_name("airflow")), *args]


def prepare_airflow(settings: Settings) -> None:
    """Make a fresh or existing local Airflow ready to run socialmart (idempotent).

    Migrates the metadata database, creates the one-slot warehouse-writer pool and writes
    dbt's manifest, which the transform DAG renders its per-model tasks from.
    """
    from socialmart.transform import parse_manifest

    airflow_home(settings).mkdir(parents=True, exist_ok=True)
    env = airflow_env(settings)
    for args in (
        ("db", "migrate"),
        ("pools", "set", WAREHOUSE_POOL, "1", "one writer of the DuckDB warehouse at a time"),
    ):
        subprocess.run(airflow_command(*args), env=env, check=True, stdout=subprocess.DEVNULL)
    parse_manifest(settings)


class AirflowStack:
    """A running ``airflow standalone`` (api-server, scheduler, dag-processor, triggerer).

    Talks to the v2 REST API with a JWT from the simple auth manager (local: all admins).
    """

    def __init__(self, settings: Settings, api_port: int) -> None:
        self.base_url = f"http://127.0.0.1:{api_port}"
        self.log_path = airflow_home(settings) / "standalone.log"
        self._env = airflow_env(settings, api_port)
        self._process: subprocess.Popen[bytes] | None = None
        self._token = ""

    def __enter__(self) -> AirflowStack:
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                airflow_command("standalone"),
                env=self._env,
                cwd=PROJECT_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def stop(self, grace_seconds: float = 30) -> None:
        """Stop every process of the stack (its whole process group), forcibly after a grace.

        Components can outlive the standalone parent, so the group itself is waited for.
        """
        import signal
        import time

        if self._process is None:
            return
        group = self._process.pid
        deadline = time.monotonic() + grace_seconds
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGTERM)
            while time.monotonic() < deadline:
                self._process.poll()
                os.killpg(group, 0)  # raises ProcessLookupError once the group is gone
                time.sleep(0.5)
            os.killpg(group, signal.SIGKILL)
        self._process.wait()

    def wait_until_ready(self, dag_ids: list[str], timeout: float) -> None:
        """Wait until the API answers and every DAG in ``dag_ids`` is parsed."""
        import time

        import requests

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"airflow standalone exited; see {self.log_path}")
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

    def trigger(self, dag_id: str, conf: dict | None = None) -> str:
        """Trigger a run now; return its run id."""
        from datetime import UTC, datetime

        body = {"logical_date": datetime.now(UTC).isoformat(), "conf": conf or {}}
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


def serve_airflow(api_port: int = 8080) -> None:
    """`make airflow`: prepare, then run ``airflow standalone`` in the foreground until Ctrl-C."""
    from socialmart.settings import load_settings

    settings = load_settings()
    prepare_airflow(settings)
    print(f"Airflow UI: http://127.0.0.1:{api_port} (local only: every user is admin, no password)")
    print("Start the stand-in too (`make sandbox`) before triggering ingest DAGs.")
    subprocess.run(airflow_command("standalone"), env=airflow_env(settings, api_port), check=False)

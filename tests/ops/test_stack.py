"""The local stack (socialmart.stack) without starting Airflow: components, environment,
restart behaviour, stand-in identities, and sources without accounts."""

from __future__ import annotations

import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from socialmart.airflow_env import airflow_env, standin_env
from socialmart.settings import PROJECT_ROOT, load_settings
from socialmart.stack.supervisor import (
    Component,
    Supervisor,
    build_components,
    warm_execution_api,
)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOCIALMART_HOME", str(tmp_path))
    return tmp_path


def test_every_listener_comes_from_settings(home, monkeypatch) -> None:
    monkeypatch.setenv("AIRFLOW_API_PORT", "18123")
    monkeypatch.setenv("AIRFLOW_DB_PORT", "15999")
    monkeypatch.setenv("SOCIALMART_BIND_HOST", "127.0.0.2")
    env = airflow_env(load_settings(), stack=True)

    assert env["AIRFLOW__API__PORT"] == "18123"
    assert env["AIRFLOW__API__BASE_URL"] == "http://127.0.0.2:18123"
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].endswith("@127.0.0.2:15999/airflow")
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://")
    assert env["AIRFLOW__CORE__EXECUTOR"] == "socialmart.stack.executors.WarmLocalExecutor"
    assert env["AIRFLOW__LOGGING__COLORED_CONSOLE_LOG"] == "False"
    assert env["AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION"] == "True"
    assert not [key for key, value in env.items() if "0.0.0.0" in value]


def test_components_bind_the_settings_and_start_no_log_server(home, monkeypatch) -> None:
    monkeypatch.setenv("AIRFLOW_EXECUTOR", "CeleryExecutor")
    monkeypatch.setenv("AIRFLOW_CELERY_WORKERS", "3")
    monkeypatch.setenv("REDIS_PORT", "16380")
    components = build_components(load_settings())

    assert list(components)[:3] == ["postgres", "redis", "sandbox"]
    # The stand-in runs as a process of its own command: socialmart never imports it.
    assert components["sandbox"].argv[1:4] == ["-m", "sandbox", "serve"]
    assert "--clock-file" in components["sandbox"].argv
    assert {"api-server", "scheduler", "dag-processor", "triggerer"} <= set(components)
    assert {"worker-1", "worker-2", "worker-3"} <= set(components)
    for name in ("scheduler", "triggerer", "worker-1"):
        assert "--skip-serve-logs" in components[name].argv, name
    assert components["redis"].argv[1:5] == ["--bind", "127.0.0.1", "--port", "16380"]
    api = components["api-server"].argv
    assert api[api.index("--host") + 1] == "127.0.0.1"
    env = components["scheduler"].env
    assert env["AIRFLOW__CELERY__BROKER_URL"] == "redis://127.0.0.1:16380/0"


@contextmanager
def _fake_api_server(on_get: Callable[[str], object]) -> Iterator[int]:
    """A local HTTP server answering 200 to every GET after ``on_get(path)``; yields its port."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            on_get(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()


def test_the_supervisor_builds_the_execution_api_before_any_task_starts(home, monkeypatch) -> None:
    """The execution API builds itself on its first request (about 3 s, every request of the
    server waits): the supervisor pays that before it starts the scheduler."""
    asked: list[str] = []
    supervisor = Supervisor.__new__(Supervisor)
    with _fake_api_server(lambda path: asked.append(path)) as port:
        monkeypatch.setenv("AIRFLOW_API_PORT", str(port))
        supervisor.settings, supervisor.stopping = load_settings(), False
        supervisor._wait_for_api(timeout=10)

    # One round of concurrent requests (two per API server process): all answered at once.
    assert asked == ["/api/v2/monitor/health"] + ["/execution/health"] * 4


def test_the_execution_api_is_asked_until_every_process_answers_at_once(home) -> None:
    """A process still building answers late: another round follows."""
    slow = iter([True])

    def builds_on_first_request(_: str) -> None:
        if next(slow, False):
            time.sleep(1.5)

    with _fake_api_server(builds_on_first_request) as port:
        rounds = warm_execution_api(f"http://127.0.0.1:{port}")

    assert rounds == 2


def test_an_unknown_executor_is_refused(monkeypatch) -> None:
    monkeypatch.setenv("AIRFLOW_EXECUTOR", "SequentialExecutor")
    with pytest.raises(ValueError, match="AIRFLOW_EXECUTOR"):
        load_settings()


def test_the_supervisor_restarts_a_component_that_dies(home) -> None:
    supervisor = Supervisor.__new__(Supervisor)
    supervisor.settings = load_settings()
    supervisor.dir = home / "stack"
    supervisor.dir.mkdir()
    supervisor.logs = supervisor.dir / "logs"
    supervisor.components = {"sleeper": Component("sleeper", ["sleep", "60"], {})}
    supervisor.stopping = supervisor.ready = False
    supervisor._start("sleeper")
    first = supervisor.components["sleeper"].pid
    try:
        supervisor.components["sleeper"].signal_group(signal.SIGKILL)
        deadline = time.monotonic() + 10
        while supervisor.components["sleeper"].restarts == 0 and time.monotonic() < deadline:
            supervisor._tick()
            time.sleep(0.2)
        component = supervisor.components["sleeper"]
        assert component.restarts == 1
        assert component.pid not in (None, first)
    finally:
        supervisor.components["sleeper"].stop(grace=2)


def test_the_stand_in_identities_apply_only_where_nothing_is_set(monkeypatch) -> None:
    for name in (
        "THREADS_PROFILES",
        "THREADS_BASE_URL",
        "THREADS_ACCESS_TOKENS",
        "INSTAGRAM_BUSINESS_ACCOUNT_ID",
        "INSTAGRAM_GRAPH_BASE_URL",
        "TIKTOK_APP_ID",
        "TIKTOK_APP_SECRET",
        "TIKTOK_BASE_URL",
        "TIKTOK_ADVERTISER_IDS",
    ):
        monkeypatch.delenv(name, raising=False)
    assert {"THREADS_PROFILES", "INSTAGRAM_BUSINESS_ACCOUNT_ID", "TIKTOK_APP_ID"} <= set(
        standin_env(load_settings())
    )

    monkeypatch.setenv("THREADS_BASE_URL", "https://graph.threads.net")
    monkeypatch.setenv("INSTAGRAM_BUSINESS_ACCOUNT_ID", "1784")
    monkeypatch.setenv("TIKTOK_ADVERTISER_IDS", "7001")
    env = standin_env(load_settings())
    assert "THREADS_PROFILES" not in env
    assert "INSTAGRAM_BUSINESS_ACCOUNT_ID" not in env
    assert "TIKTOK_APP_ID" not in env


def test_the_makefile_takes_ports_from_settings() -> None:
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    recipes = "\n".join(line for line in makefile.splitlines() if line.startswith("\t"))
    # Only as the default of the setting that names the port (${DASHBOARD_PORT:-8501}).
    assert not re.search(r"(?<!:-)\b(8080|8501|8793|8794)\b", recipes)
    assert "0.0.0.0" not in makefile


def test_cosmos_operation_node_warnings_are_dropped() -> None:
    import logging
    import sys

    sys.path.insert(0, str(PROJECT_ROOT / "dags"))
    try:
        import factories  # noqa: F401 - installs the filter
    finally:
        sys.path.remove(str(PROJECT_ROOT / "dags"))
    logger = logging.getLogger("cosmos.airflow.graph")
    record = logger.makeRecord(
        logger.name,
        logging.WARNING,
        __file__,
        1,
        "Unavailable conversion function for <DbtResourceType.OPERATION> (node <operation.x>).",
        None,
        None,
    )
    other = logger.makeRecord(logger.name, logging.WARNING, __file__, 1, "other", None, None)
    assert not all(f.filter(record) for f in logger.filters)
    assert all(f.filter(other) for f in logger.filters)

"""A small process supervisor for the local Airflow stack.

Why not supervisord, systemd or ``airflow standalone``: ``standalone`` does not restart a
component that dies (the issue-14 triggerer stayed dead), there is no systemd in containers
or CI, and supervisord would be one more daemon to install and configure from templates,
while the components' order (database, then migrations, then the API server, then what
calls it) and their environment come from Python settings anyway. See DECISIONS.md.

Every component is a child in its own process group (so stopping one stops its task
processes too), logs to ``<home>/airflow/stack/logs/<name>.log`` and is started again when it
exits, after 1, 2, 4 ... 30 s (the wait resets once it ran for a minute). The supervisor's
state (pids, restarts) is in ``state.json`` for `make airflow-status` and the soak.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from socialmart.airflow_env import airflow_command, airflow_env, prepare_airflow, stack_dir
from socialmart.settings import PROJECT_ROOT, Settings

STOP_GRACE_SECONDS = 30
MAX_BACKOFF_SECONDS = 30
STABLE_AFTER_SECONDS = 60


@dataclass
class Component:
    """One supervised process."""

    name: str
    argv: list[str]
    env: dict[str, str]
    popen: dict = field(default_factory=dict)
    stop_signal: int = signal.SIGTERM
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    restarts: int = 0
    failures_in_a_row: int = 0
    restart_at: float | None = None

    def start(self, logs: Path) -> None:
        logs.mkdir(parents=True, exist_ok=True)
        with (logs / f"{self.name}.log").open("ab") as log:
            self.process = subprocess.Popen(
                self.argv,
                env=self.env,
                cwd=PROJECT_ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                **self.popen,
            )
        self.started_at = time.monotonic()
        self.restart_at = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process and self.process.poll() is None else None

    def signal_group(self, signum: int) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signum)

    def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Stop the component and everything it started; forcibly after ``grace`` seconds."""
        if self.process is None:
            return
        self.signal_group(self.stop_signal)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            if self.process.poll() is not None and not _group_alive(self.process.pid):
                return
            time.sleep(0.2)
        self.signal_group(signal.SIGKILL)
        self.process.wait()


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def uses_standin() -> bool:
    """True when any platform's base URL is left at its stand-in default."""
    names = (
        "META_GRAPH_BASE_URL",
        "THREADS_BASE_URL",
        "INSTAGRAM_GRAPH_BASE_URL",
        "TIKTOK_BASE_URL",
        "TIKTOK_SHOP_BASE_URL",
        "FX_RATES_URL",
    )
    return any(not os.environ.get(name, "").strip() for name in names)


def standin_clock_file(settings: Settings) -> Path:
    """A file whose content (ISO 8601) is the stand-in's "now"; absent: the real time."""
    return stack_dir(settings) / "sandbox_now"


def build_components(settings: Settings) -> dict[str, Component]:
    """Every component of the stack, in start order."""
    from socialmart.stack import postgres

    stack = settings.stack
    env = airflow_env(settings, stack=True)
    components = {
        "postgres": Component(
            "postgres",
            postgres.server_command(settings),
            {"PATH": os.environ.get("PATH", ""), "LC_ALL": "C"},
            popen=postgres.popen_kwargs(),
            stop_signal=signal.SIGINT,  # PostgreSQL's "fast" shutdown
        )
    }
    if stack.executor == "CeleryExecutor":
        redis_dir = stack_dir(settings) / "redis"
        redis_dir.mkdir(parents=True, exist_ok=True)
        components["redis"] = Component(
            "redis",
            [
                "redis-server",
                "--bind", stack.bind_host,
                "--port", str(stack.redis_port),
                "--dir", str(redis_dir),
                "--save", "",
                "--appendonly", "no",
                "--protected-mode", "yes",
            ],
            dict(os.environ),
        )  # fmt: skip
    if stack.standin == "on" or (stack.standin == "auto" and uses_standin()):
        components["sandbox"] = Component(
            "sandbox",
            [
                sys.executable,
                "-m",
                "sandbox",
                "serve",
                "--host", stack.bind_host,
                "--port", str(settings.sandbox_port),
                "--seed", str(settings.sandbox_seed),
                "--clock-file", str(standin_clock_file(settings)),
            ],
            env,
        )  # fmt: skip
    components["api-server"] = Component(
        "api-server",
        airflow_command("api-server", "--host", stack.bind_host, "--port", str(stack.api_port)),
        env,
    )
    components["scheduler"] = Component(
        "scheduler", airflow_command("scheduler", "--skip-serve-logs"), env
    )
    components["dag-processor"] = Component("dag-processor", airflow_command("dag-processor"), env)
    components["triggerer"] = Component(
        "triggerer", airflow_command("triggerer", "--skip-serve-logs"), env
    )
    if stack.executor == "CeleryExecutor":
        for number in range(1, stack.celery_workers + 1):
            name = f"worker-{number}"
            components[name] = Component(
                name,
                airflow_command(
                    "celery", "worker", "--skip-serve-logs",
                    "--celery-hostname", f"{name}@%h",
                    "--concurrency", str(stack.worker_concurrency),
                ),
                env,
            )  # fmt: skip
    return components


class Supervisor:
    """Starts the components in order, restarts any that exits, stops all on SIGTERM."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.dir = stack_dir(settings)
        self.logs = self.dir / "logs"
        self.components = build_components(settings)
        self.stopping = False
        self.ready = False

    def log(self, message: str) -> None:
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        print(f"{stamp} supervisor: {message}", flush=True)

    def write_state(self) -> None:
        state = {
            "pid": os.getpid(),
            "ready": self.ready,
            "executor": self.settings.stack.executor,
            "api_url": f"http://{self.settings.stack.bind_host}:{self.settings.stack.api_port}",
            "components": {
                name: {"pid": c.pid, "restarts": c.restarts} for name, c in self.components.items()
            },
        }
        tmp = self.dir / "state.json.tmp"
        tmp.write_text(json.dumps(state, indent=2))
        tmp.replace(self.dir / "state.json")

    def _on_signal(self, signum: int, _frame: object) -> None:
        self.stopping = True

    def run(self) -> int:
        from socialmart.stack import postgres

        self.dir.mkdir(parents=True, exist_ok=True)
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        try:
            postgres.init_cluster(self.settings)
            self._start("postgres")
            postgres.wait_until_accepting(self.settings)
            for name in ("redis", "sandbox"):
                if name in self.components:
                    self._start(name)
            self.log("preparing Airflow (migrations, pool, dbt manifest)")
            prepare_airflow(self.settings, stack=True)
            self._start("api-server")
            self._wait_for_api()
            for name in self.components:
                if self.components[name].process is None:
                    self._start(name)
            self.ready = True
            self.write_state()
            self.log("ready")
            while not self.stopping:
                self._tick()
                time.sleep(1)
        except Exception as error:  # noqa: BLE001 - logged, then everything is stopped
            self.log(f"failed: {error!r}")
            self.stopping = True
            return_code = 1
        else:
            return_code = 0
        self.stop_all()
        self.ready = False
        self.write_state()
        self.log("stopped")
        return return_code

    def stop_all(self) -> None:
        """Airflow components (and their task processes) first, all at once; then what they
        use: the stand-in, Redis, PostgreSQL."""
        self.log("stopping")
        backing = {"postgres", "redis", "sandbox"}
        first = [c for name, c in self.components.items() if name not in backing]
        for component in first:
            component.signal_group(component.stop_signal)
        for component in first:
            component.stop()
        for component in reversed([c for n, c in self.components.items() if n in backing]):
            component.stop()

    def _start(self, name: str) -> None:
        component = self.components[name]
        component.start(self.logs)
        self.log(f"started {name} (pid {component.pid})")
        self.write_state()

    def _wait_for_api(self, timeout: float = 180) -> None:
        """Until the API server answers; then :func:`warm_execution_api`."""
        import requests

        stack = self.settings.stack
        base = f"http://{stack.bind_host}:{stack.api_port}"
        deadline = time.monotonic() + timeout
        while not self.stopping:
            try:
                if requests.get(f"{base}/api/v2/monitor/health", timeout=5).status_code == 200:
                    warm_execution_api(base)
                    return
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"the API server did not answer {base} in {timeout:.0f}s")
            self._tick()
            time.sleep(1)

    def _tick(self) -> None:
        """Restart every component that exited (with backoff)."""
        now = time.monotonic()
        for name, component in self.components.items():
            process = component.process
            if process is None or process.poll() is None:
                continue
            if component.restart_at is None:
                uptime = now - component.started_at
                if uptime >= STABLE_AFTER_SECONDS:
                    component.failures_in_a_row = 0
                wait = min(MAX_BACKOFF_SECONDS, 2**component.failures_in_a_row)
                component.failures_in_a_row += 1
                component.restart_at = now + wait
                self.log(
                    f"{name} exited with code {process.returncode} after {uptime:.0f}s; "
                    f"restarting in {wait}s (log: {self.logs / (name + '.log')})"
                )
                # Whatever it started (task processes) goes with it.
                component.signal_group(signal.SIGKILL)
            elif now >= component.restart_at:
                component.restarts += 1
                self._start(name)


def warm_execution_api(base_url: str, rounds: int = 5) -> int:
    """Make every API server process build its task execution API before a task needs it.

    Each process builds it on its first request, about 3 s during which that process answers
    nothing else: the first tasks of a fresh stack waited up to 4 s to start
    (``make bench-airflow``). Which process takes a connection is the kernel's choice, so this
    sends rounds of concurrent requests on fresh connections (twice as many as processes)
    until one round is answered in under a second everywhere, or ``rounds`` ran.

    Returns:
        The rounds sent.
    """
    from concurrent.futures import ThreadPoolExecutor

    import requests

    from socialmart.airflow_env import API_SERVER_WORKERS

    def seconds(_: int) -> float:
        began = time.monotonic()
        requests.get(f"{base_url}/execution/health", timeout=60).raise_for_status()
        return time.monotonic() - began

    parallel = 2 * API_SERVER_WORKERS
    sent = 0
    with ThreadPoolExecutor(parallel) as pool:
        while sent < rounds:
            sent += 1
            if max(pool.map(seconds, range(parallel))) < 1:
                break
    return sent


def main() -> int:
    from socialmart.settings import load_settings

    return Supervisor(load_settings()).run()


if __name__ == "__main__":
    sys.exit(main())

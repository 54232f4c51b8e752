"""Start, stop and inspect the supervised local stack (`make airflow`, `make airflow-stop`).

``up`` starts the supervisor in the background (its own session, so it outlives the shell
and `make`), waits until the API server answers and the DAGs are parsed, and returns.
``down`` asks the supervisor to stop every component and waits for it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from socialmart.airflow_env import stack_dir
from socialmart.settings import PROJECT_ROOT, Settings, load_settings

DAG_PREFIXES = ("ingest_", "transform_publish")


def state(settings: Settings) -> dict:
    """The supervisor's ``state.json``, or ``{}`` when it is not running."""
    path = stack_dir(settings) / "state.json"
    if not path.exists():
        return {}
    current = json.loads(path.read_text())
    return current if _alive(current.get("pid")) else {}


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped) does not count.
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z")


def up(settings: Settings, timeout: float = 300, env: dict[str, str] | None = None) -> dict:
    """Start the stack unless it runs; wait until it is ready; return its state.

    ``env``: variables to set for the supervisor on top of this process's environment (the
    settings it reads itself).
    """
    current = state(settings)
    if not current:
        directory = stack_dir(settings)
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "state.json").unlink(missing_ok=True)
        with (directory / "supervisor.log").open("ab") as log:
            subprocess.Popen(
                [sys.executable, "-m", "socialmart.stack.supervisor"],
                cwd=PROJECT_ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env={**os.environ, **(env or {})},
            )
    deadline = time.monotonic() + timeout
    log_path = stack_dir(settings) / "supervisor.log"
    while time.monotonic() < deadline:
        current = state(settings)
        if current.get("ready"):
            return current
        path = stack_dir(settings) / "state.json"
        if path.exists() and not current:
            raise RuntimeError(f"the stack supervisor exited; see {log_path}")
        time.sleep(1)
    raise TimeoutError(f"the stack was not ready in {timeout:.0f}s; see {log_path}")


def down(settings: Settings, timeout: float = 120) -> bool:
    """Stop the stack; True when it was running."""
    current = state(settings)
    if not current:
        return False
    os.kill(current["pid"], signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _alive(current["pid"]) and time.monotonic() < deadline:
        time.sleep(0.5)
    if _alive(current["pid"]):
        os.kill(current["pid"], signal.SIGKILL)
    return True


def set_paused(settings: Settings, paused: bool) -> list[str]:
    """Pause or unpause every socialmart DAG through the REST API; return their ids."""
    from socialmart.airflow_env import AirflowStack

    client = AirflowStack(settings, settings.stack.api_port)
    dag_ids = [
        dag["dag_id"]
        for dag in client.api("GET", "/dags?limit=100")["dags"]
        if dag["dag_id"].startswith(DAG_PREFIXES)
    ]
    for dag_id in dag_ids:
        client.api("PATCH", f"/dags/{dag_id}", {"is_paused": paused})
    return dag_ids


def _print_status(settings: Settings) -> int:
    current = state(settings)
    if not current:
        print("stack: not running (start it with `make airflow`)")
        return 1
    print(f"stack: {'ready' if current['ready'] else 'starting'}, supervisor pid {current['pid']}")
    print(f"  executor {current['executor']}, UI {current['api_url']}")
    for name, component in current["components"].items():
        pid = component["pid"] or "-"
        print(f"  {name:<14} pid {pid!s:<8} restarts {component['restarts']}")
    return 0


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m socialmart.stack.control")
    parser.add_argument("command", choices=["up", "down", "status", "pause", "unpause", "cli"])
    parser.add_argument("args", nargs=argparse.REMAINDER, help="cli: the airflow command")
    args = parser.parse_args(argv)
    settings = load_settings()
    if args.command == "cli":  # the airflow CLI against the stack's metadata database
        from socialmart.airflow_env import airflow_command, airflow_env

        env = airflow_env(settings, stack=True)
        return subprocess.run(airflow_command(*args.args), env=env, check=False).returncode
    stack = settings.stack
    if args.command == "up":
        print(f"Starting the local Airflow stack ({stack.executor}) ...", flush=True)
        current = up(settings)
        print(f"Airflow UI: {current['api_url']} (local only: every user is admin, no password)")
        print(f"Logs: {stack_dir(settings) / 'logs'}; stop with `make airflow-stop`.")
        print("DAGs start paused: `make airflow-unpause` switches their schedules on.")
        return 0
    if args.command == "down":
        print("stack stopped" if down(settings) else "stack: not running")
        return 0
    if args.command == "status":
        return _print_status(settings)
    dag_ids = set_paused(settings, args.command == "pause")
    print(f"{args.command}d: {', '.join(dag_ids)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The environment a local Airflow (dags test, standalone, scheduler) runs with.

Airflow reads its configuration from ``AIRFLOW__SECTION__KEY`` variables; this module is the
one place the native (non-Docker) stack sets them, so the demo, the tests and `make airflow`
agree. docker-compose.yml sets the same keys for the containerised stack.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from socialmart.settings import PROJECT_ROOT, Settings

DAGS_FOLDER = PROJECT_ROOT / "dags"


def airflow_home(settings: Settings) -> Path:
    return settings.home / "airflow"


def airflow_env(settings: Settings) -> dict[str, str]:
    """A copy of the current environment with Airflow pointed at the project."""
    home = airflow_home(settings)
    env = dict(os.environ)
    env.update(
        {
            "SOCIALMART_HOME": str(settings.home),
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "TQDM_DISABLE": "1",
        }
    )
    return env


def airflow_command(*args: str) -> list[str]:
    """The `airflow` CLI of this interpreter's environment."""
    return [str(Path(sys.executable).with_name("airflow")), *args]


def migrate_metadata_db(settings: Settings) -> None:
    """Create or upgrade Airflow's metadata database (idempotent)."""
    airflow_home(settings).mkdir(parents=True, exist_ok=True)
    subprocess.run(
        airflow_command("db", "migrate"),
        env=airflow_env(settings),
        check=True,
        stdout=subprocess.DEVNULL,
    )

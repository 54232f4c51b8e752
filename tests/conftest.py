"""Session-wide test isolation: runtime state and Airflow's home live in a temp folder.

Airflow reads its configuration once, at first import, so the environment is set here,
before any test module imports it.
"""

import os
import tempfile

from socialmart.airflow_env import airflow_env
from socialmart.settings import load_settings

os.environ.setdefault("SOCIALMART_HOME", tempfile.mkdtemp(prefix="socialmart-tests-"))
os.environ["TQDM_DISABLE"] = "1"
os.environ.update(
    {key: value for key, value in airflow_env(load_settings()).items() if key.startswith("AIRFLOW")}
)

"""Every setting in one place, read from the environment with safe local defaults.

The defaults point at the local stand-in APIs (``sandbox/``) and an embedded DuckDB
warehouse under ``var/``, so a fresh clone runs without credentials. Real deployments
set the ``*_BASE_URL`` and token variables (see ``.env.example``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]

SANDBOX_DEFAULT_PORT = 8765
SANDBOX_DEFAULT_SEED = 42
SANDBOX_META_TOKEN = "sandbox-meta-token"


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _env_list(name: str) -> tuple[str, ...]:
    raw = os.environ.get(name, "")
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def _sandbox_url(host: str) -> str:
    port = _env("SANDBOX_PORT", str(SANDBOX_DEFAULT_PORT))
    return f"http://127.0.0.1:{port}/{host}"


@dataclass(frozen=True)
class MetaSettings:
    """Meta Marketing API (Graph API) settings."""

    base_url: str
    api_version: str
    access_token: str = field(repr=False)
    ad_account_ids: tuple[str, ...]
    purchase_action_type: str
    page_limit: int
    lookback_days: int


@dataclass(frozen=True)
class HttpSettings:
    """Behaviour shared by every HTTP client."""

    timeout_seconds: float
    max_retries: int
    backoff_base_seconds: float
    backoff_max_seconds: float


@dataclass(frozen=True)
class Settings:
    """The whole configuration of one socialmart process."""

    home: Path
    warehouse_path: Path
    published_dir: Path
    spool_dir: Path
    dbt_project_dir: Path
    dbt_target_dir: Path
    sandbox_port: int
    sandbox_seed: int
    meta: MetaSettings
    http: HttpSettings

    @property
    def published_marts_path(self) -> Path:
        """DuckDB file readers open (read-only); replaced atomically on publish."""
        return self.published_dir / "marts.duckdb"

    @property
    def published_health_path(self) -> Path:
        """DuckDB file with gate results and publish history for the data-health view."""
        return self.published_dir / "health.duckdb"


def load_settings() -> Settings:
    """Build :class:`Settings` from the current environment."""
    home = Path(_env("SOCIALMART_HOME", str(PROJECT_ROOT / "var"))).resolve()
    return Settings(
        home=home,
        warehouse_path=Path(_env("SOCIALMART_WAREHOUSE_PATH", str(home / "warehouse.duckdb"))),
        published_dir=Path(_env("SOCIALMART_PUBLISHED_DIR", str(home / "published"))),
        spool_dir=Path(_env("SOCIALMART_SPOOL_DIR", str(home / "spool"))),
        dbt_project_dir=PROJECT_ROOT / "dbt_project",
        dbt_target_dir=Path(_env("SOCIALMART_DBT_TARGET_DIR", str(home / "dbt_target"))),
        sandbox_port=int(_env("SANDBOX_PORT", str(SANDBOX_DEFAULT_PORT))),
        sandbox_seed=int(_env("SANDBOX_SEED", str(SANDBOX_DEFAULT_SEED))),
        meta=MetaSettings(
            base_url=_env("META_GRAPH_BASE_URL", _sandbox_url("graph.facebook.com")).rstrip("/"),
            api_version=_env("META_API_VERSION", "v25.0"),
            access_token=_env("META_ACCESS_TOKEN", SANDBOX_META_TOKEN),
            ad_account_ids=_env_list("META_AD_ACCOUNT_IDS"),
            purchase_action_type=_env("META_PURCHASE_ACTION_TYPE", "omni_purchase"),
            page_limit=int(_env("META_PAGE_LIMIT", "500")),
            lookback_days=int(_env("META_LOOKBACK_DAYS", "28")),
        ),
        http=HttpSettings(
            timeout_seconds=float(_env("HTTP_TIMEOUT_SECONDS", "60")),
            max_retries=int(_env("HTTP_MAX_RETRIES", "6")),
            backoff_base_seconds=float(_env("HTTP_BACKOFF_BASE_SECONDS", "1.0")),
            backoff_max_seconds=float(_env("HTTP_BACKOFF_MAX_SECONDS", "120")),
        ),
    )

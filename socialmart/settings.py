"""Every setting in one place, read from the environment with safe local defaults.

The defaults point at the local stand-in APIs (``sandbox/``) and an embedded DuckDB
warehouse under ``var/``, so a fresh clone runs without credentials. Real deployments
set the ``*_BASE_URL`` and token variables (see ``.env.example``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]

SANDBOX_DEFAULT_PORT = 8765
SANDBOX_DEFAULT_SEED = 42
SANDBOX_META_TOKEN = "sandbox-meta-token"
SANDBOX_THREADS_TOKEN = "sandbox-threads-token"
SANDBOX_INSTAGRAM_TOKEN = "sandbox-instagram-token"
SANDBOX_TIKTOK_TOKEN = "sandbox-tiktok-token"
SANDBOX_TIKTOK_SHOP_APP_KEY = "sandbox-tts-app-key"
SANDBOX_TIKTOK_SHOP_APP_SECRET = "sandbox-tts-app-secret"
SANDBOX_TIKTOK_SHOP_ACCESS_TOKEN = "sandbox-tts-access-token"
#: Meta attribution windows requested by default: every window still returned since
#: 2026-01-12, engage-through (``1d_ev``) included (DECISIONS.md).
META_DEFAULT_ATTRIBUTION_WINDOWS = ("1d_click", "7d_click", "28d_click", "1d_ev", "1d_view")


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _env_list(name: str) -> tuple[str, ...]:
    raw = os.environ.get(name, "")
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def _env_ints(name: str, default: str) -> tuple[int, ...]:
    return tuple(int(item) for item in _env(name, default).split(",") if item.strip())


def _env_date(name: str, default: str) -> date:
    value = _env(name, default)
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{name}: expected a date YYYY-MM-DD, got {value!r}") from exc


#: Most copies the stand-in's ids have room for (a 3-digit copy number in TikTok's ids).
SANDBOX_ACCOUNT_COPIES_MAX = 999


def parse_account_copies(raw: str) -> int:
    """A count of the stand-in's account copies (``SANDBOX_ACCOUNT_COPIES``, the command
    lines' ``--account-copies``): a whole number 1..SANDBOX_ACCOUNT_COPIES_MAX."""
    if not raw.isdigit() or not 1 <= int(raw) <= SANDBOX_ACCOUNT_COPIES_MAX:
        raise ValueError(f"expected a whole number 1..{SANDBOX_ACCOUNT_COPIES_MAX}, got {raw!r}")
    return int(raw)


def _account_copies() -> int:
    try:
        return parse_account_copies(_env("SANDBOX_ACCOUNT_COPIES", "1"))
    except ValueError as exc:
        raise ValueError(f"SANDBOX_ACCOUNT_COPIES: {exc}") from exc


def _env_pairs(name: str) -> tuple[tuple[str, str], ...]:
    """``id:value,id:value`` -> ``(("id", "value"), ...)``; a value may itself contain ``:``."""
    pairs = []
    for item in _env_list(name):
        key, sep, value = item.partition(":")
        if not sep or not key.strip() or not value.strip():
            raise ValueError(f"{name}: expected id:token pairs separated by commas")
        pairs.append((key.strip(), value.strip()))
    return tuple(pairs)


def _sandbox_url(host: str) -> str:
    """The stand-in's URL for a platform host (``SANDBOX_HOST`` is its service name in compose)."""
    sandbox_host = _env("SANDBOX_HOST", "127.0.0.1")
    port = _env("SANDBOX_PORT", str(SANDBOX_DEFAULT_PORT))
    return f"http://{sandbox_host}:{port}/{host}"


@dataclass(frozen=True)
class MetaSettings:
    """Meta Marketing API (Graph API) settings."""

    base_url: str
    api_version: str
    access_token: str = field(repr=False)
    ad_account_ids: tuple[str, ...]
    purchase_action_type: str
    #: Rows asked for per page (``limit``); 5000 is the largest page Meta is known to serve.
    page_limit: int
    lookback_days: int
    #: Insights ranges longer than this many days go through async report runs.
    async_threshold_days: int = 90
    #: First wait between report-run status polls; doubles up to ``async_poll_max_seconds``.
    async_poll_seconds: float = 1.0
    async_poll_max_seconds: float = 30.0
    #: A report run not completed after this long is abandoned (then split or resubmitted).
    async_job_timeout_seconds: float = 3600.0
    #: ``action_attribution_windows`` requested with every insights report.
    attribution_windows: tuple[str, ...] = META_DEFAULT_ATTRIBUTION_WINDOWS


@dataclass(frozen=True)
class TikTokSettings:
    """TikTok API for Business v1.3 settings (ads, reports, GMV Max).

    ``advertiser_ids`` empty means: list the advertisers authorized to the app
    (``/oauth2/advertiser/get/``, needs ``app_id`` and ``app_secret``); with neither set,
    TikTok is not configured and is skipped.
    """

    base_url: str
    api_version: str
    access_token: str = field(repr=False)
    advertiser_ids: tuple[str, ...]
    app_id: str
    app_secret: str = field(repr=False)
    page_size: int
    qps: float
    lookback_days: int
    report_span_days: int


@dataclass(frozen=True)
class TikTokShopSettings:
    """TikTok Shop Open API (seller-side affiliate orders) settings.

    A report "day" is a calendar day in ``timezone``: a window of days becomes the unix-second
    range [first day 00:00, day after the last 00:00) in that zone.
    """

    base_url: str
    app_key: str
    app_secret: str = field(repr=False)
    access_token: str = field(repr=False)
    shop_ciphers: tuple[str, ...]
    timezone: str
    page_size: int
    lookback_days: int
    retry_codes: tuple[int, ...]
    auth_code_prefixes: tuple[int, ...]
    spark_order_match: str = "shop_ads_commission_rate"


#: How creator marts find the Spark Ad orders in the affiliate order book (DECISIONS.md,
#: "Creator-driven revenue deducts only what the order book double-counts"):
#: ``shop_ads_commission_rate``: lines showing a Shop Ads rate (orders generated through Shop
#: Ads); ``post_and_day``: every line of the ad's post and day (sellers without a Shop Ads rate).
SPARK_ORDER_MATCHES = ("shop_ads_commission_rate", "post_and_day")


def _spark_order_match() -> str:
    value = _env("TIKTOK_SHOP_SPARK_ORDER_MATCH", SPARK_ORDER_MATCHES[0])
    if value not in SPARK_ORDER_MATCHES:
        raise ValueError(
            f"TIKTOK_SHOP_SPARK_ORDER_MATCH={value!r}: use one of {', '.join(SPARK_ORDER_MATCHES)}"
        )
    return value


@dataclass(frozen=True)
class ThreadsSettings:
    """Threads API settings (the brand's and creators' profiles).

    Each Threads user authorizes the app separately, so tokens are per profile:
    ``profile_tokens`` (``THREADS_ACCESS_TOKENS=id:token,...``) wins over the shared
    ``access_token``. ``profile_ids`` empty means the profiles named in ``profile_tokens``;
    with neither, Threads is not configured and is skipped.
    """

    base_url: str
    api_version: str
    access_token: str = field(repr=False)
    profile_tokens: tuple[tuple[str, str], ...] = field(repr=False)
    profile_ids: tuple[str, ...]
    page_limit: int
    lookback_days: int

    @property
    def profiles(self) -> tuple[str, ...]:
        """The profiles to pull, in configured order."""
        return self.profile_ids or tuple(profile for profile, _ in self.profile_tokens)

    def token_for(self, profile: str) -> str:
        """The access token for ``profile``: its own, else the shared one."""
        return dict(self.profile_tokens).get(profile, self.access_token)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every configured token value, for log masking."""
        return (self.access_token, *(token for _, token in self.profile_tokens))


@dataclass(frozen=True)
class InstagramSettings:
    """Instagram Graph API settings for media insights of partnership-ad creator posts.

    ``business_account_id`` (the brand's Instagram account) switches the source on; the media
    pulled are ``media_ids``, else the ad creatives' ``source_instagram_media_id`` values.
    """

    base_url: str
    api_version: str
    access_token: str = field(repr=False)
    business_account_id: str
    media_ids: tuple[str, ...]


@dataclass(frozen=True)
class FxSettings:
    """Reporting currency and the daily FX rates it is converted with.

    ``rates_url`` serves the ECB euro reference rates in the ECB's historical CSV format
    (real source: https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.csv): one row per
    TARGET business day, rates in units of currency per 1 EUR. A rate stays valid for
    ``carry_forward_days`` calendar days after its publication unless a newer one exists.
    """

    rates_url: str
    reporting_currency: str
    carry_forward_days: int


#: Flags of every pipeline ``dbt build``. dbt's unit tests check models' SQL on fixed inputs,
#: not the warehouse's data, so a production build gains nothing from them (dbt's advice:
#: run them in development and CI only); they cost about 5 s of every build (21 of them,
#: about 0.24 s each, issue 19). ``make test`` runs them once
#: (tests/dbt/test_build.py::test_the_unit_tests_pass).
DBT_BUILD_FLAGS = ("--exclude-resource-type", "unit_test")


@dataclass(frozen=True)
class DbtSettings:
    """Settings the dbt project reads as vars (source freshness thresholds, hours), and how
    dbt starts."""

    freshness_warn_hours: int
    freshness_error_hours: int
    #: A saved dbt parse (``partial_parse.msgpack``) a DuckDB build starts from when its
    #: target folder holds none, instead of parsing the whole project (the test suite's
    #: many homes; socialmart.transform). ``None``: dbt's own behaviour.
    parse_seed: Path | None = None


@dataclass(frozen=True)
class DuckDBSettings:
    """Resources every DuckDB connection of the warehouse may use, dbt's included.

    ``memory_limit`` caps DuckDB's buffer manager (a DuckDB size such as ``4GB``); work above
    it spills to DuckDB's temp directory (``<database file>.tmp``) instead of failing.
    Allocations outside the buffer manager are not counted, so a process can peak somewhat
    above it. ``threads`` is
    DuckDB's worker threads per database (default: the machine's cores).
    """

    memory_limit: str
    threads: int


#: The warehouse engines ``SOCIALMART_WAREHOUSE`` may name.
WAREHOUSE_KINDS = ("duckdb", "postgres")


@dataclass(frozen=True)
class PostgresSettings:
    """The shared PostgreSQL warehouse, used when ``SOCIALMART_WAREHOUSE=postgres``.

    dbt's ``postgres`` target (``dbt_project/profiles.yml``) reads the same ``SOCIALMART_PG_*``
    variables, so the loader, dbt, the gate and publish all reach one database. ``bi_role`` is
    the read-only login BI tools and the dashboards use; publish grants it the published marts
    and nothing else.
    """

    host: str
    port: int
    user: str
    password: str = field(repr=False)
    dbname: str
    bi_role: str
    bi_password: str = field(repr=False)

    def connect_kwargs(self) -> dict[str, str | int]:
        """Keyword arguments for ``psycopg2.connect`` as the pipeline's (writing) user."""
        return {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password,
            "dbname": self.dbname,
        }


@dataclass(frozen=True)
class GateSettings:
    """Quality-gate thresholds and the optional chat alert for a blocked gate.

    ``alert_webhook_url`` is treated as a secret (chat webhook URLs carry their token): it is
    only ever used to POST, never logged or stored.
    """

    freshness_max_days: int
    volume_min_ratio: float
    alert_webhook_url: str = field(repr=False)
    #: Largest share of its rows or spend a platform x account x day of a fact mart may lose
    #: against the previous publication before the gate blocks (0-1).
    max_volume_drop_ratio: float = 0.2


@dataclass(frozen=True)
class LoadSettings:
    """When a pull is credible enough to delete what it no longer returns (``LoadPolicy``).

    ``confirm_deletions`` lists ``source/stream/account`` patterns (``*`` matches anything)
    whose suspect pulls an operator has confirmed: set it for the re-run that should apply
    the deletions, then remove it.
    """

    max_vanished_share: float
    confirm_deletions: tuple[str, ...]


def _load_settings() -> LoadSettings:
    return LoadSettings(
        max_vanished_share=float(_env("LOAD_MAX_VANISHED_SHARE", "0.5")),
        confirm_deletions=_env_list("LOAD_CONFIRM_DELETIONS"),
    )


@dataclass(frozen=True)
class StackSettings:
    """The local Airflow stack (`make airflow`, ``socialmart.stack``): where it listens and how
    it runs tasks. docker-compose.yml reads the same names for its own services.

    Every listener binds ``bind_host`` (127.0.0.1 by default: nothing is reachable from other
    machines). The metadata database is a project-owned PostgreSQL cluster under
    ``<SOCIALMART_HOME>/airflow/postgres`` on ``db_port``; Redis (CeleryExecutor only) on
    ``redis_port``. ``jwt_secret`` and ``api_secret_key`` empty: generated once per home.
    """

    bind_host: str
    api_port: int
    dashboard_port: int
    executor: str
    celery_workers: int
    worker_concurrency: int
    db_port: int
    db_user: str
    db_password: str = field(repr=False)
    db_name: str = "airflow"
    redis_port: int = 6380
    jwt_secret: str = field(default="", repr=False)
    api_secret_key: str = field(default="", repr=False)
    #: Seconds without a heartbeat after which the scheduler fails (and retries) a task whose
    #: process died with a worker or the scheduler.
    task_heartbeat_timeout: int = 120
    #: Serve the stand-in APIs as a component: "auto" (when a platform's base URL is left at
    #: its stand-in default), "on" or "off" (a stand-in started elsewhere, real APIs).
    standin: str = "auto"
    #: How the transform DAG shows dbt: "build" (one task running `dbt build`, its log lists
    #: every model's status, rows and time) or "per_node" (Cosmos: a task per model and test).
    dbt_tasks: str = "build"
    #: Last day the ingest DAGs' daily schedule creates runs for (ISO date; empty: none).
    #: The soak and the real-scheduler test set it so that unpausing starts no run of today.
    schedule_end: str = ""


EXECUTORS = ("LocalExecutor", "CeleryExecutor")


def _stack_settings() -> StackSettings:
    executor = _env("AIRFLOW_EXECUTOR", "LocalExecutor")
    if executor not in EXECUTORS:
        raise ValueError(f"AIRFLOW_EXECUTOR: expected one of {', '.join(EXECUTORS)}")
    return StackSettings(
        bind_host=_env("SOCIALMART_BIND_HOST", "127.0.0.1"),
        api_port=int(_env("AIRFLOW_API_PORT", "8080")),
        dashboard_port=int(_env("DASHBOARD_PORT", "8501")),
        executor=executor,
        celery_workers=int(_env("AIRFLOW_CELERY_WORKERS", "2")),
        worker_concurrency=int(_env("AIRFLOW_WORKER_CONCURRENCY", "4")),
        db_port=int(_env("AIRFLOW_DB_PORT", "5433")),
        db_user=_env("AIRFLOW_DB_USER", "airflow"),
        db_password=_env("AIRFLOW_DB_PASSWORD", "airflow-local-only"),
        db_name=_env("AIRFLOW_DB_NAME", "airflow"),
        redis_port=int(_env("REDIS_PORT", "6380")),
        jwt_secret=_env("AIRFLOW_JWT_SECRET", ""),
        api_secret_key=_env("AIRFLOW_API_SECRET_KEY", ""),
        task_heartbeat_timeout=int(_env("AIRFLOW_TASK_HEARTBEAT_TIMEOUT", "120")),
        standin=_env("STACK_STANDIN", "auto"),
        dbt_tasks=_env("SOCIALMART_DBT_TASKS", "build"),
        schedule_end=_env("SOCIALMART_SCHEDULE_END", ""),
    )


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
    #: Where the dashboards keep their local DuckDB copy of the PostgreSQL publication
    #: (``SOCIALMART_WAREHOUSE=postgres`` only; dashboards/pg_snapshot.py).
    dashboard_cache_dir: Path
    sandbox_port: int
    sandbox_seed: int
    meta: MetaSettings
    http: HttpSettings
    threads: ThreadsSettings
    instagram: InstagramSettings
    tiktok: TikTokSettings
    tiktok_shop: TikTokShopSettings
    #: Days after which the Meta stand-in stops restating conversions (0-28).
    sandbox_meta_restatement_days: int = 7
    #: First report day the Meta stand-in counts click-through as link clicks only (other
    #: clicks as 1-day engage-through, ``1d_ev``); Meta's date is third-party (DECISIONS.md).
    sandbox_meta_engage_through_from: date = date(2026, 4, 6)
    #: Copies of the stand-in's Meta ad accounts and TikTok advertisers it serves (and its
    #: truth counts): 1 is the brand; more is an agency's book (the Celery fan-out bench).
    sandbox_account_copies: int = 1
    fx: FxSettings = field(default_factory=lambda: _fx_settings())
    dbt: DbtSettings = field(default_factory=lambda: _dbt_settings())
    gate: GateSettings = field(default_factory=lambda: _gate_settings())
    duckdb: DuckDBSettings = field(default_factory=lambda: _duckdb_settings())
    #: Which engine holds the warehouse: ``duckdb`` (the embedded file, default) or
    #: ``postgres`` (the shared server of :class:`PostgresSettings`).
    warehouse: str = field(default_factory=lambda: _warehouse_kind())
    postgres: PostgresSettings = field(default_factory=lambda: _postgres_settings())
    #: PostgreSQL only: how many loads (of different sources) Airflow runs at once.
    writer_pool_slots: int = field(
        default_factory=lambda: int(_env("SOCIALMART_WRITER_POOL_SLOTS", "4"))
    )
    load: LoadSettings = field(default_factory=_load_settings)
    #: Seconds a warehouse-writing step waits for another run's lock (socialmart.run_lock)
    #: before failing with a message naming the holder; 0 fails at once.
    lock_timeout_seconds: float = field(
        default_factory=lambda: float(_env("SOCIALMART_LOCK_TIMEOUT_SECONDS", "10"))
    )
    #: Hours after its last write that another run's spool folder counts as left behind by a
    #: killed run: removed by the next load if it holds no loadable unit, else reported.
    spool_stale_hours: float = field(
        default_factory=lambda: float(_env("SOCIALMART_SPOOL_STALE_HOURS", "24"))
    )

    #: The local Airflow stack (ports, bind address, executor, metadata database).
    stack: StackSettings = field(default_factory=lambda: _stack_settings())

    @property
    def warehouse_pool_slots(self) -> int:
        """Slots of Airflow's ``warehouse_writer`` pool: 1 on DuckDB (one writer per file),
        ``SOCIALMART_WRITER_POOL_SLOTS`` on PostgreSQL (loads of that many sources at once;
        build, gate and publish take every slot)."""
        return self.writer_pool_slots if self.warehouse == "postgres" else 1

    @property
    def dbt_target(self) -> str:
        """The dbt target (``dbt_project/profiles.yml``) of the configured warehouse."""
        return "postgres" if self.warehouse == "postgres" else "local"

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
        dashboard_cache_dir=Path(
            _env("SOCIALMART_DASHBOARD_CACHE_DIR", str(home / "dashboard_cache"))
        ),
        sandbox_port=int(_env("SANDBOX_PORT", str(SANDBOX_DEFAULT_PORT))),
        sandbox_seed=int(_env("SANDBOX_SEED", str(SANDBOX_DEFAULT_SEED))),
        meta=MetaSettings(
            base_url=_env("META_GRAPH_BASE_URL", _sandbox_url("graph.facebook.com")).rstrip("/"),
            # The Marketing API version with the longest life (connectors/meta/versions.py).
            api_version=_env("META_API_VERSION", "v27.0"),
            access_token=_env("META_ACCESS_TOKEN", SANDBOX_META_TOKEN),
            ad_account_ids=_env_list("META_AD_ACCOUNT_IDS"),
            purchase_action_type=_env("META_PURCHASE_ACTION_TYPE", "omni_purchase"),
            page_limit=int(_env("META_PAGE_LIMIT", "5000")),
            lookback_days=int(_env("META_LOOKBACK_DAYS", "28")),
            async_threshold_days=int(_env("META_ASYNC_THRESHOLD_DAYS", "90")),
            async_poll_seconds=float(_env("META_ASYNC_POLL_SECONDS", "1")),
            async_poll_max_seconds=float(_env("META_ASYNC_POLL_MAX_SECONDS", "30")),
            async_job_timeout_seconds=float(_env("META_ASYNC_JOB_TIMEOUT_SECONDS", "3600")),
            attribution_windows=_env_list("META_ATTRIBUTION_WINDOWS")
            or META_DEFAULT_ATTRIBUTION_WINDOWS,
        ),
        http=HttpSettings(
            timeout_seconds=float(_env("HTTP_TIMEOUT_SECONDS", "60")),
            max_retries=int(_env("HTTP_MAX_RETRIES", "6")),
            backoff_base_seconds=float(_env("HTTP_BACKOFF_BASE_SECONDS", "1.0")),
            backoff_max_seconds=float(_env("HTTP_BACKOFF_MAX_SECONDS", "120")),
        ),
        threads=ThreadsSettings(
            base_url=_env("THREADS_BASE_URL", _sandbox_url("graph.threads.net")).rstrip("/"),
            api_version=_env("THREADS_API_VERSION", "v1.0"),
            access_token=_env("THREADS_ACCESS_TOKEN", SANDBOX_THREADS_TOKEN),
            profile_tokens=_env_pairs("THREADS_ACCESS_TOKENS"),
            profile_ids=_env_list("THREADS_PROFILES"),
            page_limit=int(_env("THREADS_PAGE_LIMIT", "100")),
            lookback_days=int(_env("THREADS_LOOKBACK_DAYS", "28")),
        ),
        instagram=InstagramSettings(
            base_url=_env("INSTAGRAM_GRAPH_BASE_URL", _sandbox_url("graph.instagram.com")).rstrip(
                "/"
            ),
            # Instagram rides Graph API versions (connectors/meta/versions.py).
            api_version=_env("INSTAGRAM_API_VERSION", "v27.0"),
            access_token=_env("INSTAGRAM_ACCESS_TOKEN", SANDBOX_INSTAGRAM_TOKEN),
            business_account_id=_env("INSTAGRAM_BUSINESS_ACCOUNT_ID", ""),
            media_ids=_env_list("INSTAGRAM_MEDIA_IDS"),
        ),
        tiktok=TikTokSettings(
            base_url=_env("TIKTOK_BASE_URL", _sandbox_url("business-api.tiktok.com")).rstrip("/"),
            api_version=_env("TIKTOK_API_VERSION", "v1.3"),
            access_token=_env("TIKTOK_ACCESS_TOKEN", SANDBOX_TIKTOK_TOKEN),
            advertiser_ids=_env_list("TIKTOK_ADVERTISER_IDS"),
            app_id=_env("TIKTOK_APP_ID", ""),
            app_secret=_env("TIKTOK_APP_SECRET", ""),
            page_size=int(_env("TIKTOK_PAGE_SIZE", "1000")),
            qps=float(_env("TIKTOK_QPS", "10")),
            lookback_days=int(_env("TIKTOK_LOOKBACK_DAYS", "7")),
            report_span_days=int(_env("TIKTOK_REPORT_SPAN_DAYS", "30")),
        ),
        tiktok_shop=TikTokShopSettings(
            base_url=_env(
                "TIKTOK_SHOP_BASE_URL", _sandbox_url("open-api.tiktokglobalshop.com")
            ).rstrip("/"),
            app_key=_env("TIKTOK_SHOP_APP_KEY", SANDBOX_TIKTOK_SHOP_APP_KEY),
            app_secret=_env("TIKTOK_SHOP_APP_SECRET", SANDBOX_TIKTOK_SHOP_APP_SECRET),
            access_token=_env("TIKTOK_SHOP_ACCESS_TOKEN", SANDBOX_TIKTOK_SHOP_ACCESS_TOKEN),
            shop_ciphers=_env_list("TIKTOK_SHOP_CIPHERS"),
            timezone=_env("TIKTOK_SHOP_TIMEZONE", "UTC"),
            page_size=int(_env("TIKTOK_SHOP_PAGE_SIZE", "100")),
            lookback_days=int(_env("TIKTOK_SHOP_LOOKBACK_DAYS", "7")),
            retry_codes=_env_ints(
                "TIKTOK_SHOP_RETRY_CODES",
                "40100,40200,40201,40202,40700,50000,50002,51021,60001,36009002",
            ),
            auth_code_prefixes=_env_ints("TIKTOK_SHOP_AUTH_CODE_PREFIXES", "105,360"),
            spark_order_match=_spark_order_match(),
        ),
        sandbox_meta_restatement_days=int(_env("SANDBOX_META_RESTATEMENT_DAYS", "7")),
        sandbox_meta_engage_through_from=_env_date(
            "SANDBOX_META_ENGAGE_THROUGH_FROM", "2026-04-06"
        ),
        sandbox_account_copies=_account_copies(),
        fx=_fx_settings(),
        dbt=_dbt_settings(),
        gate=_gate_settings(),
        duckdb=_duckdb_settings(),
        warehouse=_warehouse_kind(),
        postgres=_postgres_settings(),
        load=_load_settings(),
    )


def _fx_settings() -> FxSettings:
    return FxSettings(
        rates_url=_env(
            "FX_RATES_URL",
            _sandbox_url("www.ecb.europa.eu") + "/stats/eurofxref/eurofxref-hist.csv",
        ),
        reporting_currency=_env("REPORTING_CURRENCY", "EUR").upper(),
        carry_forward_days=int(_env("FX_CARRY_FORWARD_DAYS", "7")),
    )


def _dbt_settings() -> DbtSettings:
    return DbtSettings(
        freshness_warn_hours=int(_env("SOURCE_FRESHNESS_WARN_HOURS", "36")),
        freshness_error_hours=int(_env("SOURCE_FRESHNESS_ERROR_HOURS", "72")),
        parse_seed=Path(seed) if (seed := _env("SOCIALMART_DBT_PARSE_SEED", "")) else None,
    )


def _gate_settings() -> GateSettings:
    return GateSettings(
        freshness_max_days=int(_env("GATE_FRESHNESS_MAX_DAYS", "2")),
        volume_min_ratio=float(_env("GATE_VOLUME_MIN_RATIO", "0.5")),
        alert_webhook_url=_env("ALERT_WEBHOOK_URL", ""),
        max_volume_drop_ratio=float(_env("GATE_MAX_VOLUME_DROP_RATIO", "0.2")),
    )


def _duckdb_settings() -> DuckDBSettings:
    return DuckDBSettings(
        memory_limit=_env("DUCKDB_MEMORY_LIMIT", "4GB"),
        threads=int(_env("DUCKDB_THREADS", str(os.cpu_count() or 1))),
    )


def _warehouse_kind() -> str:
    kind = _env("SOCIALMART_WAREHOUSE", "duckdb").lower()
    if kind not in WAREHOUSE_KINDS:
        raise ValueError(
            f"SOCIALMART_WAREHOUSE: expected one of {', '.join(WAREHOUSE_KINDS)}, got {kind!r}"
        )
    return kind


def _postgres_settings() -> PostgresSettings:
    return PostgresSettings(
        host=_env("SOCIALMART_PG_HOST", "127.0.0.1"),
        port=int(_env("SOCIALMART_PG_PORT", "5432")),
        user=_env("SOCIALMART_PG_USER", "postgres"),
        password=os.environ.get("SOCIALMART_PG_PASSWORD", ""),
        dbname=_env("SOCIALMART_PG_DBNAME", "socialmart"),
        bi_role=_env("SOCIALMART_PG_BI_ROLE", "socialmart_bi"),
        bi_password=os.environ.get("SOCIALMART_PG_BI_PASSWORD", ""),
    )

"""Session-wide test isolation (runtime state and Airflow's home in a temp folder) and the
fixtures several test folders share.

Airflow reads its configuration once, at first import, so the environment is set here,
before any test module imports it.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from pg_support import PostgresServer, find_bin_dir, running_postgres

from socialmart.airflow_env import airflow_env
from socialmart.settings import Settings, load_settings

os.environ.setdefault("SOCIALMART_HOME", tempfile.mkdtemp(prefix="socialmart-tests-"))
os.environ["TQDM_DISABLE"] = "1"
os.environ.update(
    {key: value for key, value in airflow_env(load_settings()).items() if key.startswith("AIRFLOW")}
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long files first: end-to-end tests, then the dbt builds, then the rest, so the
    pool's workers start the long files early and the short ones fill in at the end. The
    Makefile passes ``--no-loadscope-reorder``: pytest-xdist otherwise hands out the files
    with the most tests first, which puts the one-test end-to-end files last. The longest
    file (marker ``longest``, the soak) runs in a process of its own beside the pool."""
    dbt_tests = Path(__file__).parent / "dbt"

    def cost_rank(item: pytest.Item) -> int:
        if item.get_closest_marker("e2e") is not None:
            return 0
        return 1 if item.path.is_relative_to(dbt_tests) else 2

    items.sort(key=cost_rank)


@pytest.fixture(scope="session", autouse=True)
def dbt_parse_seed(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[Path]:
    """One saved dbt parse for every test home (``SOCIALMART_DBT_PARSE_SEED``).

    Each test home has a target folder of its own; without a saved parse in it dbt parses
    the whole project (about 10 s of CPU more than starting from one). The first pytest
    process of a run parses once, under a lock the pool's workers share; every dbt build
    of a DuckDB warehouse named ``warehouse.duckdb`` then starts from it (dbt parses again
    only what differs: other vars or resources; socialmart.transform)."""
    from socialmart.transform import PARTIAL_PARSE_FILE, parse_manifest

    shared = tmp_path_factory.getbasetemp()
    shared = shared.parent if worker_id != "master" else shared
    home = shared / "dbt-parse-seed"
    with open(shared / "dbt-parse-seed.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("SOCIALMART_HOME", str(home))
            seed_settings = load_settings()
            seed = seed_settings.dbt_target_dir / PARTIAL_PARSE_FILE
            if not seed.exists():
                parse_manifest(seed_settings)
    os.environ["SOCIALMART_DBT_PARSE_SEED"] = str(seed)
    yield seed
    os.environ.pop("SOCIALMART_DBT_PARSE_SEED", None)


MartWriter = Callable[[list[dict]], None]
_TYPES = {
    "report_date": "date",
    "impressions": "bigint",
    "clicks": "bigint",
    "reporting_currency": "varchar",
}
PLACEMENT_MART = "marts.fct_placement_performance_daily"


def placement_mart_columns() -> list[str]:
    """The placement mart's columns, in order, from its dbt contract (the one declaration)."""
    marts = Path(__file__).parents[1] / "dbt_project/models/marts"
    path = marts / "fct_placement_performance_daily.yml"
    [model] = yaml.safe_load(path.read_text(encoding="utf-8"))["models"]
    return [column["name"] for column in model["columns"]]


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings whose every path is under tmp_path."""
    monkeypatch.setenv("SOCIALMART_HOME", str(tmp_path))
    return load_settings()


@pytest.fixture(scope="module")
def module_warehouse_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the module's tests keep the warehouse file and dbt's target folder."""
    return tmp_path_factory.mktemp("module-warehouse")


@pytest.fixture
def module_warehouse_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, module_warehouse_dir: Path
) -> Settings:
    """``settings``, but the warehouse file and dbt's target folder are the module's: each
    test starts without a warehouse (the previous test's file is removed), and the dbt runs
    of a module parse the project once instead of once per test (dbt re-parses everything
    when the profile, which names the warehouse path, changes). For modules that run dbt
    on small hand-written tables; a module's tests run one after the other in one process."""
    for leftover in module_warehouse_dir.iterdir():
        if leftover.name == "dbt_target":
            continue
        if leftover.is_dir():
            shutil.rmtree(leftover)
        else:
            leftover.unlink()
    monkeypatch.setenv("SOCIALMART_HOME", str(tmp_path))
    monkeypatch.setenv("SOCIALMART_WAREHOUSE_PATH", str(module_warehouse_dir / "warehouse.duckdb"))
    monkeypatch.setenv("SOCIALMART_DBT_TARGET_DIR", str(module_warehouse_dir / "dbt_target"))
    return load_settings()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresServer]:
    """One throw-away PostgreSQL cluster per test process (tests/pg_support.py)."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        pytest.skip(
            "PostgreSQL server binaries not found under /usr/lib/postgresql "
            "(install them with scripts/install-postgres.sh, which `make test` runs)"
        )
    with running_postgres(bin_dir) as server:
        yield server


@pytest.fixture
def pg_settings(
    pg_cluster: PostgresServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    """``settings`` with ``SOCIALMART_WAREHOUSE=postgres`` on a fresh database of its own."""
    database = pg_cluster.new_database(f"test_{tmp_path.name.lower()[:40]}")
    monkeypatch.setenv("SOCIALMART_HOME", str(tmp_path))
    for name, value in database.warehouse_env().items():
        monkeypatch.setenv(name, value)
    return load_settings()


@pytest.fixture
def good_rows() -> list[dict]:
    """Three valid mart rows in two currencies."""
    base = {
        "platform": "meta",
        "report_date": "2026-06-01",
        "ad_account_id": "111",
        "account_currency": "EUR",
        "campaign_id": "c1",
        "adset_id": "as1",
        "ad_id": "301",
        "spend": "41.87",
        "impressions": 5210,
        "clicks": 97,
    }
    return [
        base | {"publisher_platform": "instagram", "platform_position": "instagram_reels"},
        base | {"publisher_platform": "threads", "platform_position": "threads_feed"},
        base
        | {"ad_account_id": "222", "account_currency": "USD"}
        | {"publisher_platform": "facebook", "platform_position": "feed"},
    ]


@pytest.fixture
def write_mart(settings: Settings) -> MartWriter:
    """Replace the placement mart with given rows (missing: strings null, measures 0)."""
    from socialmart import warehouse

    COLUMNS, DATASET = placement_mart_columns(), PLACEMENT_MART

    measures = [c for c in COLUMNS[COLUMNS.index("spend") :] if c != "reporting_currency"]

    def write(rows: list[dict]) -> None:
        ddl = ", ".join(
            f"{name} {_TYPES.get(name, 'decimal(18, 2)' if name in measures else 'varchar')}"
            for name in COLUMNS
        )
        values = [
            [row.get(name, 0 if name in measures else None) for name in COLUMNS] for row in rows
        ]
        with warehouse.connect(settings) as con:
            con.execute(f"create or replace table {DATASET} ({ddl})")
            con.executemany(
                f"insert into {DATASET} values ({', '.join('?' * len(COLUMNS))})", values
            )

    return write

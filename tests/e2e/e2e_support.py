"""What the end-to-end tests share: the window, and checks of what the pipeline stored."""

from datetime import date

import duckdb

from socialmart import pipeline
from socialmart.logs import secret_values

SEED = 7
WINDOW = pipeline.Window(date(2026, 9, 27), date(2026, 10, 4))  # Threads switches on 10-01
RAW_TABLE = "raw.meta__ad_insights_placement"


def mart_rows(path):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select * from fct_placement_performance_daily order by all").fetchall()


def raw_state(settings):
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        versions = con.execute(f"select count(*) from {RAW_TABLE}").fetchone()[0]
        inserted = con.execute(
            "select run_id, sum(rows_inserted) from raw._loads"
            " group by run_id order by min(loaded_at)"
        ).fetchall()
    return versions, inserted


def all_text(settings) -> str:
    """Every value of every warehouse and published table, plus every file under the home."""
    chunks = []
    for db in (settings.warehouse_path, settings.published_marts_path):
        with duckdb.connect(str(db), read_only=True) as con:
            tables = con.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
            for schema, table in tables:
                frame = con.execute(f'select * from "{schema}"."{table}"').df()
                chunks.append(frame.to_csv())
    for path in settings.home.rglob("*"):
        if path.is_file() and path.suffix not in (".duckdb", ".wal"):
            chunks.append(path.read_text(errors="replace"))
    return "\n".join(chunks)


def assert_no_secret_in(text: str, settings) -> None:
    for secret in secret_values(settings):
        assert secret not in text, f"a credential ({secret[:4]}...) leaked into stored state"


def published_run_id(settings) -> str:
    with duckdb.connect(str(settings.published_marts_path), read_only=True) as con:
        return con.execute("select run_id from _publication").fetchone()[0]


# --- issue 13: subprocess runs against the stand-in, and digests of what a run stored --------

#: The stand-ins' "now", pinned so that two runs minutes apart pull identical data (Threads and
#: Instagram numbers grow with post age, Meta conversions mature with time).
PINNED_NOW = "2026-11-15T00:00:00+00:00"


def stand_in_env(base_url: str, home, **extra: str) -> dict[str, str]:
    """The environment of a ``socialmart`` subprocess against the stand-in at ``base_url``."""
    import os

    from sandbox.client_env import client_env

    return {
        **os.environ,
        "SOCIALMART_HOME": str(home),
        "META_GRAPH_BASE_URL": f"{base_url}/graph.facebook.com",
        "SANDBOX_PORT": base_url.rsplit(":", 1)[1],
        "SANDBOX_SEED": str(SEED),
        "SANDBOX_NOW": PINNED_NOW,
        "HTTP_BACKOFF_BASE_SECONDS": "0.01",
        **client_env(),
        **extra,
    }


def socialmart_command(*args: str) -> list[str]:
    """The installed ``socialmart`` console script of this interpreter's venv."""
    import sys
    from pathlib import Path

    return [str(Path(sys.executable).with_name("socialmart")), *args]


def _row_digest(rows) -> str:
    import hashlib

    digest = hashlib.sha256()
    for row in rows:
        digest.update(repr(row).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def raw_digest(warehouse_path) -> dict[str, tuple[int, int, str]]:
    """Per registered raw table: (versions stored, live keys, digest of the live versions).

    The live version of a key is its latest pull (``_pulled_at`` then ``_sync_id``, as staging
    and the loader pick it) unless that version is a tombstone. The digest covers every column
    but the pull metadata ``_sync_id`` and ``_pulled_at``, rows in a canonical order.
    """
    from connectors.sources import SOURCE_NAMES, get_source

    digests = {}
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        for name in SOURCE_NAMES:
            for spec in get_source(name).streams:
                table = f"raw.{spec.raw_table}"
                keys = ", ".join(f'"{column}"' for column in spec.key)
                live = con.execute(
                    f"select * exclude (_sync_id, _pulled_at) from {table} "
                    f"qualify row_number() over (partition by {keys} "
                    "order by _pulled_at desc, _sync_id desc) = 1 and not _is_deleted "
                    "order by all"
                ).fetchall()
                (versions,) = con.execute(f"select count(*) from {table}").fetchone()
                digests[table] = (versions, len(live), _row_digest(live))
    return digests


#: Published columns that say when a version was pulled, not what it says.
PULL_TIME_COLUMNS = ("first_pulled_at", "latest_pulled_at")


def marts_digest(published_path) -> dict[str, tuple[int, str]]:
    """Per published table but ``_publication``: (rows, digest of its rows in canonical order),
    without the pull-time columns (:data:`PULL_TIME_COLUMNS`)."""
    digests = {}
    with duckdb.connect(str(published_path), read_only=True) as con:
        tables = [
            table
            for (table,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'main' and table_name <> '_publication' order by 1"
            ).fetchall()
        ]
        for table in tables:
            columns = [
                column
                for (column,) in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = 'main' and table_name = ? order by ordinal_position",
                    [table],
                ).fetchall()
                if column not in PULL_TIME_COLUMNS
            ]
            selected = ", ".join(f'"{column}"' for column in columns)
            rows = con.execute(f'select {selected} from "{table}" order by all').fetchall()
            digests[table] = (len(rows), _row_digest(rows))
    return digests

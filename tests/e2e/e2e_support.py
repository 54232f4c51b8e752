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

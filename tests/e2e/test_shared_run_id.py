"""Ingest DAGs of one logical date share a run id: each load takes its own source's spool only.

Airflow names the scheduled (and backfilled) runs of every ingest DAG after their logical
date (``scheduled__2026-10-02T03:00:00+00:00``), so the six DAGs of a day write one spool
folder. When the first DAG's load loaded the whole folder, it took the other sources'
finished units and deleted their unfinished ones: the `make soak DAYS=3` run lost Meta's
placement report of a day without an error (the gate then failed on placement rows missing).
"""

from __future__ import annotations

import duckdb
import pytest

from connectors.common.spool import MANIFEST_NAME
from socialmart import pipeline

pytestmark = pytest.mark.e2e

RUN = "scheduled__2026-10-02T03_00_00_00_00"


def _loaded_streams(settings) -> set[tuple[str, str]]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return set(con.execute("select distinct source, stream from raw._loads").fetchall())


def test_a_source_load_leaves_the_other_sources_spool_of_the_same_run(settings) -> None:
    window = pipeline.Window.parse("2026-10-01", "2026-10-01")
    pipeline.extract(settings, window, RUN, ("fx", "meta"))
    spool = pipeline.run_spool_dir(settings, RUN)
    # A Meta extract still writing: a unit without its manifest yet.
    unfinished = spool / "meta" / "ad_insights_placement" / "999000111"
    unfinished.mkdir(parents=True)
    (unfinished / "page-00001.json").write_text("[]")
    meta_units = sorted(spool.glob(f"meta/*/*/{MANIFEST_NAME}"))
    assert meta_units

    pipeline.load(settings, RUN, sources=("fx",))

    assert {source for source, _ in _loaded_streams(settings)} == {"fx"}
    assert not (spool / "fx").exists()
    assert sorted(spool.glob(f"meta/*/*/{MANIFEST_NAME}")) == meta_units  # not taken
    assert (unfinished / "page-00001.json").exists()  # not deleted

    pipeline.load(settings, RUN, sources=("meta",))

    loaded = _loaded_streams(settings)
    assert ("meta", "ad_insights_placement") in loaded and ("meta", "ad_insights") in loaded
    assert not (spool / "meta").exists()

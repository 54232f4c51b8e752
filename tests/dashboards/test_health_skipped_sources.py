"""A source without accounts is an explicit "skipped": the Airflow task skips (no asset
event), the skip is recorded in the warehouse and the data-health page says which settings
switch the source on, until the source loads again."""

from __future__ import annotations

import pytest
from airflow.sdk.exceptions import AirflowSkipException
from streamlit.testing.v1 import AppTest

from connectors.sources import SOURCE_NAMES, get_source
from dashboards.queries import health
from socialmart import publish, warehouse
from socialmart.orchestration import skip_unconfigured
from socialmart.settings import PROJECT_ROOT, Settings

PAGE = str(PROJECT_ROOT / "dashboards" / "views" / "health.py")
RUN = "scheduled__2026-10-02T03:00:00+00:00"


def _skipped(settings: Settings):
    return health.skipped_sources(settings.published_health_path)


def test_every_source_names_settings_that_exist() -> None:
    documented = (PROJECT_ROOT / ".env.example").read_text()
    for name in SOURCE_NAMES:
        settings = get_source(name).account_settings
        assert settings, name
        for setting in settings:
            assert f"\n{setting}=" in documented, (name, setting)


def test_a_skip_is_recorded_and_shown_until_the_source_loads(settings: Settings) -> None:
    with pytest.raises(AirflowSkipException, match="THREADS_PROFILES / THREADS_ACCESS_TOKENS"):
        skip_unconfigured("threads", [], RUN)
    skip_unconfigured("threads", ["27300000000000000"], "manual__2")  # accounts: no skip

    skipped = _skipped(settings)
    assert skipped["source"].tolist() == ["threads"]
    assert skipped["skipped_runs"].tolist() == [1]
    assert skipped["last_loaded_at"].isna().all()
    assert "THREADS_PROFILES" in skipped["reason"].iloc[0]
    with warehouse.connect(settings) as con:
        runs = con.execute("select source, run_id from raw._skipped_runs").fetchall()
    assert runs == [("threads", "scheduled__2026-10-02T03_00_00_00_00")]

    page = AppTest.from_file(PAGE, default_timeout=60).run()
    warnings = " ".join(w.value for w in page.warning)
    assert "threads" in warnings and "THREADS_PROFILES" in warnings
    assert "never been loaded" in warnings

    # A later load of the source clears it; other sources' skips stay.
    with warehouse.connect(settings) as con:
        con.execute(
            "insert into raw._loads (run_id, source, stream, account_id, window_start, "
            "window_end, pulled_at, loaded_at, rows_seen, rows_inserted, tombstones_inserted) "
            "values ('r3', 'threads', 'posts', '273', '2026-10-01', '2026-10-02', now(), "
            "now() + interval 1 second, 1, 1, 0)"
        )
        publish.refresh_health(con, settings)
    assert _skipped(settings).empty
    page = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not [w for w in page.warning if "threads" in w.value]

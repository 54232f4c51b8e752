"""dbt build of the Meta staging model and the placement mart on fixture raw data."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from dbt_cli import run_dbt

from expectations.gate import GateFailed, enforce, run_gate
from socialmart import publish, transform
from socialmart.settings import Settings, load_settings

MART = "marts.fct_placement_performance_daily"
# The placement mart and its parents: models only, or with their tests.
PLACEMENT_MODELS = "+fct_placement_performance_daily,resource_type:model"
PLACEMENT_BUILD = "+fct_placement_performance_daily"
WINDOWS = ("1d_click", "7d_click", "28d_click", "1d_view", "1d_ev")
MART_COLUMNS = [
    ("platform", "VARCHAR"),
    ("report_date", "DATE"),
    ("ad_account_id", "VARCHAR"),
    ("account_currency", "VARCHAR"),
    ("campaign_id", "VARCHAR"),
    ("campaign_name", "VARCHAR"),
    ("adset_id", "VARCHAR"),
    ("adset_name", "VARCHAR"),
    ("ad_id", "VARCHAR"),
    ("ad_name", "VARCHAR"),
    ("publisher_platform", "VARCHAR"),
    ("platform_position", "VARCHAR"),
    ("spend", "DECIMAL(18,2)"),
    ("impressions", "BIGINT"),
    ("clicks", "BIGINT"),
    ("purchases", "DECIMAL(18,2)"),
    ("purchase_value", "DECIMAL(18,2)"),
    *(
        (f"{measure}_{window}", "DECIMAL(18,2)")
        for window in WINDOWS
        for measure in ("purchases", "purchase_value")
    ),
    ("reporting_currency", "VARCHAR"),
    ("spend_reporting", "DECIMAL(18,2)"),
    ("purchase_value_reporting", "DECIMAL(18,2)"),
    ("is_advantage_plus_campaign", "BOOLEAN"),
    ("placement_mode", "VARCHAR"),
    ("threads_inclusion", "VARCHAR"),
]


def query(path: Path, sql: str) -> list[tuple]:
    """Run one read-only query against a DuckDB file."""
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def _mart_row(settings: Settings, ad_id: str, position: str) -> dict:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        cursor = con.execute(
            f"select * from {MART} where ad_id = ? and platform_position = ?", [ad_id, position]
        )
        names = [column[0] for column in cursor.description]
        rows = cursor.fetchall()
    assert len(rows) == 1, rows
    return dict(zip(names, rows[0], strict=True))


def test_mart_columns_and_types_are_the_contract(built_settings: Settings) -> None:
    columns = query(
        built_settings.warehouse_path,
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'marts' and table_name = 'fct_placement_performance_daily' "
        "order by ordinal_position",
    )
    assert columns == MART_COLUMNS


def test_restated_row_takes_the_latest_version(built_settings: Settings) -> None:
    row = _mart_row(built_settings, "301", "instagram_reels")
    assert row["spend"] == Decimal("45.10")
    # omni_purchase only: not the first version's 3, not 4 + 4 + 2 aliases summed
    assert row["purchases"] == Decimal("4")
    assert row["purchase_value"] == Decimal("199.96")
    assert [row[f"purchases_{w}"] for w in WINDOWS] == [2, 3, 4, 1, 2]
    assert [row[f"purchase_value_{w}"] for w in WINDOWS] == [
        Decimal("99.98"),
        Decimal("149.97"),
        Decimal("199.96"),
        Decimal("49.99"),
        Decimal("89.90"),
    ]


def test_tombstoned_key_disappears_and_a_revived_key_returns(built_settings: Settings) -> None:
    ads = query(built_settings.warehouse_path, f"select distinct ad_id from {MART}")
    assert ("302",) not in ads
    assert _mart_row(built_settings, "303", "feed")["spend"] == Decimal("2.50")


def test_equal_pulled_at_is_decided_by_sync_id(built_settings: Settings) -> None:
    assert _mart_row(built_settings, "304", "feed")["spend"] == Decimal("8.88")


def test_missing_purchase_types_are_zero(built_settings: Settings) -> None:
    row = _mart_row(built_settings, "301", "threads_feed")
    assert row["purchases"] == 0 and row["purchase_value"] == 0
    assert all(row[f"purchases_{w}"] == 0 for w in WINDOWS)


def test_spend_is_exact_to_the_cent(built_settings: Settings) -> None:
    totals = dict(
        query(
            built_settings.warehouse_path,
            f"select account_currency, sum(spend) from {MART} group by 1",
        )
    )
    expected = sum(
        Decimal(v) for v in ("45.1", "3.12", "2.50", "8.88", "5339.5", "0.1", "0.2", "12", "1.01")
    )
    assert totals == {"EUR": expected, "USD": Decimal("99.99")}
    assert str(totals["EUR"]) == "5412.41"


def test_unknown_publisher_platform_is_kept(built_settings: Settings) -> None:
    assert _mart_row(built_settings, "306", "vr_feed")["publisher_platform"] == "oculus"
    assert query(built_settings.warehouse_path, f"select count(*) from {MART}") == [(10,)]


def test_nothing_is_written_into_the_repository(built_settings: Settings) -> None:
    for folder in ("target", "logs"):
        assert not (built_settings.dbt_project_dir / folder).exists()
    assert (built_settings.dbt_target_dir / "run_results.json").exists()
    assert (transform.dbt_log_dir(built_settings) / "dbt.log").exists()


def test_the_unit_tests_pass(built_settings: Settings, tmp_path: Path) -> None:
    """The pipeline's builds leave dbt's unit tests out (``settings.DBT_BUILD_FLAGS``): here they
    run, all of them, once per ``make test``."""
    ran = _unit_test_results(built_settings.dbt_target_dir)
    assert ran == {}, "the pipeline's build ran unit tests"

    target = tmp_path / "dbt-target"
    unit_tests = ["test", "--select", "test_type:unit"]
    result = run_dbt(built_settings, unit_tests, target)
    assert result.returncode == 0, result.stdout[-6000:]
    defined = json.loads((target / "manifest.json").read_text())["unit_tests"]
    ran = _unit_test_results(target)
    assert len(defined) >= 20 and set(ran) == set(defined)
    assert set(ran.values()) == {"pass"}


def _unit_test_results(target: Path) -> dict[str, str]:
    """Unit test -> status in the ``run_results.json`` of ``target``."""
    results = json.loads((target / "run_results.json").read_text())["results"]
    return {r["unique_id"]: r["status"] for r in results if r["unique_id"].startswith("unit_test.")}


def test_gate_and_publish_on_the_built_mart(built_settings: Settings) -> None:
    outcome = run_gate(built_settings, "run-build")
    assert outcome.passed, outcome.summary()
    # the unknown placement (dbt accepted_values, warn); the fixture pulls no entities, so the
    # fact's keys are missing from the dimensions and its automation flags unknown (warn)
    assert {(w.suite, w.expectation_type, w.columns) for w in outcome.warnings} == {
        (f"{MART}.dbt", "dbt.accepted_values", ("publisher_platform",)),
        (f"{MART}.dbt", "dbt.not_null", ("is_advantage_plus_campaign",)),
        (f"{MART}.dbt", "dbt.relationships_on_columns", ("platform", "ad_account_id")),
        (f"{MART}.dbt", "dbt.relationships_on_columns", ("platform", "campaign_id")),
        (f"{MART}.dbt", "dbt.relationships_on_columns", ("platform", "ad_id")),
    }
    result = publish.publish(built_settings, "run-build")
    assert result.row_counts["fct_placement_performance_daily"] == 10
    assert {
        "fct_ad_performance_daily",
        "dim_creators",
        "rpt_advantage_plus_placement_split",
    } <= set(result.row_counts), "every mart is published"
    published = query(
        built_settings.published_marts_path,
        "select sum(spend), sum(purchases) from fct_placement_performance_daily",
    )
    assert published == [(Decimal("5512.40"), Decimal("4.00"))]


@pytest.fixture(scope="module")
def reels_row_with_other_settings(
    built_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> dict:
    """Ad 301's Instagram Reels row of the mart, rebuilt on a copy of the module's warehouse
    with another purchase action type and two of the five attribution windows.

    One build serves the two settings' tests (each changes the dbt vars, so each build parses
    the whole project again). Only the mart and the models it reads are rebuilt: the row
    depends on nothing else (the module's build ran every model and test once).
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOCIALMART_HOME", str(tmp_path_factory.mktemp("other-settings")))
        patch.setenv("META_PURCHASE_ACTION_TYPE", "offsite_conversion.fb_pixel_purchase")
        patch.setenv("META_ATTRIBUTION_WINDOWS", "7d_click,1d_view")
        settings = load_settings()
        shutil.copy(built_settings.warehouse_path, settings.warehouse_path)
        transform.build(settings, "run-other-settings", select=PLACEMENT_MODELS)
        return _mart_row(settings, "301", "instagram_reels")


def test_configured_purchase_action_type_is_used(reels_row_with_other_settings: dict) -> None:
    row = reels_row_with_other_settings
    assert (row["purchases"], row["purchase_value"]) == (Decimal("2"), Decimal("99.98"))
    # a requested window that this action type's payload lacks is 0
    assert (row["purchases_7d_click"], row["purchases_1d_view"]) == (2, 0)


def test_a_window_left_out_of_the_setting_is_null_not_zero(
    reels_row_with_other_settings: dict,
) -> None:
    # A window not requested is unknown, whatever the payload holds (a real pull without it
    # would omit the key, which reads as 0); 7d_click and 1d_view are requested.
    row = reels_row_with_other_settings
    assert row["purchases_1d_ev"] is None and row["purchase_value_1d_ev"] is None
    assert row["purchases_1d_click"] is None and row["purchases_28d_click"] is None
    assert row["purchase_value_7d_click"] == Decimal("99.98")


def test_a_failing_mart_test_blocks_the_gate_with_the_node_name(
    copied_settings: Settings, copy_raw_placement_rows: Callable[..., None]
) -> None:
    copy_raw_placement_rows(
        "'-1.00' as spend, '999' as ad_id, 'run-x' as _sync_id",
        "ad_id = '305'",
        limit=1,
    )
    # only the mart's contract fails: the broken row flows from raw through its parents
    transform.build(copied_settings, "run-broken", select=PLACEMENT_BUILD)
    builds = query(
        copied_settings.warehouse_path,
        "select run_id, succeeded from audit.dbt_builds where finished_at is not null "
        "order by started_at",
    )
    assert builds[-1] == ("run-broken", False)
    outcome = run_gate(copied_settings, "run-broken")
    [negative] = [
        r
        for r in outcome.errors
        if r.expectation_type == "dbt.expression_is_true" and "spend >= 0" in r.observed_value
    ]
    assert negative.suite == f"{MART}.dbt" and '"spend": "-1.00"' in negative.observed_value
    with pytest.raises(GateFailed, match="expression_is_true.*spend"):
        enforce(outcome)


def test_a_null_key_fails_the_build_naming_its_column(
    copied_settings: Settings, copy_raw_placement_rows: Callable[..., None]
) -> None:
    """One query checks all the not-null columns of a table (not_null_columns): a null in
    one of them fails the build, and the error's sample rows say which column and how many."""
    copy_raw_placement_rows("null as ad_id, 'run-null' as _sync_id", "ad_id = '305'", limit=1)
    with pytest.raises(transform.TransformError) as failure:
        transform.build(copied_settings, "run-null-key", select=PLACEMENT_BUILD)
    samples = str(failure.value).split("failing rows", 1)[1].splitlines()
    [raw_check] = [line for line in samples if "source_not_null_columns_meta_ad_insights" in line]
    # the other checked columns (account_id, date_start) hold no null: no row for them
    assert raw_check.endswith(': {"column_name": "ad_id", "null_rows": 1}')


def test_parse_manifest_writes_the_manifest(built_settings: Settings) -> None:
    # The module's build left a manifest (and a parse to reuse); the parse writes it anew.
    (built_settings.dbt_target_dir / "manifest.json").unlink()
    manifest = transform.parse_manifest(built_settings)
    assert manifest.is_file()
    assert "model.socialmart.fct_placement_performance_daily" in manifest.read_text()


UPGRADED = "stg_meta__ad_insights"  # the incremental model whose table lacks the column


def test_an_upgrade_that_adds_columns_names_the_full_refresh(copied_settings: Settings) -> None:
    """A warehouse built by an older socialmart lacks a column the models now select: the
    incremental models refuse (on_schema_change='fail'), the message says how to rebuild, and
    that rebuild works."""
    with duckdb.connect(str(copied_settings.warehouse_path)) as con:
        con.execute("alter table staging.stg_meta__ad_insights drop column purchases_1d_view")
    with pytest.raises(transform.TransformError, match="out of sync") as failure:
        transform.build(copied_settings, "run-upgraded", select=UPGRADED)
    assert "socialmart transform --full-refresh" in str(failure.value)

    transform.build(copied_settings, "upgrade", select=UPGRADED, full_refresh=True)
    columns = query(
        copied_settings.warehouse_path,
        "select column_name from information_schema.columns "
        "where table_schema = 'staging' and table_name = 'stg_meta__ad_insights'",
    )
    assert ("purchases_1d_view",) in columns

"""StreamSpec validation and the registry the loader relies on."""

from __future__ import annotations

import pytest

from connectors.common.streams import NUMERIC_TEXT, Column, StreamSpec, get_stream
from connectors.meta.streams import AD_INSIGHTS_PLACEMENT, PUBLISHER_PLATFORMS
from connectors.tiktok import streams as tiktok_streams


def _spec(**overrides: object) -> StreamSpec:
    fields: dict[str, object] = {
        "name": "things",
        "source": "example",
        "source_label": "example_api",
        "columns": {"account_id": "VARCHAR", "day": "DATE", "payload": "JSON"},
        "key": ("account_id", "day"),
        "window_column": "day",
        "account_column": "account_id",
        **overrides,
    }
    return StreamSpec(**fields)  # type: ignore[arg-type]


def test_spec_derives_table_and_json_columns() -> None:
    spec = _spec()
    assert spec.raw_table == "example__things"
    assert spec.json_columns == ("payload",)


@pytest.mark.parametrize(
    "overrides",
    [
        {"key": ("account_id", "missing")},
        {"window_column": "payload"},
        {"columns": {"Account Id": "VARCHAR", "day": "DATE"}, "key": ("day",)},
    ],
)
def test_invalid_specs_are_refused(overrides: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        _spec(**overrides)


def test_registry_finds_meta_streams_by_source_and_name() -> None:
    assert get_stream("meta", "ad_insights_placement") is AD_INSIGHTS_PLACEMENT
    with pytest.raises(KeyError, match="unknown stream"):
        get_stream("meta", "nope")
    with pytest.raises(KeyError, match="unknown stream"):
        get_stream("no_such_source", "things")


def test_meta_insights_contract_for_staging() -> None:
    assert AD_INSIGHTS_PLACEMENT.raw_table == "meta__ad_insights_placement"
    assert AD_INSIGHTS_PLACEMENT.key == (
        "account_id",
        "ad_id",
        "date_start",
        "publisher_platform",
        "platform_position",
    )
    assert AD_INSIGHTS_PLACEMENT.json_columns == ("actions", "action_values")
    assert {AD_INSIGHTS_PLACEMENT.columns[c] for c in ("date_start", "date_stop")} == {"DATE"}


def test_contract_facts_are_read_from_the_columns_they_are_declared_on() -> None:
    spec = _spec(
        columns={
            "account_id": "VARCHAR",
            "day": "DATE",
            "spend": NUMERIC_TEXT,
            "orders": Column("INTEGER", numeric=True),
            "placement": Column("VARCHAR", known_values=("FEED", "STORY")),
        }
    )
    assert spec.columns == {
        "account_id": "VARCHAR",
        "day": "DATE",
        "spend": "VARCHAR",
        "orders": "INTEGER",
        "placement": "VARCHAR",
    }
    assert spec.numeric_columns == ("spend", "orders")
    assert spec.known_values == {"placement": ("FEED", "STORY")}


@pytest.mark.parametrize(
    "make",
    [
        lambda: Column("JSON", numeric=True),
        lambda: Column("DATE", numeric=True),
        lambda: Column("BIGINT", known_values=("1", "2")),
    ],
)
def test_facts_on_columns_that_cannot_hold_them_are_refused(make) -> None:
    with pytest.raises(ValueError):
        make()


def test_placement_enumerations_warn_on_the_placement_columns() -> None:
    assert AD_INSIGHTS_PLACEMENT.known_values == {"publisher_platform": PUBLISHER_PLATFORMS}
    tiktok = get_stream("tiktok", "smart_plus_ad_placement_report_daily")
    assert tiktok.known_values["placement"][-2:] == ("LEMON8", "PINE_DRAMA")
    assert tiktok.numeric_columns == tiktok_streams.PLACEMENT_METRICS

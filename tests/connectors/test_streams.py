"""StreamSpec validation and the registry the loader relies on."""

from __future__ import annotations

import pytest

from connectors.common.streams import StreamSpec, get_stream
from connectors.meta.streams import AD_INSIGHTS_PLACEMENT


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

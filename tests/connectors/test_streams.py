"""StreamSpec validation and the registry the loader relies on."""

from __future__ import annotations

from datetime import date

import pytest

from connectors.common.streams import (
    NEXT_LINK,
    NUMERIC_TEXT,
    Column,
    RequestWindow,
    StreamSpec,
    get_stream,
)
from connectors.meta.streams import AD_INSIGHTS_PLACEMENT, PUBLISHER_PLATFORMS
from connectors.tiktok import streams as tiktok_streams
from connectors.tiktok.client import TikTokClient


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
        {"paginator": "scroll"},
        {"paginator": NEXT_LINK, "records_path": None},
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


def test_request_window_names_days_as_the_platform_wants_them() -> None:
    iso = RequestWindow("start_date", "end_date", max_span_days=30)
    assert iso.params(date(2026, 9, 1), date(2026, 9, 2)) == {
        "start_date": "2026-09-01",
        "end_date": "2026-09-02",
    }
    unix = RequestWindow("since", "until", unix=True)
    # UTC midnights, the end exclusive: the day after the last day.
    assert unix.params(date(2026, 11, 1), date(2026, 11, 1)) == {
        "since": "1793491200",
        "until": "1793577600",
    }
    assert list(unix.spans(date(2026, 11, 1), date(2026, 11, 3))) == [
        (date(2026, 11, 1), date(2026, 11, 3))
    ]
    assert list(iso.spans(date(2026, 11, 1), date(2026, 11, 3), 2)) == [
        (date(2026, 11, 1), date(2026, 11, 2)),
        (date(2026, 11, 3), date(2026, 11, 3)),
    ]


def test_a_client_refuses_a_paginator_it_does_not_page_by(tiktok: TikTokClient) -> None:
    graph_paged = _spec(path="things", paginator=NEXT_LINK)
    with pytest.raises(ValueError, match="TikTok pages by page_number, not next_link"):
        list(tiktok.spec_pages(graph_paged, "things", {}, account=None, page_size=10))

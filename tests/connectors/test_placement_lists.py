"""The placement values are declared once, in the stream specs (the raw contract's known
values); the dbt layer's TikTok placement mapping and the placement mart's accepted values
must say the same, so a placement added to a spec and nowhere else fails here, not in a
gate warning on a production day."""

from __future__ import annotations

import re

import yaml

from connectors.meta.streams import PUBLISHER_PLATFORMS
from connectors.tiktok.streams import PLACEMENTS
from socialmart.settings import PROJECT_ROOT

DBT = PROJECT_ROOT / "dbt_project"
TIKTOK_MAPPING = DBT / "models/intermediate/placements/int_tiktok__placements.sql"
PLACEMENT_MART = DBT / "models/marts/fct_placement_performance_daily.yml"


def _tiktok_mapping() -> dict[str, str]:
    """The ``publisher_platforms`` dict of int_tiktok__placements: placement -> platform."""
    [block] = re.findall(r"set publisher_platforms = \{(.*?)\}", TIKTOK_MAPPING.read_text(), re.S)
    return dict(re.findall(r"'(\w+)':\s*'(\w+)'", block))


def _mart_accepted_publisher_platforms() -> set[str]:
    [mart] = yaml.safe_load(PLACEMENT_MART.read_text(encoding="utf-8"))["models"]
    [column] = [c for c in mart["columns"] if c["name"] == "publisher_platform"]
    [values] = [
        test["accepted_values"]["arguments"]["values"]
        for test in column["data_tests"]
        if isinstance(test, dict) and "accepted_values" in test
    ]
    return set(values)


def test_every_tiktok_placement_of_the_spec_is_mapped_and_nothing_else() -> None:
    assert set(_tiktok_mapping()) == set(PLACEMENTS)


def test_the_mart_accepts_exactly_the_placements_the_specs_know() -> None:
    expected = set(PUBLISHER_PLATFORMS) | set(_tiktok_mapping().values())
    assert _mart_accepted_publisher_platforms() == expected

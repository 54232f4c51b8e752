"""The placement values are declared once, in the stream specs (the raw contract's known
values); the dbt layer's TikTok placement mapping and the placement mart's accepted values
must say the same, so a placement added to a spec and nowhere else fails here, not in a
gate warning on a production day."""

from __future__ import annotations

import re

from mart_contract import accepted_publisher_platforms

from connectors.meta.streams import PUBLISHER_PLATFORMS
from connectors.tiktok.streams import PLACEMENTS
from socialmart.settings import PROJECT_ROOT

DBT = PROJECT_ROOT / "dbt_project"
TIKTOK_MAPPING = DBT / "models/intermediate/placements/int_tiktok__placements.sql"


def _tiktok_mapping() -> dict[str, str]:
    """The ``publisher_platforms`` dict of int_tiktok__placements: placement -> platform."""
    [block] = re.findall(r"set publisher_platforms = \{(.*?)\}", TIKTOK_MAPPING.read_text(), re.S)
    return dict(re.findall(r"'(\w+)':\s*'(\w+)'", block))


def test_every_tiktok_placement_of_the_spec_is_mapped_and_nothing_else() -> None:
    assert set(_tiktok_mapping()) == set(PLACEMENTS)


def test_the_mart_accepts_exactly_the_placements_the_specs_know() -> None:
    expected = set(PUBLISHER_PLATFORMS) | set(_tiktok_mapping().values())
    assert set(accepted_publisher_platforms()) == expected

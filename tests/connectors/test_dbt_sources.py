"""The dbt sources YAML agrees with the stream registry, so the two cannot drift apart.

Every registered stream is a table of the dbt source named after its connector source (table
name = stream name, identifier = raw table), no source table lacks a stream, and every column
the YAML names (to describe it or check it for nulls) is a column of the stream or a
load-metadata column.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from connectors.common.land import METADATA_COLUMNS
from connectors.common.streams import StreamSpec, source_streams
from connectors.sources import SOURCE_NAMES

STAGING = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "staging"


def _source_tables() -> dict[str, dict[str, dict]]:
    """dbt source name -> table name -> table entry, from every staging sources YAML."""
    sources: dict[str, dict[str, dict]] = {}
    for path in sorted(STAGING.glob("*/_*sources*.yml")):
        for source in yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]:
            tables = sources.setdefault(source["name"], {})
            tables.update({table["name"]: table for table in source.get("tables", [])})
    return sources


SOURCE_TABLES = _source_tables()
STREAMS = [spec for source in SOURCE_NAMES for spec in source_streams(source)]


def test_every_source_table_is_a_registered_stream() -> None:
    registered = {(spec.source, spec.name) for spec in STREAMS}
    declared = {(source, name) for source, tables in SOURCE_TABLES.items() for name in tables}
    assert declared == registered


@pytest.mark.parametrize("spec", STREAMS, ids=lambda spec: spec.raw_table)
def test_source_table_matches_its_stream(spec: StreamSpec) -> None:
    table = SOURCE_TABLES.get(spec.source, {}).get(spec.name)
    assert table is not None, f"{spec.raw_table} is not declared in a dbt sources YAML"
    assert table.get("identifier") == spec.raw_table
    named = [column["name"] for column in table.get("columns", [])]
    named += [
        column
        for test in table.get("data_tests", [])
        if isinstance(test, dict) and "not_null_columns" in test
        for column in test["not_null_columns"]["arguments"]["columns"]
    ]
    undeclared = set(named) - set(spec.columns) - set(METADATA_COLUMNS)
    assert not undeclared, f"{spec.raw_table}: YAML columns {sorted(undeclared)} not in the spec"

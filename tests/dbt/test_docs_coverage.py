"""`dbt docs generate` documents every mart and every column it has.

Runs on the shared stand-in warehouse (every source, built once per session). The catalog
(what the warehouse holds) is the truth of which columns exist; the manifest holds the
rendered descriptions (doc blocks resolved).
"""

from __future__ import annotations

import json

import pytest
from dbt_cli import run_dbt

from socialmart.settings import Settings

pytestmark = pytest.mark.e2e

MARTS_PATH = "models/marts/"


@pytest.fixture(scope="module")
def docs_artifacts(
    creator_warehouse: Settings, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict, dict]:
    """The manifest and the catalog ``dbt docs generate`` wrote for the built warehouse."""
    target_dir = tmp_path_factory.mktemp("dbt-docs")
    result = run_dbt(creator_warehouse, ["docs", "generate"], target_dir)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return tuple(
        json.loads((target_dir / name).read_text()) for name in ("manifest.json", "catalog.json")
    )


def _mart_models(manifest: dict) -> dict[str, dict]:
    return {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["original_file_path"].startswith(MARTS_PATH)
    }


def test_every_mart_is_in_the_catalog_with_a_description(docs_artifacts: tuple[dict, dict]) -> None:
    manifest, catalog = docs_artifacts
    marts = _mart_models(manifest)
    assert "model.socialmart.fct_ad_performance_daily" in marts
    assert sorted(set(marts) - set(catalog["nodes"])) == [], "marts the warehouse lacks"
    assert sorted(uid for uid, node in marts.items() if not node["description"].strip()) == []


def test_every_mart_column_has_a_description(docs_artifacts: tuple[dict, dict]) -> None:
    manifest, catalog = docs_artifacts
    undocumented = [
        f"{node['name']}.{column}"
        for unique_id, node in sorted(_mart_models(manifest).items())
        for column in catalog["nodes"][unique_id]["columns"]
        if not node["columns"].get(column, {}).get("description", "").strip()
    ]
    assert undocumented == []


def test_no_mart_documents_a_column_it_does_not_have(docs_artifacts: tuple[dict, dict]) -> None:
    manifest, catalog = docs_artifacts
    stale = [
        f"{node['name']}.{column}"
        for unique_id, node in sorted(_mart_models(manifest).items())
        for column in node["columns"]
        if column not in catalog["nodes"][unique_id]["columns"]
    ]
    assert stale == []

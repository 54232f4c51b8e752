"""socialmart.dbt_main replaces names of dbt-core: they must still be where it looks."""

from __future__ import annotations

import inspect

import dbt.parser.manifest
import dbt.task.runnable


def test_the_names_dbt_main_replaces_are_dbts_own() -> None:
    assert callable(dbt.parser.manifest.write_manifest)
    assert "skip_parsing" in inspect.getsource(dbt.parser.manifest.ManifestLoader.load)
    # the write after a run's nodes goes through the runnable module's own name
    assert dbt.task.runnable.write_manifest is dbt.parser.manifest.write_manifest
    assert "write_manifest(" in inspect.getsource(dbt.task.runnable.GraphRunnableTask.run)
    assert "write_manifest(" in inspect.getsource(dbt.parser.manifest.parse_manifest)

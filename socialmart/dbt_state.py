"""The views a whole-project build can leave as they are (issue 19).

A view holds no rows: re-creating it on every build issues the same ``create view`` again,
dbt's per-node work (about 30 ms each at ``large``, 57 views) for nothing. After each
successful whole-project build on DuckDB, what the views were created from is kept as the
warehouse's *build state* (``<SOCIALMART_HOME>/dbt_state/build.json``): a fingerprint of
the dbt project's files, the dbt vars and target, the warehouse file and the dbt versions,
and the views the build's manifest lists. The next whole-project build that is no full
refresh excludes every view (``--exclude config.materialized:view``) when nothing of that
changed; their data tests still run (``--indirect-selection empty``), as every other node.

The state is used only when all of these hold; otherwise the build re-creates every view:

* the warehouse is DuckDB. On PostgreSQL dbt replaces a table by renaming it and dropping
  the old one with ``cascade``, which drops the views reading it; DuckDB binds a view's
  names when it is queried, so a view outlives the tables it reads being replaced;
* every file of the dbt project is byte for byte what the state's build ran (any change,
  to a model, a macro or ``dbt_project.yml``, re-creates every view: code changes are rare
  next to daily builds, and this needs no model-by-model comparison);
* the dbt vars, the target, the warehouse file and the dbt versions are the state's;
* the newest row of ``audit.dbt_builds`` is the successful build that saved the state: any
  build since (failed, killed, selected, or Cosmos's per-node one) may have re-created
  views from other code;
* every view the state lists exists in the warehouse.

A hand-run ``dbt`` that re-creates views outside the pipeline is not seen; run the next
build with ``socialmart transform --full-refresh`` after one.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from socialmart import engines
from socialmart.settings import Settings

#: The dbt arguments of a build that leaves every view as it is and still runs its tests.
KEEP_VIEWS_ARGS = ("--exclude", "config.materialized:view", "--indirect-selection", "empty")
#: Folders of the dbt project that hold no code (dbt's output, installed packages).
_NOT_CODE = frozenset({"target", "logs", "dbt_packages"})


def state_path(settings: Settings) -> Path:
    """Where the warehouse's build state is kept."""
    return settings.home / "dbt_state" / "build.json"


def selection_args(settings: Settings, built_from: dict[str, Any]) -> list[str]:
    """dbt arguments that leave the views alone, or none (re-create every view).

    Call before the build is recorded in ``audit.dbt_builds``.

    Args:
        settings: The warehouse.
        built_from: The coming build's :func:`fingerprint`, taken once before it runs
            (and given to :func:`save` after it), so a project edited while dbt runs is
            not recorded as what the views were created from.
    """
    if settings.warehouse != "duckdb":
        return []
    try:
        saved = json.loads(state_path(settings).read_text("utf-8"))
    except (OSError, ValueError):
        return []
    if saved.get("fingerprint") != built_from:
        return []
    with engines.connect(settings) as con:
        if not _newest_build_is(con, saved["run_id"], saved["started_at"]):
            return []
        if not {tuple(view) for view in saved["views"]} <= _existing_views(con):
            return []
    return list(KEEP_VIEWS_ARGS)


def save(settings: Settings, built_from: dict[str, Any], run_id: str, started_at: datetime) -> None:
    """Keep the state of the successful whole-project build ``run_id``, whose
    :func:`fingerprint` taken before it ran is ``built_from`` and whose manifest is in the
    dbt target folder. Written whole to a new file that then replaces the old one."""
    if settings.warehouse != "duckdb":
        return
    manifest = json.loads((settings.dbt_target_dir / "manifest.json").read_text("utf-8"))
    state = {
        "run_id": run_id,
        "started_at": started_at.isoformat(),
        "fingerprint": built_from,
        "views": sorted(_views(manifest)),
    }
    path = state_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = path.with_suffix(".new")
    fresh.write_text(json.dumps(state, indent=2), "utf-8")
    fresh.replace(path)


def fingerprint(settings: Settings, variables: dict[str, str]) -> dict[str, Any]:
    """What the views of a build are created from, besides the warehouse's data."""
    return {
        "project": _project_digest(settings.dbt_project_dir),
        "vars": variables,
        "target": settings.dbt_target,
        "warehouse": str(settings.warehouse_path.resolve()),
        "dbt-core": version("dbt-core"),
        "dbt-duckdb": version("dbt-duckdb"),
    }


def _project_digest(project: Path) -> str:
    """SHA-256 over the path and bytes of every file of the dbt project (not its output)."""
    digest = hashlib.sha256()
    for path in sorted(project.rglob("*")):
        relative = path.relative_to(project)
        if path.is_file() and relative.parts[0] not in _NOT_CODE:
            digest.update(relative.as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _newest_build_is(con: Any, run_id: str, started_at: str) -> bool:
    newest = con.execute(
        "select run_id, started_at, succeeded from audit.dbt_builds "
        "order by started_at desc limit 1"
    ).fetchone()
    return (
        newest is not None
        and newest[0] == run_id
        and newest[1] == datetime.fromisoformat(started_at)
        and newest[2] is True
    )


def _views(manifest: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (node["schema"], node["alias"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["materialized"] == "view"
    }


def _existing_views(con: Any) -> set[tuple[str, str]]:
    rows = con.execute(
        "select table_schema, table_name from information_schema.tables where table_type = 'VIEW'"
    ).fetchall()
    return {(schema, name) for schema, name in rows}

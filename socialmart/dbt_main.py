"""``python -m socialmart.dbt_main <dbt arguments>``: dbt's own command line, without
rewriting a manifest that did not change (issue 19).

dbt writes ``manifest.json`` and ``semantic_manifest.json`` into its target folder after
parsing and again after running the nodes of a ``build``, ``run``, ``test`` or ``seed``:
about 1 s of JSON per invocation at this project's size, a quarter of a daily run's
start-up. For those four commands this entry point writes them only when dbt's partial
parsing found something changed since the target folder's last parse (or the folder has no
manifest yet), once. The files then describe the project exactly as before: dbt rewrites
its saved parse (``partial_parse.msgpack``) in the same cases, and what the second write
adds, the compiled SQL of the nodes run, is read from ``run_results.json`` (written as
always). Every other command (``parse``, ``docs generate``, ...) is dbt's, unchanged.

It replaces two module-level names of dbt-core (pinned in requirements.lock);
``tests/test_dbt_main.py`` fails if they move.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import dbt.parser.manifest as manifest_module
import dbt.task.runnable as runnable_module
from dbt.cli.main import cli

#: The commands that run nodes, after which dbt writes the manifest a second time.
NODE_COMMANDS = frozenset({"build", "run", "test", "seed"})

_write_manifest = manifest_module.write_manifest
_load = manifest_module.ManifestLoader.load
#: Whether this process's parse changed nothing since the target folder's saved parse.
_parse_unchanged = False


def _load_noting_change(loader: Any) -> Any:
    global _parse_unchanged
    manifest = _load(loader)
    _parse_unchanged = loader.skip_parsing
    return manifest


def _write_when_changed(manifest: Any, target_path: str, which: str | None = None) -> None:
    if _parse_unchanged and (Path(target_path) / "manifest.json").exists():
        return
    _write_manifest(manifest, target_path, which)


def _never(manifest: Any, target_path: str, which: str | None = None) -> None:
    """The write after the nodes ran: the manifest written (or kept) after parsing is it."""


def main(argv: list[str]) -> None:
    """Run dbt with ``argv`` (exits with dbt's exit code)."""
    if argv[:1] and argv[0] in NODE_COMMANDS:
        manifest_module.ManifestLoader.load = _load_noting_change
        manifest_module.write_manifest = _write_when_changed
        runnable_module.write_manifest = _never
    cli(argv)


if __name__ == "__main__":
    main(sys.argv[1:])

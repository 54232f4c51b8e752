"""``make docs``: browsable documentation that works offline, under ``<home>/docs/``.

- ``docs/dbt/index.html``: dbt docs of the project and the warehouse (``dbt docs generate
  --static``: one file with the manifest and catalog inside, no server, no CDN).
- Great Expectations Data Docs of every gate run stay where the gate writes them
  (``<home>/data_docs/<run>/<gate>-<time>/``); pages written before they were self-contained are
  rewritten offline (``expectations.data_docs.offline``).
- ``docs/index.html``: links to both, newest gate runs first.

The data-health page links to the same files (``dbt_docs_path``, ``docs_index_path``).
"""

from __future__ import annotations

import html
import logging
import shutil
from pathlib import Path

from socialmart.settings import Settings

log = logging.getLogger(__name__)


def docs_home(settings: Settings) -> Path:
    """Where ``make docs`` writes."""
    return settings.home / "docs"


def dbt_docs_path(settings: Settings) -> Path:
    """The static dbt docs page."""
    return docs_home(settings) / "dbt" / "index.html"


def docs_index_path(settings: Settings) -> Path:
    """The page linking dbt docs and every gate run's Data Docs."""
    return docs_home(settings) / "index.html"


def build(settings: Settings, run_id: str = "docs") -> Path:
    """Generate dbt docs (static), make Data Docs offline, write the index; return the index.

    Holds the run lock while dbt reads the warehouse's catalog.
    """
    from expectations.data_docs import INDEX_NAME, offline
    from socialmart import transform
    from socialmart.run_lock import warehouse_lock

    with warehouse_lock(settings, run_id, "docs"):
        transform._run_dbt(settings, ["docs", "generate", "--static"])
    target = dbt_docs_path(settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(settings.dbt_target_dir / "static_index.html", target)

    runs = []
    data_docs = settings.home / "data_docs"
    for page in sorted(data_docs.rglob("*.html")) if data_docs.is_dir() else []:
        text = page.read_text()
        rewritten = offline(text) if page.name != INDEX_NAME else text
        if rewritten != text:
            page.write_text(rewritten)
        if page.name == INDEX_NAME:
            runs.append(page)
    runs.sort(key=lambda page: page.parent.name.split("-", 1)[-1], reverse=True)
    items = "".join(
        f'<li><a href="{html.escape(page.as_uri())}">'
        f"{html.escape(page.parent.parent.name)} / {html.escape(page.parent.name)}</a></li>"
        for page in runs
    )
    index = docs_index_path(settings)
    index.write_text(
        "<!doctype html>\n<html><head><meta charset='utf-8'><title>socialmart docs</title>"
        "<style>body{font:15px/1.5 system-ui,sans-serif;margin:2rem;max-width:60rem}</style>"
        "</head><body><h1>socialmart documentation</h1>"
        f'<p><a href="{html.escape(target.as_uri())}">dbt docs</a>: every model, column, '
        "test and the lineage graph (the published marts' columns carry the same "
        "descriptions as database comments).</p>"
        "<h2>Great Expectations Data Docs, newest gate runs first</h2>"
        f"<ul>{items or '<li>No gate has run yet.</li>'}</ul></body></html>\n"
    )
    log.info("docs: %s", index)
    return index

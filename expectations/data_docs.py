"""Render GX Data Docs (HTML) for the validations of one gate run.

Each suite's report goes through GX's own validation-results page renderer; an index page
links them with their verdicts. Files live under ``<home>/data_docs/<run_id>/<gate>-<time>/``,
outside the repository, and hold validation results only (no credentials).

GX's page template loads Bootstrap, jQuery, Font Awesome and Vega from CDNs, so offline it
rendered unstyled. The pages are made self-contained instead: every external stylesheet and
script is dropped and a small inline stylesheet (``OFFLINE_CSS``) styles GX's tables, cards and
verdict icons. What needs the scripts (sortable tables, Vega charts of distributions) is lost;
the validation results themselves are plain HTML tables and stay complete.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.render.renderer import ValidationResultsPageRenderer
from great_expectations.render.view import DefaultJinjaPageView

from expectations.validation import SuiteValidation

INDEX_NAME = "index.html"

# Tags that load anything from outside the page (CDNs, GX's static folder).
_EXTERNAL = re.compile(
    r"<link\b[^>]*\bhref=\"(?:https?:)?//[^\"]*\"[^>]*>"
    r"|<link\b[^>]*\bhref=\"(?:\.\./)+static/[^\"]*\"[^>]*>"
    r"|<script\b[^>]*\bsrc=\"[^\"]*\"[^>]*>\s*</script>"
    r"|<img\b[^>]*\bsrc=\"(?:https?:)?//[^\"]*\"[^>]*>",
    re.IGNORECASE,
)
OFFLINE_CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2933;
  margin: 0; padding: 1.5rem 2rem; max-width: 1200px; }
h1, h2, h3, h4, h5 { line-height: 1.2; margin: 1.2rem 0 .6rem; }
a { color: #0b63b6; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { border: 1px solid #d9dee4; padding: .35rem .55rem; text-align: left;
  vertical-align: top; overflow-wrap: anywhere; }
th { background: #f3f5f7; }
.card { border: 1px solid #d9dee4; border-radius: 6px; margin: 1rem 0; padding: .5rem 1rem; }
.card-header { font-weight: 600; border-bottom: 1px solid #d9dee4; padding: .4rem 0; }
.badge, code { background: #eef1f4; border-radius: 4px; padding: 0 .3rem; }
.text-danger, .fa-times { color: #b3261e; }
.text-success, .fa-check-circle { color: #1b7f3b; }
.fa-times::before { content: "\\2717"; } .fa-check-circle::before { content: "\\2713"; }
.navbar, .sticky, #navbarNav, .d-none, .collapse:not(.show) { display: none; }
.col-md-2, .col-md-3, .col-md-9, .col-md-10, .col-12 { display: block; width: 100%; }
"""


def docs_dir(home: Path, run_id: str, gate: str, validated_at: datetime) -> Path:
    """The folder for one gate run's Data Docs."""
    return home / "data_docs" / run_id / f"{gate}-{validated_at:%Y%m%dT%H%M%S%fZ}"


def render(
    target: Path,
    title: str,
    validations: Sequence[SuiteValidation],
    run: tuple[str, datetime] | None = None,
) -> Path:
    """Write one GX page per suite plus an index into ``target``.

    Args:
        target: Folder to write (created).
        title: Heading of the index page, e.g. "marts gate, run <id>".
        validations: The suite runs to render.
        run: The gate's run name and time, shown on every page (GX prints ``__none__``
            without them).

    Returns:
        The index page's path.
    """
    target.mkdir(parents=True, exist_ok=True)
    renderer = ValidationResultsPageRenderer()
    view = DefaultJinjaPageView()
    items = []
    for validation in validations:
        _describe(validation, run)
        page = f"{validation.suite}.html"
        (target / page).write_text(offline(view.render(renderer.render(validation.report))))
        failed = [r for r in validation.results if not r.success]
        verdict = "passed" if not failed else f"{len(failed)} failed"
        items.append(
            f'<li><a href="{html.escape(page)}">{html.escape(validation.suite)}</a>'
            f" &mdash; {len(validation.results)} expectations, {verdict}</li>"
        )
    index = target / INDEX_NAME
    index.write_text(
        "<!doctype html>\n<html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{OFFLINE_CSS}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><ul>{''.join(items)}</ul></body></html>\n"
    )
    return index


def _describe(validation: SuiteValidation, run: tuple[str, datetime] | None) -> None:
    """Give GX's page what it prints as "Data asset" (the checked dataset and check, the
    suite's name; every frame shares one in-memory asset) and the run's name and time."""
    meta = validation.report.meta
    meta["batch_spec"] = {**(meta.get("batch_spec") or {}), "data_asset_name": validation.suite}
    if run is not None:
        meta["run_id"] = RunIdentifier(run_name=run[0], run_time=run[1])


def offline(page: str) -> str:
    """A GX page that loads nothing from outside itself: external stylesheets and scripts
    removed, ``OFFLINE_CSS`` inlined."""
    page = _EXTERNAL.sub("", page)
    return page.replace("</head>", f"<style>{OFFLINE_CSS}</style></head>", 1)

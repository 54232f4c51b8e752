"""Render GX Data Docs (HTML) for the validations of one gate run.

Each suite's report goes through GX's own validation-results page renderer; an index page
links them with their verdicts. Files live under ``<home>/data_docs/<run_id>/<gate>-<time>/``,
outside the repository, and hold validation results only (no credentials).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from great_expectations.render.renderer import ValidationResultsPageRenderer
from great_expectations.render.view import DefaultJinjaPageView

from expectations.validation import SuiteValidation

INDEX_NAME = "index.html"


def docs_dir(home: Path, run_id: str, gate: str, validated_at: datetime) -> Path:
    """The folder for one gate run's Data Docs."""
    return home / "data_docs" / run_id / f"{gate}-{validated_at:%Y%m%dT%H%M%S%fZ}"


def render(target: Path, title: str, validations: Sequence[SuiteValidation]) -> Path:
    """Write one GX page per suite plus an index into ``target``.

    Args:
        target: Folder to write (created).
        title: Heading of the index page, e.g. "marts gate, run <id>".
        validations: The suite runs to render.

    Returns:
        The index page's path.
    """
    target.mkdir(parents=True, exist_ok=True)
    renderer = ValidationResultsPageRenderer()
    view = DefaultJinjaPageView()
    items = []
    for validation in validations:
        page = f"{validation.suite}.html"
        (target / page).write_text(view.render(renderer.render(validation.report)))
        failed = [r for r in validation.results if not r.success]
        verdict = "passed" if not failed else f"{len(failed)} failed"
        items.append(
            f'<li><a href="{html.escape(page)}">{html.escape(validation.suite)}</a>'
            f" &mdash; {len(validation.results)} expectations, {verdict}</li>"
        )
    index = target / INDEX_NAME
    index.write_text(
        "<!doctype html>\n<html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head><body>"
        f"<h1>{html.escape(title)}</h1><ul>{''.join(items)}</ul></body></html>\n"
    )
    return index

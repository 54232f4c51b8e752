"""Documentation inside the dashboard: each gate run's Great Expectations Data Docs and the dbt
docs (``make docs``).

Browsers do not follow ``file://`` links from a page served over HTTP, so the documents are
shown here, in frames, rather than linked. Both are self-contained HTML (no CDN): the Data
Docs pages by construction (``expectations.data_docs.offline``), the dbt docs as dbt's
``--static`` page. A gate run is chosen with ``?gate_run=<raw|marts>:<run id>`` (the data-health
page's links) or in the picker.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st
import streamlit.components.v1 as frames

from dashboards import components, filters
from dashboards.queries import health
from expectations.data_docs import INDEX_NAME
from socialmart import docs
from socialmart.settings import load_settings

FRAME_HEIGHT = 900


def _gate_label(run: pd.Series) -> str:
    verdict = "passed" if run.passed else "blocked"
    return f"{run.validated_at:%Y-%m-%d %H:%M} UTC · {run.gate} gate · {run.run_id} · {verdict}"


def _chosen_run(runs: pd.DataFrame) -> pd.Series:
    """The gate run the URL names, else the newest; the picker keeps the choice in the URL."""
    keyed = runs.assign(key=[health.gate_run_key(r.gate, r.run_id) for r in runs.itertuples()])
    keyed = keyed.drop_duplicates("key").set_index("key")  # newest first: a re-run wins
    labels = {key: _gate_label(run) for key, run in keyed.iterrows()}
    key = filters.choice(
        "Gate run",
        labels,
        param="gate_run",
        widget=st.selectbox,
    )
    return keyed.loc[key]


def _show_data_docs() -> None:
    runs = health.gate_history(components.health_path(), 50)
    runs = runs[runs["data_docs_path"].notna()]
    if runs.empty:
        st.info("No gate run with Data Docs has been recorded yet.", icon=":material/info:")
        return
    run = _chosen_run(runs)
    folder = Path(run.data_docs_path).parent
    pages = sorted(p for p in folder.glob("*.html") if p.name != INDEX_NAME)
    if not pages:
        st.warning(f"This run's Data Docs are gone from `{folder}`.", icon=":material/warning:")
        return
    page = st.selectbox("Check", pages, format_func=lambda p: p.stem)
    frames.html(page.read_text(), height=FRAME_HEIGHT, scrolling=True)


def _show_dbt_docs() -> None:
    path = docs.dbt_docs_path(load_settings())
    if not path.is_file():
        st.info(
            "Run `make docs` to build the dbt docs (every model, column and test, and the "
            "lineage graph); they show here afterwards.",
            icon=":material/info:",
        )
        return
    frames.html(path.read_text(), height=FRAME_HEIGHT, scrolling=True)


def main() -> None:
    """Render the page."""
    st.title("Documentation")
    data_docs, dbt_docs = st.tabs(["Data Docs of the gates", "dbt docs"])
    with data_docs:
        _show_data_docs()
    with dbt_docs:
        _show_dbt_docs()


main()

"""socialmart dashboards: ``streamlit run dashboards/app.py``.

Every page reads only the published marts file (``Settings.published_marts_path``), read-only
and one short query at a time, so the pipeline can publish while people look at the data. Pages
live in ``dashboards/views/``, one file each; add a new one to ``PAGES``.
"""

import sys
from pathlib import Path

# `streamlit run` puts only this folder on sys.path; pages import the project's packages.
_PROJECT_ROOT = str(Path(__file__).resolve().parents[1])
if _PROJECT_ROOT not in sys.path:
    sys.path.insert(0, _PROJECT_ROOT)

import streamlit as st  # noqa: E402

VIEWS = Path(__file__).resolve().parent / "views"
PAGES = [
    st.Page(VIEWS / "spend.py", title="Spend by platform", icon=":material/bar_chart:"),
    st.Page(VIEWS / "health.py", title="Data health", icon=":material/health_and_safety:"),
]

st.set_page_config(page_title="socialmart", page_icon=":material/insights:", layout="wide")
st.navigation(PAGES).run()

"""socialmart dashboards: ``streamlit run dashboards/app.py``.

Every page reads only the published marts (``Settings.published_marts_path``) or the published
health file, read-only and one short query at a time, so the pipeline can publish while people
look at the data. On a PostgreSQL warehouse they read a local copy of the publication made as
the read-only BI role (``dashboards.pg_snapshot``). Pages live in ``dashboards/views/``, one
file each (add a new one to ``PAGES``), and their SQL in ``dashboards/queries/`` under the
page's name, built on the read-only plumbing of ``dashboards.reader``. The folder is not called
``pages/``: Streamlit runs a ``pages/`` folder beside the entry point as its older multipage
app. The filters every page shares (dates, platforms, ad accounts) are drawn here, in the entry
point, so they carry across pages; see ``dashboards.filters``.
"""

import sys
from pathlib import Path

# `streamlit run` puts only this folder on sys.path; pages import the project's packages.
_PROJECT_ROOT = str(Path(__file__).resolve().parents[1])
if _PROJECT_ROOT not in sys.path:
    sys.path.insert(0, _PROJECT_ROOT)

import streamlit as st  # noqa: E402

from dashboards import components, filters  # noqa: E402

VIEWS = Path(__file__).resolve().parent / "views"
PAGES = [
    # The first page is the default one, served at the app's root URL.
    st.Page(
        VIEWS / "advantage_plus.py",
        title="Advantage+ placement split",
        icon=":material/donut_large:",
    ),
    st.Page(VIEWS / "creators.py", title="Creators", icon=":material/groups:"),
    st.Page(
        VIEWS / "performance.py",
        title="Cross-platform performance",
        icon=":material/compare_arrows:",
        url_path="performance",
    ),
    st.Page(VIEWS / "spend.py", title="Spend by placement platform", icon=":material/bar_chart:"),
    st.Page(VIEWS / "health.py", title="Data health", icon=":material/health_and_safety:"),
    st.Page(VIEWS / "docs.py", title="Documentation", icon=":material/menu_book:", url_path="docs"),
]

st.set_page_config(page_title="socialmart", page_icon=":material/insights:", layout="wide")
page = st.navigation(PAGES)
filters.render(components.marts_path())
page.run()

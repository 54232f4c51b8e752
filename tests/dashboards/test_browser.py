"""The dashboard in a real browser: every page over marts published by the real pipeline.

Starts ``streamlit run dashboards/app.py`` on 127.0.0.1 and a free port, drives Debian's
Chromium (``/usr/bin/chromium``, installed by ``scripts/install-chromium.sh``) with
Playwright in a 1280-px-wide window, checks that the numbers each page shows equal the marts
(computed here with SQL, independently of the dashboards' queries), that nothing is cut (metric
values and labels, table columns and rows, chart labels), that no "None" is printed, that
every placement keeps its own colour-blind-safe colour (Threads the same on every chart) and
that Streamlit's deploy button is off, and saves a screenshot of every page under
``var/test-artifacts/screenshots/`` (the path is printed).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from pathlib import Path
from urllib.parse import urlencode

import duckdb
import pytest

from dashboards import charts
from socialmart.settings import PROJECT_ROOT

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = PROJECT_ROOT / "var" / "test-artifacts" / "screenshots"
# The app's root element once the script run is over and the websocket is up.
IDLE_APP = (
    '[data-testid="stApp"][data-test-script-state="notRunning"]'
    '[data-test-connection-state="CONNECTED"]'
)
# Pages render a few queries and Vega charts on a shared, busy CI machine.
PAGE_TIMEOUT_MS = 90_000
# The narrowest window the pages are laid out for (sidebar open); tall, so that a screenshot
# holds the whole page (Streamlit scrolls inside its own container, not the document).
VIEWPORT = {"width": 1280, "height": 3200}

# Everything on the page that can be cut: metric labels and values wider than their box, a
# table that scrolls (a column or row out of view), st.table cells wider than the table,
# chart labels Vega shortened with an ellipsis.
_FIND_TRUNCATION = """() => {
    const cut = [];
    const wider = (e) => e.scrollWidth > e.clientWidth + 1;
    const context = document.createElement('canvas').getContext('2d');
    context.font = '14px ' + getComputedStyle(document.body).fontFamily;
    // The grid's accessible twin holds raw values: estimate what the grid shows instead.
    const shown = (text) => {
        if (/^-?\\d+(\\.\\d+)?$/.test(text)) {
            const decimals = Math.min(2, (text.split('.')[1] || '').length);
            return Number(text).toLocaleString('en-US',
                {minimumFractionDigits: decimals, maximumFractionDigits: decimals});
        }
        if (/^\\d{4}-\\d\\d-\\d\\d/.test(text)) return text.slice(0, 16);
        if (/^(https?|file):/.test(text) || text === 'true' || text === 'false') return '';
        return text;
    };
    const measure = (text) => Math.ceil(context.measureText(shown(text)).width);
    document.querySelectorAll('[data-testid="stMetric"]').forEach((metric) => {
        metric.querySelectorAll('*').forEach((e) => {
            if (e.clientWidth > 0 && wider(e)) cut.push('metric: ' + metric.innerText);
        });
    });
    document.querySelectorAll('[data-testid="stDataFrame"]').forEach((frame, i) => {
        const header = [...frame.querySelectorAll('th')].map((th) => th.innerText).join(' | ');
        frame.querySelectorAll('.dvn-scroller').forEach((s) => {
            if (wider(s)) cut.push(`table ${i} (${header}): columns out of view`);
            if (s.scrollHeight > s.clientHeight + 1)
                cut.push(`table ${i} (${header}): rows out of view`);
            // The grid is a canvas; its accessible twin holds the texts. Each column needs its
            // widest text plus the cell padding: if all of them cannot fit, one is cut.
            const widths = [];
            frame.querySelectorAll('tr').forEach((row) => [...row.children].forEach((cell, j) => {
                widths[j] = Math.max(widths[j] || 0, measure(cell.innerText) + 16);
            }));
            const needed = widths.reduce((sum, width) => sum + width, 0);
            if (needed > s.clientWidth + 1)
                cut.push(`table ${i} (${header}): needs ${needed} px, has ${s.clientWidth}`);
        });
    });
    document.querySelectorAll('[data-testid="stTable"]').forEach((table, i) => {
        if (wider(table)) cut.push(`text table ${i}: wider than the page`);
        table.querySelectorAll('th, td').forEach((cell) => {
            if (wider(cell)) cut.push(`text table ${i}: cell cut: ${cell.innerText}`);
        });
    });
    document.querySelectorAll('[data-testid="stVegaLiteChart"] svg text').forEach((t) => {
        if (t.textContent.endsWith('…')) cut.push('chart label: ' + t.textContent);
    });
    return cut;
}"""
# Per chart: its legend's labels and their swatch colours.
_LEGENDS = """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')].map((c) => {
    const labels = [...c.querySelectorAll('.role-legend-label text')].map((t) => t.textContent);
    const fills = [...c.querySelectorAll('.role-legend-symbol path')].map(
        (p) => (p.getAttribute('fill') || '').toUpperCase());
    return Object.fromEntries(labels.map((label, i) => [label, fills[i]]));
})"""
# What a reader should never see: Python's None in a table cell or text.
_FIND_NONE = """() => [...document.querySelectorAll(
    '[data-testid="stMain"] td, [data-testid="stMain"] p, [data-testid="stMetricValue"]')]
    .map((e) => e.innerText.trim()).filter((text) => /\\bNone\\b/.test(text))"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_healthy(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"streamlit exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"streamlit did not become healthy at {url}:\n{log.read_text()}")


@contextmanager
def served_dashboard(env: dict[str, str], log: Path) -> Iterator[str]:
    """``streamlit run dashboards/app.py`` on 127.0.0.1 and a free port with ``env``; yields
    its URL once healthy and stops the server afterwards (its output goes to ``log``)."""
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(PROJECT_ROOT / "dashboards" / "app.py"),
        "--server.address=127.0.0.1",
        f"--server.port={port}",
        "--server.headless=true",
        "--server.fileWatcherType=none",
        "--browser.gatherUsageStats=false",
        "--global.developmentMode=false",
    ]
    with log.open("w") as output:
        server = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, server, log)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


@pytest.fixture(scope="module")
def dashboard_url(demo_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard served over the demo marts; the server is stopped afterwards."""
    env = {**os.environ, "SOCIALMART_HOME": str(demo_home)}
    env.pop("SOCIALMART_PUBLISHED_DIR", None)
    with served_dashboard(env, tmp_path_factory.mktemp("streamlit") / "streamlit.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser_page(tmp_path_factory: pytest.TempPathFactory):
    """A Playwright page in the system Chromium with a fresh profile (no browser download)."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} not found: the browser test needs Debian's chromium. Install it with "
            "`sudo bash scripts/install-chromium.sh` (CI's .ci/run does this)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport=VIEWPORT,
        )
        context.set_default_timeout(PAGE_TIMEOUT_MS)
        try:
            yield context.new_page()
        finally:
            context.close()


@pytest.fixture(scope="module")
def marts(demo_home: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The published marts, read-only, for the expected numbers."""
    with duckdb.connect(str(demo_home / "published" / "marts.duckdb"), read_only=True) as con:
        yield con


def _open(page, url: str, title: str, metric: str, screenshot: str) -> None:
    """Load a page, wait until its title and the metric labelled ``metric`` show and the run
    is over, and save a screenshot (``<screenshot>-failed.png`` when it never got there)."""
    page.goto(url)
    try:
        page.get_by_role("heading", name=title, level=1).wait_for()
        page.locator('[data-testid="stMetricLabel"]').get_by_text(metric, exact=True).wait_for()
        page.locator(IDLE_APP).wait_for()
    except Exception:
        _screenshot(page, f"{screenshot}-failed")
        raise
    # Vega draws its SVG after the script run is over.
    for chart in page.locator('[data-testid="stVegaLiteChart"]').all():
        chart.locator("svg").first.wait_for()
    _screenshot(page, screenshot)
    _assert_reads_at_a_glance(page, screenshot)


def _assert_reads_at_a_glance(page, name: str) -> None:
    """Nothing cut, no "None", every placement its own colour, Threads always the same one,
    and no deploy button."""
    assert page.evaluate(_FIND_TRUNCATION) == [], f"cut on {name}: see {SCREENSHOTS}"
    assert page.evaluate(_FIND_NONE) == [], f"'None' printed on {name}"
    assert page.locator('[data-testid="stAppDeployButton"]').count() == 0
    known = charts.PLATFORM_COLORS | charts.AD_PLATFORM_COLORS
    for legend in page.evaluate(_LEGENDS):
        placements = {label: fill for label, fill in legend.items() if label in known}
        assert len(set(placements.values())) == len(placements), legend
        for label, fill in placements.items():
            assert fill == known[label].upper(), (name, label, fill)
        if "threads" in legend:
            assert legend["threads"] == charts.THREADS_COLOR.upper()


def _metrics(page) -> dict[str, str]:
    metrics = {}
    for metric in page.locator('[data-testid="stMetric"]').all():
        label = metric.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        metrics[label] = metric.locator('[data-testid="stMetricValue"]').inner_text().strip()
    return metrics


def _screenshot(page, name: str) -> None:
    if not SCREENSHOTS.is_dir():
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        print(f"dashboard screenshots: {SCREENSHOTS}")
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_advantage_plus_page_shows_threads_without_opt_in_first(
    browser_page, dashboard_url: str, marts: duckdb.DuckDBPyConnection
) -> None:
    name, currency, spend, threads_spend, first_day = marts.execute(
        """
        with by_campaign as (
            select
                campaign_id,
                any_value(account_currency) as currency,
                max(campaign_name) as name,
                sum(spend) as spend,
                coalesce(sum(spend) filter (where publisher_platform = 'threads'), 0)
                    as threads_spend
            from fct_placement_performance_daily
            where is_advantage_plus_campaign
            group by campaign_id
        ),
        flags as (
            select campaign_id, bool_or(threads_without_opt_in) as without_opt_in,
                min(threads_first_spend_date) as first_day
            from rpt_advantage_plus_placement_split group by campaign_id
        )
        select name, currency, spend, threads_spend, first_day
        from by_campaign join flags using (campaign_id)
        order by without_opt_in desc, threads_spend desc, name
        limit 1
        """
    ).fetchone()
    assert first_day is not None, "the demo's first Advantage+ campaign should use Threads"

    _open(browser_page, dashboard_url, "Advantage+ placement split", "ROAS", "advantage_plus")

    assert browser_page.get_by_role("heading", name=name, level=3).is_visible()
    metrics = _metrics(browser_page)
    assert metrics[f"Spend ({currency})"] == f"{spend:,.2f}"
    assert metrics[f"Threads spend ({currency})"] == f"{threads_spend:,.2f}"
    assert metrics["Threads share"] == f"{threads_spend / spend:.1%}"
    assert metrics["Threads first spend"] == first_day.isoformat()
    assert browser_page.get_by_text("Threads without opt-in:").is_visible()


def test_creators_page_ranks_by_creator_driven_revenue(
    browser_page, dashboard_url: str, marts: duckdb.DuckDBPyConnection
) -> None:
    name, currency, revenue = marts.execute(
        """
        select c.display_name, max(f.reporting_currency),
            sum(f.creator_driven_revenue_reporting) as revenue
        from fct_creator_performance_daily as f
        join dim_creators as c using (creator_id)
        group by c.display_name
        order by revenue desc
        limit 1
        """
    ).fetchone()

    _open(browser_page, f"{dashboard_url}/creators", "Creators", "Top creator's ROI", "creators")

    metrics = _metrics(browser_page)
    assert metrics["Top creator by Creator-driven revenue"] == name
    assert metrics[f"Top creator's creator-driven revenue ({currency})"] == f"{revenue:,.2f}"
    # The revenue parts chart: one bar per creator, its parts in the legend.
    legends = browser_page.evaluate(_LEGENDS)
    assert {"Affiliate GMV", "Paid-ad revenue", "Shop deduction"} <= set(legends[0])


_AD_ATTRIBUTED = "revenue_attribution = 'ad_attributed'"


def _reporting_totals(marts: duckdb.DuckDBPyConnection, where: str = "true") -> tuple:
    """Spend of every row; revenue and CPA like for like (TikTok GMV Max's all-orders revenue,
    its spend and orders left out)."""
    return marts.execute(
        f"""
        select reporting_currency, sum(spend_reporting),
            sum(purchase_value_reporting) filter (where {_AD_ATTRIBUTED}),
            sum(spend_reporting) filter (where {_AD_ATTRIBUTED})
                / sum(purchases) filter (where spend_reporting is not null and {_AD_ATTRIBUTED})
        from fct_ad_performance_daily
        where {where}
        group by reporting_currency
        """
    ).fetchone()


def test_cross_platform_page_totals_and_url_filters(
    browser_page, dashboard_url: str, marts: duckdb.DuckDBPyConnection
) -> None:
    currency, spend, revenue, cpa = _reporting_totals(marts)

    _open(
        browser_page,
        f"{dashboard_url}/performance",
        "Cross-platform performance",
        f"CPA ({currency})",
        "performance",
    )

    metrics = _metrics(browser_page)
    assert metrics[f"Spend ({currency})"] == f"{spend:,.2f}"
    assert metrics[f"Revenue ({currency})"] == f"{revenue:,.2f}"
    assert metrics[f"CPA ({currency})"] == f"{round(cpa, 2):,.2f}"

    # A URL with filters reproduces the view, and the filters carry to the next page.
    _, tiktok_spend, _, _ = _reporting_totals(
        marts, "platform = 'tiktok' and report_date >= date '2026-10-01'"
    )
    _open(
        browser_page,
        f"{dashboard_url}/performance?platform=tiktok&start=2026-10-01",
        "Cross-platform performance",
        f"CPA ({currency})",
        "performance_tiktok_from_10_01",
    )
    assert _metrics(browser_page)[f"Spend ({currency})"] == f"{tiktok_spend:,.2f}"

    # Broken down by ad account and by campaign: every column still in view.
    for level in ("Ad account", "Campaign"):
        browser_page.locator('[data-testid="stRadio"] label').filter(has_text=level).click()
        browser_page.locator('[data-testid="stDataFrame"] th', has_text=level).first.wait_for(
            state="attached"
        )
        browser_page.locator(IDLE_APP).wait_for()
        _screenshot(browser_page, f"performance_by_{level.lower().replace(' ', '_')}")
        _assert_reads_at_a_glance(browser_page, f"performance by {level}")

    browser_page.locator('[data-testid="stSidebarNav"]').get_by_text(
        "Advantage+ placement split"
    ).click()
    browser_page.get_by_text("Advantage+ is a Meta campaign type.").wait_for()
    _screenshot(browser_page, "advantage_plus_filtered_to_tiktok")
    assert "platform=tiktok" in browser_page.url
    assert "start=2026-10-01" in browser_page.url


def test_spend_by_placement_platform_page(
    browser_page, dashboard_url: str, marts: duckdb.DuckDBPyConnection
) -> None:
    spend = marts.execute(
        "select account_currency, sum(spend) from fct_placement_performance_daily group by 1"
    ).fetchall()

    _open(
        browser_page,
        f"{dashboard_url}/spend",
        "Spend by placement platform",
        f"Spend ({spend[0][0]})",
        "spend",
    )

    metrics = _metrics(browser_page)
    assert {label: value for label, value in metrics.items() if label.startswith("Spend")} == {
        f"Spend ({currency})": f"{amount:,.2f}" for currency, amount in spend
    }


def test_data_health_page(
    browser_page, dashboard_url: str, marts: duckdb.DuckDBPyConnection, demo_home: Path
) -> None:
    (published_at,) = marts.execute("select max(published_at) from _publication").fetchone()
    restated, compared = marts.execute(
        "select count(*) filter (where is_restated), count(*) from fct_conversion_restatements"
    ).fetchone()
    health_file = demo_home / "published" / "health.duckdb"
    with duckdb.connect(str(health_file), read_only=True) as health:
        (warnings,) = health.execute(
            "select count(*) from gate_results where not success and severity = 'warning'"
        ).fetchone()

    _open(browser_page, f"{dashboard_url}/health", "Data health", "Last publish (UTC)", "health")

    metrics = _metrics(browser_page)
    assert metrics["Last publish (UTC)"] == f"{published_at.astimezone(UTC):%Y-%m-%d %H:%M}"
    assert metrics["Restated conversion rows"] == f"{restated:,}"
    assert metrics["Conversion rows compared"] == f"{compared:,}"
    if warnings:
        assert browser_page.get_by_text(f"Warnings ({warnings})", exact=True).is_visible()
    else:
        assert browser_page.get_by_text("No failed expectations").is_visible()
    assert browser_page.get_by_role("link", name=re.compile("^Documentation: ")).is_visible()


def test_documentation_page_shows_data_docs_and_dbt_docs(
    browser_page, dashboard_url: str, demo_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The data-health page's links land here (browsers block file:// links from the
    dashboard): a gate run's Data Docs and the dbt docs, each in a frame."""
    from socialmart import docs
    from socialmart.settings import load_settings

    monkeypatch.setenv("SOCIALMART_HOME", str(demo_home))
    monkeypatch.delenv("SOCIALMART_PUBLISHED_DIR", raising=False)
    docs.build(load_settings())
    with duckdb.connect(str(demo_home / "published" / "health.duckdb"), read_only=True) as con:
        run_id, gate = con.execute(
            "select run_id, gate from gate_validations where data_docs_path is not null "
            "order by validated_at limit 1"  # the oldest: the URL, not the default, picks it
        ).fetchone()

    browser_page.goto(f"{dashboard_url}/docs?{urlencode({'gate_run': f'{gate}:{run_id}'})}")
    browser_page.get_by_role("heading", name="Documentation", level=1).wait_for()
    browser_page.locator(IDLE_APP).wait_for()
    data_docs = browser_page.frame_locator("iframe").first
    data_docs.get_by_text("Data asset:").first.wait_for()
    # The run's name sits in GX's collapsed "Info" block: present, not necessarily shown.
    assert f"{gate} gate, run {run_id}" in data_docs.locator("body").text_content()
    _screenshot(browser_page, "docs-data-docs")

    browser_page.get_by_role("tab", name="dbt docs").click()
    dbt_docs = browser_page.frame_locator("iframe").nth(1)
    # dbt's single-page app rendered inside the frame: its home page and the project tree.
    dbt_docs.get_by_text("Welcome to the auto-generated documentation").wait_for()
    assert "socialmart" in dbt_docs.locator("body").inner_text()
    _screenshot(browser_page, "docs-dbt")


_PUBLISHED = (
    "database_name = current_database() and schema_name = 'main' and table_name <> '_publication'"
)


def test_published_file_describes_itself(marts: duckdb.DuckDBPyConnection) -> None:
    """Every published mart and column carries its dbt description as a comment (persist_docs,
    copied by publish); the semantic layer's time spine is not published."""
    tables = dict(
        marts.execute(
            f"select table_name, comment from duckdb_tables() where {_PUBLISHED}"
        ).fetchall()
    )
    undocumented = marts.execute(
        "select table_name || '.' || column_name from duckdb_columns() "
        f"where {_PUBLISHED} and coalesce(trim(comment), '') = ''"
    ).fetchall()

    assert "metricflow_time_spine" not in tables
    assert {name for name, comment in tables.items() if not comment} == set()
    assert undocumented == []


def test_make_docs_builds_offline_dbt_and_data_docs(
    demo_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make docs` (socialmart docs): static dbt docs and an index of every gate run's Data
    Docs, none of them loading anything from the network."""
    from socialmart import docs
    from socialmart.settings import load_settings

    monkeypatch.setenv("SOCIALMART_HOME", str(demo_home))
    monkeypatch.delenv("SOCIALMART_PUBLISHED_DIR", raising=False)
    settings = load_settings()

    index = docs.build(settings)

    dbt_docs = docs.dbt_docs_path(settings).read_text()
    assert "fct_placement_performance_daily" in dbt_docs  # manifest and catalog inlined
    pages = [index, *(demo_home / "data_docs").rglob("*.html")]
    assert len(pages) > 2
    for page in pages:
        text = page.read_text()
        assert re.findall(r'<(?:script|img)\b[^>]*\bsrc="(?:https?:)?//', text) == [], page
        assert re.findall(r'<link\b[^>]*\bhref="(?:https?:)?//', text) == [], page
    assert docs.dbt_docs_path(settings).as_uri() in index.read_text()

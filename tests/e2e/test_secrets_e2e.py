"""Issue 13: no credential in any output, file or table, also on the error paths.

The stand-in fails one Meta ad account with Meta's expired-token error (code 190, fault
injection) and hands another account's placement insights a ``paging.next`` link whose port is
out of range (the link carries the access token, as Meta's do). `socialmart run` (a subprocess,
as an operator runs it) must fail naming both accounts and load the others; the steps after it
(transform, gate, publish) then write dbt logs, Data Docs, the health file and the published
marts. No credential of the settings (``socialmart.logs.secret_values``) may appear in the
commands' stdout/stderr, in any file under SOCIALMART_HOME (spool, logs, Data Docs, dbt
target, DuckDB files byte for byte) or in any value of any table of any DuckDB file there.

The same faults through Airflow (`airflow dags test ingest_meta`, the demo's path): the run
fails, and its output, task logs and Airflow home hold no credential either.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
from e2e_support import PINNED_NOW, SEED, socialmart_command, stand_in_env

from sandbox.faults import FaultPlan
from socialmart.logs import secret_values
from socialmart.settings import PROJECT_ROOT, Settings, load_settings

pytestmark = pytest.mark.e2e

START, END = "2026-10-01", "2026-10-02"
RUN_ID = "secrets"
EXPIRED, BAD_NEXT = "248710003360117", "579220001184532"
#: A Meta token no other text contains by accident; the stand-in accepts only it.
META_TOKEN = "EAAe2eSecretMetaToken0x7f3a9c"
BAD_PORT = "99999"


@pytest.fixture(scope="module")
def faulty_stand_in():
    """The stand-in: expired token on one account, a malformed ``paging.next`` on another."""
    from sandbox.meta import paging
    from sandbox.server import serve_in_thread

    real_next_url = paging.next_url

    def malformed_next_url(request, token, limit, after):
        url = real_next_url(request, token, limit, after)
        if f"/act_{BAD_NEXT}/insights" in request.path:
            scheme, rest = url.split("://", 1)
            host = rest.split("/", 1)[0].rsplit(":", 1)[0]
            url = url.replace(f"://{rest.split('/', 1)[0]}", f"://{host}:{BAD_PORT}", 1)
            assert f"access_token={token}" in url
        return url

    plan = FaultPlan.from_rules(
        [{"preset": "expired_token", "match": f"/act_{EXPIRED}", "times": None}]
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SANDBOX_NOW", PINNED_NOW)
        patch.setattr(paging, "next_url", malformed_next_url)
        with serve_in_thread(port=0, seed=SEED, meta_token=META_TOKEN, faults=plan) as running:
            yield running


def _faulty_meta_env(stand_in, home: Path) -> dict[str, str]:
    """Settings for a run against the faulty stand-in with a Meta token worth leaking."""
    return stand_in_env(stand_in.base_url, home, META_ACCESS_TOKEN=META_TOKEN, META_PAGE_LIMIT="50")


@contextmanager
def _settings_in(env: dict[str, str]) -> Iterator[Settings]:
    """The settings ``env`` gives, with ``env`` set in this process for the ``with`` block."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        yield load_settings()


def _secrets(settings: Settings) -> list[str]:
    return [secret for secret in secret_values(settings) if secret]


def _socialmart(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        socialmart_command(*args),
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def _leaks(home: Path, secrets: list[str]) -> list[str]:
    """Where under ``home`` a secret occurs: file bytes, and values of DuckDB tables."""
    found = []
    encoded = [(secret, secret.encode()) for secret in secrets]
    for path in sorted(p for p in home.rglob("*") if p.is_file()):
        data = path.read_bytes()
        found += [f"{path} (bytes)" for _, raw in encoded if raw in data]
        if data[8:12] == b"DUCK":  # a DuckDB database: its values may be compressed
            found += [f"{path}: {hit}" for hit in _leaks_in_tables(path, secrets)]
    return found


def _leaks_in_tables(path: Path, secrets: list[str]) -> list[str]:
    found = []
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute(
            "select table_catalog, table_schema, table_name from information_schema.tables"
        ).fetchall()
        for catalog, schema, table in tables:
            text = repr(con.execute(f'select * from "{catalog}"."{schema}"."{table}"').fetchall())
            found += [f"{schema}.{table}" for secret in secrets if secret in text]
    return found


def test_no_secret_in_outputs_files_or_tables_when_meta_fails(faulty_stand_in, tmp_path):
    home = tmp_path / "home"
    env = _faulty_meta_env(faulty_stand_in, home)
    with _settings_in(env) as settings:
        secrets = _secrets(settings)
    assert META_TOKEN in secrets and len(secrets) >= 5

    run = _socialmart(env, "run", "--start", START, "--end", END, "--run-id", RUN_ID)

    # Both error paths were taken, and say what happened without the token.
    assert run.returncode == 1, run.stderr[-3000:]
    failure = run.stderr[run.stderr.index("socialmart run failed:") :]
    assert f"meta account {EXPIRED}: " in failure and "META_ACCESS_TOKEN" in failure
    assert f"meta account {BAD_NEXT}: " in failure
    assert f":{BAD_PORT}/" in failure and "access_token=***" in failure
    assert "the URL or a parameter is malformed" in failure
    # The other accounts were loaded.
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute("select distinct account_id from raw._loads").fetchall()
    loaded = {account for (account,) in rows}
    assert "331840007712906" in loaded and not {EXPIRED, BAD_NEXT} & loaded

    # What comes after a failed run writes the remaining kinds of state: dbt logs and target,
    # Data Docs, gate results, the health file and (if the gate lets it) the published marts.
    steps = [
        _socialmart(env, "transform", "--run-id", RUN_ID),
        _socialmart(env, "validate", "--run-id", RUN_ID),
        _socialmart(env, "publish", "--run-id", RUN_ID),
    ]
    assert steps[0].returncode == 0, steps[0].stderr[-3000:]
    assert list((home / "data_docs" / RUN_ID).glob("marts-*/index.html"))
    assert (home / "published" / "health.duckdb").exists()
    assert (home / "published" / "marts.duckdb").exists(), (
        "the gate blocked the partial run, so the published marts are not covered: "
        + steps[1].stderr[-2000:]
    )

    outputs = [run, *steps]
    for secret in secrets:
        for number, completed in enumerate(outputs):
            assert secret not in completed.stdout, f"command {number} stdout: {secret[:6]}..."
            assert secret not in completed.stderr, f"command {number} stderr: {secret[:6]}..."
    assert _leaks(home, secrets) == []

    # The scan can fail: a planted token is found in a file and in a table value.
    canary = tmp_path / "canary"
    canary.mkdir()
    (canary / "note.txt").write_text(f"x{META_TOKEN}x")
    with duckdb.connect(str(canary / "db.duckdb")) as con:
        con.execute("create schema s; create table s.t (v varchar)")
        con.execute("insert into s.t values (?)", [f"https://x/?access_token={META_TOKEN}"])
    hits = _leaks(canary, secrets)
    assert any(hit.endswith("note.txt (bytes)") for hit in hits)
    assert any(hit.endswith("db.duckdb: s.t") for hit in hits)


def test_no_secret_in_airflow_task_logs_when_meta_fails(faulty_stand_in, tmp_path):
    from devtools.demo import run_dag
    from socialmart.airflow_env import prepare_airflow

    home = tmp_path / "home"
    with _settings_in(_faulty_meta_env(faulty_stand_in, home)) as settings:
        secrets = _secrets(settings)
        prepare_airflow(settings)
        with pytest.raises(RuntimeError, match="the Airflow run of ingest_meta failed"):
            run_dag(settings, "ingest_meta", {"start": START, "end": END})
    task_log = (home / "airflow" / "dags-test" / "ingest_meta.log").read_text()
    assert EXPIRED in task_log and BAD_NEXT in task_log
    assert "META_ACCESS_TOKEN" in task_log and "access_token=***" in task_log
    assert _leaks(home, secrets) == []

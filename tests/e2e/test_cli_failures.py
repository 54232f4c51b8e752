"""Failures surface: one Meta account whose token the stand-in refuses (error 190) fails the
`socialmart extract` command (exit 1, one line naming source, account and cause, the fix) and
the Airflow load task, while the other accounts' data is spooled and loaded."""

from __future__ import annotations

from types import SimpleNamespace

import duckdb
import pytest
from e2e_support import SEED, assert_no_secret_in

from sandbox.faults import FaultPlan
from socialmart import pipeline
from socialmart.cli import main

pytestmark = pytest.mark.e2e

FAILING, OK = "248710003360117", ("331840007712906", "579220001184532")
STREAM = "ad_insights_placement"
ARGS = ["--start", "2026-10-01", "--end", "2026-10-02"]


@pytest.fixture(scope="module")
def stand_in():
    """The stand-in, refusing every call on one ad account with Meta's expired-token error."""
    from sandbox.server import serve_in_thread

    plan = FaultPlan.from_rules(
        [{"preset": "expired_token", "match": f"/act_{FAILING}", "times": None}]
    )
    with serve_in_thread(port=0, seed=SEED, faults=plan) as running:
        yield running


def _accounts_in_raw(settings) -> list[str]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        rows = con.execute(
            f"select distinct account_id from raw._loads where stream = '{STREAM}' order by 1"
        ).fetchall()
    return [account for (account,) in rows]


def test_extract_exits_1_naming_the_failed_account_and_spools_the_others(settings, capsys):
    assert main(["extract", *ARGS, "--run-id", "cli-extract"]) == 1

    err = capsys.readouterr().err
    assert err.startswith(
        "socialmart extract failed: 1 account(s) could not be extracted:\n"
        f"- meta account {FAILING}: "
    )
    assert "`socialmart load --run-id cli-extract` loads them. Nothing was loaded." in err
    assert "Fix the credential or permission named above" in err
    assert_no_secret_in(err, settings)
    spooled = settings.spool_dir / "cli-extract" / "meta" / STREAM
    for account in OK:
        assert (spooled / account / "manifest.json").exists()
    assert not (spooled / FAILING / "manifest.json").exists()

    # the hint works: the others load
    assert main(["load", "--run-id", "cli-extract"]) == 0
    assert _accounts_in_raw(settings) == sorted(OK)


def test_airflow_load_loads_the_others_then_fails_naming_the_missing_account(settings):
    from airflow.sdk.exceptions import AirflowFailException

    from socialmart.orchestration import extracted_accounts, load_run

    extracted = pipeline.extract(
        settings, pipeline.Window.parse("2026-10-01", "2026-10-02"), "af-run", ("meta",)
    )
    assert [f.account for f in extracted.failures] == [FAILING]
    accounts = [*OK, FAILING]
    # What Airflow's execution API answers the load task (GetTaskStates: "<task>_<map index>").
    states = {f"extract_{i}": "success" for i in range(len(OK))} | {f"extract_{len(OK)}": "failed"}
    ti = SimpleNamespace(
        dag_id="ingest_meta",
        run_id="af-run",
        get_task_states=lambda dag_id, task_ids, run_ids: {run_ids[0]: states},
    )
    assert extracted_accounts(ti, accounts) == set(OK)

    with pytest.raises(AirflowFailException) as caught:
        load_run("meta", "af-run", accounts, extracted_accounts(ti, accounts))

    assert str(caught.value).startswith(f"1 meta account(s) were not extracted: {FAILING}.")
    assert _accounts_in_raw(settings) == sorted(OK)

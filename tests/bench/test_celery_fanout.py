"""The Celery fan-out bench's pure parts: the no-double-pull proof and worker attribution.

The bench itself starts two Airflow stacks; no test here does (CI time budget).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bench import celery_fanout
from bench.celery_fanout import (
    Extract,
    Fanout,
    SpoolWatch,
    _phase_ok,
    ad_accounts,
    analyse,
    executions,
    extract_phase_seconds,
    is_status_poll,
    pulled_twice,
    served_ad_accounts,
    summary_line,
)
from socialmart.settings import SANDBOX_META_TOKEN, load_settings

T0 = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def _page(path: str, cursor: str | None = None, status: int = 200, **query: str) -> dict:
    pairs = [["after", cursor]] if cursor else []
    return {
        "method": "GET",
        "path": path,
        "query": pairs + [[k, v] for k, v in query.items()],
        "body_sha256": None,
        "status": status,
        "fault": None,
    }


REQUESTS = [
    _page("/graph.facebook.com/v27.0/me/adaccounts"),
    _page("/graph.facebook.com/v27.0/555/insights"),
    _page("/graph.facebook.com/v27.0/555/insights", cursor="c2"),
    _page("/business-api.tiktok.com/open_api/v1.3/report/integrated/get/", page="1"),
    # Meta's async status polls repeat by design.
    _page("/graph.facebook.com/v27.0/555", fields="id,async_status"),
    _page("/graph.facebook.com/v27.0/555", fields="id,async_status"),
    # A throttled answer, then the retry that succeeded: one pull.
    _page("/graph.facebook.com/v27.0/act_1/campaigns", status=429),
    _page("/graph.facebook.com/v27.0/act_1/campaigns"),
    # TikTok Shop signs the time: two different timestamps are still the same pull.
    _page("/open-api.tiktokglobalshop.com/orders/search", page_token="p1", timestamp="1"),
]
EXPECTED = {"meta": ["act_1", "act_2"], "tiktok": ["7001"]}
EXTRACTS = [
    Extract("meta", "act_1", "success", T0, T0 + timedelta(seconds=40), 0),
    Extract("meta", "act_2", "success", T0 + timedelta(seconds=5), T0 + timedelta(seconds=30), 1),
    Extract("tiktok", "7001", "success", T0 + timedelta(seconds=2), T0 + timedelta(seconds=61), 0),
]
UNITS = [
    ("meta", "ad_insights_placement", "act_1"),
    ("meta", "ad_insights_placement", "act_2"),
    ("tiktok", "ad_report", "7001"),
]


def _verdict(requests=REQUESTS, expected=EXPECTED, extracts=EXTRACTS, units=UNITS, loads=UNITS):
    return analyse(requests, expected, extracts, units, loads)


def test_a_clean_run_is_proven() -> None:
    verdict = _verdict()
    assert verdict.ok, verdict.summary()
    assert is_status_poll(REQUESTS[4]) and not is_status_poll(REQUESTS[1])


def test_a_page_served_twice_fails() -> None:
    twice = [*REQUESTS, _page("/graph.facebook.com/v27.0/555/insights", cursor="c2")]
    verdict = _verdict(requests=twice)
    assert not verdict.ok
    [(key, count)] = verdict.pulled_twice.items()
    assert count == 2 and key[1] == "/graph.facebook.com/v27.0/555/insights"
    resigned = [*REQUESTS, _page(REQUESTS[-1]["path"], page_token="p1", timestamp="2")]
    assert not _verdict(requests=resigned).ok
    assert pulled_twice(REQUESTS) == {}


def test_an_account_without_an_extract_or_a_load_fails() -> None:
    no_extract = [e for e in EXTRACTS if e.account != "act_2"]
    assert _verdict(extracts=no_extract).missing_accounts == [("meta", "act_2")]
    failed = [e if e.account != "7001" else Extract("tiktok", "7001", "failed", T0, T0, 0)
              for e in EXTRACTS]  # fmt: skip
    assert _verdict(extracts=failed).missing_accounts == [("tiktok", "7001")]
    not_loaded = UNITS[:2]
    verdict = _verdict(loads=not_loaded)
    assert verdict.missing_accounts == [("tiktok", "7001")]
    assert verdict.units_not_loaded_once == {UNITS[2]: 0}


def test_a_unit_loaded_twice_or_an_account_extracted_twice_fails() -> None:
    assert _verdict(loads=[*UNITS, UNITS[0]]).units_not_loaded_once == {UNITS[0]: 2}
    stray = ("meta", "ad_insights_placement", "act_9")
    assert _verdict(loads=[*UNITS, stray]).units_not_loaded_once == {stray: 1}
    again = [*EXTRACTS, EXTRACTS[0]]
    assert _verdict(extracts=again).extracted_twice == [("meta", "act_1")]


def test_a_token_in_the_spool_fails() -> None:
    verdict = analyse(REQUESTS, EXPECTED, EXTRACTS, UNITS, UNITS, ["spool/run/meta/page-1.json"])
    assert not verdict.ok


def test_extract_phase_runs_from_first_start_to_last_end() -> None:
    assert extract_phase_seconds(EXTRACTS) == 61.0


def _workload_line(task_id: str, map_index: int, run_id: str = "manual__2026-11-01") -> str:
    # The Celery provider's line as a worker logged it (a real run, shortened): the log path
    # names the same fields unquoted, the task instance quotes them.
    return (
        "2026-12-06T16:28:57.585043Z [info     ] [eab4d54f] Executing workload in Celery: "
        "dag_rel_path=PurePosixPath('ingest_meta.py') log_path='dag_id=ingest_meta/"
        f"run_id={run_id}/task_id={task_id}/attempt=1.log' ti=TaskInstanceDTO("
        f"id=UUID('01a24c2f'), task_id='{task_id}', dag_id='ingest_meta', run_id='{run_id}', "
        f"try_number=1, map_index={map_index}, hostname='', queue='default', pool_slots=1) "
        "type='ExecuteTask' [airflow.providers.celery.executors.celery_executor_utils]"
    )


def test_executions_name_the_worker_of_every_task_instance() -> None:
    logs = {
        "worker-1": "\n".join(
            [_workload_line("extract", 0), "other line", _workload_line("load", -1)]
        ),
        "worker-2": _workload_line("extract", 1),
    }
    ran = executions(logs)
    assert ran == {
        ("ingest_meta", "extract", "manual__2026-11-01", 0): ["worker-1"],
        ("ingest_meta", "load", "manual__2026-11-01", -1): ["worker-1"],
        ("ingest_meta", "extract", "manual__2026-11-01", 1): ["worker-2"],
    }
    logs["worker-2"] += "\n" + _workload_line("extract", 0)
    assert executions(logs)[("ingest_meta", "extract", "manual__2026-11-01", 0)] == [
        "worker-1",
        "worker-2",
    ]


def _unit(spool: Path, account: str, page: str) -> Path:
    unit = spool / "manual__2026-11-01" / "meta" / "ads" / account
    unit.mkdir(parents=True)
    (unit / "page-00001.json").write_text(page)
    manifest = {"source": "meta", "stream": "ads", "account_id": account}
    (unit / "manifest.json").write_text(json.dumps(manifest))
    return unit


def test_the_spool_watch_records_units_and_finds_a_token(tmp_path: Path) -> None:
    clean = _unit(tmp_path, "act_1", '[{"id": "1"}]')
    leaky = _unit(tmp_path, "act_2", json.dumps([{"next": f"?access_token={SANDBOX_META_TOKEN}"}]))
    unfinished = tmp_path / "manual__2026-11-01" / "meta" / "ads" / "act_3"
    unfinished.mkdir()
    (unfinished / "page-00001.json").write_text("[]")  # no manifest yet: not a unit
    watch = SpoolWatch(tmp_path)
    watch.scan()
    assert watch.units == {clean: ("meta", "ads", "act_1"), leaky: ("meta", "ads", "act_2")}
    assert watch.with_token == [str(leaky)]
    assert watch.files_read == 4


# -- the agency-sized stand-in (--account-copies) -----------------------------------------
def _phase(workers: int, seconds: float, ad: int = 6) -> dict:
    return {
        "workers": workers,
        "accounts_by_source": {"fx": 1, "meta": ad // 2, "tiktok": ad - ad // 2},
        "ad_accounts": ad,
        "extract_tasks": ad + 1,
        "extract_seconds": seconds,
        "task_instances_started_twice": [],
        "spool_units_reported": 9,
        "spool_units_seen": 9,
        "verdict": {"ok": True},
    }


def test_the_ad_accounts_are_meta_and_tiktok_and_every_served_one_must_be_listed() -> None:
    assert ad_accounts({"meta": ["act_1", "act_2"], "tiktok": ["7001"], "threads": ["1"]}) == 3
    assert served_ad_accounts(1) == 6 and served_ad_accounts(17) == 102
    assert _phase_ok(_phase(1, 10.0), served=6)
    # A stand-in that ignored the setting (6 listed of 102 served) proves nothing.
    assert not _phase_ok(_phase(1, 10.0), served=102)


def test_the_summary_line_names_the_accounts_and_the_speed_up() -> None:
    result = {
        "window": ["2026-10-18", "2026-10-31"],
        "account_copies": 17,
        "ad_accounts_served": 102,
        "speed_up": 1.8,
        "ok": True,
        "phases": [_phase(1, 180.0, 102), _phase(2, 100.0, 102)],
    }
    line = summary_line(result)
    assert line.startswith("celery fan-out 2026-10-18..2026-10-31: 102 ad accounts of 102")
    assert "(x17), 103 extract tasks (1 fx, 51 meta, 51 tiktok)" in line
    assert "1 worker 180.0 s, 2 workers 100.0 s, speed-up 1.8; nothing pulled twice" in line
    assert summary_line({**result, "ok": False}).endswith("NOT PROVEN (see the JSON's verdicts)")


def test_the_stack_starts_the_stand_in_with_the_copies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "environ", dict(os.environ))  # configure() edits the environment
    bench = Fanout(2, 2, 14, date(2026, 10, 31), str(tmp_path / "home"), account_copies=17)
    bench.configure()
    assert os.environ["SANDBOX_ACCOUNT_COPIES"] == "17"
    assert os.environ["AIRFLOW_CELERY_WORKERS"] == "2"
    assert load_settings().sandbox_account_copies == 17 == bench.settings.sandbox_account_copies


def test_the_command_line_passes_the_copies_and_records_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen = {}

    def fake_measure(days, end, concurrency, home, account_copies):
        seen.update(days=days, copies=account_copies)
        return {
            "window": ["2026-10-18", "2026-10-31"],
            "account_copies": account_copies,
            "ad_accounts_served": 102,
            "speed_up": 1.8,
            "ok": True,
            "phases": [_phase(1, 180.0, 102), _phase(2, 100.0, 102)],
        }

    monkeypatch.setattr(celery_fanout, "measure", fake_measure)
    home = tmp_path / "bench-celery"
    argv = ["--days", "14", "--account-copies", "17", "--home", str(home)]
    assert celery_fanout.main(argv) == 0
    assert seen == {"days": 14, "copies": 17}
    recorded = json.loads((tmp_path / "bench-celery-result.json").read_text())
    assert recorded["account_copies"] == 17 and recorded["ad_accounts_served"] == 102
    assert "102 ad accounts of 102 served (x17)" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        celery_fanout.main(["--account-copies", "0"])

"""The local Airflow stack's API client: reads survive a busy API server."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from socialmart.airflow_env import AirflowStack
from socialmart.settings import load_settings


class _Answer:
    status_code = 200

    def json(self) -> dict:
        return {"dag_runs": []}

    def raise_for_status(self) -> None:
        return None


@pytest.fixture
def stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AirflowStack:
    monkeypatch.setenv("SOCIALMART_HOME", str(tmp_path))
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    stack = AirflowStack(load_settings(), 8080)
    stack._token = "token"  # no /auth/token call
    return stack


def test_a_read_that_times_out_is_asked_again(stack, monkeypatch) -> None:
    calls = []

    def request(method, url, **kwargs):
        calls.append(method)
        if len(calls) < 3:
            raise requests.ReadTimeout("busy")
        return _Answer()

    monkeypatch.setattr(requests, "request", request)
    assert stack.runs("ingest_meta") == []
    assert calls == ["GET", "GET", "GET"]


def test_a_write_that_times_out_is_not_repeated(stack, monkeypatch) -> None:
    calls = []

    def request(method, url, **kwargs):
        calls.append(method)
        raise requests.ReadTimeout("busy")

    monkeypatch.setattr(requests, "request", request)
    with pytest.raises(requests.ReadTimeout):
        stack.trigger("ingest_meta")
    assert calls == ["POST"]

"""Fault injection: every kind, rule counting, random mode, plan parsing."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from sandbox_support import EU, TOKEN

from sandbox.faults import FaultPlan, FaultRule, RandomFaults
from sandbox.server import serve_in_thread

ACCOUNT_PATH = f"/graph.facebook.com/v27.0/act_{EU}"


@contextmanager
def _serving(*rules: dict, random_faults: RandomFaults | None = None) -> Iterator[str]:
    plan = FaultPlan.from_rules(rules, random_faults)
    with serve_in_thread(seed=3, faults=plan) as sandbox:
        yield f"{sandbox.meta_base_url}/v27.0/act_{EU}"


def _get(url: str, timeout: float = 10) -> requests.Response:
    return requests.get(url, params={"access_token": TOKEN}, timeout=timeout)


def test_meta_error_preset_throttle_is_http_400_with_envelope_and_full_usage() -> None:
    with _serving({"preset": "throttle", "match": "/act_", "times": 2}) as url:
        for _ in range(2):
            response = _get(url)
            assert response.status_code == 400
            error = response.json()["error"]
            assert (error["code"], error["error_subcode"]) == (80004, 2446079)
            assert error["type"] == "OAuthException" and error["fbtrace_id"]
            buc = json.loads(response.headers["x-business-use-case-usage"])[EU][0]
            assert buc["call_count"] == 100 and buc["estimated_time_to_regain_access"] == 1
        assert _get(url).status_code == 200  # the rule fired its two times


@pytest.mark.parametrize(
    ("preset", "code", "subcode"),
    [("transient", 2, None), ("expired_token", 190, 463), ("too_much_data", 100, 1487534)],
)
def test_meta_error_presets(preset: str, code: int, subcode: int | None) -> None:
    with _serving({"preset": preset}) as url:
        error = _get(url).json()["error"]
    assert error["code"] == code
    assert error.get("error_subcode") == subcode


def test_meta_error_with_max_limit_refuses_only_bigger_get_pages() -> None:
    rule = {"preset": "too_much_data", "match": "/insights$", "times": None, "max_limit": 1000}
    with _serving(rule) as url:
        insights = f"{url}/insights"
        refused = requests.get(
            insights, params={"access_token": TOKEN, "limit": "1001"}, timeout=10
        )
        served = requests.get(insights, params={"access_token": TOKEN, "limit": "1000"}, timeout=10)
        created = requests.post(
            insights, params={"access_token": TOKEN, "limit": "5000"}, timeout=10
        )
    assert refused.status_code == 400
    assert refused.json()["error"]["error_subcode"] == 1487534
    assert served.status_code == 200 and "data" in served.json()
    assert created.status_code == 200 and "report_run_id" in created.json()


def test_custom_meta_error() -> None:
    rule = {"kind": "meta_error", "code": 613, "subcode": 1487742, "message": "(#613) Calls"}
    with _serving(rule) as url:
        error = _get(url).json()["error"]
    assert (error["code"], error["error_subcode"]) == (613, 1487742)
    assert error["message"] == "(#613) Calls"


def test_http_500_and_503() -> None:
    with _serving({"kind": "http_500"}, {"kind": "http_503", "retry_after": 3, "nth": 2}) as url:
        first, second, third = _get(url), _get(url), _get(url)
    assert first.status_code == 500
    assert second.status_code == 503 and second.headers["Retry-After"] == "3"
    assert third.status_code == 200


def test_reset_closes_the_connection_without_answer() -> None:
    with _serving({"kind": "reset"}) as url:
        with pytest.raises(requests.ConnectionError):
            _get(url)
        assert _get(url).status_code == 200


def test_slow_delays_then_answers() -> None:
    with _serving({"kind": "slow", "seconds": 0.6}) as url:
        started = time.monotonic()
        assert _get(url).status_code == 200
        assert time.monotonic() - started >= 0.6
        with _serving({"kind": "slow", "seconds": 5}) as slow_url:
            with pytest.raises(requests.Timeout):
                _get(slow_url, timeout=0.3)


def test_truncated_sends_half_a_json_body() -> None:
    with _serving({"kind": "truncated"}) as url:
        broken = _get(url)
        intact = _get(url)
    assert broken.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(broken.text)
    assert broken.text == intact.text[: len(intact.content) // 2]


def test_high_usage_headers() -> None:
    with _serving({"kind": "high_usage"}) as url:
        response = _get(url)
    assert response.status_code == 200
    assert json.loads(response.headers["x-ad-account-usage"])["acc_id_util_pct"] == 95.0
    assert json.loads(response.headers["x-app-usage"])["call_count"] == 95


def test_rules_count_only_matching_calls_and_fire_from_nth() -> None:
    plan = FaultPlan.from_rules([{"kind": "http_500", "match": "/insights$", "nth": 2, "times": 2}])
    fired = [
        plan.next_fault(p)
        for p in [
            f"{ACCOUNT_PATH}/insights",
            f"{ACCOUNT_PATH}",
            f"{ACCOUNT_PATH}/insights",
            f"{ACCOUNT_PATH}/insights",
            f"{ACCOUNT_PATH}/insights",
        ]
    ]
    assert [f.kind if f else None for f in fired] == [None, None, "http_500", "http_500", None]


def test_times_none_fires_forever() -> None:
    plan = FaultPlan.from_rules([FaultRule("http_503", times=None)])
    assert all(plan.next_fault("/x") for _ in range(20))


def test_random_mode_is_seeded_and_roughly_at_rate() -> None:
    def draw() -> list[str | None]:
        plan = FaultPlan(random_faults=RandomFaults(rate=0.3, seed=11))
        return [(f.kind if f else None) for f in (plan.next_fault("/p") for _ in range(400))]

    first = draw()
    assert first == draw()
    assert 80 <= sum(k is not None for k in first) <= 160
    assert {k for k in first if k} == {"http_500", "http_503", "meta_error"}


def test_random_mode_over_http() -> None:
    random_faults = RandomFaults(rate=1.0, seed=5, pool=(FaultRule("http_503"),))
    with _serving(random_faults=random_faults) as url:
        assert _get(url).status_code == 503


def test_plan_from_json_env_and_validation(tmp_path: Path) -> None:
    text = json.dumps(
        {"rules": [{"preset": "throttle", "match": "/insights"}], "random": {"rate": 0.1}}
    )
    plan = FaultPlan.from_json(text)
    assert plan.rules[0].code == 80004 and plan.random_faults is not None
    assert FaultPlan.from_json('[{"kind": "reset"}]').rules[0].kind == "reset"
    path = tmp_path / "faults.json"
    path.write_text(text)
    assert FaultPlan.from_env({"SANDBOX_FAULTS": f"@{path}"}).rules == plan.rules
    assert FaultPlan.from_env({}) is None
    for bad in (
        '[{"kind": "explode"}]',
        '[{"kind": "reset", "tims": 2}]',
        '{"rulez": []}',
        '[{"preset": "nope"}]',
        '[{"kind": "reset", "nth": 0}]',
    ):
        with pytest.raises(ValueError):
            FaultPlan.from_json(bad)

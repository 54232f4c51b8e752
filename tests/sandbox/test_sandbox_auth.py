"""Auth: query token or Bearer header; anything else is Meta's OAuthException 190."""

from __future__ import annotations

import requests
from sandbox_support import EU, TOKEN

from sandbox.server import RunningSandbox, serve_in_thread


def test_missing_and_wrong_tokens_are_rejected(graph: str) -> None:
    url = f"{graph}/act_{EU}/insights"
    for params, headers in (
        ({}, {}),
        ({"access_token": "nope"}, {}),
        ({}, {"Authorization": "Bearer nope"}),
        ({}, {"Authorization": f"Basic {TOKEN}"}),
    ):
        response = requests.get(url, params=params, headers=headers, timeout=10)
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["type"] == "OAuthException"
        assert error["code"] == 190
        assert error["fbtrace_id"].startswith("A")
        assert TOKEN not in response.text


def test_query_token_and_bearer_header_are_accepted(graph: str) -> None:
    url = f"{graph}/act_{EU}"
    assert requests.get(url, params={"access_token": TOKEN}, timeout=10).status_code == 200
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    assert requests.get(url, headers=bearer, timeout=10).status_code == 200


def test_server_accepts_only_its_configured_token() -> None:
    with serve_in_thread(seed=1, meta_token="custom-token") as sandbox:
        url = f"{sandbox.meta_base_url}/v27.0/me/adaccounts"
        assert requests.get(url, params={"access_token": TOKEN}, timeout=10).status_code == 400
        ok = requests.get(url, params={"access_token": "custom-token"}, timeout=10)
        assert ok.status_code == 200


def test_request_log_never_holds_the_token(graph: str, sandbox: RunningSandbox) -> None:
    requests.get(f"{graph}/me/adaccounts", params={"access_token": TOKEN}, timeout=10)
    assert sandbox.requests
    assert all(TOKEN not in repr(entry) for entry in sandbox.requests)

"""Stand-in contract: a call on an expired Marketing API version gets Meta's error 2635.

The error shape is Meta's: code 2635, type OAuthException, HTTP 400, message "(#2635) You are
calling a deprecated version of the Ads API. Please update to the latest version: vXX.X." as
quoted in Meta's blog post "Upcoming change in Marketing API version deprecation to enable
version auto-upgrade" (https://developers.facebook.com/blog/post/2024/04/16/upcoming-change-in-
marketing-api-version-deprecation) and in answers reported in
facebook/facebook-python-business-sdk#356. Expiry dates: Marketing API version history
(https://developers.facebook.com/documentation/ads-commerce/marketing-api/marketing-api-changelog/
versions): v24.0 expired 2026-11-10, v25.0 expires 2027-02-23.
"""

from __future__ import annotations

import pytest
import requests
from sandbox_support import EU, TOKEN

from sandbox.meta.api import NOW_HEADER
from sandbox.server import RunningSandbox
from socialmart.settings import load_settings


def _get(sandbox: RunningSandbox, version: str, now: str) -> requests.Response:
    return requests.get(
        f"{sandbox.meta_base_url}/{version}/act_{EU}",
        params={"access_token": TOKEN, "fields": "id,currency"},
        headers={NOW_HEADER: now},
        timeout=10,
    )


@pytest.mark.parametrize(
    ("version", "now"),
    [
        ("v24.0", "2026-11-10T00:00:00"),  # its sunset day
        ("v25.0", "2027-02-23T08:00:00"),
        ("v23.0", "2026-12-06T00:00:00"),
        ("v17.0", "2026-12-06T00:00:00"),  # older than every listed version
    ],
)
def test_an_expired_version_answers_metas_deprecated_version_error(
    sandbox: RunningSandbox, version: str, now: str
) -> None:
    response = _get(sandbox, version, now)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == 2635
    assert error["type"] == "OAuthException"
    assert error["message"] == (
        "(#2635) You are calling a deprecated version of the Ads API. "
        "Please update to the latest version: v27.0."
    )
    assert error["fbtrace_id"].startswith("A")
    assert "error_subcode" not in error


@pytest.mark.parametrize(
    ("version", "now"),
    [
        ("v24.0", "2026-11-09T23:59:59"),  # last day it works
        ("v25.0", "2027-02-22T12:00:00"),
        ("v26.0", "2027-06-01T00:00:00"),  # no sunset announced
        ("v27.0", "2026-12-06T00:00:00"),
    ],
)
def test_versions_before_their_sunset_are_served(
    sandbox: RunningSandbox, version: str, now: str
) -> None:
    response = _get(sandbox, version, now)
    assert response.status_code == 200, response.text
    assert response.json()["id"] == f"act_{EU}"


def test_the_stand_in_serves_the_default_version(
    sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("META_API_VERSION", raising=False)
    default = load_settings().meta.api_version
    assert default == "v27.0"
    assert _get(sandbox, default, "2026-12-06T00:00:00").status_code == 200

"""Secrets never leave the process: URL redaction and log masking."""

from __future__ import annotations

import logging

import pytest
from connector_testkit import TOKEN

from connectors.common.http import redact_url
from connectors.common.redaction import SecretMaskingFilter, install_url_log_redaction, redact_text


@pytest.mark.parametrize(
    "param", ["access_token", "secret", "app_secret", "sign", "access-token", "client_secret"]
)
def test_redact_url_removes_every_secret_param(param: str) -> None:
    url = f"https://graph.facebook.com/v27.0/act_1/insights?level=ad&{param}={TOKEN}&after=MQ"
    redacted = redact_url(url)
    assert TOKEN not in redacted
    assert f"{param}=***" in redacted
    assert redacted.startswith("https://graph.facebook.com/v27.0/act_1/insights?level=ad&")
    assert redacted.endswith("&after=MQ")


def test_redact_url_keeps_urls_without_secrets() -> None:
    url = "https://graph.facebook.com/v27.0/me/adaccounts?fields=id&limit=25"
    assert redact_url(url) == url


def test_redact_text_masks_urls_inside_messages() -> None:
    message = (
        "HTTPSConnectionPool(host='graph.facebook.com', port=443): Max retries exceeded with "
        f"url: /v27.0/act_1/insights?access_token={TOKEN}&limit=2 (Caused by ...)"
    )
    assert TOKEN not in redact_text(message)
    assert "limit=2" in redact_text(message)


def test_masking_filter_masks_configured_values(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("tests.connectors.masking")
    logger.addFilter(SecretMaskingFilter([TOKEN]))
    with caplog.at_level(logging.DEBUG, logger=logger.name):
        logger.info("token is %s in a body", TOKEN)
    assert TOKEN not in caplog.text
    assert "token is *** in a body" in caplog.text


def test_urllib3_request_lines_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    install_url_log_redaction()
    logger = logging.getLogger("urllib3.connectionpool")
    with caplog.at_level(logging.DEBUG, logger=logger.name):
        logger.debug('%s "GET /v27.0/me?access_token=%s HTTP/1.1" 200', "https://x:443", TOKEN)
    assert TOKEN not in caplog.text
    assert "access_token=***" in caplog.text

"""Reading and classifying answers of the ECB rates file server.

The file is a static CSV: there is no error envelope. A 2xx body whose rows have different
numbers of fields was cut short (retry); a 4xx, or a 2xx that is not the ECB CSV (an HTML
page, another file), is a configuration error that retrying will not fix.
"""

from __future__ import annotations

from typing import Any

import requests

from connectors.common.errors import ApiError, FatalApiError
from connectors.common.http import decode_utf8
from connectors.common.redaction import redact_text, redact_url

PLATFORM = "ECB"
HEADER_START = "Date,"
SETTING = "FX_RATES_URL"
REAL_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.csv"


def read_csv_body(response: requests.Response) -> str | None:
    """The body text, or None for a 2xx body that is cut short (rows of unequal width).

    A 2xx body is decoded strictly (:func:`decode_utf8`): bytes that are not UTF-8 stop the
    download with an error naming the URL instead of becoming U+FFFD in the rates. Error pages
    (status >= 300) are only used in messages and are decoded leniently.
    """
    if response.status_code >= 300:
        return response.content.decode("utf-8-sig", errors="replace")
    text = decode_utf8(response.content)
    if text is None:
        return None
    widths = {line.count(",") for line in text.splitlines() if line.strip()}
    return text if len(widths) == 1 else None


def classify_ecb_response(
    response: requests.Response, body: Any, account: str | None
) -> ApiError | None:
    """``None`` for a usable ECB CSV, else a :class:`FatalApiError` naming the setting to fix."""
    url = redact_url(response.url)
    if response.status_code >= 400:
        return FatalApiError(
            f"ECB rates file {url} answered HTTP {response.status_code}. Set {SETTING} to the "
            f"ECB historical reference-rate CSV ({REAL_URL}) or a mirror of it.",
            platform=PLATFORM,
            account=account,
        )
    if isinstance(body, str) and not body.lstrip().startswith(HEADER_START):
        first_line = redact_text(body.lstrip().split("\n", 1)[0][:60])
        return FatalApiError(
            f"{url} is not an ECB reference-rate CSV (first line {first_line!r}, expected "
            f"'Date,USD,JPY,...'). Set {SETTING} to {REAL_URL} or a mirror of it.",
            platform=PLATFORM,
            account=account,
        )
    return None

"""Exceptions shared by every connector.

The type of an API error is also its classification: a platform classifier returns a
:class:`RetryableApiError`, :class:`QueryTooLargeError` or :class:`FatalApiError` (or ``None``
when the response is fine), and :class:`connectors.common.http.ApiSession` acts on the type.
Messages never contain tokens: URLs in them go through ``redact_url`` first.
"""

from __future__ import annotations

from typing import Any

from connectors.common.redaction import redact_text


class ConnectorError(Exception):
    """Base class of every error a connector raises on purpose, with what it was about.

    Attributes:
        platform: Human name of the platform, e.g. ``"Meta"``, when known.
        code: Platform error code (of the last failure), when the platform sent one.
        subcode: Platform error subcode, when the platform sent one.
        account: Account the request was about, when known.
    """

    def __init__(
        self,
        message: str,
        *,
        platform: str | None = None,
        code: int | None = None,
        subcode: int | None = None,
        account: str | None = None,
    ) -> None:
        super().__init__(message)
        self.platform = platform
        self.code = code
        self.subcode = subcode
        self.account = account


class ApiError(ConnectorError):
    """An answer from a platform API that is not usable as data (its classifier names the
    platform)."""


class RetryableApiError(ApiError):
    """A transient failure: the same request may succeed later.

    Attributes:
        wait_seconds: How long the platform asked us to wait, if it said so.
    """

    def __init__(self, message: str, *, wait_seconds: float | None = None, **context: Any) -> None:
        super().__init__(message, **context)
        self.wait_seconds = wait_seconds


class QueryTooLargeError(ApiError):
    """The platform refuses the query as too expensive: ask for less (e.g. fewer days)."""


class FatalApiError(ApiError):
    """A failure retrying cannot fix (bad token, missing permission, invalid request)."""


class InvalidRequestError(FatalApiError):
    """The request could not even be sent: its URL or parameters are malformed.

    Raised for ``requests``' ``InvalidURL``/``MissingSchema``/``InvalidSchema``/``InvalidHeader``,
    urllib3's ``LocationParseError`` and similar construction errors, e.g. a ``paging.next`` link
    with a port out of range. The same URL fails the same way on every attempt: not retried.
    """


class UndecodableBodyError(FatalApiError):
    """A complete 2xx body is not valid UTF-8 (JSON and the ECB CSV must be).

    Not retried: TLS and the HTTP framing deliver the bytes the server sent (a body cut short is
    retried as truncated instead), so a retry returns the same bytes. Nothing of the body is
    kept, and no character is replaced.

    Attributes:
        offset: Byte offset of the first invalid byte in the body.
    """

    def __init__(self, message: str, *, offset: int, **context: Any) -> None:
        super().__init__(message, **context)
        self.offset = offset


class RetriesExhaustedError(ConnectorError):
    """A request kept failing transiently until the retry budget ran out.

    The cause was transient, so re-running the extract later is safe.
    """


def coded_envelope(body: Any) -> tuple[int, str] | None:
    """``(code, redacted message)`` of a ``{"code": ..., "message": ...}`` answer (the
    envelope of TikTok's APIs) whose code is not 0 (success); ``None`` for a success or a
    body that is no such envelope. A code that is not a number reads as -1."""
    if not isinstance(body, dict) or "code" not in body:
        return None
    try:
        code = int(body["code"])
    except (TypeError, ValueError):
        code = -1
    if code == 0:
        return None
    return code, redact_text(str(body.get("message") or "no message"))

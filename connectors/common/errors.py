"""Exceptions shared by every connector.

The type of an API error is also its classification: a platform classifier returns a
:class:`RetryableApiError`, :class:`QueryTooLargeError` or :class:`FatalApiError` (or ``None``
when the response is fine), and :class:`connectors.common.http.ApiSession` acts on the type.
Messages never contain tokens: URLs in them go through ``redact_url`` first.
"""

from __future__ import annotations


class ConnectorError(Exception):
    """Base class of every error a connector raises on purpose."""


class ApiError(ConnectorError):
    """An answer from a platform API that is not usable as data.

    Attributes:
        platform: Human name of the platform, e.g. ``"Meta"``.
        code: Platform error code, when the platform sent one.
        subcode: Platform error subcode, when the platform sent one.
        account: Account the request was about, when known.
    """

    def __init__(
        self,
        message: str,
        *,
        platform: str,
        code: int | None = None,
        subcode: int | None = None,
        account: str | None = None,
    ) -> None:
        super().__init__(message)
        self.platform = platform
        self.code = code
        self.subcode = subcode
        self.account = account


class RetryableApiError(ApiError):
    """A transient failure: the same request may succeed later.

    Attributes:
        wait_seconds: How long the platform asked us to wait, if it said so.
    """

    def __init__(
        self,
        message: str,
        *,
        platform: str,
        wait_seconds: float | None = None,
        code: int | None = None,
        subcode: int | None = None,
        account: str | None = None,
    ) -> None:
        super().__init__(message, platform=platform, code=code, subcode=subcode, account=account)
        self.wait_seconds = wait_seconds


class QueryTooLargeError(ApiError):
    """The platform refuses the query as too expensive: ask for less (e.g. fewer days)."""


class FatalApiError(ApiError):
    """A failure retrying cannot fix (bad token, missing permission, invalid request)."""


class RetriesExhaustedError(ConnectorError):
    """A request kept failing transiently until the retry budget ran out."""

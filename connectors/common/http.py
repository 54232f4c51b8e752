"""One retrying HTTP session shared by every connector.

:class:`ApiSession` owns timeouts, retries with exponential backoff and jitter, ``Retry-After``,
pacing hints and request logging. What a platform's answer *means* is decided by a pluggable
:data:`Classifier`; the session only knows the generic cases (connection failures, HTTP 5xx/429,
truncated bodies). Every URL that is logged or raised goes through :func:`redact_url`.
"""

from __future__ import annotations

import http.client
import json
import logging
import random
import time
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests
import urllib3.exceptions

from connectors.common.errors import (
    ApiError,
    FatalApiError,
    InvalidRequestError,
    RetriesExhaustedError,
    RetryableApiError,
    UndecodableBodyError,
)
from connectors.common.redaction import (
    MASK,
    SECRET_PARAMS,
    install_url_log_redaction,
    redact_text,
    redact_url,
)
from socialmart.settings import HttpSettings

__all__ = [
    "BASE_URL_SETTINGS",
    "ApiSession",
    "BodyNotUtf8",
    "BodyReader",
    "Classifier",
    "Pacer",
    "Signer",
    "decode_utf8",
    "redact_url",
]

log = logging.getLogger(__name__)

Classifier = Callable[[requests.Response, Any, str | None], ApiError | None]
"""``(response, parsed JSON body or None, account) -> error or None`` for a usable answer."""

BodyReader = Callable[[requests.Response], Any]
"""``response -> parsed body``, or ``None`` when a 2xx body is unusable (truncated): retried.

The default parses JSON; a platform serving another format (e.g. CSV) passes its own. A reader
decodes text with :func:`decode_utf8`, whose :class:`BodyNotUtf8` the session turns into an
:class:`UndecodableBodyError` naming platform, URL and account (never U+FFFD replacement).
"""

Pacer = Callable[[requests.Response], float]
"""``response -> seconds`` to wait before the next request (0 = go on), e.g. from usage headers."""

Signer = Callable[[str, str, dict[str, Any], bytes | None], dict[str, Any]]
"""``(method, URL path, query, body bytes or None) -> query to send``, e.g. adding a signature.

Called before every attempt, so signatures over a timestamp stay fresh across retries.
"""

# Errors raised while *building* a request (malformed URL, port out of range, bad header,
# redirect loop): the same request fails the same way every time, so they are not retried.
# Checked before the transient ones: requests' InvalidURL & co. are also RequestExceptions,
# urllib3's LocationParseError is also an urllib3 HTTPError, and RequestException is an OSError.
_REQUEST_BUILD_ERRORS: tuple[type[BaseException], ...] = (
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
    requests.exceptions.InvalidHeader,
    requests.exceptions.URLRequired,
    requests.exceptions.TooManyRedirects,
    urllib3.exceptions.LocationValueError,
    ValueError,  # e.g. http.client.InvalidURL, UnicodeError from IDNA-encoding a bad host
)

# Everything else the transport can raise (connection reset, timeouts, cut-off or undecodable
# content encodings, protocol errors, socket errors): transient, retried with backoff.
_TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (
    requests.RequestException,
    urllib3.exceptions.HTTPError,
    http.client.HTTPException,
    OSError,
)

BASE_URL_SETTINGS: dict[str, str] = {
    "Meta": "META_GRAPH_BASE_URL",
    "Threads": "THREADS_BASE_URL",
    "Instagram": "INSTAGRAM_GRAPH_BASE_URL",
    "TikTok": "TIKTOK_BASE_URL",
    "TikTok Shop": "TIKTOK_SHOP_BASE_URL",
    "ECB": "FX_RATES_URL",
}
"""The setting that holds each platform's base URL, named in messages about malformed URLs."""


class BodyNotUtf8(ValueError):  # noqa: N818 - a signal between reader and session, not an error
    """A body reader met bytes that are not valid UTF-8 (see :func:`decode_utf8`).

    Attributes:
        offset: Byte offset of the first invalid byte.
        byte: That byte's value.
    """

    def __init__(self, offset: int, byte: int) -> None:
        super().__init__(f"invalid UTF-8 byte 0x{byte:02x} at byte offset {offset}")
        self.offset = offset
        self.byte = byte


def decode_utf8(raw: bytes) -> str | None:
    """``raw`` decoded as UTF-8 (a leading BOM dropped), strictly.

    Returns:
        The text, or ``None`` when the bytes only end in the middle of a character (a body cut
        short: the caller treats it as truncated and retries).

    Raises:
        BodyNotUtf8: An invalid byte sequence inside the body.
    """
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.end == len(raw) and "end of data" in str(exc.reason):
            return None
        raise BodyNotUtf8(exc.start, raw[exc.start]) from None


def _no_pause(_response: requests.Response) -> float:
    return 0.0


class ApiSession:
    """A ``requests.Session`` with the retry, pacing and redaction rules of socialmart.

    Args:
        platform: Human name used in messages, e.g. ``"Meta"``.
        base_url: Prefix for relative paths (absolute URLs are requested as they are).
        http: Timeouts and retry budget from settings.
        classify: Platform classifier; see :data:`Classifier`.
        pace: Optional pacer; see :data:`Pacer`.
        read_body: Optional body reader; see :data:`BodyReader` (default: JSON).
        sign: Optional request signer; see :data:`Signer`.
        default_params: Query parameters added to requests of relative paths (e.g. auth).
        headers: Headers sent with every request.
        session: An existing ``requests.Session`` (tests, connection reuse).
        sleep: Replaces ``time.sleep`` (tests).
        clock: Replaces ``time.time`` (tests).
        jitter: Returns a float in [0, 1); replaces ``random.random`` (tests).
    """

    def __init__(
        self,
        platform: str,
        base_url: str,
        http: HttpSettings,
        classify: Classifier,
        *,
        pace: Pacer = _no_pause,
        read_body: BodyReader | None = None,
        sign: Signer | None = None,
        default_params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.platform = platform
        self.base_url = base_url.rstrip("/")
        self.http = http
        self._classify = classify
        self._pace = pace
        self._read_body = read_body or _json_or_none
        self._sign = sign
        self._default_params = dict(default_params or {})
        self._session = session or requests.Session()
        self._session.headers.update(headers or {})
        self._sleep = sleep
        self._clock = clock
        self._jitter = jitter
        self._resume_at = 0.0
        self.request_count = 0
        install_url_log_redaction()

    def close(self) -> None:
        """Close the underlying connection pool."""
        self._session.close()

    def get(
        self,
        path_or_url: str,
        params: Mapping[str, Any] | None = None,
        *,
        account: str | None = None,
    ) -> Any:
        """GET a JSON document, retrying transient failures.

        Args:
            path_or_url: A path below ``base_url`` or an absolute URL (e.g. a ``paging.next``
                link, requested as is).
            params: Query parameters.
            account: Account the request is about; used in error messages.

        Returns:
            The parsed JSON body.

        Raises:
            FatalApiError: The platform refused the request for good.
            QueryTooLargeError: The platform asks for a smaller query.
            RetriesExhaustedError: Transient failures outlasted ``http.max_retries``.
        """
        return self.request("GET", path_or_url, params, account=account)

    def request(
        self,
        method: str,
        path_or_url: str,
        params: Mapping[str, Any] | None = None,
        *,
        account: str | None = None,
        json_body: Any = None,
    ) -> Any:
        """Send one logical request (several attempts if needed); see :meth:`get`.

        ``json_body``, when given, is serialized once (compact UTF-8 JSON) and sent as the
        ``application/json`` body of every attempt, byte for byte what a signer signed.
        """
        url, query = self._resolve(path_or_url, params)
        body = None
        if json_body is not None:
            body = json.dumps(json_body, separators=(",", ":"), ensure_ascii=False).encode()
        last_problem = ""
        last_code: int | None = None
        for attempt in range(self.http.max_retries + 1):
            self._wait_for_pacing()
            try:
                return self._attempt(method, url, query, account, body, path_or_url)
            except RetryableApiError as exc:
                last_problem = self._scrub(str(exc))
                last_code = exc.code
                delay = self._retry_delay(attempt, exc.wait_seconds)
            if attempt < self.http.max_retries:
                log.warning(
                    "%s %s %s%s failed (%s); retry %d/%d in %.1fs",
                    self.platform,
                    method,
                    self._scrub(redact_url(url)),
                    _account_suffix(account),
                    last_problem,
                    attempt + 1,
                    self.http.max_retries,
                    delay,
                )
                self._sleep(delay)
        code = f" (code {last_code})" if last_code is not None else ""
        raise RetriesExhaustedError(
            f"{self.platform} {method} {self._scrub(redact_url(url))}{_account_suffix(account)} "
            f"still failing after {self.http.max_retries + 1} attempts; the last failure was "
            f"transient{code}: {last_problem}. Nothing of this account was loaded by this "
            "request; re-running the extract later is safe. If it keeps failing, the platform "
            "is throttling or unavailable: wait, or raise HTTP_MAX_RETRIES.",
            platform=self.platform,
            account=account,
            code=last_code,
        )

    def _resolve(
        self, path_or_url: str, params: Mapping[str, Any] | None
    ) -> tuple[str, dict[str, Any]]:
        if path_or_url.startswith(("http://", "https://")):
            return path_or_url, dict(params or {})
        url = f"{self.base_url}/{path_or_url.lstrip('/')}"
        return url, {**self._default_params, **(params or {})}

    def _attempt(
        self,
        method: str,
        url: str,
        query: dict[str, Any],
        account: str | None,
        body: bytes | None = None,
        path_or_url: str = "",
    ) -> Any:
        """One HTTP exchange; returns the body or raises an :class:`ApiError` subclass."""
        self.request_count += 1
        if self._sign is not None:
            query = self._sign(method, _signed_path(path_or_url or url), dict(query), body)
        headers = {"Content-Type": "application/json"} if body is not None else None
        started = self._clock()
        failure: ApiError | None = None
        try:
            response = self._session.request(
                method,
                url,
                params=query or None,
                data=body,
                headers=headers,
                timeout=self.http.timeout_seconds,
            )
        except _REQUEST_BUILD_ERRORS as exc:
            failure = self._invalid_request(exc, url, account, path_or_url)
        except _TRANSPORT_ERRORS as exc:
            failure = RetryableApiError(
                f"{type(exc).__name__}: {self._scrub(str(exc))}",
                platform=self.platform,
                account=account,
            )
        if failure is not None:
            # Raised outside the except block: requests' messages embed the full URL (token
            # included), so the original must not ride along as __context__ into tracebacks.
            raise failure
        log.debug(
            "%s %s %s -> HTTP %d in %.0f ms",
            self.platform,
            method,
            redact_url(response.url or url),
            response.status_code,
            (self._clock() - started) * 1000,
        )
        self._resume_at = max(self._resume_at, self._clock() + max(0.0, self._pace(response)))
        return self._interpret(response, account)

    def _invalid_request(
        self, exc: BaseException, url: str, account: str | None, path_or_url: str
    ) -> InvalidRequestError:
        """The fatal error for a request that could not be built (see _REQUEST_BUILD_ERRORS)."""
        setting = BASE_URL_SETTINGS.get(self.platform, f"the {self.platform} base URL setting")
        if path_or_url.startswith(("http://", "https://")):
            origin = (
                f"The URL is a link {self.platform} returned (e.g. paging.next), so retrying "
                f"will not help: re-run the extract later (safe); if it repeats, check that "
                f"{setting} points at {self.platform} itself (a proxy or stand-in may rewrite "
                f"links wrongly), else report the link to {self.platform}."
            )
        else:
            origin = f"Retrying will not help: check {setting}."
        return InvalidRequestError(
            f"{self.platform} request to {self._scrub(redact_url(url))}"
            f"{_account_suffix(account)} could not be sent, the URL or a parameter is "
            f"malformed ({type(exc).__name__}: {self._scrub(str(exc))}). {origin}",
            platform=self.platform,
            account=account,
        )

    def _scrub(self, text: str) -> str:
        """``text`` without secret parameters, nor the values of secret default parameters."""
        text = redact_text(text)
        for name, value in self._default_params.items():
            if name.lower() in SECRET_PARAMS and value and len(str(value)) >= 8:
                text = text.replace(str(value), MASK)
        return text

    def _interpret(self, response: requests.Response, account: str | None) -> Any:
        status = response.status_code
        not_utf8: BodyNotUtf8 | None = None
        try:
            body = self._read_body(response)
        except BodyNotUtf8 as exc:
            # An error page in another charset (status >= 300): the status decides (retry
            # 5xx/429, else the fatal HTTP error below); the envelope cannot be read anyway.
            body, not_utf8 = None, exc
        if not_utf8 is not None and status < 300:
            raise self._not_utf8(response, not_utf8, account)
        if status >= 500 or status == 429:
            raise RetryableApiError(
                f"HTTP {status}", platform=self.platform, wait_seconds=self._retry_after(response)
            )
        if body is None and status < 300:
            raise RetryableApiError(
                f"HTTP {status} with an unreadable (truncated or non-JSON) body",
                platform=self.platform,
            )
        problem = self._classify(response, body, account)
        if problem is None and status >= 400:
            problem = FatalApiError(
                f"{self.platform} answered HTTP {status} to {redact_url(response.url)}"
                f"{_account_suffix(account)}; check the base URL and API version settings.",
                platform=self.platform,
                account=account,
            )
        if problem is None:
            return body
        if isinstance(problem, RetryableApiError) and problem.wait_seconds is None:
            problem.wait_seconds = self._retry_after(response)
        raise problem

    def _not_utf8(
        self, response: requests.Response, exc: BodyNotUtf8, account: str | None
    ) -> UndecodableBodyError:
        setting = BASE_URL_SETTINGS.get(self.platform, f"the {self.platform} base URL setting")
        return UndecodableBodyError(
            f"{self.platform} answered bytes that are not valid UTF-8 at byte offset "
            f"{exc.offset} (byte 0x{exc.byte:02x}) from {self._scrub(redact_url(response.url))}"
            f"{_account_suffix(account)}; the answer was rejected, not repaired, so nothing of "
            "this account was loaded by this run. Re-run the extract later (safe); if it "
            f"repeats, the platform serves corrupt data for this account: report the URL and "
            f"offset to {self.platform}, and check that {setting} points at {self.platform} "
            "itself, not at a proxy that re-encodes bodies.",
            platform=self.platform,
            account=account,
            offset=exc.offset,
        )

    def _retry_after(self, response: requests.Response) -> float | None:
        """Seconds from a ``Retry-After`` header (delta-seconds or HTTP date), if any."""
        value = response.headers.get("Retry-After", "").strip()
        if not value:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - self._clock())
        except (TypeError, ValueError):
            return None

    def _retry_delay(self, attempt: int, hint: float | None) -> float:
        """The platform's hint when given, else capped exponential backoff with jitter."""
        if hint is not None:
            return hint
        ceiling = min(self.http.backoff_max_seconds, self.http.backoff_base_seconds * 2**attempt)
        # "Equal jitter": at least half the ceiling, spreads clients that failed together.
        return ceiling / 2 + ceiling / 2 * self._jitter()

    def _wait_for_pacing(self) -> None:
        remaining = self._resume_at - self._clock()
        if remaining > 0:
            log.info("%s: pausing %.1fs to stay under the rate limit", self.platform, remaining)
            self._sleep(remaining)


def query_params(url: str) -> dict[str, str]:
    """The query parameters of ``url`` (e.g. a ``paging.next`` link); empty when it has none.

    Never raises: a malformed link (a bad port, a broken IPv6 host) is requested as it is, so
    the session turns it into an :class:`InvalidRequestError` naming the redacted URL.
    """
    return dict(parse_qsl(url.partition("?")[2].partition("#")[0], keep_blank_values=True))


def _signed_path(path_or_url: str) -> str:
    """The path a signer sees: below ``base_url`` for relative paths, else the URL's path."""
    if path_or_url.startswith(("http://", "https://")):
        return urlsplit(path_or_url).path
    return "/" + path_or_url.lstrip("/")


def _json_or_none(response: requests.Response) -> Any:
    """JSON decoded from strict UTF-8 (RFC 8259); ``None`` for an empty, cut or non-JSON body.

    Raises:
        BodyNotUtf8: The body holds bytes that are not UTF-8 (``response.json()`` would have
            replaced them with U+FFFD or guessed another charset).
    """
    text = decode_utf8(response.content or b"")
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _account_suffix(account: str | None) -> str:
    return f" for account {account}" if account else ""

"""The one client every connector builds on: a platform's session, its answers, its page loops.

:class:`ApiClient` owns what every platform client repeated: building the shared retrying
:class:`~connectors.common.http.ApiSession`, counting requests, ``close``, ``get`` (the answer
must be a JSON object, or one inside the platform's envelope), and the page loops of the three
paginator kinds a stream spec can declare (:mod:`connectors.common.streams`): ``paging.next``
links, page numbers and cursors. A platform client adds only auth, its classifier and pacing,
and what it really does differently (Meta's page halving, TikTok Shop's signed POSTs).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Hashable, Iterator, Mapping
from typing import Any

import requests

from connectors.common.errors import FatalApiError
from connectors.common.http import BASE_URL_SETTINGS, ApiSession, Classifier
from connectors.common.streams import ONE_PAGE, StreamSpec
from socialmart.settings import HttpSettings

Records = list[dict[str, Any]]


class ApiClient:
    """GETs (and POSTs) one platform's API through the shared retrying session.

    Platform clients take ``session`` and the test hooks ``sleep``, ``clock`` and ``jitter``
    as ``**options`` and pass them on here.

    Args:
        platform: Human name used in messages, e.g. ``"TikTok"``.
        base_url: Prefix of relative paths.
        http: Timeouts and retry budget.
        classify: The platform's error classifier.
        session: Optional ``requests.Session`` (tests, connection reuse).
        sleep: Replaces ``time.sleep`` (tests).
        clock: Replaces ``time.time`` (tests).
        jitter: Replaces ``random.random`` (tests).
        **options: Further :class:`ApiSession` options (pacer, signer, body reader, auth
            parameters or headers).
    """

    #: Key of the object every answer is wrapped in (``"data"``), or ``None``: the answer.
    envelope: str | None = None
    #: Which host the base URL setting should name, for messages about wrong answers.
    endpoint: str = "the API"
    #: The paginator kind of the platform's paged endpoints (see :meth:`pages`).
    paginator: str = ONE_PAGE
    #: Whether an answer without records leaves out the records list (TikTok) rather than
    #: being an answer from the wrong endpoint.
    records_may_be_absent: bool = False
    #: Key of the records list in a page's answer (a stream's spec may name another).
    records_key: str = "data"
    #: The query parameter that asks for a page size.
    page_size_param: str = "limit"
    #: The setting that sets the page size, named when a query stays too large.
    page_size_setting: str = "the page size setting"

    def __init__(
        self,
        platform: str,
        base_url: str,
        http: HttpSettings,
        classify: Classifier,
        *,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        jitter: Callable[[], float] = random.random,
        **options: Any,
    ) -> None:
        self.platform = platform
        self.sleep = sleep
        self.clock = clock
        self._api = ApiSession(
            platform,
            base_url,
            http,
            classify,
            session=session,
            sleep=sleep,
            clock=clock,
            jitter=jitter,
            **options,
        )

    @property
    def request_count(self) -> int:
        """HTTP requests sent so far, retries included."""
        return self._api.request_count

    def close(self) -> None:
        """Release the connection pool."""
        self._api.close()

    def get(
        self, path: str, params: Mapping[str, Any] | None = None, *, account: str | None = None
    ) -> dict[str, Any]:
        """GET one resource and return its answer object (inside :attr:`envelope`, if any).

        Args:
            path: A path below the base URL, or an absolute URL (a ``paging.next`` link).
            params: Query parameters.
            account: Account the call is about, for error messages.

        Raises:
            FatalApiError: Refused for good, or the answer is not the expected JSON object.
            QueryTooLargeError: The platform asks for a smaller query.
            RetriesExhaustedError: Transient failures outlasted the retry budget.
        """
        return self.answer(self._api.get(path, params, account=account), path, account)

    def request(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        account: str | None = None,
        json_body: Any = None,
    ) -> dict[str, Any]:
        """Send one request of any method; see :meth:`get`."""
        body = self._api.request(method, path, params, account=account, json_body=json_body)
        return self.answer(body, path, account)

    def answer(self, body: Any, path: str, account: str | None) -> dict[str, Any]:
        """``body``'s answer object; a body of another shape is a fatal error."""
        if self.envelope is None:
            if isinstance(body, dict):
                return body
            shape = f"with a JSON {type(body).__name__}, not an object"
        else:
            inner = body.get(self.envelope) if isinstance(body, dict) else None
            if isinstance(inner, dict):
                return inner
            shape = f"without a {self.envelope} object"
        raise self.unexpected(f"answered {path} {shape}", account)

    def unexpected(self, what: str, account: str | None) -> FatalApiError:
        """The error for an answer of the wrong shape, naming the base URL setting to check."""
        setting = BASE_URL_SETTINGS.get(self.platform, "the base URL setting")
        return FatalApiError(
            f"{self.platform} {what}; is {setting} {self.endpoint}?",
            platform=self.platform,
            account=account,
        )

    def records(self, answer: dict[str, Any], path: str, account: str | None, at: str) -> Records:
        """The list of records at key ``at`` of ``answer``; a missing list is fatal."""
        found = answer.get(at)
        if found is None and self.records_may_be_absent:
            return []
        if not isinstance(found, list):
            raise self.unexpected(f"answered {path} without a {at} list", account)
        return found

    def spec_pages(
        self,
        spec: StreamSpec,
        path: str,
        params: Mapping[str, Any],
        *,
        account: str | None,
        page_size: int,
    ) -> Iterator[Records]:
        """The pages of an ordinary stream, by its spec's paginator and records path.

        Raises:
            ValueError: The spec declares a paginator this platform does not page by.
        """
        if spec.paginator == ONE_PAGE:
            answer = self.get(path, params, account=account)
            if spec.records_path is None:
                yield [answer]
            else:
                yield self.records(answer, path, account, spec.records_path)
            return
        if spec.paginator != self.paginator:
            raise ValueError(f"{self.platform} pages by {self.paginator}, not {spec.paginator}")
        yield from self.pages(
            path, params, account=account, page_size=page_size, records_at=str(spec.records_path)
        )

    def pages(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        account: str | None = None,
        page_size: int | None = None,
        records_at: str | None = None,
    ) -> Iterator[Records]:
        """Every page's records of a paged endpoint, by the platform's :attr:`paginator`.

        Args:
            path: The endpoint below the base URL.
            params: Query parameters of the first request.
            account: Account the pages belong to, for error messages.
            page_size: Records per page asked for, as :attr:`page_size_param` (``None``: the
                endpoint's default).
            records_at: Key of the records list in each answer (default :attr:`records_key`).
        """
        query = dict(params or {})
        if page_size:
            query[self.page_size_param] = str(page_size)
        return self.page_loop(path, query, account, records_at or self.records_key)

    def page_loop(
        self, path: str, params: dict[str, Any], account: str | None, records_at: str
    ) -> Iterator[Records]:
        """The platform's page loop (see :meth:`follow`) from the first page's ``params``."""
        raise NotImplementedError(f"{self.platform} has no paged endpoints")

    def follow(
        self,
        first: Hashable | None,
        fetch: Callable[[Any], dict[str, Any]],
        records: Callable[[dict[str, Any]], Records],
        next_cursor: Callable[[dict[str, Any], Any], Hashable | None],
        account: str | None,
        looped: Callable[[Any], str] | None = None,
    ) -> Iterator[Records]:
        """The one page loop: fetch a page, yield its records, go on to the next, until none.

        Args:
            first: The cursor of the first page (``None``: the request without one).
            fetch: Cursor -> that page's answer.
            records: Answer -> its records.
            next_cursor: (answer, its cursor) -> the cursor of the next page (a ``next`` link,
                a page number, a page token), or ``None`` after the last page.
            account: Account the pages belong to, for error messages.
            looped: For cursors the platform hands out (links, tokens): cursor -> the message
                when one comes back, a loop that would never end; the extract stops with a
                fatal error. ``None`` for cursors counted here (page numbers).
        """
        cursor, seen = first, set()
        while True:
            answer = fetch(cursor)
            yield records(answer)
            cursor = next_cursor(answer, cursor)
            if cursor is None:
                return
            if looped is not None and cursor in seen:
                raise FatalApiError(looped(cursor), platform=self.platform, account=account)
            seen.add(cursor)

"""The generic extract: one account's streams as one unit of work, ordinary streams from their spec.

:class:`AccountRun` is what every source's ``extract_account`` does around its streams: one
spool unit per stream, committed with the requests it took; if any stream fails, every unit
already written for the account is discarded, so nothing partial is loadable; a client the run
built itself is closed at the end. :func:`pull_stream` pulls an ordinary stream from its spec
alone: the spec's path and parameters, the account parameter, the window cut to the spec's
longest span (and shorter spans when the platform finds a query too large), the spec's
paginator and records path. Sources keep only what is genuinely theirs (Meta's async report
runs, TikTok Shop's signed POSTs, the ECB file, insights answers pivoted into rows).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any, Generic, TypeVar

from connectors.common.client import ApiClient, Records
from connectors.common.errors import FatalApiError, QueryTooLargeError
from connectors.common.spool import SpoolWriter
from connectors.common.streams import RequestWindow, StreamSpec
from socialmart.settings import Settings

log = logging.getLogger(__name__)

#: Rows per spool file for streams built row by row (one request per post, media or day).
ROWS_PER_FILE = 200

ClientT = TypeVar("ClientT", bound=ApiClient)

Shape = Callable[[Records], Records]
"""A page's records -> the rows to land (e.g. report rows flattened, request context added)."""


@contextmanager
def client_for(client: ClientT | None, build: Callable[[], ClientT]) -> Iterator[ClientT]:
    """``client`` when given (tests), else one built by ``build`` and closed after the block."""
    if client is not None:
        yield client
        return
    built = build()
    try:
        yield built
    finally:
        built.close()


class AccountRun(Generic[ClientT]):
    """The streams of one account in one run; use it as a context manager.

    Args:
        settings: Process settings (the spool folder).
        account: The account pulled.
        start: First day of the window (inclusive).
        end: Last day of the window (inclusive).
        run_id: The pipeline run.
        client: A client to use (tests), else one is built with ``build`` and closed at exit.
        build: Builds the source's client from the settings.

    Raises:
        ValueError: ``end`` is before ``start``.
    """

    def __init__(
        self,
        settings: Settings,
        account: str,
        start: date,
        end: date,
        run_id: str,
        client: ClientT | None,
        build: Callable[[], ClientT],
    ) -> None:
        if end < start:
            raise ValueError(f"window end {end} is before start {start}")
        self.settings, self.account, self.run_id = settings, account, run_id
        self.start, self.end = start, end
        self.client: ClientT = client or build()
        self._owns_client = client is None
        self._writers: list[SpoolWriter] = []

    def __enter__(self) -> AccountRun[ClientT]:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if exc_type is not None:
                for writer in self._writers:
                    writer.discard()
        finally:
            if self._owns_client:
                self.client.close()

    def unit(
        self,
        spec: StreamSpec,
        pull: Callable[[SpoolWriter], Any],
        window: tuple[date, date] | None = None,
    ) -> Path:
        """Write ``spec``'s unit with ``pull(writer)`` and commit it.

        Args:
            spec: The stream.
            pull: Writes the stream's pages into the writer.
            window: The window the unit records, when it is not the run's (e.g. FX reaches
                back to carry rates forward).

        Returns:
            The manifest path.
        """
        first, last = window or (self.start, self.end)
        writer = SpoolWriter(
            self.settings.spool_dir, self.run_id, spec.source, spec.name, self.account, first, last
        )
        self._writers.append(writer)
        before = self.client.request_count
        pull(writer)
        log.info(
            "%s account %s: %s, %d rows in %d pages",
            self.client.platform,
            self.account,
            spec.name,
            writer.row_count,
            writer.page_count,
        )
        return writer.commit(request_count=self.client.request_count - before)


def account_extract(
    build: Callable[[Settings, str], ClientT],
    account_id: Callable[[str], str] | None = None,
) -> Callable[[Callable[[AccountRun[ClientT]], list[Path]]], Callable[..., list[Path]]]:
    """Make a source's ``extract_account`` from what it pulls within one :class:`AccountRun`.

    Decorates ``pull(run) -> manifest paths`` (its docstring becomes the extract's) into
    ``extract_account(settings, account, start, end, run_id, client=None)``: arguments, result
    and cleanup on failure as ``Source.extract_account`` (:mod:`connectors.sources`);
    ``client`` replaces the one built from ``settings`` (tests).

    Args:
        build: (settings, account) -> the source's client, when no ``client`` is given.
        account_id: Normalizes the account given (e.g. Meta's ``act_`` prefix) before the run.
    """

    def make(pull: Callable[[AccountRun[ClientT]], list[Path]]) -> Callable[..., list[Path]]:
        def extract_account(
            settings: Settings,
            account: str,
            start: date,
            end: date,
            run_id: str,
            client: ClientT | None = None,
        ) -> list[Path]:
            if account_id is not None:
                account = account_id(account)
            with AccountRun(
                settings, account, start, end, run_id, client, lambda: build(settings, account)
            ) as run:
                return pull(run)

        extract_account.__doc__ = pull.__doc__
        return extract_account

    return make


def pull_stream(
    client: ApiClient,
    writer: SpoolWriter,
    spec: StreamSpec,
    account: str,
    window: tuple[date, date] | None = None,
    *,
    page_size: int,
    params: Mapping[str, Any] | None = None,
    shape: Shape = list,
    max_span_days: int | None = None,
) -> None:
    """Write every record of an ordinary stream, as its spec declares it, into ``writer``.

    Args:
        client: The source's client.
        writer: The unit to write (committed by the caller).
        spec: The stream.
        account: The account (formats the path; sent as the spec's ``account_param``).
        window: The days to ask for, when the spec has a ``request_window``.
        page_size: Records per page asked for.
        params: Request parameters beside the spec's (a filter, one store).
        shape: A page's records -> the rows to land.
        max_span_days: A setting narrowing the spec's ``max_span_days``.

    Raises:
        FatalApiError: The platform still finds a one-day query too large.
    """
    query = {**spec.params, **(params or {})}
    if spec.account_param:
        query[spec.account_param] = account
    pull = _StreamPull(client, writer, spec, account, query, page_size, shape)
    request_window = spec.request_window
    if request_window is None or window is None:
        pull.write(query)
        return
    spans = [request_window.max_span_days, max_span_days]
    longest = min((days for days in spans if days), default=None)
    for span in request_window.spans(*window, longest):
        pull.write_span(request_window, span)


@dataclass(frozen=True)
class _StreamPull:
    """One stream's requests for one account, written page by page into one unit."""

    client: ApiClient
    writer: SpoolWriter
    spec: StreamSpec
    account: str
    query: dict[str, Any]
    page_size: int
    shape: Shape

    def write(self, query: dict[str, Any]) -> None:
        path = self.spec.path.format(account_id=self.account)
        pages = self.client.spec_pages(
            self.spec, path, query, account=self.account, page_size=self.page_size
        )
        for page in pages:
            self.writer.write_page(self.shape(page))

    def write_span(self, request_window: RequestWindow, span: tuple[date, date]) -> None:
        """Write one span; on "query too large" redo it in the window's shorter spans."""
        first, last = span
        mark = self.writer.page_count
        try:
            self.write({**self.query, **request_window.params(first, last)})
            return
        except QueryTooLargeError as exc:
            self.writer.truncate(mark)
            problem = str(exc)
        days = (last - first).days + 1
        step = next((n for n in request_window.shrink_days if n < days), None)
        platform = self.client.platform
        if step is None:
            raise FatalApiError(
                f"{platform} still finds the {self.spec.name} query for account {self.account} "
                f"on {first} too large ({problem}). Lower {self.client.page_size_setting} or "
                "report a connector bug.",
                platform=platform,
                account=self.account,
            )
        log.info(
            "%s account %s: %s; splitting %s..%s into %d-day spans",
            platform,
            self.account,
            problem,
            first,
            last,
            step,
        )
        for sub in request_window.spans(first, last, step):
            self.write_span(request_window, sub)


def write_batches(writer: SpoolWriter, rows: Iterable[dict[str, Any]]) -> None:
    """Write rows built one by one as files of :data:`ROWS_PER_FILE` rows."""
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == ROWS_PER_FILE:
            writer.write_page(batch)
            batch = []
    if batch:
        writer.write_page(batch)

"""Pulling one insights stream of one ad account into a spool unit, sync or async.

Short ranges use the synchronous edge. Ranges longer than ``META_ASYNC_THRESHOLD_DAYS``, and
ranges the synchronous edge refuses as too large, go through an async report run. A run that
fails as too large (or times out), or whose result pages are refused as too large, is split
into halves; one that fails otherwise or is skipped is resubmitted a few times first. Every
retry first removes the pages it wrote.

A one-day run cannot be split: when Meta refuses one of its result pages as too large, that
page is asked for again with half the ``limit`` (``META_PAGE_LIMIT`` at first) from the same
cursor, each halving logged as a warning, down to :data:`MIN_PAGE_LIMIT` rows. A page refused
at that size fails the account with a message naming the day and the page size.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from connectors.common.errors import FatalApiError, QueryTooLargeError, RetriesExhaustedError
from connectors.common.spool import SpoolWriter
from connectors.common.streams import StreamSpec
from connectors.meta.client import MetaClient
from connectors.meta.errors import PLATFORM, PageTooLargeError
from connectors.meta.report_runs import JobFailure, run_report
from connectors.meta.streams import attribution_windows_param, takes_attribution_windows

log = logging.getLogger(__name__)

#: Resubmissions of a failed or skipped report run before it is split (or given up).
MAX_RESUBMITS = 2
#: Smallest result page (rows) asked for when Meta refuses the pages of a one-day report run.
MIN_PAGE_LIMIT = 100


@dataclass(frozen=True)
class InsightsPull:
    """One (stream, account) unit being written."""

    api: MetaClient
    writer: SpoolWriter
    spec: StreamSpec
    account: str

    @property
    def path(self) -> str:
        return self.spec.path.format(account_id=self.account)

    def params(self, start: date, end: date) -> dict[str, Any]:
        """The stream's parameters for ``start..end`` with the configured page size and,
        for streams with actions, the configured attribution windows."""
        params = {
            **self.spec.params,
            "time_range": json.dumps({"since": start.isoformat(), "until": end.isoformat()}),
            "limit": str(self.api.settings.page_limit),
        }
        if takes_attribution_windows(self.spec):
            windows = self.api.settings.attribution_windows
            params["action_attribution_windows"] = attribution_windows_param(windows)
        return params


def pull_insights(pull: InsightsPull, start: date, end: date) -> None:
    """Write every row of ``start..end`` into the unit (sync or async, see the module doc)."""
    if (end - start).days + 1 > pull.api.settings.async_threshold_days:
        _pull_async(pull, start, end)
    else:
        _pull_sync(pull, start, end)


def _pull_sync(pull: InsightsPull, start: date, end: date) -> None:
    mark = pull.writer.page_count
    try:
        for page in pull.api.pages(pull.path, pull.params(start, end), account=pull.account):
            pull.writer.write_page(page)
        return
    except QueryTooLargeError as exc:
        pull.writer.truncate(mark)
        log.info("Meta account %s: %s; using an async report run", pull.account, exc)
    _pull_async(pull, start, end)


def _pull_async(pull: InsightsPull, start: date, end: date, attempt: int = 0) -> None:
    outcome = run_report(pull.api, pull.path, pull.params(start, end), pull.account)
    if isinstance(outcome, str):
        mark = pull.writer.page_count
        try:
            _write_results(pull, outcome, start, end)
            return
        except QueryTooLargeError as exc:
            pull.writer.truncate(mark)
            outcome = JobFailure("results refused", exc.code, exc.subcode, str(exc))
    log.warning(
        "Meta account %s: report run for %s..%s ended %s",
        pull.account,
        start,
        end,
        outcome.describe(),
    )
    if not outcome.too_large and attempt < MAX_RESUBMITS:
        _pull_async(pull, start, end, attempt + 1)
    elif start < end:
        middle = start + timedelta(days=(end - start).days // 2)
        _pull_async(pull, start, middle)
        _pull_async(pull, middle + timedelta(days=1), end)
    elif outcome.too_large:
        raise _refused(
            pull,
            f"cannot build the {pull.spec.name} report",
            start,
            f"even as a one-day async report ({outcome.describe()})",
            "Reduce the breakdowns or fields of this stream, or raise "
            "META_ASYNC_JOB_TIMEOUT_SECONDS.",
            outcome,
        )
    else:
        raise RetriesExhaustedError(
            f"Meta async report runs for ad account {pull.account} on {start} kept failing "
            f"({outcome.describe()}) after {MAX_RESUBMITS + 1} attempts; re-run the window later."
        )


def _write_results(pull: InsightsPull, run_id: str, start: date, end: date) -> None:
    """Write a completed run's result pages; a one-day run's refused pages shrink instead."""
    params = {"limit": str(pull.api.settings.page_limit)}
    floor = MIN_PAGE_LIMIT if start == end else None
    pages = pull.api.shrinking_pages(
        f"{run_id}/insights", params, account=pull.account, limit_floor=floor
    )
    try:
        for page in pages:
            pull.writer.write_page(page)
    except PageTooLargeError as exc:
        raise _refused(
            pull,
            f"refuses the {pull.spec.name} results",
            start,
            f"even in pages of {exc.limit} rows ({exc})",
            "Reduce the breakdowns or fields of this stream.",
            exc,
        ) from exc


def _refused(
    pull: InsightsPull,
    what: str,
    day: date,
    how: str,
    remedy: str,
    cause: JobFailure | PageTooLargeError,
) -> FatalApiError:
    """The fatal error for a one-day report Meta will not deliver at its smallest size."""
    return FatalApiError(
        f"Meta {what} for ad account {pull.account} on {day} {how}. {remedy}",
        platform=PLATFORM,
        code=cause.code,
        subcode=cause.subcode,
        account=pull.account,
    )

"""Async insights report runs: create a job, poll it with backoff, hand back its id or why not.

``POST act_{id}/insights`` answers ``{"report_run_id": ...}``; ``GET /{id}`` shows
``async_status`` and ``async_percent_completion``. A job is done only at ``Job Completed``
with 100 %; ``Job Failed`` (v25.0+: ``error_code``, ``error_subcode``, ``error_message``) and
``Job Skipped`` end it, and so does the job timeout setting. Results are read by the caller
from ``GET /{id}/insights`` with the usual paging.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from connectors.common.errors import FatalApiError
from connectors.meta.client import MetaClient
from connectors.meta.errors import PLATFORM, SHRINK_CODES

log = logging.getLogger(__name__)

COMPLETED = "Job Completed"
FAILED = "Job Failed"
SKIPPED = "Job Skipped"
TIMED_OUT = "timed out"


@dataclass(frozen=True)
class JobFailure:
    """Why a report run produced no results."""

    status: str
    code: int | None = None
    subcode: int | None = None
    message: str = ""

    @property
    def too_large(self) -> bool:
        """Meta (or the clock) says the report is too big: ask for less, not again."""
        return self.status == TIMED_OUT or (self.code, self.subcode) in SHRINK_CODES

    def describe(self) -> str:
        """One line for logs and error messages."""
        code = f" (code {self.code}, subcode {self.subcode})" if self.code is not None else ""
        detail = f": {self.message}" if self.message else ""
        return f"{self.status}{code}{detail}"


def run_report(
    api: MetaClient, path: str, params: Mapping[str, Any], account: str
) -> str | JobFailure:
    """Create a report run and poll it until it ends.

    Waits ``async_poll_seconds`` before the first poll and doubles the wait up to
    ``async_poll_max_seconds``; gives up after ``async_job_timeout_seconds``.

    Args:
        api: The Meta client (its ``sleep`` and ``clock`` pace the polls).
        path: The insights edge, e.g. ``act_123/insights``.
        params: The same parameters a synchronous call would send.
        account: Ad account id, for messages.

    Returns:
        The report run id when the job completed, else a :class:`JobFailure`.

    Raises:
        FatalApiError: Meta did not answer with a report run id.
    """
    meta = api.settings
    created = api.post(path, params, account=account)
    run_id = str(created.get("report_run_id") or "").strip()
    if not run_id.isdigit():
        raise FatalApiError(
            f"Meta did not return a report_run_id for ad account {account}'s async insights "
            "report; check META_API_VERSION.",
            platform=PLATFORM,
            account=account,
        )
    deadline = api.clock() + meta.async_job_timeout_seconds
    delay = meta.async_poll_seconds
    while True:
        api.sleep(delay)
        node = api.get(
            run_id,
            {
                "fields": "id,async_status,async_percent_completion,"
                "error_code,error_subcode,error_message"
            },
            account=account,
        )
        status = str(node.get("async_status") or "")
        percent = _int(node.get("async_percent_completion")) or 0
        log.debug("Meta account %s: report run %s %s %d%%", account, run_id, status, percent)
        if status == COMPLETED and percent >= 100:
            return run_id
        if status in (FAILED, SKIPPED):
            return JobFailure(
                status,
                _int(node.get("error_code")),
                _int(node.get("error_subcode")),
                str(node.get("error_message") or ""),
            )
        if api.clock() >= deadline:
            return JobFailure(TIMED_OUT, message=f"not complete after {percent}%")
        delay = min(delay * 2, meta.async_poll_max_seconds)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None

"""Async insights report runs: ``POST .../insights`` creates one, polls move it along.

A job's fate is fixed when it is created (normally completion; a fault can make it fail,
be skipped or stall). Each status poll advances it one step, so clients see the real
lifecycle: ``Job Not Started`` -> ``Job Running`` (growing percentage) -> ``Job Completed``
at 100 %. Failed jobs carry the v25.0 error fields. Results (numbers as of the job's
creation) are served by ``GET /{report_run_id}/insights`` with the sync edge's paging.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandbox.meta.errors import MetaError, unknown_object
from sandbox.meta.insights import InsightsQuery
from sandbox.meta.scenario import Account

FATE_COMPLETE = "complete"
FATE_FAILED = "failed"
FATE_SKIPPED = "skipped"
FATE_STALLED = "stalled"

#: Status polls until a healthy job completes (the first poll sees ``Job Not Started``).
DEFAULT_POLLS_TO_COMPLETE = 3


@dataclass
class ReportRun:
    """One async job: what it computes, when it was asked for, and how it ends."""

    id: str
    account: Account
    query: InsightsQuery
    created_at: datetime
    fate: str = FATE_COMPLETE
    error: MetaError | None = None
    polls: int = 0

    def _state(self, polls_to_complete: int) -> tuple[str, int]:
        if self.polls <= 1:
            return "Job Not Started", 0
        if self.fate == FATE_FAILED:
            return "Job Failed", 0
        if self.fate == FATE_SKIPPED:
            return "Job Skipped", 0
        if self.fate == FATE_STALLED or self.polls < polls_to_complete:
            return "Job Running", min(99, 100 * (self.polls - 1) // polls_to_complete)
        return "Job Completed", 100

    def node(self, polls_to_complete: int) -> dict[str, Any]:
        """The ``AdReportRun`` object a status poll answers."""
        status, percent = self._state(polls_to_complete)
        obj: dict[str, Any] = {
            "id": self.id,
            "account_id": self.account.account_id,
            "time_ref": int(self.created_at.timestamp()),
            "async_status": status,
            "async_percent_completion": percent,
            "date_start": self.query.since.isoformat(),
            "date_stop": self.query.until.isoformat(),
        }
        if status == "Job Completed":
            obj["time_completed"] = int(self.created_at.timestamp()) + 2 * self.polls
        if status == "Job Failed" and self.error is not None:
            obj.update(
                error_code=self.error.code,
                error_subcode=self.error.subcode,
                error_message=self.error.message,
                error_user_title=self.error.user_title or "Report Failed",
                error_user_msg=self.error.user_msg or self.error.message,
            )
        return obj


class ReportRuns:
    """The jobs a stand-in server holds (thread-safe)."""

    def __init__(self, polls_to_complete: int = DEFAULT_POLLS_TO_COMPLETE) -> None:
        if polls_to_complete < 1:
            raise ValueError("polls_to_complete must be >= 1")
        self.polls_to_complete = polls_to_complete
        self._lock = threading.Lock()
        self._runs: dict[str, ReportRun] = {}
        self._ids = itertools.count(6044775548468)

    def create(self, run: ReportRun) -> str:
        """Register a job built by the caller (its ``id`` is assigned here)."""
        with self._lock:
            run.id = str(next(self._ids))
            self._runs[run.id] = run
        return run.id

    def find(self, run_id: str) -> ReportRun | None:
        with self._lock:
            return self._runs.get(run_id)

    def poll(self, run_id: str) -> tuple[ReportRun, dict[str, Any]]:
        """Advance a job one step and return it with its status object."""
        with self._lock:
            run = self._runs.get(run_id)
            if run is None:
                raise unknown_object(run_id)
            run.polls += 1
            return run, run.node(self.polls_to_complete)

    def results(self, run_id: str) -> ReportRun:
        """A completed job (Meta refuses results of unfinished or failed jobs)."""
        run = self.find(run_id)
        if run is None:
            raise unknown_object(run_id)
        if run._state(self.polls_to_complete)[0] != "Job Completed":
            raise MetaError(
                100,
                f"(#100) The report run {run_id} is not complete; poll its async_status first.",
            )
        return run

"""The stand-in Graph API (``graph.facebook.com``): auth, routing, paging, usage, errors.

"Now" (for ``date_preset``, time zone offsets and how far conversions have matured) is the
``X-Sandbox-Now`` request header when a test sends one, else the server's clock: by default
``SANDBOX_NOW`` (ISO 8601, read on every request, UTC without an offset), else real time.
"""

from __future__ import annotations

import itertools
import re
from datetime import datetime
from typing import Any

from sandbox.clock import Clock, parse_now, sandbox_now
from sandbox.faults import ASYNC_JOB_KINDS, FaultRule
from sandbox.meta import entities, errors, insights, versions
from sandbox.meta.errors import MetaError
from sandbox.meta.paging import paged
from sandbox.meta.report_runs import (
    DEFAULT_POLLS_TO_COMPLETE,
    FATE_COMPLETE,
    ReportRun,
    ReportRuns,
)
from sandbox.meta.restatement import MaturingConversions, RestatementModel
from sandbox.meta.scenario import Account, Scenario, configured_scenario
from sandbox.meta.usage import UsageMeter
from sandbox.routing import Request, Response

HOST = "graph.facebook.com"

_VERSION = re.compile(r"^v\d+\.\d+$")
_ACCOUNT = re.compile(r"^act_(\d+)$")
_REPORT_RUN = re.compile(r"^\d+$")
NOW_HEADER = "x-sandbox-now"
_FATES = {"async_failed": "failed", "async_skipped": "skipped", "async_stalled": "stalled"}


class MetaGraphApi:
    """Serves the Marketing API read surface for one scenario and seed.

    Args:
        seed: data seed.
        token: the only access token accepted.
        scenario: the advertiser (default :func:`configured_scenario`).
        restatement: what a pull at a given time sees (default
            :class:`MaturingConversions` with its default horizon).
        clock: current time, for ``date_preset``, time zone offsets and restatements.
        polls_to_complete: status polls until a healthy async report job completes.
    """

    host = HOST

    def __init__(
        self,
        *,
        seed: int,
        token: str,
        scenario: Scenario | None = None,
        restatement: RestatementModel | None = None,
        clock: Clock = sandbox_now,
        polls_to_complete: int = DEFAULT_POLLS_TO_COMPLETE,
    ) -> None:
        self.seed = seed
        self.scenario = scenario or configured_scenario()
        self._token = token
        self._restatement = restatement or MaturingConversions()
        self._clock = clock
        self._usage = UsageMeter()
        self._trace = itertools.count(1)
        self.report_runs = ReportRuns(polls_to_complete)

    def handle(self, request: Request, subpath: str, fault: FaultRule | None) -> Response:
        """Answer one request under ``/graph.facebook.com``; errors become Meta envelopes."""
        segments = [s for s in subpath.split("/") if s]
        usage_key, use_case = self._usage_scope(segments)
        override = fault.usage_pct if fault else None
        regain = fault.regain_minutes if fault else 0
        headers = self._usage.record(
            usage_key, use_case, override_pct=override, regain_minutes=regain
        )
        try:
            if fault is not None and fault.kind == "meta_error" and _refuses(fault, request):
                raise MetaError.from_fault(fault)
            token = errors.checked_token(request, self._token)
            job_fault = fault if fault is not None and fault.kind in ASYNC_JOB_KINDS else None
            payload = self._route(request, segments, token, job_fault)
        except MetaError as exc:
            return Response.json(exc.status, exc.envelope(next(self._trace)), headers)
        return Response.json(200, payload, headers)

    def _usage_scope(self, segments: list[str]) -> tuple[str, str]:
        account = _ACCOUNT.match(segments[1]) if len(segments) > 1 else None
        key = account.group(1) if account else self.scenario.business_id
        use_case = "ads_insights" if segments[-1:] == ["insights"] else "ads_management"
        return key, use_case

    def now(self, request: Request) -> datetime:
        """The request's notion of now: the ``X-Sandbox-Now`` header, else the clock."""
        raw = request.header(NOW_HEADER)
        if not raw:
            return self._clock()
        try:
            return parse_now(raw)
        except ValueError as exc:
            raise errors.invalid_parameter(f"Header X-Sandbox-Now must be ISO 8601: {raw}") from exc

    def _route(
        self, request: Request, segments: list[str], token: str, job_fault: FaultRule | None
    ) -> dict[str, Any]:
        if request.method not in ("GET", "POST"):
            raise errors.unsupported_method(request.method)
        if not segments or not _VERSION.match(segments[0]):
            raise errors.unknown_object(segments[0] if segments else "")
        if versions.is_expired(segments[0], self.now(request).date()):
            raise versions.deprecated_version()
        if len(segments) > 3:
            raise errors.unknown_path("/".join(segments[3:]))
        node = segments[1] if len(segments) > 1 else ""
        edge = segments[2] if len(segments) > 2 else None
        match = _ACCOUNT.match(node)
        account = self.scenario.account(match.group(1)) if match else None
        if request.method == "POST":
            if account is None or edge != "insights":
                raise errors.unsupported_method(request.method)
            return self._create_report_run(request, account, job_fault)
        if node == "me":
            return self._me(request, edge, token)
        if account is None and _REPORT_RUN.match(node):
            return self._report_run(request, node, edge, token)
        if account is None:
            raise errors.unknown_object(node)
        return self._account(request, account, edge, token)

    def _account(
        self, request: Request, account: Account, edge: str | None, token: str
    ) -> dict[str, Any]:
        """``GET /act_{id}`` and its edges."""
        if edge is None:
            fields = entities.parse_fields(request.param("fields"), ("id", "account_id"))
            obj = entities.account_object(account, self.scenario, self.now(request))
            return entities.select(obj, fields, "AdAccount")
        if edge == "insights":
            return self._insights(request, account, token)
        if edge in entities.EDGES:
            return self._edge(request, account, edge, token)
        raise errors.unknown_path(edge)

    def _me(self, request: Request, edge: str | None, token: str) -> dict[str, Any]:
        if edge is None:
            return {"id": self.scenario.business_id, "name": "Sandbox Marketing API User"}
        if edge != "adaccounts":
            raise errors.unknown_path(edge)
        fields = entities.parse_fields(request.param("fields"), ("id", "account_id"))
        now = self.now(request)
        objects = [
            entities.select(entities.account_object(a, self.scenario, now), fields, "AdAccount")
            for a in self.scenario.accounts
        ]
        return self._page(objects, request, token)

    def _edge(self, request: Request, account: Account, edge: str, token: str) -> dict[str, Any]:
        node_type, build = entities.EDGES[edge]
        fields = entities.parse_fields(request.param("fields"), ("id",))
        wanted = entities.status_filter(request.param("effective_status"))
        objects = [
            entities.select(o, fields, node_type)
            for o in build(self.scenario, account)
            if entities.visible(o, wanted)
        ]
        return self._page(objects, request, token)

    def _page(self, objects: list[dict[str, Any]], request: Request, token: str) -> dict[str, Any]:
        page, paging = paged(objects, request, token, insights.page_limit(request.param("limit")))
        return _envelope(list(page), paging)

    def _insights(self, request: Request, account: Account, token: str) -> dict[str, Any]:
        now = self.now(request)
        query = insights.parse_query(dict(request.query), now.date())
        return self._insights_page(request, account, query, now, token)

    def _insights_page(
        self,
        request: Request,
        account: Account,
        query: insights.InsightsQuery,
        now: datetime,
        token: str,
        limit: int | None = None,
    ) -> dict[str, Any]:
        groups = insights.aggregate(
            self.scenario, self.seed, account, query, self._restatement, now
        )
        page, paging = paged(groups, request, token, limit or query.limit)
        rows = [insights.render_row(g, query, self.scenario, account) for g in page]
        return _envelope(rows, paging)

    def _create_report_run(
        self, request: Request, account: Account, job_fault: FaultRule | None
    ) -> dict[str, Any]:
        """``POST /act_{id}/insights``: validate like the sync edge, then queue a job."""
        now = self.now(request)
        query = insights.parse_query(dict(request.query), now.date())
        run = ReportRun("", account, query, now)
        if job_fault is not None:
            run.fate = _FATES[job_fault.kind]
            run.error = MetaError(
                job_fault.code,
                job_fault.message,
                subcode=job_fault.subcode,
                user_title="Report Failed",
            )
        else:
            run.fate = FATE_COMPLETE
        return {"report_run_id": self.report_runs.create(run)}

    def _report_run(
        self, request: Request, run_id: str, edge: str | None, token: str
    ) -> dict[str, Any]:
        """``GET /{report_run_id}`` (one status poll) or ``GET /{report_run_id}/insights``."""
        if edge is None:
            _, node = self.report_runs.poll(run_id)
            return node
        if edge != "insights":
            raise errors.unknown_path(edge)
        run = self.report_runs.results(run_id)
        limit = insights.page_limit(request.param("limit"))
        return self._insights_page(request, run.account, run.query, run.created_at, token, limit)


def _refuses(fault: FaultRule, request: Request) -> bool:
    """Whether a ``meta_error`` fault applies: always, or to pages over its ``max_limit``."""
    if fault.max_limit is None:
        return True
    asked = insights.page_limit(request.param("limit"))
    return request.method == "GET" and asked > fault.max_limit


def _envelope(data: list[dict[str, Any]], paging: dict[str, Any] | None) -> dict[str, Any]:
    return {"data": data, "paging": paging} if paging else {"data": data}

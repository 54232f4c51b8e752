"""The stand-in Graph API (``graph.facebook.com``): auth, routing, paging, usage, errors."""

from __future__ import annotations

import hmac
import itertools
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sandbox.faults import FaultRule
from sandbox.meta import entities, errors, insights
from sandbox.meta.errors import MetaError
from sandbox.meta.paging import paged
from sandbox.meta.restatement import FinalValues, RestatementModel
from sandbox.meta.scenario import Account, Scenario, build_scenario
from sandbox.meta.usage import UsageMeter
from sandbox.routing import Request, Response

HOST = "graph.facebook.com"

_VERSION = re.compile(r"^v\d+\.\d+$")
_ACCOUNT = re.compile(r"^act_(\d+)$")

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class MetaGraphApi:
    """Serves the Marketing API read surface for one scenario and seed.

    Args:
        seed: data seed.
        token: the only access token accepted.
        scenario: the advertiser (default :func:`build_scenario`).
        restatement: what a pull at a given time sees (default final numbers).
        clock: current time, for ``date_preset`` and account time zone offsets.
    """

    host = HOST

    def __init__(
        self,
        *,
        seed: int,
        token: str,
        scenario: Scenario | None = None,
        restatement: RestatementModel | None = None,
        clock: Clock = _utcnow,
    ) -> None:
        self.seed = seed
        self.scenario = scenario or build_scenario()
        self._token = token
        self._restatement = restatement or FinalValues()
        self._clock = clock
        self._usage = UsageMeter()
        self._trace = itertools.count(1)

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
            if fault is not None and fault.kind == "meta_error":
                raise MetaError(
                    fault.code,
                    fault.message,
                    error_type=fault.error_type,
                    subcode=fault.subcode,
                    status=fault.status,
                    is_transient=fault.is_transient,
                )
            token = self._authenticate(request)
            payload = self._route(request, segments, token)
        except MetaError as exc:
            return Response.json(exc.status, exc.envelope(next(self._trace)), headers)
        return Response.json(200, payload, headers)

    def _usage_scope(self, segments: list[str]) -> tuple[str, str]:
        account = _ACCOUNT.match(segments[1]) if len(segments) > 1 else None
        key = account.group(1) if account else self.scenario.business_id
        use_case = "ads_insights" if segments[-1:] == ["insights"] else "ads_management"
        return key, use_case

    def _authenticate(self, request: Request) -> str:
        token = request.param("access_token")
        bearer = request.header("authorization") or ""
        if token is None and bearer.lower().startswith("bearer "):
            token = bearer[7:].strip()
        if not token:
            raise errors.missing_token()
        if not hmac.compare_digest(token.encode(), self._token.encode()):
            raise errors.invalid_token()
        return token

    def _route(self, request: Request, segments: list[str], token: str) -> dict[str, Any]:
        if request.method != "GET":
            raise errors.unsupported_method(request.method)
        if not segments or not _VERSION.match(segments[0]):
            raise errors.unknown_object(segments[0] if segments else "")
        if len(segments) > 3:
            raise errors.unknown_path("/".join(segments[3:]))
        node = segments[1] if len(segments) > 1 else ""
        edge = segments[2] if len(segments) > 2 else None
        if node == "me":
            return self._me(request, edge, token)
        match = _ACCOUNT.match(node)
        account = self.scenario.account(match.group(1)) if match else None
        if account is None:
            raise errors.unknown_object(node)
        if edge is None:
            fields = entities.parse_fields(request.param("fields"), ("id", "account_id"))
            obj = entities.account_object(account, self.scenario, self._clock())
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
        now = self._clock()
        objects = [
            entities.select(entities.account_object(a, self.scenario, now), fields, "AdAccount")
            for a in self.scenario.accounts
        ]
        return self._page(objects, request, token)

    def _edge(self, request: Request, account: Account, edge: str, token: str) -> dict[str, Any]:
        node_type, build = entities.EDGES[edge]
        fields = entities.parse_fields(request.param("fields"), ("id",))
        objects = [entities.select(o, fields, node_type) for o in build(self.scenario, account)]
        return self._page(objects, request, token)

    def _page(self, objects: list[dict[str, Any]], request: Request, token: str) -> dict[str, Any]:
        page, paging = paged(objects, request, token, insights.page_limit(request.param("limit")))
        return _envelope(list(page), paging)

    def _insights(self, request: Request, account: Account, token: str) -> dict[str, Any]:
        now = self._clock()
        query = insights.parse_query(dict(request.query), now.date())
        groups = insights.aggregate(
            self.scenario, self.seed, account, query, self._restatement, now
        )
        page, paging = paged(groups, request, token, query.limit)
        rows = [insights.render_row(g, query, self.scenario, account) for g in page]
        return _envelope(rows, paging)


def _envelope(data: list[dict[str, Any]], paging: dict[str, Any] | None) -> dict[str, Any]:
    return {"data": data, "paging": paging} if paging else {"data": data}

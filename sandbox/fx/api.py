"""The ECB website's rate files under ``/www.ecb.europa.eu/`` (public, no authentication)."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from sandbox.fx.render import render_history_csv
from sandbox.fx.scenario import FxScenario, build_fx_scenario
from sandbox.routing import Request, Response

if TYPE_CHECKING:
    from sandbox.faults import FaultRule

HISTORY_PATH = "/stats/eurofxref/eurofxref-hist.csv"
_HTML = "text/html; charset=UTF-8"


class EcbRatesApi:
    """Serves ``eurofxref-hist.csv``; anything else is the site's HTML 404 page.

    An ``api_error`` fault answers with the rule's ``status`` and an HTML error page, as a
    web server in front of a static file would.
    """

    host = "www.ecb.europa.eu"

    def __init__(self, seed: int, scenario: FxScenario | None = None) -> None:
        self.seed = seed
        self.scenario = scenario or build_fx_scenario()

    @cached_property
    def _history(self) -> bytes:
        return render_history_csv(self.seed, self.scenario).encode()

    def handle(self, request: Request, subpath: str, fault: FaultRule | None) -> Response:
        """Answer one request (see :class:`sandbox.routing.Platform`)."""
        if fault is not None and fault.kind == "api_error":
            return _page(fault.status, fault.message)
        if request.method not in ("GET", "HEAD"):
            return _page(405, "Method Not Allowed")
        if subpath != HISTORY_PATH:
            return _page(404, "Not Found")
        headers = {"Content-Disposition": "inline; filename=eurofxref-hist.csv"}
        return Response(200, self._history, headers, content_type="text/csv; charset=UTF-8")


def _page(status: int, message: str) -> Response:
    body = f"<html><head><title>{status}</title></head><body><h1>{message}</h1></body></html>"
    return Response(status, body.encode(), content_type=_HTML)

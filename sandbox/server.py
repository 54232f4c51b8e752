"""One local HTTP server for every stand-in API, with fault injection.

Each platform is served under the real host's name as first path segment, so clients
switch between the real API and the stand-in by base URL alone, e.g.
``http://127.0.0.1:8765/graph.facebook.com/v27.0/me/adaccounts``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from sandbox.clock import ENV_VAR as NOW_ENV_VAR
from sandbox.clock import parse_now
from sandbox.faults import BODY_KINDS, TRANSPORT_KINDS, FaultPlan, FaultRule, rewrite_body
from sandbox.fx.api import EcbRatesApi
from sandbox.instagram.api import InstagramApi
from sandbox.meta.api import MetaGraphApi
from sandbox.meta.restatement import model_for
from sandbox.meta.scenario import configured_scenario as configured_meta_scenario
from sandbox.routing import Request, Response, Router
from sandbox.threads.api import ThreadsApi
from sandbox.tiktok.api import TikTokBusinessApi
from sandbox.tiktok.scenario import configured_scenario as configured_tiktok_scenario
from sandbox.tiktok_shop.api import ShopStandInConfig, TikTokShopApi
from socialmart.settings import (
    SANDBOX_INSTAGRAM_TOKEN,
    SANDBOX_META_TOKEN,
    SANDBOX_THREADS_TOKEN,
    SANDBOX_TIKTOK_TOKEN,
    load_settings,
)

log = logging.getLogger(__name__)

#: Opt-in request log (``python -m sandbox serve --request-log F``, default this variable):
#: one JSON line per served request, for benchmarks that prove nothing was pulled twice.
REQUEST_LOG_ENV_VAR = "SANDBOX_REQUEST_LOG"
#: Query parameters never written to the request log (credentials and request signatures).
SECRET_PARAMS = frozenset({"access_token", "app_key", "app_secret", "secret", "sign"})


@dataclass(frozen=True)
class RequestRecord:
    """One served request, token-free, for tests and logs."""

    method: str
    path: str
    status: int | None  # None when the connection was reset
    fault: str | None


class SandboxServer(ThreadingHTTPServer):
    """``ThreadingHTTPServer`` carrying the router, the fault plan and a request log."""

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        router: Router,
        faults: FaultPlan | None,
        request_log: Path | None = None,
    ) -> None:
        super().__init__(address, _Handler)
        self.router = router
        self.faults = faults
        self.request_log = request_log
        self.stopping = threading.Event()
        self.requests: list[RequestRecord] = []
        self._log_lock = threading.Lock()

    def record(self, entry: RequestRecord, request: Request) -> None:
        with self._log_lock:
            self.requests.append(entry)
            if self.request_log is not None:
                with self.request_log.open("a", encoding="utf-8") as out:
                    out.write(json.dumps(log_line(entry, request)) + "\n")


def log_line(entry: RequestRecord, request: Request) -> dict[str, Any]:
    """The request log's line for a served request: no credential, no signature, no header;
    the body only as its SHA-256 (TikTok Shop's filters travel in it)."""
    return {
        "method": entry.method,
        "path": entry.path,
        "query": [[k, v] for k, v in request.query if k not in SECRET_PARAMS],
        "body_sha256": hashlib.sha256(request.body).hexdigest() if request.body else None,
        "status": entry.status,
        "fault": entry.fault,
    }


class _Handler(BaseHTTPRequestHandler):
    server: SandboxServer
    protocol_version = "HTTP/1.1"
    server_version = "socialmart-sandbox"
    # Headers and body go out as separate small writes; with Nagle's algorithm on, each
    # kept-alive request then waits ~40 ms for the client's delayed ACK.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch(self._read_body())

    def do_DELETE(self) -> None:
        self._dispatch()

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _request(self, body: bytes = b"") -> Request:
        parts = urlsplit(self.path)
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        return Request(
            method=self.command,
            path=parts.path,
            query=tuple(parse_qsl(parts.query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in self.headers.items()},
            host=host,
            body=body,
        )

    def _dispatch(self, body: bytes = b"") -> None:
        request = self._request(body)
        fault = self.server.faults.next_fault(request.path) if self.server.faults else None
        kind = fault.kind if fault else None
        # Recorded before the client can see the answer, so a client that got its response
        # (or its reset) finds the request in the log.
        if kind == "reset":
            self.server.record(RequestRecord(request.method, request.path, None, kind), request)
            self._reset()
            return
        if fault is not None and kind == "slow":
            self.server.stopping.wait(fault.seconds)
        response = self._answer(request, fault)
        if kind in BODY_KINDS and response.status < 300:
            response.body = rewrite_body(kind, response.body)
        if kind == "truncated":
            response.body = response.body[: len(response.body) // 2]
            self.close_connection = True
        entry = RequestRecord(request.method, request.path, response.status, kind)
        self.server.record(entry, request)
        self._send(response)

    def _answer(self, request: Request, fault: FaultRule | None) -> Response:
        if fault is not None and fault.kind in ("http_500", "http_503", "http_504"):
            return _server_error(fault)
        resolved = self.server.router.resolve(request.path)
        if resolved is None:
            hosts = ", ".join(self.server.router.hosts)
            return Response.json(404, {"error": {"message": f"unknown API host; serving {hosts}"}})
        platform, subpath = resolved
        api_fault = fault if fault is not None and fault.kind not in TRANSPORT_KINDS else None
        return platform.handle(request, subpath, api_fault)

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(response.body)

    def _reset(self) -> None:
        """Drop the connection with a TCP RST, without any response bytes."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # The default access log prints the raw path, whose query carries access_token.
        log.debug("%s %s -> %s", self.command, urlsplit(self.path).path, code)

    def log_message(self, format: str, *args: object) -> None:
        log.debug("sandbox: " + format, *args)


def _server_error(fault: FaultRule) -> Response:
    status = {"http_500": 500, "http_503": 503, "http_504": 504}[fault.kind]
    reason = {500: "Internal Server Error", 503: "Service Unavailable", 504: "Gateway Time-out"}[
        status
    ]
    headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
    body = f"<html><body><h1>{status} {reason}</h1></body></html>".encode()
    return Response(status, body, headers, content_type="text/html; charset=UTF-8")


def make_server(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    seed: int,
    meta_token: str = SANDBOX_META_TOKEN,
    tiktok_shop: ShopStandInConfig | None = None,
    faults: FaultPlan | None = None,
    request_log: Path | None = None,
    account_copies: int | None = None,
) -> SandboxServer:
    """Build (not start) the sandbox server.

    Args:
        host: interface to bind.
        port: port to bind; 0 picks a free one (see ``server.server_address``).
        seed: data seed for every platform.
        meta_token: the access token the Meta stand-in accepts.
        tiktok_shop: TikTok Shop stand-in credentials and switches (default: the sandbox
            ones, with ``SANDBOX_NOW`` as the scenario's now).
        faults: fault plan; None serves without faults.
        request_log: append every served request to this file (:func:`log_line`); None: no log.
        account_copies: copies of the Meta ad accounts and TikTok advertisers to serve
            (default ``SANDBOX_ACCOUNT_COPIES``).

    Returns:
        The bound server; call ``serve_forever()`` to run it.
    """
    router = Router(
        [
            MetaGraphApi(
                seed=seed,
                token=meta_token,
                restatement=model_for(load_settings().sandbox_meta_restatement_days),
                scenario=configured_meta_scenario(account_copies),
            ),
            TikTokBusinessApi(
                seed=seed,
                token=SANDBOX_TIKTOK_TOKEN,
                scenario=configured_tiktok_scenario(account_copies),
            ),
            TikTokShopApi(seed=seed, config=tiktok_shop or ShopStandInConfig.from_env()),
            ThreadsApi(seed=seed, token=SANDBOX_THREADS_TOKEN),
            InstagramApi(seed=seed, token=SANDBOX_INSTAGRAM_TOKEN),
            EcbRatesApi(seed=seed),
        ]
    )
    return SandboxServer((host, port), router, faults, request_log)


class RunningSandbox:
    """A sandbox server running in a background thread."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        # A short poll interval keeps stop() fast (shutdown waits for the next poll).
        self._thread = threading.Thread(
            target=server.serve_forever, args=(0.05,), name="sandbox", daemon=True
        )
        self._thread.start()

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT`` (platform prefixes go after it)."""
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def meta_base_url(self) -> str:
        """Stand-in for ``https://graph.facebook.com``."""
        return f"{self.base_url}/{MetaGraphApi.host}"

    @property
    def tiktok_shop_base_url(self) -> str:
        """Stand-in for ``https://open-api.tiktokglobalshop.com``."""
        return f"{self.base_url}/{TikTokShopApi.host}"

    @property
    def requests(self) -> list[RequestRecord]:
        """Requests served so far (paths without query, so without tokens)."""
        return list(self.server.requests)

    def stop(self) -> None:
        """Stop serving, wake sleeping ``slow`` faults and close the socket."""
        self.server.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)


@contextmanager
def serve_in_thread(
    host: str = "127.0.0.1", port: int = 0, **options: Any
) -> Iterator[RunningSandbox]:
    """Run the sandbox in a thread for the ``with`` block.

    Args:
        host: interface to bind.
        port: port to bind; 0 picks a free one.
        **options: the keyword arguments of :func:`make_server` (``seed`` required).

    Yields:
        The running sandbox; it stops when the block exits.
    """
    running = RunningSandbox(make_server(host, port, **options))
    try:
        yield running
    finally:
        running.stop()


def follow_clock(server: SandboxServer, clock_file: Path, stop: threading.Event) -> None:
    """Keep ``SANDBOX_NOW`` (and TikTok Shop's fixed "now") equal to ``clock_file``'s content,
    re-read every half second; without the file the stand-in follows the real time.

    `make soak` writes the file to follow each simulated day.
    """
    shop = next(
        (p for p in server.router._platforms.values() if isinstance(p, TikTokShopApi)), None
    )
    current: str | None = None
    while not stop.is_set():
        raw = clock_file.read_text().strip() if clock_file.exists() else ""
        if raw != current:
            current = raw
            if raw:
                os.environ[NOW_ENV_VAR] = raw
            else:
                os.environ.pop(NOW_ENV_VAR, None)
            if shop is not None:
                shop.config = dataclasses.replace(shop.config, now=parse_now(raw) if raw else None)
            log.info("stand-in clock: %s", raw or "real time")
        stop.wait(0.5)


def serve_forever(
    host: str,
    port: int,
    seed: int,
    *,
    meta_token: str = SANDBOX_META_TOKEN,
    faults: FaultPlan | None = None,
    clock_file: Path | None = None,
    request_log: Path | None = None,
    account_copies: int | None = None,
) -> None:
    """Serve until interrupted (Ctrl-C); for the command line.

    With ``clock_file`` the stand-in's "now" follows that file (:func:`follow_clock`); with
    ``request_log`` every served request is appended to it.
    """
    server = make_server(
        host,
        port,
        seed=seed,
        meta_token=meta_token,
        faults=faults,
        request_log=request_log,
        account_copies=account_copies,
    )
    stop = threading.Event()
    if clock_file:
        threading.Thread(
            target=follow_clock, args=(server, clock_file, stop), name="clock", daemon=True
        ).start()
    bound_host, bound_port = server.server_address[:2]
    log.info("sandbox serving on http://%s:%s (seed %s)", bound_host, bound_port, seed)
    try:
        server.serve_forever(0.2)
    except KeyboardInterrupt:
        log.info("sandbox stopping")
    finally:
        stop.set()
        server.stopping.set()
        server.server_close()

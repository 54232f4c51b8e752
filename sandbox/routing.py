"""Requests, responses and the router that sends each host-named path prefix to a platform.

A platform (Meta Graph API now; Threads and TikTok later) lives under the prefix of the
real host it stands in for, e.g. ``/graph.facebook.com/v27.0/me`` is Meta's ``/v27.0/me``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sandbox.faults import FaultRule


@dataclass(frozen=True)
class Request:
    """One HTTP request as the platforms see it.

    Attributes:
        method: HTTP method, upper case.
        path: full path without the query, e.g. ``/graph.facebook.com/v27.0/me``.
        query: query pairs in the order sent.
        headers: header names lower-cased.
        host: the ``Host`` header (``127.0.0.1:PORT``), used to build absolute links.
        body: the request body as received (empty without one), e.g. for signature checks.
    """

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    headers: Mapping[str, str]
    host: str
    body: bytes = b""

    def param(self, name: str) -> str | None:
        """The last value of query parameter ``name``, or None."""
        found = None
        for key, value in self.query:
            if key == name:
                found = value
        return found

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class Response:
    """What a platform answers; the server writes it to the socket."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=UTF-8"

    @classmethod
    def json(cls, status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
        body = json.dumps(payload, separators=(",", ":")).encode()
        return cls(status, body, dict(headers or {}))


class Platform(Protocol):
    """One stand-in API, served under ``/<host>/``."""

    host: str

    def handle(self, request: Request, subpath: str, fault: FaultRule | None) -> Response:
        """Answer ``request``; ``subpath`` is the path after the host prefix.

        ``fault`` is the API-level fault to apply (e.g. an error envelope or high usage
        headers), or None; transport-level faults never reach the platform.
        """
        ...


class Router:
    """Maps the first path segment (a real API host name) to its platform."""

    def __init__(self, platforms: Iterable[Platform]) -> None:
        self._platforms = {platform.host: platform for platform in platforms}

    def resolve(self, path: str) -> tuple[Platform, str] | None:
        """The platform for ``path`` and the rest of the path (starting with ``/``)."""
        host, _, rest = path.lstrip("/").partition("/")
        platform = self._platforms.get(host)
        return (platform, "/" + rest) if platform else None

    @property
    def hosts(self) -> tuple[str, ...]:
        return tuple(self._platforms)

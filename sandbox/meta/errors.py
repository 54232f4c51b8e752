"""Meta's Graph API error envelope and the errors the stand-in raises."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sandbox.routing import Request

if TYPE_CHECKING:
    from sandbox.faults import FaultRule

DOCS_URL = "https://developers.facebook.com/docs/graph-api"


@dataclass
class MetaError(Exception):
    """An error the Graph API answers with (HTTP 400 unless ``status`` says otherwise)."""

    code: int
    message: str
    error_type: str = "OAuthException"
    subcode: int | None = None
    status: int = 400
    is_transient: bool | None = None
    user_title: str | None = None
    user_msg: str | None = None

    @classmethod
    def from_fault(cls, fault: FaultRule) -> MetaError:
        """The error an injected ``meta_error`` fault answers with."""
        return cls(
            fault.code,
            fault.message,
            error_type=fault.error_type,
            subcode=fault.subcode,
            status=fault.status,
            is_transient=fault.is_transient,
        )

    def envelope(self, trace_seed: int) -> dict[str, Any]:
        """The ``{"error": {...}}`` body; ``error_subcode`` only when there is one."""
        error: dict[str, Any] = {"message": self.message, "type": self.error_type}
        error["code"] = self.code
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        if self.is_transient is not None:
            error["is_transient"] = self.is_transient
        if self.user_title is not None:
            error["error_user_title"] = self.user_title
        if self.user_msg is not None:
            error["error_user_msg"] = self.user_msg
        error["fbtrace_id"] = fbtrace_id(trace_seed)
        return {"error": error}


def fbtrace_id(n: int) -> str:
    """An opaque, Meta-looking trace ID (``A`` + 22 URL-safe characters)."""
    digest = hashlib.blake2b(str(n).encode(), digest_size=16).digest()
    return "A" + base64.urlsafe_b64encode(digest).decode()[:22]


def checked_token(request: Request, expected: str) -> str:
    """The request's access token (``access_token`` parameter or Bearer header), which must
    be ``expected``, as every Graph API stand-in (Meta, Threads, Instagram) checks it.

    Raises:
        MetaError: No token, or another one.
    """
    token = request.param("access_token")
    bearer = request.header("authorization") or ""
    if token is None and bearer.lower().startswith("bearer "):
        token = bearer[7:].strip()
    if not token:
        raise missing_token()
    if not hmac.compare_digest(token.encode(), expected.encode()):
        raise invalid_token()
    return token


def missing_token() -> MetaError:
    return MetaError(190, "An access token is required to request this resource.")


def invalid_token() -> MetaError:
    return MetaError(190, "Invalid OAuth access token - Cannot parse access token")


def unknown_object(object_id: str) -> MetaError:
    return MetaError(
        100,
        f"Unsupported get request. Object with ID '{object_id}' does not exist, cannot be "
        "loaded due to missing permissions, or does not support this operation. Please read "
        f"the Graph API documentation at {DOCS_URL}",
        error_type="GraphMethodException",
        subcode=33,
    )


def unknown_path(components: str) -> MetaError:
    return MetaError(2500, f"Unknown path components: {components}")


def unsupported_method(method: str) -> MetaError:
    return MetaError(
        100,
        f"Unsupported {method.lower()} request. Please read the Graph API documentation at "
        f"{DOCS_URL}",
        error_type="GraphMethodException",
    )


def invalid_parameter(detail: str) -> MetaError:
    return MetaError(100, f"(#100) {detail}")


def nonexisting_field(name: str, node_type: str) -> MetaError:
    return invalid_parameter(
        f"Tried accessing nonexisting field ({name}) on node type ({node_type})"
    )


def invalid_cursor() -> MetaError:
    return MetaError(2642, "(#2642) Invalid cursors values")

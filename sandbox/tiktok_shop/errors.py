"""TikTok Shop's error envelope and the errors the stand-in answers with.

Only the ``105xxx`` (token) and ``360xxx`` (authorization) families are documented in the
reference; the other codes here are the stand-in's own choices and are configurable where
the real value is unknown (bad signature, expired timestamp).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

INVALID_TOKEN = 105002
SHOP_NOT_AUTHORIZED = 36009004
INVALID_PARAMS = 40006
UNKNOWN_PATH = 40404

#: Ready-made ``api_error`` fault rules for tests and fault plans.
FAULT_PRESETS: dict[str, dict[str, Any]] = {
    "rate_limit": {"kind": "api_error", "code": 40100, "message": "App reaches the QPS limit."},
    "system_error": {"kind": "api_error", "code": 50000, "message": "System error."},
    "expired_token": {
        "kind": "api_error",
        "code": 105001,
        "message": "The access token has expired, please refresh it.",
    },
    "not_authorized": {
        "kind": "api_error",
        "code": SHOP_NOT_AUTHORIZED,
        "message": "The seller has not authorized this app for the shop.",
    },
}


@dataclass
class ShopError(Exception):
    """An error the Shop API answers with (non-zero ``code`` in the usual envelope)."""

    code: int
    message: str

    def envelope(self, request_id: str) -> dict[str, Any]:
        """``{"code": ..., "message": ..., "request_id": ..., "data": {}}``."""
        return {"code": self.code, "message": self.message, "request_id": request_id, "data": {}}

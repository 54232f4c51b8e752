"""Request signing of the TikTok Shop Open API (reference section 6).

The string to sign is the URL path, then every query parameter except ``sign`` and
``access_token`` as ``key`` + ``value`` in key order, then the JSON body exactly as sent (when
there is one and it is not multipart); it is wrapped in the app secret on both sides and
signed with HMAC-SHA256 keyed by the secret; ``sign`` is the lower-case hex digest.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from typing import Any

UNSIGNED_PARAMS = frozenset({"sign", "access_token"})


def string_to_sign(path: str, query: Mapping[str, Any], body: bytes | None) -> str:
    """The text between the two copies of the secret (see the module docstring)."""
    params = "".join(f"{key}{query[key]}" for key in sorted(query) if key not in UNSIGNED_PARAMS)
    return path + params + (body.decode() if body else "")


def sign(path: str, query: Mapping[str, Any], body: bytes | None, app_secret: str) -> str:
    """The ``sign`` parameter of a request.

    Args:
        path: URL path below the API host, e.g. ``/affiliate_seller/202410/orders/search``.
        query: Every query parameter that will be sent (``sign`` itself is ignored).
        body: The request body bytes as sent, or None.
        app_secret: The app secret.

    Returns:
        Lower-case hex HMAC-SHA256.
    """
    wrapped = app_secret + string_to_sign(path, query, body) + app_secret
    return hmac.new(app_secret.encode(), wrapped.encode(), hashlib.sha256).hexdigest()


def make_signer(
    app_key: str, app_secret: str, clock: Callable[[], float]
) -> Callable[[str, str, dict[str, Any], bytes | None], dict[str, Any]]:
    """An :data:`connectors.common.http.Signer` adding ``app_key``, ``timestamp`` and ``sign``.

    The timestamp is taken at each attempt, so a retried request is never stale.
    """

    def signer(
        _method: str, path: str, query: dict[str, Any], body: bytes | None
    ) -> dict[str, Any]:
        signed = {**query, "app_key": app_key, "timestamp": str(int(clock()))}
        signed.pop("sign", None)
        signed["sign"] = sign(path, signed, body, app_secret)
        return signed

    return signer

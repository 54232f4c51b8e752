"""What the stand-in checks on every request: the HMAC-SHA256 ``sign`` (reference section 6)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

UNSIGNED_PARAMS = frozenset({"sign", "access_token"})


def expected_sign(path: str, query: Iterable[tuple[str, str]], body: bytes, secret: str) -> str:
    """The signature TikTok Shop expects for a request.

    ``path`` + every query ``key`` + ``value`` except ``sign``/``access_token``, sorted by key,
    + the JSON body as sent (multipart bodies are not used here), wrapped in the app secret on
    both sides, HMAC-SHA256 keyed by the secret, lower-case hex.
    """
    params = dict((k, v) for k, v in query if k not in UNSIGNED_PARAMS)
    text = path + "".join(f"{key}{params[key]}" for key in sorted(params)) + body.decode()
    wrapped = f"{secret}{text}{secret}"
    return hmac.new(secret.encode(), wrapped.encode(), hashlib.sha256).hexdigest()

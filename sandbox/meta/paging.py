"""Cursor paging as the Graph API does it: ``paging{cursors{before,after},next}``.

Cursors are opaque to clients; here they encode a row offset the way Meta's short cursors
look (base64 with ``=`` written as ``ZD``, e.g. ``MAZDZD`` for row 0). ``next`` repeats
the request's own query, including ``access_token``, with the new ``after``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

from sandbox.meta.errors import invalid_cursor
from sandbox.routing import Request

T = TypeVar("T")

#: Query parameters rewritten on ``next``; the rest of the query is repeated as sent.
_PAGING_PARAMS = {"access_token", "after", "before", "limit"}


def encode_cursor(offset: int) -> str:
    """The cursor naming row ``offset``."""
    return base64.b64encode(str(offset).encode()).decode().replace("=", "ZD")


def decode_cursor(cursor: str) -> int:
    """The row offset a cursor names; raises Meta's invalid-cursor error otherwise."""
    # Only trailing ``ZD`` pairs are padding: base64 of a decimal number never ends in ``ZD``.
    body, padding = cursor, 0
    while body.endswith("ZD") and padding < 2:
        body, padding = body[:-2], padding + 1
    try:
        text = base64.b64decode(body + "=" * padding, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise invalid_cursor() from exc
    if not text.isdigit():
        raise invalid_cursor()
    return int(text)


def next_url(request: Request, token: str, limit: int, after: str) -> str:
    """Absolute ``next`` link: the request's host and path, its query with a new ``after``."""
    kept = [(k, v) for k, v in request.query if k not in _PAGING_PARAMS]
    query = [("access_token", token), *kept, ("limit", str(limit)), ("after", after)]
    return f"http://{request.host}{request.path}?{urlencode(query)}"


def paged(
    items: Sequence[T], request: Request, token: str, limit: int
) -> tuple[Sequence[T], dict[str, Any] | None]:
    """Slice ``items`` for the request's ``after`` cursor and build the ``paging`` object.

    Args:
        items: every result in stable order.
        request: the request (its ``after`` parameter and query for ``next``).
        token: the access token to repeat in ``next``.
        limit: page size.

    Returns:
        The page's items and the ``paging`` object (None for an empty page, as Meta
        answers ``{"data": []}``).
    """
    after = request.param("after")
    start = decode_cursor(after) + 1 if after else 0
    page = items[start : start + limit]
    if not page:
        return page, None
    last = start + len(page) - 1
    paging: dict[str, Any] = {
        "cursors": {"before": encode_cursor(start), "after": encode_cursor(last)}
    }
    if last + 1 < len(items):
        paging["next"] = next_url(request, token, limit, encode_cursor(last))
    return page, paging

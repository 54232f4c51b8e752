"""A token bucket that keeps the TikTok client under the app's QPS limit.

TikTok limits requests per app (Basic 10, Advanced 20, Premium 30 QPS) and answers 40100 when
exceeded. The shared session calls the pacer after every response and waits the returned time
before the next request, so taking one token per response paces the whole extract.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import requests


class TokenBucket:
    """Allows bursts of ``qps`` requests, then ``qps`` requests per second.

    Args:
        qps: Requests per second (and burst size); 0 or less disables pacing.
        clock: Replaces ``time.monotonic`` (tests).
    """

    def __init__(self, qps: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.qps = qps
        self._clock = clock
        self._tokens = max(qps, 1.0)
        self._updated = clock()

    def __call__(self, _response: requests.Response) -> float:
        """Take a token for the request just answered; seconds to wait before the next one."""
        if self.qps <= 0:
            return 0.0
        now = self._clock()
        capacity = max(self.qps, 1.0)
        self._tokens = min(capacity, self._tokens + (now - self._updated) * self.qps)
        self._updated = now
        self._tokens -= 1.0
        return 0.0 if self._tokens >= 0 else -self._tokens / self.qps

"""Deterministic fault injection: which request fails, and how.

A :class:`FaultPlan` holds ordered rules. Each rule matches request paths by regex and
fires on matching calls ``nth`` .. ``nth + times - 1`` (1-based, counted per rule), so a
plan reproduces the same failures on every run. An optional seeded random mode adds
faults with a fixed probability per request.

Kinds handled by the server (transport): ``reset`` (close without answering), ``http_500``,
``http_503``, ``http_504`` (a gateway timeout page, not JSON), ``slow`` (sleep ``seconds``
then answer normally), ``truncated`` (send the first half of the body, with a matching
``Content-Length``). Kinds that rewrite a normal answer's records (the first list of objects
under ``data``, or under one of ``data``'s keys): ``empty_data`` (no records, no next page, as
an API answering a window with nothing), ``invalid_utf8`` (one byte of the first string value
replaced by 0xFF) and ``extra_field`` (every record gains ``undeclared_metric``, as when an API
adds a field). Kinds handled by the platform
(API): ``meta_error`` (Meta error envelope, HTTP 400 by default; with ``max_limit`` only on
GET pages asking for more rows than that), ``high_usage``
(normal answer, usage headers at ``usage_pct``) and ``api_error`` (the platform's own error
envelope carrying ``code`` and ``message``, for platforms other than Meta). The async job
kinds ``async_failed``, ``async_skipped`` and ``async_stalled`` decide how a report job
created by the matching request ends (other requests ignore them).

JSON form, also accepted from ``SANDBOX_FAULTS`` (text, or ``@path`` to a file)::

    {"rules": [{"kind": "meta_error", "preset": "throttle", "match": "/insights", "times": 2},
               {"kind": "reset", "match": "/act_", "nth": 3}],
     "random": {"rate": 0.05, "seed": 7}}
"""

from __future__ import annotations

import json
import os
import random
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

BODY_KINDS = frozenset({"empty_data", "invalid_utf8", "extra_field"})
TRANSPORT_KINDS = (
    frozenset({"reset", "http_500", "http_503", "http_504", "slow", "truncated"}) | BODY_KINDS
)
#: Async report job fates, applied by a platform to the request that creates the job
#: (``code``/``subcode``/``message`` fill a failed job's error fields).
ASYNC_JOB_KINDS = frozenset({"async_failed", "async_skipped", "async_stalled"})
API_KINDS = frozenset({"meta_error", "high_usage", "api_error"}) | ASYNC_JOB_KINDS
KINDS = TRANSPORT_KINDS | API_KINDS

ENV_VAR = "SANDBOX_FAULTS"


@dataclass(frozen=True)
class FaultRule:
    """One fault and the calls it applies to.

    Attributes:
        kind: one of :data:`KINDS`.
        match: regex searched in the request path (query excluded).
        nth: first matching call (1-based) the rule fires on.
        times: how many consecutive matching calls it fires on; None = all from ``nth``.
        code, subcode, message, error_type, is_transient, status: the ``meta_error``.
        seconds: the ``slow`` delay.
        usage_pct: usage header percentage (``high_usage``; also sent with ``meta_error``
            when set, as Meta does with throttles).
        regain_minutes: ``estimated_time_to_regain_access`` sent with ``usage_pct``.
        retry_after: ``Retry-After`` seconds on ``http_503`` (None = no header).
        max_limit: ``meta_error`` only: refuse just GETs whose ``limit`` exceeds this many
            rows, serving the others normally (None = refuse every call it fires on).
    """

    kind: str
    match: str = ".*"
    nth: int = 1
    times: int | None = 1
    code: int = 2
    subcode: int | None = None
    message: str = "An unexpected error has occurred. Please retry your request later."
    error_type: str = "OAuthException"
    is_transient: bool | None = None
    status: int = 400
    seconds: float = 2.0
    usage_pct: float | None = None
    regain_minutes: int = 0
    retry_after: int | None = None
    max_limit: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {sorted(KINDS)}")
        if self.nth < 1 or (self.times is not None and self.times < 1):
            raise ValueError("fault rule nth and times must be >= 1")
        re.compile(self.match)
        if self.kind == "high_usage" and self.usage_pct is None:
            object.__setattr__(self, "usage_pct", 95.0)

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> FaultRule:
        """Build a rule from JSON-like data; ``preset`` fills a known Meta error."""
        spec = dict(spec)
        preset = spec.pop("preset", None)
        known = {f.name for f in fields(cls)}
        unknown = set(spec) - known
        if unknown:
            raise ValueError(f"unknown fault rule keys: {sorted(unknown)}")
        if preset and preset not in META_ERROR_PRESETS:
            raise ValueError(f"unknown preset {preset!r}; expected {sorted(META_ERROR_PRESETS)}")
        base = dict(META_ERROR_PRESETS[preset]) if preset else {}
        return cls(**{**base, **spec})

    def fires_on(self, call_number: int) -> bool:
        """Whether the rule applies to its ``call_number``-th matching call."""
        if call_number < self.nth:
            return False
        return self.times is None or call_number < self.nth + self.times


#: Common Meta errors by name (see the Meta reference, error handling).
META_ERROR_PRESETS: dict[str, dict[str, Any]] = {
    "throttle": {
        "kind": "meta_error",
        "code": 80004,
        "subcode": 2446079,
        "message": "(#80004) There have been too many calls to this ad-account. Wait a bit and "
        "try again. For more info, please refer to "
        "https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
        "usage_pct": 100.0,
        "regain_minutes": 1,
    },
    "transient": {
        "kind": "meta_error",
        "code": 2,
        "message": "An unexpected error has occurred. Please retry your request later.",
        "is_transient": True,
    },
    "expired_token": {
        "kind": "meta_error",
        "code": 190,
        "subcode": 463,
        "message": "Error validating access token: Session has expired on Thursday, "
        "01-Oct-26 00:00:00 PDT. The current time is Thursday, 01-Oct-26 01:00:00 PDT.",
    },
    "too_much_data": {
        "kind": "meta_error",
        "code": 100,
        "subcode": 1487534,
        "message": "Please reduce the amount of data you're asking for, then retry your request",
    },
    "app_limit": {
        "kind": "meta_error",
        "code": 4,
        "subcode": 1504022,
        "message": "(#4) Application request limit reached",
        "is_transient": True,
    },
    "async_too_large": {
        "kind": "async_failed",
        "code": -3,
        "subcode": 1504045,
        "message": "Your report was too large.",
    },
    "user_limit": {
        "kind": "meta_error",
        "code": 17,
        "subcode": 2446079,
        "message": "(#17) User request limit reached",
        "usage_pct": 100.0,
        "regain_minutes": 1,
    },
    # TikTok API for Business: errors are HTTP 200 envelopes with a non-zero code.
    "tiktok_qps_limit": {
        "kind": "api_error",
        "code": 40100,
        "message": "App reaches the QPS limit.",
    },
    "tiktok_system_error": {"kind": "api_error", "code": 50000, "message": "System error."},
    "tiktok_token_revoked": {
        "kind": "api_error",
        "code": 40105,
        "message": "Access token is incorrect or has been revoked.",
    },
    "tiktok_no_permission": {
        "kind": "api_error",
        "code": 40001,
        "message": "No permission to operate the advertiser, please check the scope.",
    },
    "tiktok_span_too_long": {
        "kind": "api_error",
        "code": 40002,
        "message": "max time span is 30 days when use stat_time_day",
    },
    "tiktok_query_too_large": {"kind": "api_error", "code": 40067, "message": "Query too large."},
}

_DEFAULT_RANDOM_POOL = (
    FaultRule("http_500"),
    FaultRule("http_503"),
    FaultRule.from_dict({"preset": "transient"}),
    FaultRule.from_dict({"preset": "throttle"}),
)


@dataclass(frozen=True)
class RandomFaults:
    """Seeded random faults: each request whose path matches fails with probability ``rate``."""

    rate: float
    seed: int = 0
    match: str = ".*"
    pool: tuple[FaultRule, ...] = _DEFAULT_RANDOM_POOL

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> RandomFaults:
        pool = tuple(FaultRule.from_dict(k) for k in spec.get("kinds", ())) or _DEFAULT_RANDOM_POOL
        rate = float(spec["rate"])
        if not 0.0 <= rate <= 1.0:
            raise ValueError("random fault rate must be within [0, 1]")
        return cls(rate, int(spec.get("seed", 0)), str(spec.get("match", ".*")), pool)


@dataclass
class FaultPlan:
    """Ordered fault rules plus an optional random mode; thread-safe call counting."""

    rules: tuple[FaultRule, ...] = ()
    random_faults: RandomFaults | None = None
    _counts: list[int] = field(init=False, repr=False)
    _lock: threading.Lock = field(init=False, repr=False)
    _rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._counts = [0] * len(self.rules)
        self._lock = threading.Lock()
        self._rng = random.Random(self.random_faults.seed if self.random_faults else 0)

    @classmethod
    def from_rules(
        cls,
        rules: Iterable[FaultRule | Mapping[str, Any]],
        random_faults: RandomFaults | None = None,
    ) -> FaultPlan:
        """Build a plan from rules or their JSON-like dicts."""
        built = tuple(r if isinstance(r, FaultRule) else FaultRule.from_dict(r) for r in rules)
        return cls(built, random_faults)

    @classmethod
    def from_json(cls, text: str) -> FaultPlan:
        """Parse ``{"rules": [...], "random": {...}}`` or a bare list of rules."""
        data = json.loads(text)
        if isinstance(data, list):
            return cls.from_rules(data)
        unknown = set(data) - {"rules", "random"}
        if unknown:
            raise ValueError(f"unknown fault plan keys: {sorted(unknown)}")
        rnd = RandomFaults.from_dict(data["random"]) if data.get("random") else None
        return cls.from_rules(data.get("rules", ()), rnd)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> FaultPlan | None:
        """The plan in ``SANDBOX_FAULTS`` (JSON, or ``@path`` to a JSON file), or None."""
        raw = (os.environ if environ is None else environ).get(ENV_VAR, "").strip()
        if not raw:
            return None
        return cls.from_json(Path(raw[1:]).read_text() if raw.startswith("@") else raw)

    def next_fault(self, path: str) -> FaultRule | None:
        """Count this call against every matching rule; return the fault to apply, if any."""
        with self._lock:
            chosen = None
            for index, rule in enumerate(self.rules):
                if re.search(rule.match, path):
                    self._counts[index] += 1
                    if chosen is None and rule.fires_on(self._counts[index]):
                        chosen = rule
            if chosen is None and self.random_faults and re.search(self.random_faults.match, path):
                if self._rng.random() < self.random_faults.rate:
                    chosen = self._rng.choice(self.random_faults.pool)
            return chosen


def rewrite_body(kind: str, body: bytes) -> bytes:
    """Apply a :data:`BODY_KINDS` fault to a JSON answer (unchanged if it holds no records)."""
    if kind == "invalid_utf8":
        start = body.find(b'":"')
        if start < 0:
            return body
        return body[: start + 3] + b"\xff" + body[start + 4 :]
    payload = json.loads(body)
    records = _records(payload)
    if records is None:
        return body
    if kind == "empty_data":
        records.clear()
        payload.pop("paging", None)
        page_info = payload["data"].get("page_info") if isinstance(payload["data"], dict) else None
        if isinstance(page_info, dict):
            page_info.update(total_number=0, total_page=0)
    else:
        for record in records:
            record["undeclared_metric"] = "1"
    return json.dumps(payload, separators=(",", ":")).encode()


def _records(payload: Any) -> list[Any] | None:
    """The answer's list of records: ``data`` itself, or the first list of objects in it."""
    data = payload.get("data") if isinstance(payload, dict) else None
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for value in data.values():
            if isinstance(value, list) and all(isinstance(item, dict) for item in value):
                return value
    return None

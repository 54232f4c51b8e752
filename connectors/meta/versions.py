"""Meta API versions: when each was released and expires, and how long the configured one has.

Two tables, because Meta expires the two families on different dates:

* Marketing API (``META_API_VERSION``: ads, insights). Source, checked 2026-12-06:
  :data:`MARKETING_API_SOURCE` ("Marketing API version history": v27.0 released
  2026-11-04 and v26.0 2026-07-29, expiry "TBD"; v25.0 expires 2027-02-23, v24.0 expired
  2026-11-10, v23.0 2026-06-09, v22.0 2026-02-19). Meta's versioning page
  (:data:`VERSIONING_SOURCE`) says a deprecated version stops working after its grace period
  and calls to it "may fail or be upgraded to the next available version".
* Graph API (``INSTAGRAM_API_VERSION``: the Instagram Platform rides Graph API versions).
  Source: :data:`GRAPH_API_SOURCE` (v25.0 until 2028-07-29, v24.0 until 2028-02-18, ...);
  v27.0's release on 2026-11-04 is from Meta's blog post :data:`V27_BLOG_SOURCE`.

"TBD" expiries are ``None``: no sunset announced, so such a version is not warned about.
When Meta announces a date (or a new version), add it here; the test
``tests/connectors/test_meta_versions.py`` fails once the default version is within
:data:`WARN_DAYS` of its sunset, so CI forces the bump before the outage does.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime

log = logging.getLogger(__name__)

MARKETING_API_SOURCE = (
    "https://developers.facebook.com/documentation/ads-commerce/marketing-api/"
    "marketing-api-changelog/versions"
)
GRAPH_API_SOURCE = "https://developers.facebook.com/docs/graph-api/changelog/versions/"
VERSIONING_SOURCE = (
    "https://developers.facebook.com/documentation/ads-commerce/marketing-api/overview/versioning"
)
V27_BLOG_SOURCE = (
    "https://developers.facebook.com/blog/post/2026/11/04/"
    "introducing-graph-api-v27-and-marketing-api-v27/"
)

#: Warn when the configured version has fewer days than this before its sunset.
WARN_DAYS = 90

OK = "ok"
EXPIRING = "expiring"
EXPIRED = "expired"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class ApiVersion:
    """One API version: ``expires`` is the first day it no longer works (``None``: TBD)."""

    version: str
    released: date
    expires: date | None


#: Both families share version names and release dates; each has its own expiry.
#: (version, released, Marketing API expires, Graph API expires)
_RELEASES: tuple[tuple[str, date, date | None, date | None], ...] = (
    ("v27.0", date(2026, 11, 4), None, None),
    ("v26.0", date(2026, 7, 29), None, None),
    ("v25.0", date(2026, 2, 18), date(2027, 2, 23), date(2028, 7, 29)),
    ("v24.0", date(2025, 10, 8), date(2026, 11, 10), date(2028, 2, 18)),
    ("v23.0", date(2025, 5, 29), date(2026, 6, 9), date(2027, 10, 8)),
    ("v22.0", date(2025, 1, 21), date(2026, 2, 19), date(2027, 5, 20)),
    ("v21.0", date(2024, 10, 2), date(2025, 9, 9), date(2027, 1, 21)),
    ("v20.0", date(2024, 5, 21), date(2025, 5, 6), date(2026, 9, 24)),
    ("v19.0", date(2024, 1, 23), date(2025, 2, 4), date(2026, 5, 21)),
)
MARKETING_API_VERSIONS: tuple[ApiVersion, ...] = tuple(
    ApiVersion(version, released, marketing) for version, released, marketing, _ in _RELEASES
)
GRAPH_API_VERSIONS: tuple[ApiVersion, ...] = tuple(
    ApiVersion(version, released, graph) for version, released, _, graph in _RELEASES
)


@dataclass(frozen=True)
class ApiFamily:
    """A versioned Meta API, the setting that picks its version and where dates come from."""

    name: str
    setting: str
    versions: tuple[ApiVersion, ...]
    source: str


MARKETING_API = ApiFamily(
    "Meta Marketing API", "META_API_VERSION", MARKETING_API_VERSIONS, MARKETING_API_SOURCE
)
INSTAGRAM_GRAPH_API = ApiFamily(
    "Meta Graph API (Instagram)", "INSTAGRAM_API_VERSION", GRAPH_API_VERSIONS, GRAPH_API_SOURCE
)

_VERSION = re.compile(r"^v(\d+)\.(\d+)$")


def _number(version: str) -> tuple[int, int] | None:
    match = _VERSION.match(version.strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


def longest_lived(family: ApiFamily, today: date) -> ApiVersion:
    """The version that will work longest: one without announced sunset, newest first.

    Meta expires versions in release order, so among versions without a date the newest
    lives longest; if every version has a date, the latest date wins.
    """
    alive = [v for v in family.versions if v.expires is None or v.expires > today]
    return max(alive, key=lambda v: (v.expires is None, v.expires or date.min, v.released))


@dataclass(frozen=True)
class VersionCheck:
    """How a configured version stands on ``checked_on``.

    ``status`` is ``ok``, ``expiring`` (fewer than :data:`WARN_DAYS` days left), ``expired``
    or ``unknown`` (not in the table: its sunset date is unknown).
    """

    api: str
    setting: str
    version: str
    checked_on: date
    released: date | None
    expires: date | None
    days_left: int | None
    status: str
    recommended: str
    message: str
    source: str

    @property
    def needs_attention(self) -> bool:
        return self.status != OK

    def as_row(self) -> dict[str, object]:
        """Every field by name, in declaration order (a health-file row)."""
        return asdict(self)


def check_version(family: ApiFamily, version: str, today: date) -> VersionCheck:
    """Where ``version`` of ``family`` stands on ``today`` and, unless fine, what to do."""
    best = longest_lived(family, today).version
    known = {v.version: v for v in family.versions}
    entry = known.get(version.strip())
    where = f"{family.setting}={version}"
    fix = f"set {family.setting}={best} (the version with the longest life)"
    fix_sentence = fix[0].upper() + fix[1:]
    if entry is None:
        number, oldest = _number(version), min(_number(v.version) for v in family.versions)
        if number is not None and number < oldest:
            status = EXPIRED
            message = (
                f"{where}: {family.name} {version} is older than every version still listed "
                f"and has expired; calls fail or are auto-upgraded. {fix_sentence}. "
                f"Dates: {family.source}"
            )
        else:
            status = UNKNOWN
            message = (
                f"{where}: {family.name} {version} is not in the known version table "
                f"(connectors/meta/versions.py), so its sunset date is unknown; check "
                f"{family.source} and add it, or {fix}."
            )
        return _result(family, version, today, None, status, best, message)
    days_left = (entry.expires - today).days if entry.expires else None
    if days_left is not None and days_left <= 0:
        status = EXPIRED
        message = (
            f"{where}: {family.name} {version} expired on {entry.expires}; Meta answers calls "
            f"to it with an error (#2635) or upgrades them. {fix_sentence}. Dates: {family.source}"
        )
    elif days_left is not None and days_left < WARN_DAYS:
        status = EXPIRING
        message = (
            f"{where}: {family.name} {version} expires on {entry.expires} ({days_left} days "
            f"left, fewer than {WARN_DAYS}); {fix} before then. Dates: {family.source}"
        )
    else:
        status = OK
        until = f"until {entry.expires}" if entry.expires else "no sunset date announced"
        message = f"{where}: {family.name} {version} is supported ({until})."
    return _result(family, version, today, entry, status, best, message)


def _result(
    family: ApiFamily,
    version: str,
    today: date,
    entry: ApiVersion | None,
    status: str,
    recommended: str,
    message: str,
) -> VersionCheck:
    expires = entry.expires if entry else None
    return VersionCheck(
        api=family.name,
        setting=family.setting,
        version=version,
        checked_on=today,
        released=entry.released if entry else None,
        expires=expires,
        days_left=(expires - today).days if expires else None,
        status=status,
        recommended=recommended,
        message=message,
        source=family.source,
    )


def today_utc() -> date:
    return datetime.now(UTC).date()


def configured_checks(settings, today: date | None = None) -> list[VersionCheck]:
    """The checks of the versions ``settings`` configures (Meta Marketing API, Instagram)."""
    day = today or today_utc()
    return [
        check_version(MARKETING_API, settings.meta.api_version, day),
        check_version(INSTAGRAM_GRAPH_API, settings.instagram.api_version, day),
    ]


def warn_if_outdated(check: VersionCheck) -> VersionCheck:
    """Log ``check``'s message as a warning (an error when expired) unless the version is fine."""
    if check.status == EXPIRED:
        log.error("%s", check.message)
    elif check.needs_attention:
        log.warning("%s", check.message)
    return check

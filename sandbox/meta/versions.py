"""Which Marketing API versions the stand-in still serves, and the error for the others.

Meta's version table (https://developers.facebook.com/documentation/ads-commerce/marketing-api/
marketing-api-changelog/versions, checked 2026-12-06): v27.0 is the newest version
(2026-11-04); v25.0 stops working on 2027-02-23, v24.0 stopped on 2026-11-10. A call on an
expired version gets code 2635, "(#2635) You are calling a deprecated version of the Ads API.
Please update to the latest version: vXX.X." (type OAuthException, HTTP 400): the wording
quoted by Meta's own blog post on version auto-upgrade
(https://developers.facebook.com/blog/post/2024/04/16/upcoming-change-in-marketing-api-version-deprecation)
and seen in API answers reported in facebook/facebook-python-business-sdk#356 and
facebook/facebook-nodejs-business-sdk#239.

Meta may instead auto-upgrade an expired call on an endpoint the next version left unchanged
(``X-Ad-Api-Version-Warning`` header; apps can opt out). The stand-in always refuses: a
pipeline must not depend on the upgrade. Kept apart from ``connectors/meta/versions.py`` on
purpose: the stand-in plays Meta, the connector's table is our reading of it.
"""

from __future__ import annotations

import re
from datetime import date

from sandbox.meta.errors import MetaError

#: The newest version (what the error tells callers to move to).
LATEST_VERSION = "v27.0"

#: First day each version no longer works, per the version table above.
EXPIRES: dict[str, date] = {
    "v25.0": date(2027, 2, 23),
    "v24.0": date(2026, 11, 10),
    "v23.0": date(2026, 6, 9),
    "v22.0": date(2026, 2, 19),
    "v21.0": date(2025, 9, 9),
    "v20.0": date(2025, 5, 6),
    "v19.0": date(2025, 2, 4),
}
#: Versions before the oldest listed one expired long ago.
_OLDEST_LISTED = (19, 0)
_NUMBER = re.compile(r"^v(\d+)\.(\d+)$")

DEPRECATED_VERSION_CODE = 2635


def is_expired(version: str, today: date) -> bool:
    """Whether a call on ``version`` fails on ``today`` (unlisted newer versions are served)."""
    expires = EXPIRES.get(version)
    if expires is not None:
        return today >= expires
    match = _NUMBER.match(version)
    return bool(match) and (int(match.group(1)), int(match.group(2))) < _OLDEST_LISTED


def deprecated_version() -> MetaError:
    """Meta's answer to a call on an expired version."""
    return MetaError(
        DEPRECATED_VERSION_CODE,
        f"(#{DEPRECATED_VERSION_CODE}) You are calling a deprecated version of the Ads API. "
        f"Please update to the latest version: {LATEST_VERSION}.",
    )

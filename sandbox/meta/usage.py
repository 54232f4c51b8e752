"""Meta's rate-limit usage headers, driven by a call counter.

Each call adds :data:`STEP` percentage points to the app's and the account's usage, up
to :data:`CEILING`: realistic-looking values that never trip a client's own throttle
(clients typically pause above 75-95 %). Faults override the percentage to test that.
"""

from __future__ import annotations

import json
import threading
from collections import Counter

STEP = 0.25
CEILING = 60.0
ACCESS_TIER = "standard_access"


class UsageMeter:
    """Counts calls per ad account and renders the four usage headers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: Counter[str] = Counter()
        self._app_calls = 0

    def record(
        self,
        object_id: str,
        use_case: str,
        *,
        override_pct: float | None = None,
        regain_minutes: int = 0,
    ) -> dict[str, str]:
        """Count one call on ``object_id`` (an account or business ID) and return headers.

        Args:
            object_id: key of the business-use-case usage (account ID for account calls).
            use_case: BUC type, e.g. ``ads_insights`` or ``ads_management``.
            override_pct: report this percentage everywhere instead of the counter's.
            regain_minutes: ``estimated_time_to_regain_access`` (minutes).

        Returns:
            Header name to JSON string.
        """
        with self._lock:
            self._calls[object_id] += 1
            self._app_calls += 1
            account_pct = min(CEILING, self._calls[object_id] * STEP)
            app_pct = min(CEILING, self._app_calls * STEP)
        if override_pct is not None:
            account_pct = app_pct = override_pct
        buc = {
            "type": use_case,
            "call_count": round(account_pct),
            "total_cputime": round(account_pct * 0.4),
            "total_time": round(account_pct * 0.5),
            "estimated_time_to_regain_access": regain_minutes,
            "ads_api_access_tier": ACCESS_TIER,
        }
        return {
            "x-business-use-case-usage": _dumps({object_id: [buc]}),
            "x-ad-account-usage": _dumps(
                {
                    "acc_id_util_pct": round(account_pct, 2),
                    "reset_time_duration": 60 * regain_minutes if regain_minutes else 0,
                    "ads_api_access_tier": ACCESS_TIER,
                }
            ),
            "x-fb-ads-insights-throttle": _dumps(
                {
                    "app_id_util_pct": round(app_pct, 2),
                    "acc_id_util_pct": round(account_pct, 2),
                    "ads_api_access_tier": ACCESS_TIER,
                }
            ),
            "x-app-usage": _dumps(
                {
                    "call_count": round(app_pct),
                    "total_time": round(app_pct * 0.5),
                    "total_cputime": round(app_pct * 0.4),
                }
            ),
        }


def _dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))

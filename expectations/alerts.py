"""Optional chat alerts, one JSON POST each to ``ALERT_WEBHOOK_URL``: when a gate blocks, and
when a publishing gate saw a placement's share of its campaign jump in the newest week.

The webhook is best effort: any failure is logged (without the URL, which carries a secret)
and never fails the pipeline, whose own task failure is the primary alert.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import requests

if TYPE_CHECKING:
    from expectations.gate import GateOutcome

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5.0
# A chat message stays readable: the first failures only, the rest are in Data Docs.
MAX_LISTED = 20


def alert_payload(outcome: GateOutcome) -> dict[str, object]:
    """The JSON body: a one-line ``text`` plus run id, gate and failing expectations."""
    failing = [result.describe() for result in outcome.errors]
    return {
        "text": (
            f"socialmart: the {outcome.gate} gate blocked run {outcome.run_id} "
            f"({len(failing)} error(s), {len(outcome.warnings)} warning(s))"
        ),
        "run_id": outcome.run_id,
        "gate": outcome.gate,
        "failing_expectations": failing[:MAX_LISTED],
        "more_failing": max(len(failing) - MAX_LISTED, 0),
    }


def drift_payload(outcome: GateOutcome) -> dict[str, object] | None:
    """The JSON body for the newest week's placement share jumps (``None``: there are none)."""
    from expectations.suites.marts import PLACEMENT_SHARE_JUMP

    jumps = [
        result.describe()
        for result in outcome.warnings
        if result.suite.endswith(f".{PLACEMENT_SHARE_JUMP}")
    ]
    if not jumps:
        return None
    return {
        "text": (
            f"socialmart: a placement's share of its campaign's spend moved by more than the "
            f"threshold in the newest week (run {outcome.run_id}); the marts were published"
        ),
        "run_id": outcome.run_id,
        "gate": outcome.gate,
        "placement_share_jumps": jumps[:MAX_LISTED],
    }


def send_drift_alert(url: str, outcome: GateOutcome) -> bool:
    """POST the newest week's placement share jumps if any and a webhook is configured."""
    payload = drift_payload(outcome)
    return _post(url, payload) if payload else False


def send_blocked_alert(url: str, outcome: GateOutcome) -> bool:
    """POST the alert for a blocked gate if a webhook is configured.

    Args:
        url: The webhook URL (empty: alerts are off).
        outcome: The blocked gate run.

    Returns:
        True when the webhook accepted the alert (2xx).
    """
    return _post(url, alert_payload(outcome))


def _post(url: str, payload: dict[str, object]) -> bool:
    if not url:
        return False
    try:
        response = requests.post(url, json=payload, timeout=TIMEOUT_SECONDS)
    except requests.RequestException as error:
        log.warning("gate alert webhook unreachable (%s)", type(error).__name__)
        return False
    if not response.ok:
        log.warning("gate alert webhook answered HTTP %s", response.status_code)
        return False
    return True

"""The placement values the dashboards' colours are checked against (tests/dashboards).

Left until that test reads them from the dbt contract, where the mart declares them once
(``accepted_values`` of ``publisher_platform`` in
dbt_project/models/marts/fct_placement_performance_daily.yml); then this module goes.
"""

from __future__ import annotations

KNOWN_PUBLISHER_PLATFORMS = (
    "facebook",
    "instagram",
    "threads",
    "messenger",
    "audience_network",
    "whatsapp",
    "tiktok",
    "pangle",
    "global_app_bundle",
    "topbuzz",
    "helo",
    "lemon8",
    "pine_drama",
)

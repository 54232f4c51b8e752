"""Gate suite for the placement performance mart (``marts.fct_placement_performance_daily``).

Error-level expectations block publishing; warning-level ones are recorded and
published with the data.
"""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe

DATASET = "marts.fct_placement_performance_daily"

GRAIN = (
    "report_date",
    "ad_account_id",
    "campaign_id",
    "adset_id",
    "ad_id",
    "publisher_platform",
    "platform_position",
)

# The dashboards are built on these names, in this order.
COLUMNS = (
    "report_date",
    "ad_account_id",
    "account_currency",
    "campaign_id",
    "campaign_name",
    "adset_id",
    "adset_name",
    "ad_id",
    "ad_name",
    "publisher_platform",
    "platform_position",
    "spend",
    "impressions",
    "clicks",
    "purchases",
    "purchase_value",
    *(
        f"{measure}_{window}"
        for window in ("1d_click", "7d_click", "28d_click", "1d_view")
        for measure in ("purchases", "purchase_value")
    ),
    "reporting_currency",
    "spend_reporting",
    "purchase_value_reporting",
    "is_advantage_plus_campaign",
    "placement_mode",
    "threads_inclusion",
)

KNOWN_PUBLISHER_PLATFORMS = (
    "facebook",
    "instagram",
    "threads",
    "messenger",
    "audience_network",
    "whatsapp",
)

_ERROR = {"severity": "error"}
_WARNING = {"severity": "warning"}


def build_suite() -> gx.ExpectationSuite:
    """Return the expectation suite named after the dataset it validates."""
    expectations: list[gxe.Expectation] = [
        gxe.ExpectTableColumnsToMatchOrderedList(column_list=list(COLUMNS), meta=_ERROR),
        *(gxe.ExpectColumnValuesToNotBeNull(column=column, meta=_ERROR) for column in GRAIN),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=list(GRAIN), meta=_ERROR),
        *(
            gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0, meta=_ERROR)
            for column in ("spend", "impressions", "clicks")
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="publisher_platform", value_set=list(KNOWN_PUBLISHER_PLATFORMS), meta=_WARNING
        ),
    ]
    return gx.ExpectationSuite(name=DATASET, expectations=expectations)

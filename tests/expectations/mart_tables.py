"""Test tables of the marts, typed as their dbt contracts, and the columns a GX spec names."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import yaml

from expectations.suites.spec import MartSpec
from socialmart.settings import PROJECT_ROOT

MARTS_DIR = PROJECT_ROOT / "dbt_project" / "models" / "marts"
PLACEMENTS = "marts.fct_placement_performance_daily"
AD_PERFORMANCE = "marts.fct_ad_performance_daily"
# What the placement mart's contract asks of every row beyond the shared fixture's fields.
PLACEMENT_ROW = {
    "reporting_currency": "EUR",
    "purchases": 0,
    "purchase_value": 0,
    "spend_reporting": "41.87",
    "purchase_value_reporting": 0,
    "is_advantage_plus_campaign": False,
    "placement_mode": "manual",
}


def contract_columns(model: str) -> dict[str, str]:
    """Column -> data type of ``model``'s enforced dbt contract, in the contract's order."""
    [path] = MARTS_DIR.rglob(f"{model}.yml")
    [declared] = yaml.safe_load(path.read_text(encoding="utf-8"))["models"]
    return {column["name"]: column["data_type"] for column in declared["columns"]}


def spec_columns(spec: MartSpec) -> tuple[str, ...]:
    """Every mart column ``spec`` names, in first-mention order."""
    names = [*spec.known_values]
    if spec.shares is not None:
        names += [*spec.shares.group_by, spec.shares.share or spec.shares.measure]
    if spec.reconciliation is not None:
        names += [
            *spec.reconciliation.by,
            spec.reconciliation.measure,
            spec.reconciliation.date_column,
        ]
    if spec.freshness:
        names.append(spec.freshness_date)
    if spec.day_coverage is not None:
        names += [spec.day_coverage.by, spec.day_coverage.date_column]
    if spec.published_volume is not None:
        volume = spec.published_volume
        names += [*volume.by, volume.date_column, volume.measure]
    if spec.published_rows is not None:
        names += spec.published_rows.by
    if spec.account_totals is not None:
        totals = spec.account_totals
        names += ["platform", totals.account, totals.date_column, totals.measure]
    return tuple(dict.fromkeys(names))


def spec_table(spec: MartSpec, **types: str) -> dict[str, str]:
    """Column -> DuckDB type of a test table of ``spec``'s mart: its dbt contract;
    ``types`` override."""
    return contract_columns(spec.name) | types


def write_dimensions(write_table: Callable[..., None], rows: list[dict]) -> None:
    """Replace the dimensions, typed as their contracts, with the keys ``rows`` name (so the
    relationship tests of the facts written from ``rows`` pass)."""
    for dimension, keys in (
        ("dim_ad_accounts", ("platform", "ad_account_id", "account_currency")),
        ("dim_campaigns", ("platform", "campaign_id")),
        ("dim_ads", ("platform", "ad_id")),
    ):
        named = {tuple(row.get(key) for key in keys) for row in rows}
        write_table(
            f"marts.{dimension}",
            contract_columns(dimension),
            [dict(zip(keys, values, strict=True)) for values in sorted(named, key=str)],
        )


def ad_totals(placements: list[dict]) -> list[dict]:
    """The ad mart's rows of ``placements``: their spend, impressions and clicks summed per
    platform x account x ad x day (what the placement rows must add up to)."""
    keys = ("platform", "ad_account_id", "ad_id", "report_date")
    totals: dict[tuple, dict] = {}
    for row in placements:
        key = tuple(row.get(name) for name in keys)
        total = totals.setdefault(
            key,
            {name: row.get(name) for name in (*keys, "account_currency", "campaign_id")}
            | {"adset_id": row.get("adset_id"), "reporting_currency": "EUR"}
            | {"spend": Decimal(0), "impressions": 0, "clicks": 0, "is_clickless": False},
        )
        total["spend"] += Decimal(str(row.get("spend") or 0))
        total["impressions"] += row.get("impressions") or 0
        total["clicks"] += row.get("clicks") or 0
    return list(totals.values())

"""Columns a mart spec names, with test types, so a test table holds every column checked."""

from __future__ import annotations

from expectations.suites.spec import MartSpec


def spec_columns(spec: MartSpec) -> tuple[str, ...]:
    """Every mart column ``spec`` names, in first-mention order."""
    names = [*spec.grain, *spec.keys, *spec.non_negative, *spec.known_values, *spec.columns]
    names += [name for group in spec.currencies for name in (group.column, *group.group_by)]
    names += [name for rule in spec.rules for name in rule.columns]
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
    if spec.rollup is not None:
        names += [*spec.rollup.by, *spec.rollup.measures]
    if spec.day_coverage is not None:
        names += [spec.day_coverage.by, spec.day_coverage.date_column]
    if spec.published_volume is not None:
        volume = spec.published_volume
        names += [*volume.by, volume.date_column, volume.measure]
    if spec.account_totals is not None:
        totals = spec.account_totals
        names += ["platform", totals.account, totals.date_column, totals.measure]
    return tuple(dict.fromkeys(names))


def _test_type(name: str, spec: MartSpec) -> str:
    if name in spec.non_negative:
        return "decimal(18, 2)"
    if name.endswith("_date"):
        return "date"
    if name.endswith("_at"):
        return "timestamp"
    if name.startswith(("is_", "has_")):
        return "boolean"
    return "varchar"


def spec_table(spec: MartSpec, **types: str) -> dict[str, str]:
    """Column -> DuckDB type for a test table of ``spec``'s mart; ``types`` override."""
    return {name: _test_type(name, spec) for name in spec_columns(spec)} | types

"""Run an expectation suite on a pandas DataFrame with an ephemeral, quiet GX context.

GX's SQL datasource cannot resolve metrics on DuckDB (great_expectations issues #10738,
#11579), so the checks reduce each dataset in the warehouse (DuckDB or PostgreSQL) to a small
frame (aggregates, distinct values, totals) and GX validates that frame in pandas. An
expectation on an aggregate names the dataset columns it is about in ``meta["columns"]``;
those are its reported columns.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import great_expectations as gx
import pandas as pd
from great_expectations.core.expectation_validation_result import (
    ExpectationSuiteValidationResult,
    ExpectationValidationResult,
)
from great_expectations.data_context import AbstractDataContext
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)

_DATASOURCE = "socialmart"
_ASSET = "frame"
_BATCH_DEFINITION = "whole"
_SAMPLE_SIZE = 20
#: Longest observed value kept with a result (Data Docs, the health page).
MAX_OBSERVED_CHARS = 2000


@dataclass(frozen=True)
class ExpectationResult:
    """The outcome of one expectation on one dataset."""

    suite: str
    expectation_type: str
    columns: tuple[str, ...]
    severity: str
    success: bool
    observed_value: str
    details: Mapping[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        """One line naming the expectation, its columns and what was observed."""
        target = f"({', '.join(self.columns)})" if self.columns else ""
        return f"{self.suite}: {self.expectation_type}{target}: {self.observed_value}"


@dataclass(frozen=True)
class SuiteValidation:
    """One suite run on one frame: the flat results and GX's own report (for Data Docs)."""

    suite: str
    results: tuple[ExpectationResult, ...]
    report: ExpectationSuiteValidationResult


def validate_frame(suite: gx.ExpectationSuite, frame: pd.DataFrame) -> list[ExpectationResult]:
    """Validate ``frame`` against ``suite``.

    Args:
        suite: A suite whose expectations carry ``meta={"severity": "error"|"warning"}``
            (missing severity counts as error).
        frame: The frame to validate (a check's small frame, or a whole small dataset).

    Returns:
        One result per expectation, in suite order.
    """
    return list(run_suite(suite, frame).results)


def new_context() -> AbstractDataContext:
    """An ephemeral, quiet GX context with one pandas datasource, for several suites."""
    # Progress bars and analytics off: the gate runs unattended and offline.
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    # One asset and batch definition for every frame: each one added makes the ephemeral
    # context re-serialise its whole configuration, which grows with every addition.
    asset = context.data_sources.add_pandas(_DATASOURCE).add_dataframe_asset(_ASSET)
    asset.add_batch_definition_whole_dataframe(_BATCH_DEFINITION)
    return context


def run_suite(
    suite: gx.ExpectationSuite,
    frame: pd.DataFrame,
    context: AbstractDataContext | None = None,
) -> SuiteValidation:
    """Validate ``frame`` against ``suite`` and keep GX's report next to the flat results.

    Args:
        suite: As for :func:`validate_frame`.
        frame: The frame to validate (a check's small frame, or a whole small dataset).
        context: A context from :func:`new_context` shared by a gate's suites (creating one
            per suite costs more than most validations); a new one when omitted.

    Returns:
        The suite's name, one result per expectation (suite order) and the GX report.
    """
    context = context or new_context()
    asset = context.data_sources.get(_DATASOURCE).get_asset(_ASSET)
    batch = asset.get_batch_definition(_BATCH_DEFINITION).get_batch(
        batch_parameters={"dataframe": frame}
    )
    with warnings.catch_warnings():
        # GX 1.24 still passes inplace= to pandas 3 (noise, not a data problem).
        warnings.filterwarnings("ignore", message="The inplace keyword in DataFrame.drop")
        report = batch.validate(suite, result_format="SUMMARY")
    for result in report.results:
        _native_observed_value(result)
    results = tuple(_to_result(suite.name, result) for result in report.results)
    return SuiteValidation(suite.name, results, report)


def _native_observed_value(result: ExpectationValidationResult) -> None:
    """Turn a numpy scalar observed value (column min/max on a frame) into a Python one:
    GX's Data Docs renderer cannot format numpy 2 scalars, and JSON would store them as text."""
    observed = (result.result or {}).get("observed_value")
    if hasattr(observed, "item") and not isinstance(observed, list | dict | str):
        result.result["observed_value"] = observed.item()


def _to_result(suite_name: str, result: ExpectationValidationResult) -> ExpectationResult:
    config = result.expectation_config
    kwargs = {key: value for key, value in config.kwargs.items() if key != "batch_id"}
    exception = result.exception_info or {}
    details = {"kwargs": kwargs, "result": dict(result.result or {})}
    if exception.get("raised_exception"):
        details["exception"] = exception.get("exception_message")
    meta = config.meta or {}
    observed = _observed(details)
    if "columns" in meta and "column" in kwargs:
        # an aggregate of the dataset: name it, e.g. "null_ad_id_rows: 3"
        observed = f"{kwargs['column']}: {observed}"[:MAX_OBSERVED_CHARS]
    return ExpectationResult(
        suite=suite_name,
        expectation_type=config.type,
        columns=_columns(config.type, kwargs, meta),
        severity=str(meta.get("severity", "error")),
        success=bool(result.success),
        observed_value=observed,
        details=json.loads(json.dumps(details, default=str)),
    )


def _columns(
    expectation_type: str, kwargs: Mapping[str, Any], meta: Mapping[str, Any]
) -> tuple[str, ...]:
    """The columns an expectation is about: the dataset's columns an aggregate was computed
    from (``meta["columns"]``), else the validated frame's; none for table-level ones."""
    if "columns" in meta:
        return tuple(str(name) for name in meta["columns"])
    if expectation_type.startswith("expect_table_"):
        return ()
    if "column" in kwargs:
        return (str(kwargs["column"]),)
    if "column_A" in kwargs:
        return (str(kwargs["column_A"]), str(kwargs["column_B"]))
    return tuple(str(name) for name in kwargs.get("column_list") or ())


def _observed(details: Mapping[str, Any]) -> str:
    """A short, readable text of what the expectation saw."""
    if "exception" in details:
        return f"could not be evaluated: {details['exception']}"
    result = details["result"]
    if "observed_value" in result:
        text = json.dumps(result["observed_value"], default=str)
        mismatch = result.get("details", {}).get("mismatched")
        if mismatch:
            text = f"mismatched {json.dumps(mismatch, default=str)} in {text}"
    elif result.get("unexpected_count"):
        sample = json.dumps(result.get("partial_unexpected_list", [])[:_SAMPLE_SIZE], default=str)
        text = (
            f"{result['unexpected_count']} of {result.get('element_count')} rows "
            f"unexpected, e.g. {sample}"
        )
    else:
        text = f"0 of {result.get('element_count')} rows unexpected"
    return text[:MAX_OBSERVED_CHARS]

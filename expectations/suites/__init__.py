"""Expectation suites, one module per dataset; each has ``DATASET`` and ``build_suite()``.

Importing a suite module imports Great Expectations (slow): import this package only
where validation runs.
"""

from __future__ import annotations

from types import ModuleType

from expectations.suites import fct_placement_performance_daily

# The datasets the gate validates before publish, in order.
GATE_SUITES: tuple[ModuleType, ...] = (fct_placement_performance_daily,)

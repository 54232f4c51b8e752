"""The gate's checks: raw contracts (``raw_contract``) and one spec per published mart
(``marts``, built into checks by ``mart_checks``).

Importing a check module imports Great Expectations (slow): import this package's modules
only where validation runs.
"""

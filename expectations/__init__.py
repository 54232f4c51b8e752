"""Great Expectations suites and the gate that decides whether marts are published.

GX logs thousands of DEBUG/INFO lines while it is imported; its logger is capped at
WARNING here, before any module of this package imports it.
"""

import logging

logging.getLogger("great_expectations").setLevel(logging.WARNING)

"""Developer tools around the pipeline, run against the stand-in APIs (``sandbox/``).

``demo`` (`make demo`), ``soak`` (`make soak`) and ``reconcile`` (published marts against the
stand-in's ground truth, for both and for the end-to-end tests). They import the production
package and the stand-in; the production package imports neither (tests/test_boundaries.py).
"""

"""``python -m sandbox``: the stand-in's command line (see :mod:`sandbox.cli`)."""

import sys

from sandbox.cli import main

sys.exit(main())

"""What the bench tests share: the generator's seed and a shortened small preset."""

from dataclasses import replace

from bench.presets import get_preset

SEED = 11
#: The small preset, shortened: still several ad generations, restatements and tombstones.
PRESET = replace(get_preset("small"), days=21)

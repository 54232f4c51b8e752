"""Run every benchmark at a preset; write a JSON file per run and a table in BENCHMARKS.md.

Usage: ``python -m bench.run --scale small`` (``make bench``; ``make bench SCALE=large``;
``make bench SCALE=agency WAREHOUSE=postgres`` runs :mod:`bench.pg_run` instead).
Each step runs in its own child process (``bench.steps``), against a warehouse generated
under ``var/bench/<scale>/``; a step that fails or times out is recorded as such and the others
still run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.presets import get_preset
from bench.report import STEP_NAMES, render_table, update_benchmarks_md
from socialmart.settings import PROJECT_ROOT, load_settings

BENCH_DIR = PROJECT_ROOT / "var" / "bench"
#: Repeats per preset: (timed repeats, dashboard query repeats, Meta extract window in days).
REPEATS = {"small": (3, 20, 7), "large": (2, 20, 28), "agency": (2, 20, 28), "tiny": (1, 5, 7)}
#: Newest generated days cut into bulk pages for the raw-load benchmark (``bench.bulk_pages``):
#: every day at ``small`` (~12 k rows), four weeks of every account at ``large`` (~450 k rows)
#: and ``agency`` (~400 k rows of 60 accounts).
BULK_DAYS = {"small": 45, "large": 28, "agency": 28, "tiny": 7}
#: Seconds a step may take: at ``large`` one step holds two full dbt builds over 3 years.
STEP_TIMEOUT = {"small": 1800.0, "large": 4 * 3600.0, "agency": 4 * 3600.0, "tiny": 600.0}
#: Address space a step may use above DuckDB's memory_limit: interpreter and library mappings
#: (dbt, Great Expectations, pandas), thread stacks, allocator reservations and data held
#: outside DuckDB's buffer manager (query results, pandas frames). The cap is on address space,
#: not resident memory, so it must sit well above the memory_limit DuckDB keeps to.
CAP_HEADROOM_GB = 10.0
#: DuckDB's memory limit in the steps when ``DUCKDB_MEMORY_LIMIT`` is not set: the issue's
#: 4 GB peak per step minus what a process holds outside DuckDB's buffer manager (generating
#: ``large`` with a 4GB limit peaked at 4,182 MiB).
BENCH_MEMORY_LIMIT = "3.5GB"
_SIZE = re.compile(r"^\s*([0-9.]+)\s*([KMGT]?i?B)\s*$", re.I)


def duckdb_size_gb(size: str) -> float:
    """A DuckDB size setting (``4GB``, ``512MiB``) in GiB.

    Raises:
        ValueError: Not a size DuckDB understands.
    """
    match = _SIZE.match(size)
    if not match:
        raise ValueError(f"not a DuckDB size: {size!r}")
    number, unit = float(match[1]), match[2].upper()
    base = 1024 if "I" in unit else 1000
    power = "BKMGT".index(unit[0])
    return number * base**power / 1024**3


def address_space_cap_gb(memory_limit: str, requested_gb: float | None) -> float:
    """The per-step address-space cap: ``requested_gb``, or memory_limit plus the headroom.

    Raises:
        ValueError: The requested cap leaves DuckDB no headroom above its memory_limit.
    """
    floor_gb = duckdb_size_gb(memory_limit)
    if requested_gb is None:
        return floor_gb + CAP_HEADROOM_GB
    if requested_gb < floor_gb + CAP_HEADROOM_GB / 2:
        raise ValueError(
            f"a {requested_gb:g} GB address-space cap is too close to DUCKDB_MEMORY_LIMIT="
            f"{memory_limit}: steps would fail with 'Out of Memory' instead of spilling"
        )
    return requested_gb


def _limit_memory(limit_gb: float) -> Callable[[], None]:
    """A pre-exec hook capping a child's address space, so a runaway step fails alone
    instead of pushing the shared machine out of memory."""

    def apply() -> None:
        limit = int(limit_gb * 1024**3)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


def run_step(
    name: str,
    cfg: dict[str, Any],
    env: dict[str, str],
    timeout: float,
    limit_gb: float,
    module: str = "bench.steps",
) -> dict[str, Any]:
    """Run ``<module> <name>`` in a child; its JSON result, or the error it ended with."""
    print(f"[bench] {name} ...", flush=True)
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", module, name, json.dumps(cfg)],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            preexec_fn=_limit_memory(limit_gb),
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    wall = time.perf_counter() - started
    if done.returncode != 0 or not done.stdout.strip():
        return {"error": (done.stderr or done.stdout)[-3000:], "wall_s": wall}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_s"] = wall
    print(f"[bench] {name}: median {result['median_s']:.3f} s", flush=True)
    return result


def machine() -> dict[str, Any]:
    """CPU, cores, memory, OS, Python and the commit the numbers belong to."""
    cpu = platform.processor()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(memory_gb, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "commit": _git("rev-parse", "--short", "HEAD"),
        "worktree_dirty": bool(_git("status", "--porcelain")),
    }


def _git(*args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
    )
    return done.stdout.strip()


def step_env(home: Path) -> dict[str, str]:
    """The environment of every step: this one, with ``home`` as SOCIALMART_HOME (and the
    warehouse, published and spool folders under it)."""
    env = {
        **os.environ,
        "SOCIALMART_HOME": str(home),
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])
        ),
    }
    for name in ("SOCIALMART_WAREHOUSE_PATH", "SOCIALMART_PUBLISHED_DIR", "SOCIALMART_SPOOL_DIR"):
        env.pop(name, None)
    return env


def step_config(scale: str, seed: int) -> dict[str, Any]:
    """What every step is told: the preset, the seed, repeats and the last generated day."""
    repeats, query_repeats, load_days = REPEATS[scale]
    return {
        "scale": scale,
        "seed": seed,
        "repeats": repeats,
        "query_repeats": query_repeats,
        "load_days": load_days,
        "bulk_days": BULK_DAYS[scale],
        "day_to": get_preset(scale).days,
    }


def run_header(scale: str, seed: int, limit_gb: float, results: dict[str, Any]) -> dict[str, Any]:
    """A run's record: the preset, seed, machine and limits, around ``results``."""
    resources = load_settings().duckdb
    return {
        "scale": scale,
        "seed": seed,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "limits": {
            "duckdb_memory_limit": resources.memory_limit,
            "duckdb_threads": resources.threads,
            "address_space_cap_gb": round(limit_gb, 1),
        },
        "preset": {k: str(v) for k, v in vars(get_preset(scale)).items()},
        "results": results,
    }


def run_all(
    scale: str,
    seed: int,
    timeout: float,
    limit_gb: float,
    on_progress: Callable[[dict[str, Any]], None],
    root: Path = BENCH_DIR,
) -> dict[str, Any]:
    """Generate the preset and run every step in order; returns the run's results.

    Args:
        scale: Preset name.
        seed: Generator seed.
        timeout: Seconds each step may take.
        limit_gb: Address-space cap of each step's process (and its children).
        on_progress: Called with the run so far after every step (partial results are kept
            when a long run is stopped).
        root: Folder for the warehouse and the JSON results (``var/bench``).
    """
    home = root / scale
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    env = {**step_env(home), "SOCIALMART_WAREHOUSE": "duckdb"}
    cfg = step_config(scale, seed)
    results: dict[str, Any] = {}
    run = run_header(scale, seed, limit_gb, results)
    for name in STEP_NAMES:
        results[name] = run_step(name, cfg, env, timeout, limit_gb)
        on_progress(run)
    results["daily"] = []
    for i in range(cfg["repeats"]):
        day_cfg = {**cfg, "day_to": cfg["day_to"] + i}
        results["daily"].append(run_step("daily", day_cfg, env, timeout, limit_gb))
        on_progress(run)
    return run


def main(argv: list[str] | None = None) -> None:
    """CLI: run the benchmarks, save JSON under var/bench/, update BENCHMARKS.md."""
    parser = argparse.ArgumentParser(description="socialmart benchmarks")
    parser.add_argument("--scale", default="small")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--step-timeout", type=float, default=None, help="seconds (default: per preset)"
    )
    parser.add_argument(
        "--memory-limit-gb",
        type=float,
        default=None,
        help="address-space cap of each step (default: DUCKDB_MEMORY_LIMIT, else "
        f"{BENCH_MEMORY_LIMIT}, + {CAP_HEADROOM_GB:g} GB)",
    )
    parser.add_argument(
        "--warehouse",
        choices=("duckdb", "postgres"),
        default="duckdb",
        help="postgres: the figures of bench.pg_run on a throw-away local cluster",
    )
    parser.add_argument("--no-markdown", action="store_true", help="leave BENCHMARKS.md alone")
    args = parser.parse_args(argv)
    if not os.environ.get("DUCKDB_MEMORY_LIMIT", "").strip():
        os.environ["DUCKDB_MEMORY_LIMIT"] = BENCH_MEMORY_LIMIT
    memory_limit = load_settings().duckdb.memory_limit
    try:
        cap_gb = address_space_cap_gb(memory_limit, args.memory_limit_gb)
    except ValueError as error:
        parser.error(str(error))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    label, run_preset, render = args.scale, run_all, render_table
    if args.warehouse == "postgres":
        from bench.pg_report import render_postgres_table
        from bench.pg_run import latest_duckdb_run, run_postgres

        duckdb_run = latest_duckdb_run(args.scale)
        label, run_preset = f"{args.scale}-postgres", run_postgres

        def render(run: dict[str, Any]) -> str:
            return render_postgres_table(run, duckdb_run)

    out = BENCH_DIR / f"{stamp}-{label}.json"

    def save(run: dict[str, Any]) -> None:
        out.write_text(json.dumps(run, indent=2, default=str), encoding="utf-8")
        if not args.no_markdown:
            update_benchmarks_md(PROJECT_ROOT / "BENCHMARKS.md", label, render(run))

    timeout = args.step_timeout or STEP_TIMEOUT.get(args.scale, STEP_TIMEOUT["large"])
    run = run_preset(args.scale, args.seed, timeout, cap_gb, save)
    print(render(run))
    print(f"results: {out}")


if __name__ == "__main__":
    main()

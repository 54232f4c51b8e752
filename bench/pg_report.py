"""The BENCHMARKS.md section of a preset on PostgreSQL, beside the same preset on DuckDB.

Figures are shown only when the marts reconciled exactly with the generator's ground truth
after the full build and after the last daily run; otherwise the section says why and what
differed, and shows no timing.
"""

from __future__ import annotations

from typing import Any

from bench.report import (
    _error_notes,
    _fmt,
    _median,
    _ratio,
    _row,
    _slowest,
    _split_row,
    _triple,
    _verdict,
    machine_line,
)

RECONCILE_STEPS = ("reconcile", "reconcile_daily")
_COUNTS = ("truth_mismatches", "tiktok_truth_mismatches", "reporting_gaps")


def reconciled(results: dict[str, Any]) -> bool:
    """Both ground-truth checks ran and found nothing wrong."""
    return all(
        all(results.get(step, {}).get(count) == 0 for count in _COUNTS) for step in RECONCILE_STEPS
    )


def render_postgres_table(run: dict[str, Any], duckdb_run: dict[str, Any] | None) -> str:
    """Markdown: machine line, the figures (with the DuckDB run's beside them), the notes."""
    r = run["results"]
    lines = [
        machine_line(run),
        "",
    ]
    if not reconciled(r):
        lines += [
            "**No figures: the PostgreSQL marts did not reconcile exactly with the generator's "
            "ground truth (or the check did not run), so these timings would be of wrong "
            "numbers.**",
            "",
            *_reconcile_notes(r),
            *_error_notes(_listed(r)),
        ]
        return "\n".join(lines)
    duck = (duckdb_run or {}).get("results") or {}
    duck_line = (
        f"DuckDB column: the run of {duckdb_run['started_at']} (commit "
        f"`{duckdb_run['machine']['commit']}`) of the same preset."
        if duck
        else "DuckDB column: no DuckDB run of this preset under var/bench/ yet."
    )
    server = ", ".join(f"{k} {v}" for k, v in r["copy_raw"].get("server", {}).items())
    lines += [
        f"PostgreSQL ({server}; the cluster as the project creates it). Copied into it: "
        f"{r['copy_raw']['rows']:,} generated raw rows in {_triple(r['copy_raw'])}. {duck_line}",
        "",
        _row(
            "benchmark",
            "PostgreSQL (min / median / max)",
            "peer",
            "ratio",
            "goal",
            "verdict",
            "DuckDB, same preset",
            "PostgreSQL ÷ DuckDB",
        ),
        _row(*["---"] * 8),
        *_load_rows(r["load_path"], duck.get("load_path")),
        *_build_rows(r, duck),
        *_memory_rows(r),
        "",
        *_reconcile_notes(r),
        *_error_notes(_listed(r)),
        *_server_notes(r.get("server_memory")),
        *_slowest_notes(r),
    ]
    return "\n".join(lines)


def _listed(r: dict[str, Any]) -> dict[str, Any]:
    """The step results (not the memory records of the server and the runner)."""
    return {k: v for k, v in r.items() if k not in ("server_memory", "runner_memory")}


def _rate(rows: int, seconds: list[float]) -> dict[str, list[float]]:
    return {"seconds": [rows / s for s in seconds]}


def _load_rows(load: dict[str, Any], duck_load: dict[str, Any] | None) -> list[str]:
    """``load_spool`` rows/s against PostgreSQL's ``COPY`` of the same rows (goal: half)."""
    if "error" in load:
        return [_row("raw load", "failed", "-", "-", "≥ 0.5×", "not measured", "-", "-")]
    land = _rate(load["rows"], load["seconds"])
    peer = _rate(load["rows"], load["copy_seconds"])
    ratio = _ratio(_median(land), _median(peer))
    bulk = (duck_load or {}).get("bulk") or {}
    duck = _rate(bulk["rows"], bulk["seconds"]) if bulk.get("seconds") else {}
    return [
        _row(
            f"raw load: load_spool, {load['rows']:,} generated Meta placement rows "
            f"({load['days']} d, {load['units']} accounts)",
            _triple(land, unit="rows/s"),
            f"COPY into a plain table: {_triple(peer, unit='rows/s')}",
            _fmt(ratio),
            "≥ 0.5×",
            _verdict(ratio, 0.5, at_most=False),
            _triple(duck, unit="rows/s") if duck else "n/a",
            _fmt(_ratio(_median(land), _median(duck))),
        )
    ]


def _build_rows(r: dict[str, Any], duck: dict[str, Any]) -> list[str]:
    """The full build, the daily run and its share of the full build, each beside DuckDB's."""
    build, duck_build = r["dbt_build"], duck.get("dbt_build") or {}
    lines = [
        _row(
            "dbt build --full-refresh, all models + tests",
            _triple(build),
            "-",
            "-",
            "-",
            "-",
            _triple(duck_build),
            _fmt(_ratio(_median(build), _median(duck_build))),
        ),
        *_split("same, where the time goes", build),
    ]
    daily = {"seconds": [d["seconds"][0] for d in r["daily"] if "error" not in d]}
    duck_daily = {"seconds": [d["seconds"][0] for d in duck.get("daily") or [] if "error" not in d]}
    share = _ratio(_median(daily), _median(build))
    duck_share = _ratio(_median(duck_daily), _median(duck_build))
    lines.append(
        _row(
            "daily run (1 new day + lookback): dbt build, share of the full build",
            _triple(daily),
            f"full build: {_triple(build)}",
            _fmt(share, pct=True),
            "≤ 5 %",
            _verdict(share, 0.05),
            f"{_triple(duck_daily)} ({_fmt(duck_share, pct=True)})",
            _fmt(_ratio(_median(daily), _median(duck_daily))),
        )
    )
    finished = [d for d in r["daily"] if "error" not in d]
    if finished:
        lines += _split("same, where the time goes", finished[-1])
    return lines


def _split(label: str, result: dict[str, Any]) -> list[str]:
    """:func:`bench.report._split_row` with this table's eighth cell."""
    return [f"{line} - |" for line in _split_row(label, result)]


def _memory_rows(r: dict[str, Any]) -> list[str]:
    """Peak resident memory of the step processes, of dbt, and of the PostgreSQL server."""
    steps = [*(v for k, v in _listed(r).items() if k != "daily"), *r["daily"]]
    finished = [s for s in steps if "error" not in s]
    own = max((s.get("peak_rss_mb", 0.0) for s in finished), default=None)
    dbt = [r["dbt_build"], *r["daily"]]
    child = max((s.get("children_peak_rss_mb", 0.0) for s in dbt if "error" not in s), default=None)
    server = r.get("server_memory") or {}
    runner = r.get("runner_memory") or {}

    def mb(value: float | None) -> str:
        return "n/a" if value is None else f"{value:,.0f} MB"

    return [
        _row("peak memory, bench step processes (largest)", mb(own), *["-"] * 6),
        _row("peak memory, dbt (largest invocation)", mb(child), *["-"] * 6),
        _row(
            "peak memory, PostgreSQL server (all processes, shared memory once)",
            mb(server.get("total_peak_mb")),
            *["-"] * 6,
        ),
        _row(
            "peak memory, the bench runner (in brackets: its largest descendant, "
            "any step, dbt or server process)",
            f"{mb(runner.get('peak_rss_mb'))} ({mb(runner.get('children_peak_rss_mb'))})",
            *["-"] * 6,
        ),
    ]


def _reconcile_notes(r: dict[str, Any]) -> list[str]:
    notes = []
    for step, when in zip(RECONCILE_STEPS, ("full build", "last daily run"), strict=True):
        rec = r.get(step) or {}
        if "truth_mismatches" not in rec:
            notes.append(f"- ground truth after the {when}: not checked")
            continue
        notes.append(
            f"- ground truth after the {when} ({rec['mart_rows']:,} placement mart rows "
            f"through day {rec['day_to']}): {rec['truth_mismatches']} Meta day x account x "
            f"placement groups and {rec['tiktok_truth_mismatches']} TikTok ad x day x placement "
            f"rows differ; {rec['reporting_gaps']} rows lack a correct reporting amount"
        )
    return notes


def _server_notes(server: dict[str, Any] | None) -> list[str]:
    if not server:
        return []
    kinds = ", ".join(f"{k} {v:,.0f} MB" for k, v in server["peak_mb_by_kind"].items())
    return [
        f"- PostgreSQL server, peak resident set per kind of process (each counts the shared "
        f"buffers it touched; sampled every {server['sample_seconds']} s, "
        f"{server['processes_seen']} processes seen): {kinds}"
    ]


def _slowest_notes(r: dict[str, Any]) -> list[str]:
    notes = []
    if r["dbt_build"].get("node_seconds"):
        notes.append(f"- full build, slowest models: {_slowest(r['dbt_build'])}")
    for one in r["daily"]:
        if one.get("node_seconds"):
            notes.append(
                f"- daily {one['new_day']} ({one['appended_rows']:,} raw rows appended in "
                f"{one['append_seconds']:.1f} s), slowest models: {_slowest(one)}"
            )
    return notes

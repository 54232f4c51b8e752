"""Turn one run's results into the BENCHMARKS.md table (figure, floor, ratio, goal)."""

from __future__ import annotations

import re
import statistics
from pathlib import Path
from typing import Any

GB = 1024.0
STEP_NAMES = (
    "generate",
    "dbt_build",
    "dbt_run_floored",
    "floor",
    "reconcile",
    "gate",
    "gate_sql",
    "publish",
    "dashboard",
    "load_path",
)


def _triple(result: dict[str, Any], key: str = "seconds", unit: str = "s") -> str:
    values = result.get(key) or []
    if not values:
        return "n/a"
    return f"{min(values):.3g} / {statistics.median(values):.3g} / {max(values):.3g} {unit}"


def _median(result: dict[str, Any], key: str = "seconds") -> float | None:
    values = result.get(key) or []
    return statistics.median(values) if values else None


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def _verdict(ratio: float | None, goal: float, *, at_most: bool = True) -> str:
    if ratio is None:
        return "not measured"
    met = ratio <= goal if at_most else ratio >= goal
    return "met" if met else "**missed**"


def _peak(result: dict[str, Any]) -> str:
    if "error" in result:
        return "-"
    own, child = result.get("peak_rss_mb", 0.0), result.get("children_peak_rss_mb", 0.0)
    return f"{own:,.0f} MB (child {child:,.0f} MB)"


def _row(*cells: Any) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _profile_row(label: str, figure: str, note: str = "(profile)") -> str:
    """A row that explains a figure: no peer, ratio, verdict or peak memory of its own."""
    return _row(label, figure, "-", "-", note, "-", "-")


def _against(
    label: str,
    figure: dict[str, Any],
    peer_name: str,
    peer: dict[str, Any],
    goal_text: str,
    goal: float,
    *,
    pct: bool = False,
    at_most: bool = True,
    unit: str = "s",
    peak: str | None = None,
) -> str:
    """A row measuring ``figure`` against ``peer`` (medians) and the goal; ``peak`` defaults
    to the figure's own peak memory."""
    ratio = _ratio(_median(figure), _median(peer))
    return _row(
        label,
        _triple(figure, unit=unit),
        f"{peer_name}: {_triple(peer, unit=unit)}",
        _fmt(ratio, pct=pct),
        goal_text,
        _verdict(ratio, goal, at_most=at_most),
        _peak(figure) if peak is None else peak,
    )


def machine_line(run: dict[str, Any]) -> str:
    """When, at which commit and on what machine a run measured (every section's first line)."""
    m = run["machine"]
    return (
        f"Run {run['started_at']} · commit `{m['commit']}`"
        + (" (uncommitted changes)" if m["worktree_dirty"] else "")
        + f" · {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB · {m['os']} · "
        f"Python {m['python']} · seed {run['seed']} · load average at start "
        f"{m.get('load_average_1m', 'n/a')}" + _limits(run.get("limits"))
    )


def render_table(run: dict[str, Any]) -> str:
    """Markdown: machine line, the figures table and the per-step notes."""
    r = {name: {"error": "not run (yet)"} for name in STEP_NAMES} | run["results"]
    r.setdefault("daily", [])
    lines = [
        machine_line(run),
        "",
        "Generated raw rows: "
        + ", ".join(f"{t} {n:,}" for t, n in (r["generate"].get("rows") or {}).items())
        + f" in {_triple(r['generate'])}.",
        "",
        _row(
            "benchmark",
            "figure (min / median / max)",
            "floor or peer",
            "ratio",
            "goal",
            "verdict",
            "peak RSS",
        ),
        _row(*["---"] * 7),
    ]
    build, run_floored, fl = r["dbt_build"], r["dbt_run_floored"], r["floor"]
    lines.append(
        _against(
            "dbt build --full-refresh, all models + tests", build, "hand SQL", fl, "≤ 1.5×", 1.5
        )
    )
    lines += _split_row("same, where the time goes", build)
    lines.append(
        _against(
            f"dbt run, {' '.join(run_floored.get('marts', []))} + parents",
            run_floored,
            "hand SQL",
            fl,
            "≤ 1.5×",
            1.5,
        )
    )
    if run_floored.get("model_seconds") is not None:
        ratio = _ratio(run_floored["model_seconds"], _median(fl))
        lines.append(
            _row(
                "  same, models' own SQL time (run_results)",
                f"{run_floored['model_seconds']:.3g} s",
                f"hand SQL: {_triple(fl)}",
                _fmt(ratio),
                "(profile)",
                "-",
                "-",
            )
        )
    daily = [d for d in r["daily"] if "error" not in d]
    lines.append(
        _against(
            "daily run (1 new day + lookback): dbt build",
            {"seconds": [d["seconds"][0] for d in daily]},
            "full build",
            build,
            "≤ 5 %",
            0.05,
            pct=True,
            peak=_peak(daily[-1]) if daily else "-",
        )
    )
    if daily:
        lines += _split_row("same, where the time goes", daily[-1])
    inc = [d["floor_incremental_seconds"] for d in daily]
    ratio = _ratio(statistics.median(inc) if inc else None, _median(fl))
    lines.append(
        _row(
            "daily, hand-written incremental floor",
            _triple({"seconds": inc}),
            f"floor full: {_triple(fl)}",
            _fmt(ratio, pct=True),
            "(reference)",
            "-",
            "-",
        )
    )
    load = r["load_path"]
    if "error" not in load:
        rows = load["rows"]
        lines.append(
            _load_rate_row(
                f"raw load: load_spool, {rows:,} Meta rows ({load['window_days']} d)",
                load,
                _peak(load),
            )
        )
        lines += _bulk_load_row(load.get("bulk"))
        ratio = _ratio(load["requests"], load["min_requests"])
        lines.append(
            _row(
                f"HTTP requests per Meta sync ({load['units']} units)",
                load["requests"],
                f"minimum: {load['min_requests']}",
                _fmt(ratio),
                "≤ 1.1×",
                _verdict(ratio, 1.1),
                "-",
            )
        )
        lines.append(
            _profile_row(
                "extract (HTTP + parse + spool, stand-in)",
                f"{rows / load['extract_seconds']:,.0f} rows/s",
                "(reference)",
            )
        )
    else:
        lines.append(_row("raw load path", "failed", "-", "-", "≥ 0.5", "not measured", "-"))
    gate, gsql = r["gate"], r["gate_sql"]
    lines.append(
        _against("quality gate (Great Expectations)", gate, "same checks in SQL", gsql, "≤ 2×", 2.0)
    )
    dash = r["dashboard"]
    if "p95_ms" in dash:
        lines.append(
            _row(
                f"dashboard queries ({len(dash['queries'])} page queries, all samples)",
                f"p50 {dash['p50_ms']:.1f} ms / p95 {dash['p95_ms']:.1f} ms",
                "-",
                "-",
                "p95 < 100 ms",
                "met" if dash["p95_ms"] < 100 else "**missed**",
                _peak(dash),
            )
        )
        lines += _slowest_query_row(dash)
        lines += _first_view_row(dash)
    peaks = [
        max(v.get("peak_rss_mb", 0.0), v.get("children_peak_rss_mb", 0.0))
        for v in [*(x for k, x in r.items() if k != "daily"), *r["daily"]]
        if "error" not in v
    ]
    top = max(peaks) if peaks else None
    lines.append(
        _row(
            "peak memory, any step",
            f"{top:,.0f} MB" if top else "n/a",
            "-",
            "-",
            "≤ 4 GB",
            "met" if top and top <= 4 * GB else "**missed**",
            "-",
        )
    )
    lines += ["", *_notes(r)]
    return "\n".join(lines)


def _bulk_load_row(bulk: dict[str, Any] | None) -> list[str]:
    """The raw-load figure on bulk pages cut from the generated warehouse."""
    if not bulk or not bulk.get("seconds"):
        return []
    return [
        _load_rate_row(
            f"raw load, bulk: load_spool, {bulk['rows']:,} generated placement rows "
            f"({bulk['days']} d, {bulk['units']} accounts)",
            bulk,
            "-",
        )
    ]


def _load_rate_row(label: str, load: dict[str, Any], peak: str) -> str:
    """Rows per second ``load_spool`` lands against DuckDB's ``read_json`` of the same pages
    (``load``: ``rows``, ``seconds``, ``floor_seconds``); the goal is at least half."""
    rows = load["rows"]
    land = {"seconds": [rows / s for s in load["seconds"]]}
    peer = {"seconds": [rows / s for s in load["floor_seconds"]]}
    return _against(
        label, land, "read_json", peer, "≥ 0.5", 0.5, at_most=False, unit="rows/s", peak=peak
    )


def _slowest_query_row(dash: dict[str, Any]) -> list[str]:
    """A sub-row naming the dashboard query with the highest p95."""
    queries = dash.get("queries") or {}
    if not queries:
        return []
    slowest = max(queries, key=lambda name: queries[name]["p95_ms"])
    times = queries[slowest]
    return [
        _profile_row(
            f"  slowest query: {slowest}",
            f"p50 {times['p50_ms']:.1f} ms / p95 {times['p95_ms']:.1f} ms",
        )
    ]


def _first_view_row(dash: dict[str, Any]) -> list[str]:
    """A sub-row with what a new publication's first view costs once per dashboard process:
    attaching the file and building the in-memory summaries (``dashboards.reader.Summary``)."""
    queries = dash.get("queries") or {}
    if "setup_ms" not in dash or not queries:
        return []
    slowest = max(queries, key=lambda name: queries[name].get("first_ms", 0.0))
    return [
        _profile_row(
            "  first view of a new publication (attach + summaries, once per process)",
            f"set-up {dash['setup_ms'] / 1000:.2f} s; slowest first query {slowest} "
            f"{queries[slowest].get('first_ms', 0.0) / 1000:.2f} s",
        )
    ]


def _split_row(label: str, result: dict[str, Any]) -> list[str]:
    """A sub-row splitting a dbt invocation's time (``bench.dbt_runner.DbtTimings.split``)."""
    split = result.get("split")
    if not split:
        return []
    return [
        _profile_row(
            f"  {label}",
            f"start-up + parse {split['startup_s']:.3g} s · models' SQL {split['models_s']:.3g} s"
            f" · tests' SQL {split['tests_s']:.3g} s · dbt per node "
            f"{split['per_node_overhead_s']:.3g} s",
        )
    ]


def _slowest(result: dict[str, Any], count: int = 8) -> str:
    """The slowest models of a dbt run, then all tests together."""
    nodes = result.get("node_seconds") or {}
    models = sorted(
        ((uid.rsplit(".", 1)[-1], t) for uid, t in nodes.items() if uid.startswith("model.")),
        key=lambda item: -item[1],
    )
    tests = sum(t for uid, t in nodes.items() if uid.startswith("test."))
    listed = ", ".join(f"{name} {t:.2f} s" for name, t in models[:count])
    return f"{listed}; {sum(1 for u in nodes if u.startswith('test.'))} tests {tests:.2f} s"


def _limits(limits: dict[str, Any] | None) -> str:
    if not limits:
        return ""
    return (
        f" · DuckDB memory_limit {limits['duckdb_memory_limit']}, "
        f"threads {limits['duckdb_threads']} · step address-space cap "
        f"{limits['address_space_cap_gb']} GB"
    )


def _error_notes(r: dict[str, Any]) -> list[str]:
    notes = []
    for name, result in r.items():
        for one in result if isinstance(result, list) else [result]:
            if "error" in one:
                notes.append(f"- step `{name}` did not complete: {one['error'].strip()[-300:]}")
    return notes


def _daily_notes(r: dict[str, Any]) -> list[str]:
    """Per-model timings of the full and the daily builds; the daily floor's check."""
    notes = []
    if r["dbt_build"].get("node_seconds"):
        notes.append(f"- full build, slowest models: {_slowest(r['dbt_build'])}")
    for one in r["daily"]:
        if one.get("node_seconds"):
            notes.append(f"- daily {one['new_day']}, slowest models: {_slowest(one)}")
        if "floor_mismatches" in one:
            notes.append(
                f"- daily {one['new_day']}: appended in {one['append_seconds']:.1f} s; "
                f"incremental floor differs from dbt in {one['floor_mismatches']} rows"
            )
    return notes


def _notes(r: dict[str, Any]) -> list[str]:
    notes = _error_notes(r)
    fl = r["floor"]
    if fl.get("floor_mismatches") is not None:
        notes.append(f"- rows differing between floor and dbt mart: {fl['floor_mismatches']}")
    for mart, covers in (fl.get("floor_covers") or {}).items():
        notes.append(f"- {mart} rows the floor computes and is compared on: {covers}")
    for mart, columns in (fl.get("columns_without_floor") or {}).items():
        if columns:
            notes.append(f"- {mart} columns the floor does not compute: {', '.join(columns)}")
    if fl.get("no_floor"):
        notes.append(f"- marts without a hand-written floor: {', '.join(fl['no_floor'])}")
    notes += _daily_notes(r)
    rec = r["reconcile"]
    if "truth_mismatches" in rec:
        notes.append(
            f"- ground truth: {rec['truth_mismatches']} Meta day x account x placement groups "
            f"differ; {rec['reporting_gaps']} rows lack a correct reporting amount"
        )
    if "tiktok_truth_mismatches" in rec:
        notes.append(
            f"- ground truth: {rec['tiktok_truth_mismatches']} TikTok ad x day x placement rows "
            "differ (their placements add up to the ad report)"
        )
    if r["gate_sql"].get("untranslated"):
        notes.append(f"- gate checks without SQL twin: {r['gate_sql']['untranslated']}")
    return notes


def _fmt(ratio: float | None, *, pct: bool = False) -> str:
    if ratio is None:
        return "n/a"
    return f"{ratio * 100:.1f} %" if pct else f"{ratio:.2f}×"


def update_benchmarks_md(path: Path, scale: str, table: str) -> None:
    """Replace the ``scale`` section between its markers in BENCHMARKS.md (append if absent)."""
    start, end = f"<!-- bench:{scale}:start -->", f"<!-- bench:{scale}:end -->"
    block = f"{start}\n{table}\n{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        text = text.rstrip() + f"\n\n## `{scale}` preset\n\n{block}\n"
    path.write_text(text, encoding="utf-8")

"""The `socialmart` command: every pipeline step outside Airflow.

socialmart run --start 2026-10-01 --end 2026-10-07
socialmart extract|load|transform|validate|publish ...
socialmart metrics query roas spend --by placement --by week --start 2026-10-01

The stand-in APIs have their own command (``python -m sandbox``), and so does the demo
(``python -m devtools.demo``, `make demo`): this package never imports either.
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import date

from socialmart.settings import Settings, load_settings

log = logging.getLogger("socialmart")


def _add_window(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--start", required=True, type=date.fromisoformat, help="first day")
    parser.add_argument("--end", required=True, type=date.fromisoformat, help="last day, inclusive")


def _build_parser(settings: Settings) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="socialmart", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="the whole pipeline for a date range")
    _add_window(run)
    run.add_argument("--run-id", help="defaults to a new id")

    extract = commands.add_parser("extract", help="pull a date range into the spool")
    _add_window(extract)
    extract.add_argument("--run-id", required=True)
    for name, text in [
        ("load", "merge a run's spool into the raw tables"),
        ("validate", "run the quality gate on the built marts"),
        ("publish", "publish the validated marts to readers"),
    ]:
        step = commands.add_parser(name, help=text)
        step.add_argument("--run-id", required=True)
    transform = commands.add_parser("transform", help="dbt build against the warehouse")
    transform.add_argument("--run-id", default="cli")
    transform.add_argument("--full-refresh", action="store_true")

    commands.add_parser(
        "docs", help="dbt docs and Great Expectations Data Docs, offline, under <home>/docs"
    )

    _add_metrics(commands)
    return parser


def _add_metrics(commands: argparse._SubParsersAction) -> None:
    metrics = commands.add_parser(
        "metrics", help="the semantic layer (MetricFlow) over the published marts"
    )
    metrics_commands = metrics.add_subparsers(dest="metrics_command", required=True)
    metrics_commands.add_parser("list", help="every metric, its semantic model, its label")
    query = metrics_commands.add_parser(
        "query", help="metrics grouped by words or MetricFlow names"
    )
    query.add_argument("metrics", nargs="+", help="e.g. spend roas cpa placement_share")
    query.add_argument(
        "--by",
        action="append",
        default=[],
        help="platform, placement, position, campaign, creator, advantage_plus, "
        "threads_inclusion, day|week|month|quarter|year, or a MetricFlow name (repeatable)",
    )
    query.add_argument("--start", type=date.fromisoformat, help="first day (metric time)")
    query.add_argument("--end", type=date.fromisoformat, help="last day, inclusive")
    query.add_argument(
        "--where", action="append", help="MetricFlow filter, e.g. \"{{ Dimension('...') }} = 'x'\""
    )
    query.add_argument("--limit", type=int)
    query.add_argument("--sql", action="store_true", help="also print the SQL that ran")
    query.add_argument("--csv", action="store_true", help="CSV instead of an aligned table")


def _metrics(args: argparse.Namespace, settings: Settings) -> int:
    import csv

    from socialmart import metrics

    layer = metrics.layer(settings)
    if args.metrics_command == "list":
        for name, fact, label in layer.metrics():
            print(f"{name:<26} {fact:<22} {label}")
        return 0
    words = [word for arg in args.metrics for word in arg.split(",") if word]
    by = [word for arg in args.by for word in arg.split(",") if word]
    answer = layer.ask(
        words, by, start=args.start, end=args.end, where=args.where, limit=args.limit
    )
    if args.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(answer.columns)
        writer.writerows(answer.rows)
    else:
        print(metrics.format_table(answer))
    if args.sql:
        print(f"\n{answer.sql}")
    return 0


def _steps(args: argparse.Namespace, settings: Settings) -> int:
    from socialmart import pipeline
    from socialmart.engines import published_location

    if args.command == "run":
        window = pipeline.Window(args.start, args.end)
        summary = pipeline.run(settings, window, args.run_id)
        print(f"published run {summary.run_id} to {published_location(settings)}")
    elif args.command == "extract":
        run_id = pipeline.safe_run_id(args.run_id)
        outcome = pipeline.extract(settings, pipeline.Window(args.start, args.end), run_id)
        if outcome.failures:  # the others stay in the spool, loadable; the exit code says it
            raise pipeline.ExtractFailed(
                outcome.failures,
                others=f"The other accounts' {len(outcome.manifests)} unit(s) are in the spool; "
                f"`socialmart load --run-id {run_id}` loads them. Nothing was loaded.",
            )
    elif args.command == "load":
        pipeline.load(settings, pipeline.safe_run_id(args.run_id))
    elif args.command == "transform":
        run_id = pipeline.safe_run_id(args.run_id)
        pipeline.transform(settings, run_id, full_refresh=args.full_refresh)
    elif args.command == "validate":
        pipeline.validate(settings, pipeline.safe_run_id(args.run_id))
    elif args.command == "publish":
        pipeline.publish(settings, pipeline.safe_run_id(args.run_id))
    elif args.command == "docs":
        from socialmart import docs

        print(f"docs: {docs.build(settings).as_uri()}")
    return 0


def main(argv: list[str] | None = None) -> int:
    from socialmart.logs import configure_logging

    settings = load_settings()
    args = _build_parser(settings).parse_args(argv)
    configure_logging(settings)
    try:
        if args.command == "metrics":
            return _metrics(args, settings)
        return _steps(args, settings)
    except Exception as error:  # one clear line for people, the traceback in debug logs
        log.debug("failed", exc_info=True)
        print(f"socialmart {args.command} failed: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

"""The stand-in's command line: ``python -m sandbox serve|truth|client-env``.

python -m sandbox serve --port 8765 --seed 42 [--faults plan.json] [--clock-file F]
                        [--request-log F] [--account-copies N]
python -m sandbox truth --seed 42 --start 2026-10-01 --end 2026-10-07 [--grain ad-placement]
                        [--account-copies N]
python -m sandbox client-env

The production package never imports the stand-in: the local Airflow stack starts ``serve`` as
a process and reads ``client-env`` (the identities no API lists) from one.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from socialmart.settings import Settings, load_settings, parse_account_copies


def _build_parser(settings: Settings) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the stand-in APIs until stopped")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=settings.sandbox_port)
    serve.add_argument("--seed", type=int, default=settings.sandbox_seed)
    serve.add_argument(
        "--faults", type=Path, help="JSON fault plan to inject (default: $SANDBOX_FAULTS)"
    )
    serve.add_argument(
        "--clock-file",
        type=Path,
        help="while this file exists, its content (ISO 8601) is the stand-in's now",
    )
    serve.add_argument(
        "--request-log",
        type=Path,
        help="append one JSON line per served request, token-free (default: $SANDBOX_REQUEST_LOG)",
    )
    truth = commands.add_parser("truth", help="ground truth as JSON on stdout")
    truth.add_argument("--seed", type=int, default=settings.sandbox_seed)
    for command in (serve, truth):
        command.add_argument(
            "--account-copies",
            type=parse_account_copies,
            default=settings.sandbox_account_copies,
            help="copies of the Meta ad accounts and TikTok advertisers"
            " (default: $SANDBOX_ACCOUNT_COPIES, 1)",
        )
    truth.add_argument(
        "--grain",
        choices=["day-account-placement", "ad-placement"],
        default="day-account-placement",
        help="totals per day x account x placement, or every day x ad x placement row",
    )
    truth.add_argument("--start", required=True, type=date.fromisoformat, help="first day")
    truth.add_argument("--end", required=True, type=date.fromisoformat, help="last day, inclusive")
    commands.add_parser(
        "client-env", help="the stand-in's account identities as JSON (names as in .env.example)"
    )
    return parser


def _serve(args: argparse.Namespace) -> None:
    import os

    from sandbox.faults import FaultPlan
    from sandbox.server import REQUEST_LOG_ENV_VAR, serve_forever

    faults = FaultPlan.from_json(args.faults.read_text()) if args.faults else None
    faults = faults or FaultPlan.from_env()
    from_env = os.environ.get(REQUEST_LOG_ENV_VAR, "").strip()
    request_log = args.request_log or (Path(from_env) if from_env else None)
    serve_forever(
        args.host,
        args.port,
        seed=args.seed,
        faults=faults,
        clock_file=args.clock_file,
        request_log=request_log,
        account_copies=args.account_copies,
    )


def _truth(args: argparse.Namespace) -> None:
    from sandbox.meta import truth
    from sandbox.meta.scenario import configured_scenario

    compute = (
        truth.totals_by_day_account_placement
        if args.grain == "day-account-placement"
        else truth.placement_truth
    )
    scenario = configured_scenario(args.account_copies)
    rows = compute(args.seed, args.start, args.end, scenario=scenario)
    json.dump(rows, sys.stdout, default=str, indent=1)
    sys.stdout.write("\n")


def main(argv: list[str] | None = None) -> int:
    from socialmart.logs import configure_logging

    settings = load_settings()
    args = _build_parser(settings).parse_args(argv)
    configure_logging(settings)
    if args.command == "serve":
        _serve(args)
    elif args.command == "truth":
        _truth(args)
    else:
        from sandbox.client_env import client_env

        json.dump(client_env(), sys.stdout)
        sys.stdout.write("\n")
    return 0

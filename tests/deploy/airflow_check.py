"""Checks a compose file's Airflow usage against the installed Airflow, in a child process.

Reads JSON from stdin: ``argvs`` (argument lists after ``airflow``), ``options``
(``AIRFLOW__SECTION__KEY`` names) and ``classes`` (dotted import paths). Writes JSON with one
list of problems per kind. A child process keeps Airflow's import-time configuration (it
reads and creates AIRFLOW_HOME) out of the test session.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import sys


def _argv_problems(argvs: list[list[str]]) -> list[str]:
    from airflow.cli import cli_parser

    parser = cli_parser.get_parser()
    problems = []
    for argv in argvs:
        output = io.StringIO()
        with (
            contextlib.redirect_stderr(output),
            contextlib.redirect_stdout(output),
            contextlib.suppress(SystemExit),
        ):
            parser.parse_args(argv)
            continue
        last = output.getvalue().strip().splitlines()[-1:] or ["rejected"]
        problems.append(f"airflow {' '.join(argv)}: {last[0]}")
    return problems


def _option_problems(names: list[str]) -> list[str]:
    from airflow.configuration import retrieve_configuration_description

    known = {
        (section, option)
        for section, description in retrieve_configuration_description().items()
        for option in description["options"]
    }
    problems = []
    for name in names:
        section, _, option = name.removeprefix("AIRFLOW__").lower().partition("__")
        if (section, option) not in known:
            problems.append(f"{name}: no option {option!r} in section [{section}]")
    return problems


def _class_problems(paths: list[str]) -> list[str]:
    problems = []
    for path in paths:
        module, _, name = path.rpartition(".")
        try:
            getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError) as error:
            problems.append(f"{path}: {error}")
    return problems


def main() -> None:
    request = json.load(sys.stdin)
    json.dump(
        {
            "argvs": _argv_problems(request["argvs"]),
            "options": _option_problems(request["options"]),
            "classes": _class_problems(request["classes"]),
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()

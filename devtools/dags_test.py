"""`airflow dags test` of several DAGs, one after the other, in one interpreter.

Usage: ``python -m devtools.dags_test '[["ingest_meta", {"start": ...}], ...]'`` (what
:func:`devtools.demo.run_dags` starts). Each `airflow dags test` process pays Airflow's
imports, the start-up of the in-process execution API its first task needs (cached per
process) and Airflow's exit: about 30 s per DAG on two cores, more than most DAGs' own tasks.
One process pays them once. Each DAG runs exactly as `airflow dags test <dag_id> --conf ...`
runs it (Airflow's own command-line parser and command); a marker line before and after
each tells the caller whose output follows. The first DAG that fails stops the rest, and
the process exits with status 1.
"""

from __future__ import annotations

import json
import sys

#: Printed before a DAG's run: ``<BEGIN><dag_id>``.
BEGIN = "socialmart dags-test begin: "
#: Printed after a DAG's run: ``<END><dag_id> ok`` or ``<END><dag_id> failed (<reason>)``.
END = "socialmart dags-test end: "


def main(argv: list[str]) -> int:
    """Run each ``[dag_id, conf]`` of the JSON list ``argv[0]``; 0 when all succeeded."""
    runs = json.loads(argv[0])
    from airflow.cli import cli_parser
    from airflow.configuration import write_default_airflow_configuration_if_needed

    write_default_airflow_configuration_if_needed()  # as the `airflow` command does
    parser = cli_parser.get_parser()
    for dag_id, conf in runs:
        print(f"{BEGIN}{dag_id}", flush=True)
        args = parser.parse_args(["dags", "test", dag_id, "--conf", json.dumps(conf)])
        try:
            args.func(args)
        except SystemExit as stop:  # the command's way of reporting a failed run
            if stop.code not in (None, 0):
                print(f"{END}{dag_id} failed ({stop.code})", flush=True)
                return 1
        print(f"{END}{dag_id} ok", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

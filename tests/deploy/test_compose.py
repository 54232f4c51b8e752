"""docker-compose.yml checked offline: structure, variables, secrets, and that every command
names something the project image really has."""

from __future__ import annotations

import itertools
import json
import re
import shlex
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from offline_compose import (
    interpolate,
    interpolation_errors,
    load_compose,
    read_env_file,
    variables_used,
)

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
IMAGE_WORKDIR = "/opt/socialmart"

AIRFLOW_SERVICES = {
    "airflow-init",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
}
SERVICES = {"postgres", "redis", "sandbox", "dashboard", *AIRFLOW_SERVICES}
# Started only with `--profile celery` (AIRFLOW_EXECUTOR=CeleryExecutor).
CELERY_PROFILE = {"redis", "airflow-worker"}
THIRD_PARTY_IMAGES = {"postgres": "postgres:", "redis": "redis:"}
SERVICE_KEYS = {
    "build", "command", "depends_on", "deploy", "entrypoint", "env_file", "environment",
    "healthcheck", "image", "ports", "profiles", "restart", "volumes", "user", "working_dir",
}  # fmt: skip
DEPENDS_CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
RESTART_POLICIES = {"no", "always", "on-failure", "unless-stopped"}
SECRET_VARIABLE = re.compile(r"PASSWORD|SECRET|TOKEN|FERNET")
SECRET_NAME = re.compile(rf"{SECRET_VARIABLE.pattern}|SQL_ALCHEMY_CONN")


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    return load_compose(COMPOSE)


@pytest.fixture(scope="module")
def env_example() -> dict[str, str]:
    return read_env_file(ENV_EXAMPLE)


@pytest.fixture(scope="module")
def config(raw: dict[str, Any], env_example: dict[str, str]) -> dict[str, Any]:
    """The compose file as `docker compose config` would resolve it with .env.example."""
    return interpolate(raw, env_example)


def _is_project_image(service: dict[str, Any]) -> bool:
    return "build" in service


def _environment(service: dict[str, Any]) -> dict[str, str]:
    return {key: str(value) for key, value in (service.get("environment") or {}).items()}


def test_declares_the_stack(raw: dict[str, Any]) -> None:
    assert set(raw) <= {"name", "services", "volumes", "networks", "configs", "secrets"} | {
        key for key in raw if key.startswith("x-")
    }
    assert set(raw["services"]) == SERVICES
    for name, service in raw["services"].items():
        assert set(service) <= SERVICE_KEYS, f"{name}: unexpected keys"
        assert service.get("restart", "no") in RESTART_POLICIES, name
        assert "image" in service, name


def test_every_variable_is_defined_in_env_example(
    raw: dict[str, Any], env_example: dict[str, str]
) -> None:
    used = variables_used(raw)

    assert used, "the compose file should take its settings from .env"
    assert used - set(env_example) == set()


def test_interpolates_cleanly_with_the_example_settings(
    raw: dict[str, Any], env_example: dict[str, str]
) -> None:
    assert interpolation_errors(raw, env_example) == []


def test_secrets_have_no_defaults_in_the_compose_file(raw: dict[str, Any]) -> None:
    errors = " ".join(interpolation_errors(raw, {}))
    for secret in [
        "AIRFLOW_DB_PASSWORD",
        "AIRFLOW_JWT_SECRET",
        "AIRFLOW_API_SECRET_KEY",
        "AIRFLOW_ADMIN_PASSWORD",
    ]:
        assert f"required variable {secret} is missing" in errors

    for name, service in raw["services"].items():
        for key, value in _environment(service).items():
            if SECRET_NAME.search(key) and not key.endswith("_FILE"):
                assert "${" in value, f"{name}: {key} is hard-coded"
    references = re.finditer(
        r"\$\{(?P<name>\w+)(?P<operator>:?-)(?P<default>[^}]*)\}", COMPOSE.read_text()
    )
    for reference in references:
        if SECRET_VARIABLE.search(reference["name"]):
            assert reference["default"] == "", f"{reference['name']} has a default"


def test_airflow_services_share_one_configuration(config: dict[str, Any]) -> None:
    services = config["services"]
    for name in AIRFLOW_SERVICES:
        env = _environment(services[name])
        assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
        assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "False"
        assert env["AIRFLOW__CORE__DAGS_FOLDER"] == f"{IMAGE_WORKDIR}/dags"
        assert env["AIRFLOW__CORE__AUTH_MANAGER"].endswith(".SimpleAuthManager")
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"].startswith(
            "http://airflow-apiserver:8080/"
        )
        assert env["SANDBOX_HOST"] == "sandbox"  # every default base URL reaches the stand-in
        assert env["SOCIALMART_HOME"] == f"{IMAGE_WORKDIR}/var"
        assert env["AIRFLOW_HOME"].startswith(env["SOCIALMART_HOME"] + "/")
        for key in ("SQL_ALCHEMY_CONN", "SQL_ALCHEMY_CONN_ASYNC"):
            url = env[f"AIRFLOW__DATABASE__{key}"]
            assert re.fullmatch(r"postgresql\+\w+://airflow:[^@]+@postgres:5432/airflow", url)
        assert services[name]["env_file"] == ".env"
        assert f"socialmart-var:{IMAGE_WORKDIR}/var" in services[name]["volumes"]
    assert (ROOT / "dags").is_dir()
    assert (ROOT / ".gitignore").read_text().count("\n.env\n") == 1


def test_celery_executor_is_one_setting_shared_with_the_native_stack(
    raw: dict[str, Any], env_example: dict[str, str]
) -> None:
    """AIRFLOW_EXECUTOR / AIRFLOW_CELERY_WORKERS / AIRFLOW_WORKER_CONCURRENCY mean the same in
    compose as in `make airflow`; the Celery services are in the celery profile."""
    from socialmart.airflow_env import airflow_env
    from socialmart.settings import load_settings
    from socialmart.stack.executors import CELERY_CONFIG_PATH, executor_class_path

    celery = {
        **env_example,
        "AIRFLOW_EXECUTOR": "CeleryExecutor",
        "AIRFLOW_CELERY_WORKERS": "3",
        "AIRFLOW_WORKER_CONCURRENCY": "2",
    }
    services = interpolate(raw, celery)["services"]
    for name in AIRFLOW_SERVICES:
        env = _environment(services[name])
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert env["AIRFLOW__CELERY__BROKER_URL"] == "redis://redis:6379/0"
        assert env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql+psycopg2://")
        assert env["AIRFLOW__CELERY__WORKER_CONCURRENCY"] == "2"
        assert env["AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS"] == CELERY_CONFIG_PATH
    worker = services["airflow-worker"]
    assert worker["command"] == ["airflow", "celery", "worker"]
    assert str(worker["deploy"]["replicas"]) == "3"
    assert {n for n, s in services.items() if "celery" in s.get("profiles", [])} == CELERY_PROFILE
    assert services["airflow-scheduler"]["depends_on"]["redis"]["required"] is False

    native = airflow_env(load_settings(), stack=True)  # the defaults of .env.example
    # Natively the LocalExecutor is the warm one; compose runs Airflow's own (see DECISIONS).
    assert native["AIRFLOW__CORE__EXECUTOR"] == executor_class_path(env_example["AIRFLOW_EXECUTOR"])
    for name in ("AIRFLOW_EXECUTOR", "AIRFLOW_CELERY_WORKERS", "AIRFLOW_WORKER_CONCURRENCY"):
        assert name in variables_used(raw), name


def test_only_airflow_gets_the_settings_file(config: dict[str, Any]) -> None:
    """Connector tokens reach the containers that run the pipeline, nobody else."""
    for name, service in config["services"].items():
        assert ("env_file" in service) == (name in AIRFLOW_SERVICES), name


def test_dashboard_reads_the_shared_volume_read_only(config: dict[str, Any]) -> None:
    dashboard = config["services"]["dashboard"]

    assert dashboard["volumes"] == [f"socialmart-var:{IMAGE_WORKDIR}/var:ro"]
    assert _environment(dashboard)["SOCIALMART_HOME"] == f"{IMAGE_WORKDIR}/var"


def test_dashboard_on_postgres_gets_the_bi_login_only(config: dict[str, Any]) -> None:
    """On SOCIALMART_WAREHOUSE=postgres the dashboard reads as the BI role: it gets that login,
    never the pipeline's user or password, and a cache folder outside the read-only volume."""
    environment = _environment(config["services"]["dashboard"])
    expected = {name for name in environment if name.startswith("SOCIALMART_PG_")}
    assert expected == {
        "SOCIALMART_PG_HOST",
        "SOCIALMART_PG_PORT",
        "SOCIALMART_PG_DBNAME",
        "SOCIALMART_PG_BI_ROLE",
        "SOCIALMART_PG_BI_PASSWORD",
    }
    assert "SOCIALMART_WAREHOUSE" in environment
    cache = environment["SOCIALMART_DASHBOARD_CACHE_DIR"]
    assert not cache.startswith(f"{IMAGE_WORKDIR}/var")


def test_dependencies_exist_and_can_be_met(config: dict[str, Any]) -> None:
    services = config["services"]
    graph: dict[str, set[str]] = {}
    for name, service in services.items():
        depends_on = service.get("depends_on") or {}
        graph[name] = set(depends_on)
        for target, spec in depends_on.items():
            assert target in services, f"{name} depends on unknown {target}"
            condition = spec["condition"]
            assert condition in DEPENDS_CONDITIONS
            if target in CELERY_PROFILE and name not in CELERY_PROFILE:
                assert spec.get("required") is False, f"{name} needs {target} without celery"
            if condition == "service_healthy":
                assert "healthcheck" in services[target], f"{target} has no healthcheck"
            if condition == "service_completed_successfully":
                assert services[target].get("restart") == "no", f"{target} must run once"

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, f"dependency cycle: {' -> '.join((*path, name))}"
        for target in graph[name]:
            visit(target, (*path, name))

    for name in services:
        visit(name, ())


def test_named_volumes_are_declared(config: dict[str, Any]) -> None:
    declared = set(config["volumes"])
    used = set()
    for service in config["services"].values():
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            assert not source.startswith((".", "/")), f"bind mount {mount}: use a named volume"
            used.add(source)
    assert used == declared


def test_ports_are_local_and_match_what_the_commands_listen_on(config: dict[str, Any]) -> None:
    listening = {"airflow-apiserver": "8080", "sandbox": "8765", "dashboard": "8501"}
    for name, service in config["services"].items():
        ports = service.get("ports", [])
        if name not in listening:
            assert ports == [], name
            continue
        (mapping,) = ports
        host_ip, host_port, container_port = mapping.split(":")
        assert host_ip == "127.0.0.1"
        assert host_port.isdigit()
        assert container_port == listening[name]
        assert re.search(rf"(=|\s){listening[name]}\b", " ".join(service["command"])), name


def test_project_services_build_one_image(config: dict[str, Any]) -> None:
    project = [s for s in config["services"].values() if _is_project_image(s)]

    assert len(project) == len(SERVICES) - len(THIRD_PARTY_IMAGES)
    assert {s["image"] for s in project} == {"socialmart:local"}
    for service in project:
        assert (ROOT / service["build"]["context"] / service["build"]["dockerfile"]).is_file()
    for name, image in THIRD_PARTY_IMAGES.items():
        assert config["services"][name]["image"].startswith(image)


def test_healthchecks_are_well_formed(config: dict[str, Any]) -> None:
    for name, service in config["services"].items():
        if name == "airflow-init":
            assert "healthcheck" not in service
            continue
        form, *arguments = service["healthcheck"]["test"]
        assert form in {"CMD", "CMD-SHELL"}, name
        assert arguments, name
        if form == "CMD-SHELL":
            assert len(arguments) == 1, f"{name}: CMD-SHELL takes one shell string"


# --- commands ------------------------------------------------------------------------------


def _script(argv: list[str]) -> str | None:
    """The script of ``bash [options] -c SCRIPT``."""
    if argv[0] == "bash" and "-c" in argv:
        return argv[argv.index("-c") + 1]
    return None


def _heredocs(script: str) -> Iterator[tuple[str, str]]:
    """(command line, body) of every ``<<'WORD'`` here-document in ``script``."""
    pattern = re.compile(
        r"^(?P<line>[^\n]*<<'(?P<word>\w+)')\n(?P<body>.*?)^(?P=word)$", re.M | re.S
    )
    for match in pattern.finditer(script):
        yield match.group("line"), match.group("body")


def _commands(config: dict[str, Any]) -> Iterator[tuple[str, list[str]]]:
    """(service, argv) of every command the project image runs, scripts unpacked."""
    for name, service in config["services"].items():
        if not _is_project_image(service):
            continue
        candidates = [service["command"]]
        test = service.get("healthcheck", {}).get("test", [])
        if test[:1] == ["CMD"]:
            candidates.append(test[1:])
        elif test[:1] == ["CMD-SHELL"]:
            candidates.append(shlex.split(test[1]))
        for argv in candidates:
            yield name, argv
            script = _script(argv)
            if script is None:
                continue
            without_heredocs = re.sub(r"<<'(\w+)'\n.*?^\1$", "", script, flags=re.M | re.S)
            for line in without_heredocs.splitlines():
                if line.strip():
                    yield name, shlex.split(line)


def _python_sources(config: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for name, argv in _commands(config):
        if argv[0] == "python" and "-c" in argv:
            yield name, argv[argv.index("-c") + 1]
    for name, service in config["services"].items():
        script = _script(service["command"]) if _is_project_image(service) else None
        for line, body in _heredocs(script or ""):
            if line.startswith("python"):
                yield name, body


def _installed_scripts() -> set[str]:
    return {entry.name for entry in metadata.entry_points(group="console_scripts")}


def test_every_command_runs_an_executable_the_image_has(config: dict[str, Any]) -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    available = {"python", "bash", *_installed_scripts(), *pyproject["project"]["scripts"]}
    for name, argv in _commands(config):
        assert argv[0] in available, f"{name}: {argv[0]} is not in the image"
    assert "socialmart" in pyproject["project"]["scripts"]


def test_bash_scripts_and_python_snippets_compile(config: dict[str, Any]) -> None:
    sources = list(_python_sources(config))
    assert len(sources) == 5  # the init script and four HTTP/TCP health checks
    for name, source in sources:
        compile(source, f"<{name}>", "exec")
    for name, service in config["services"].items():
        script = _script(service.get("command", ["-"]))
        if script:
            checked = subprocess.run(["bash", "-n", "-c", script], capture_output=True, text=True)
            assert checked.returncode == 0, f"{name}: {checked.stderr}"


def test_airflow_commands_options_and_classes_exist(config: dict[str, Any], tmp_path: Path) -> None:
    argvs = [argv[1:] for _, argv in _commands(config) if argv[0] == "airflow"]
    services = {name for name, argv in _commands(config) if argv[0] == "airflow"}
    assert services == AIRFLOW_SERVICES
    options = sorted(
        {
            key
            for name in AIRFLOW_SERVICES
            for key in _environment(config["services"][name])
            if key.startswith("AIRFLOW__")
        }
    )
    apiserver = _environment(config["services"]["airflow-apiserver"])
    classes = [apiserver["AIRFLOW__CORE__AUTH_MANAGER"]]
    request = {"argvs": argvs, "options": options, "classes": classes}

    result = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("airflow_check.py"))],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        env={"AIRFLOW_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        timeout=120,
        check=True,
    )

    assert json.loads(result.stdout) == {"argvs": [], "options": [], "classes": []}


# The project's own command lines in the image, and how to ask each for its --help here.
PROJECT_COMMANDS = {
    ("socialmart",): [sys.executable, "-m", "socialmart.cli"],
    ("python", "-m", "sandbox"): [sys.executable, "-m", "sandbox"],
}


def test_project_commands_use_existing_subcommands_and_flags(config: dict[str, Any]) -> None:
    calls = [
        (program, argv[len(program) :])
        for _, argv in _commands(config)
        for program in PROJECT_COMMANDS
        if tuple(argv[: len(program)]) == program
    ]
    assert [[*program, *args] for program, args in calls] == [
        ["python", "-m", "sandbox", "serve", "--host", "0.0.0.0", "--port", "8765", "--seed", "42"]
    ]
    for program, args in calls:
        subcommands = list(itertools.takewhile(lambda arg: not arg.startswith("-"), args))
        shown = subprocess.run(
            [*PROJECT_COMMANDS[program], *subcommands, "--help"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
            check=True,
        ).stdout
        for flag in (arg for arg in args if arg.startswith("--")):
            assert re.search(rf"{flag}\b", shown), f"{' '.join(program)} {' '.join(subcommands)}"


def test_streamlit_command_runs_the_dashboard_with_real_options(config: dict[str, Any]) -> None:
    from streamlit import config as streamlit_config

    (argv,) = [argv for _, argv in _commands(config) if argv[0] == "streamlit"]
    assert argv[1] == "run"
    assert (ROOT / argv[2]).is_file()  # relative to the image's working directory, the root
    options = streamlit_config.get_config_options()
    flags = dict(arg.removeprefix("--").split("=", 1) for arg in argv[3:])
    assert set(flags) <= set(options)
    assert flags["server.headless"] == "true"

"""The Dockerfile and .dockerignore checked offline, and against docker-compose.yml."""

from __future__ import annotations

import re
import shlex
import subprocess
import tomllib
from pathlib import Path

import pytest
from offline_compose import interpolate, load_compose, read_env_file

ROOT = Path(__file__).resolve().parents[2]
IMAGE_WORKDIR = "/opt/socialmart"

Instruction = tuple[str, str]


def _instructions() -> list[Instruction]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    instructions = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, arguments = stripped.partition(" ")
            instructions.append((keyword.upper(), " ".join(arguments.split())))
    return instructions


def _final_stage() -> list[Instruction]:
    instructions = _instructions()
    start = max(i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM")
    return instructions[start:]


def _image_env() -> dict[str, str]:
    env = {}
    for keyword, arguments in _final_stage():
        if keyword == "ENV":
            env.update(pair.split("=", 1) for pair in shlex.split(arguments))
    return env


def _ignore_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    parts = re.split(r"(\*\*/|\*\*|\*|\?)", pattern.strip("/"))
    wildcards = {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}
    return re.compile("".join(wildcards.get(part, re.escape(part)) for part in parts))


def _ignored(path: str) -> bool:
    """Whether the build context leaves ``path`` out (the last matching pattern wins)."""
    ancestors = [str(Path(*Path(path).parts[: i + 1])) for i in range(len(Path(path).parts))]
    ignored = False
    for pattern in _ignore_patterns():
        negated = pattern.startswith("!")
        regex = _pattern_regex(pattern.removeprefix("!"))
        if any(regex.fullmatch(candidate) for candidate in ancestors):
            ignored = not negated
    return ignored


def _compose_environment(service: str) -> dict[str, str]:
    config = interpolate(
        load_compose(ROOT / "docker-compose.yml"), read_env_file(ROOT / ".env.example")
    )
    return config["services"][service]["environment"]


def test_builds_on_python_311_slim_with_a_pinned_uv() -> None:
    froms = [arguments for keyword, arguments in _instructions() if keyword == "FROM"]

    assert froms[-1] == "python:3.11-slim"
    assert re.fullmatch(r"ghcr\.io/astral-sh/uv:\d+\.\d+\.\d+ AS uv", froms[0])
    assert ("COPY", "--from=uv /uv /usr/local/bin/uv") in _final_stage()


def test_copy_sources_exist_and_are_in_the_build_context() -> None:
    copies = [args.split() for keyword, args in _final_stage() if keyword == "COPY"]
    local = [args for args in copies if not args[0].startswith("--from=")]

    assert local
    for *sources, _destination in local:
        for source in sources:
            assert (ROOT / source).exists(), source
            assert source == "." or not _ignored(source), f"{source} is in .dockerignore"


def test_installs_the_lock_then_the_project_without_dependencies() -> None:
    steps = [f"{keyword} {arguments}" for keyword, arguments in _final_stage()]

    def position(pattern: str) -> int:
        (index,) = [i for i, step in enumerate(steps) if re.search(pattern, step)]
        return index

    lock_copied = position(r"^COPY requirements\.lock ")
    lock_installed = position(r"^RUN uv pip install --requirement requirements\.lock$")
    project_copied = position(r"^COPY \. \.$")
    project_installed = position(r"^RUN uv pip install --no-deps --editable \. ")
    assert lock_copied < lock_installed < project_copied < project_installed


def test_runs_as_a_non_root_user() -> None:
    stage = _final_stage()
    users = [arguments for keyword, arguments in stage if keyword == "USER"]
    uid = dict(arguments.split("=", 1) for keyword, arguments in stage if keyword == "ARG").get(
        "SOCIALMART_UID"
    )

    assert users, "no USER instruction: the image would run as root"
    assert users[-1] == "${SOCIALMART_UID}"
    assert uid is not None and int(uid) > 0


def test_paths_agree_with_the_compose_file() -> None:
    env = _image_env()
    (workdir,) = [arguments for keyword, arguments in _final_stage() if keyword == "WORKDIR"]
    scheduler = _compose_environment("airflow-scheduler")

    assert workdir == IMAGE_WORKDIR
    assert env["SOCIALMART_HOME"] == scheduler["SOCIALMART_HOME"] == f"{workdir}/var"
    assert env["AIRFLOW_HOME"] == scheduler["AIRFLOW_HOME"]
    assert scheduler["AIRFLOW__CORE__DAGS_FOLDER"] == f"{workdir}/dags"
    assert env["PATH"].startswith(env["VIRTUAL_ENV"] + "/bin:")


@pytest.mark.parametrize(
    "path",
    [
        ".env",
        ".venv/bin/python",
        ".git/HEAD",
        "var/warehouse.duckdb",
        "var/published/marts.duckdb",
        "dbt_project/target/manifest.json",
        "socialmart/__pycache__/settings.cpython-311.pyc",
        "scratch/copy.duckdb",
    ],
)
def test_dockerignore_keeps_secrets_and_state_out(path: str) -> None:
    assert _ignored(path)


def _repository_files() -> list[str]:
    """Files git tracks or would track (untracked but not git-ignored), relative to ROOT."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [name for name in listed.split("\0") if name and (ROOT / name).is_file()]


def _build_inputs() -> list[str]:
    """Every repository file the image build and the services need."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    top_level = {"pyproject.toml", "requirements.lock", pyproject["project"]["readme"]}
    patterns = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = [
        path.name for p in patterns for path in ROOT.glob(p) if (path / "__init__.py").is_file()
    ]
    folders = ("dags", "dbt_project", *packages)
    return [
        name for name in _repository_files() if name in top_level or name.split("/")[0] in folders
    ]


def test_dockerignore_keeps_what_the_build_needs() -> None:
    inputs = _build_inputs()

    assert {"README.md", "dashboards/app.py", "dbt_project/dbt_project.yml"} <= set(inputs)
    assert [name for name in inputs if _ignored(name)] == []


def test_image_has_the_database_drivers_the_compose_urls_name() -> None:
    lock = (ROOT / "requirements.lock").read_text()
    installed = set(re.findall(r"^([A-Za-z0-9_.-]+)==", lock, flags=re.M))
    env = _compose_environment("airflow-scheduler")
    packages = {"psycopg2": {"psycopg2", "psycopg2-binary"}, "asyncpg": {"asyncpg"}}

    for key in ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC"):
        driver = re.match(r"postgresql\+(\w+)://", env[key]).group(1)
        assert packages[driver] & installed, f"{key} needs {driver}"

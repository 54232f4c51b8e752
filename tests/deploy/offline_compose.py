"""What `docker compose config` does that can be done without a Docker engine.

Loads docker-compose.yml (YAML merge keys resolved), reads a .env-style file and applies
compose's variable interpolation rules: ``$$`` escapes, ``$VAR``, ``${VAR}``,
``${VAR:-default}``, ``${VAR-default}``, ``${VAR:?error}``, ``${VAR?error}``,
``${VAR:+replacement}`` and ``${VAR+replacement}``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_TOKEN = re.compile(
    rf"\$(?:(?P<escaped>\$)|(?P<bare>{_NAME})|\{{(?P<braced>{_NAME})"
    r"(?:(?P<operator>:?[-?+])(?P<argument>[^}]*))?\}|(?P<invalid>))"
)


class InterpolationError(ValueError):
    """A required variable is unset, or a ``$`` expression is malformed."""


def load_compose(path: Path) -> dict[str, Any]:
    """The compose file as plain data, before interpolation."""
    return yaml.safe_load(path.read_text())


def read_env_file(path: Path) -> dict[str, str]:
    """``NAME=value`` lines of a .env file; comments and blank lines are skipped."""
    values: dict[str, str] = {}
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        name, separator, value = stripped.partition("=")
        if not separator or not re.fullmatch(_NAME, name.strip()):
            raise ValueError(f"{path}: not a NAME=value line: {line!r}")
        values[name.strip()] = value.strip()
    return values


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, Mapping):
        return [text for value in node.values() for text in _strings(value)]
    if isinstance(node, list):
        return [text for value in node for text in _strings(value)]
    return []


def variables_used(node: Any) -> set[str]:
    """Every variable name referenced anywhere in ``node`` (``$$`` escapes excluded)."""
    names: set[str] = set()
    for text in _strings(node):
        for match in _TOKEN.finditer(text):
            name = match.group("bare") or match.group("braced")
            if name:
                names.add(name)
    return names


def _substitute(match: re.Match[str], env: Mapping[str, str]) -> str:
    if match.group("escaped"):
        return "$"
    if match.group("invalid") is not None:
        raise InterpolationError(f"invalid '$' expression at {match.string!r}")
    name = match.group("bare") or match.group("braced")
    operator, argument = match.group("operator"), match.group("argument") or ""
    value = env.get(name)
    # With a colon, an empty value counts as unset (compose and POSIX shell agree).
    unset = value is None or (value == "" and bool(operator) and operator.startswith(":"))
    if operator in ("-", ":-"):
        return argument if unset else value
    if operator in ("?", ":?"):
        if unset:
            raise InterpolationError(f"required variable {name} is missing: {argument}")
        return value
    if operator in ("+", ":+"):
        return "" if unset else argument
    return value or ""


def interpolate(node: Any, env: Mapping[str, str]) -> Any:
    """``node`` with every string interpolated against ``env``, as compose would.

    Raises:
        InterpolationError: A ``?`` variable is unset or an expression is malformed.
    """
    if isinstance(node, str):
        return _TOKEN.sub(lambda match: _substitute(match, env), node)
    if isinstance(node, Mapping):
        return {key: interpolate(value, env) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate(value, env) for value in node]
    return node


def interpolation_errors(node: Any, env: Mapping[str, str]) -> list[str]:
    """Every interpolation error in ``node``, instead of stopping at the first."""
    errors = []
    for text in _strings(node):
        try:
            interpolate(text, env)
        except InterpolationError as error:
            errors.append(str(error))
    return errors

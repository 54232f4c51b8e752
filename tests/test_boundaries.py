"""The production package does not import the stand-in or the tools built on it.

``socialmart/`` is what runs in production; ``sandbox/`` (the stand-in APIs) and ``devtools/``
(demo, soak, reconciliation with the stand-in's truth) are for development and tests. The stack
starts the stand-in as a process (``python -m sandbox serve``) instead of importing it.
"""

from __future__ import annotations

import ast

from socialmart.settings import PROJECT_ROOT

NOT_IMPORTED_BY_PRODUCTION = {"sandbox", "devtools"}


def imported_modules(source: str) -> set[str]:
    """Every module an ``import`` or ``from ... import`` statement names, at any depth."""
    modules = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


def test_imported_modules_sees_function_level_and_from_imports() -> None:
    source = "import os\ndef f():\n    from sandbox.meta import truth\n    import devtools.demo\n"
    assert imported_modules(source) == {"os", "sandbox.meta", "devtools.demo"}


def test_socialmart_imports_neither_the_stand_in_nor_the_dev_tools() -> None:
    offenders = {
        f"{path.relative_to(PROJECT_ROOT)}: {module}"
        for path in sorted((PROJECT_ROOT / "socialmart").rglob("*.py"))
        for module in imported_modules(path.read_text())
        if module.split(".")[0] in NOT_IMPORTED_BY_PRODUCTION
    }
    assert not offenders, sorted(offenders)

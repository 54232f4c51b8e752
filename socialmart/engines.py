"""The one place that maps ``SOCIALMART_WAREHOUSE`` to the engine's modules.

Every pipeline step asks :func:`engine` for the warehouse's ``connect``, loader and publish
instead of testing the setting itself. The modules of the engine not in use are never
imported (the embedded warehouse needs no PostgreSQL driver at run time, and the other way
round).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from socialmart.settings import Settings

#: Per engine: the module that connects, the loader, the module that publishes.
_MODULES = {
    "duckdb": ("socialmart.warehouse", "connectors.common.land", "socialmart.publish"),
    "postgres": (
        "socialmart.pg_warehouse",
        "connectors.common.land_postgres",
        "socialmart.publish_postgres",
    ),
}


@dataclass(frozen=True)
class Engine:
    """What the pipeline steps need from one warehouse engine.

    Attributes:
        name: ``duckdb`` or ``postgres`` (``settings.warehouse``).
        connect: Opens the warehouse (schemas and audit tables created); either connection
            has DuckDB's calling convention (``socialmart.pg_warehouse.Connection``).
        land: The loader module: ``load_spool``, ``ensure_raw_table``, ``record_skipped_run``.
        publishing: The publish module: ``publish(settings, run_id)`` swaps the validated
            marts in for readers, ``refresh_health(con, settings)`` the health tables.
        load_options: Keyword arguments of this loader's ``load_spool`` beyond the common
            ones (PostgreSQL: how long to wait for another load of the same stream).
    """

    name: str
    connect: Callable[[Settings], Any]
    land: ModuleType
    publishing: ModuleType
    load_options: dict[str, Any]


def engine(settings: Settings) -> Engine:
    """The engine ``settings.warehouse`` names."""
    connects, lands, publishes = _MODULES[settings.warehouse]
    return Engine(
        settings.warehouse,
        import_module(connects).connect,
        import_module(lands),
        import_module(publishes),
        {"lock_timeout_seconds": settings.lock_timeout_seconds}
        if settings.warehouse == "postgres"
        else {},
    )


def connect(settings: Settings) -> Any:
    """Open the configured warehouse; needs neither its loader nor its publish module."""
    return import_module(_MODULES[settings.warehouse][0]).connect(settings)


def published_location(settings: Settings) -> str:
    """Where readers find the published marts (said to people, never parsed)."""
    if settings.warehouse == "postgres":
        pg = settings.postgres
        return f"schema published of postgresql://{pg.host}:{pg.port}/{pg.dbname}"
    return str(settings.published_marts_path)

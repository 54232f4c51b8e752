"""The registry of sources: what the pipeline and the DAGs extract, account by account.

Each source package exposes a module-level ``SOURCE`` (a :class:`Source`) in
``connectors/<name>/source.py``. Extraction is per account so that one failing account
never loses the others' data (and Airflow can map a task over accounts).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from connectors.common.streams import StreamSpec
from socialmart.settings import Settings

SOURCE_NAMES: tuple[str, ...] = ("meta", "tiktok_shop", "tiktok", "threads", "instagram", "fx")


@dataclass(frozen=True)
class Source:
    """One platform the pipeline pulls from.

    Attributes:
        name: Folder and raw-table prefix (``meta`` -> ``raw.meta__*``).
        streams: Every stream the source lands; their raw tables exist before dbt runs,
            even for a source that is not configured, so models always compile.
        accounts: The accounts to pull: configured ones, or those the credential can see.
        extract_account: ``(settings, account, start, end, run_id)``: pulls every stream of
            one account for the days ``start..end`` (inclusive) of run ``run_id`` into the
            spool folder of ``settings`` and returns the manifest paths. If any stream fails,
            every unit of the account is discarded (``connectors.common.extract.AccountRun``)
            and a ``ConnectorError`` is raised: ``FatalApiError`` when the platform refused for
            good (the message names the fix), ``RetriesExhaustedError`` when transient
            failures outlasted the retry budget. Each source's ``extract_account`` also takes
            a ``client`` (tests).
        lookback_days: How many days before a scheduled window are re-pulled, because the
            platform restates them.
        account_settings: The settings that switch the source on by giving it accounts
            (named when a run finds none, see :func:`no_accounts_reason`).
    """

    name: str
    streams: tuple[StreamSpec, ...]
    accounts: Callable[[Settings], list[str]]
    extract_account: Callable[[Settings, str, date, date, str], list[Path]]
    lookback_days: Callable[[Settings], int]
    account_settings: tuple[str, ...]


def get_source(name: str) -> Source:
    """The registered source called ``name`` (imported on first use)."""
    if name not in SOURCE_NAMES:
        raise KeyError(f"unknown source {name!r}; known: {', '.join(SOURCE_NAMES)}")
    return importlib.import_module(f"connectors.{name}.source").SOURCE


def no_accounts_reason(source: Source) -> str:
    """Why a run of ``source`` pulled nothing, and the settings that switch it on."""
    return (
        f"{source.name}: no accounts configured or visible, so nothing was pulled or loaded. "
        f"Set {' / '.join(source.account_settings)} (see .env.example) to switch it on."
    )

"""Logging for socialmart entry points: one format, secrets masked, noisy libraries quiet."""

from __future__ import annotations

import logging
import os

from connectors.common.redaction import SecretMaskingFilter, install_url_log_redaction
from socialmart.settings import Settings

_NOISY_LOGGERS = ("great_expectations", "urllib3", "dbt", "filelock", "matplotlib")


def secret_values(settings: Settings) -> list[str]:
    """Every credential the settings hold, for masking."""
    return [
        settings.meta.access_token,
        settings.threads.access_token,
        *(token for _, token in settings.threads.profile_tokens),
        settings.instagram.access_token,
        settings.tiktok.access_token,
        settings.tiktok.app_secret,
        settings.tiktok_shop.app_secret,
        settings.tiktok_shop.access_token,
    ]


def configure_logging(settings: Settings, level: int = logging.INFO) -> None:
    """Set up root logging for a process: secrets masked on every handler, quiet libraries."""
    os.environ.setdefault("TQDM_DISABLE", "1")  # GX progress bars
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    mask = SecretMaskingFilter(secret_values(settings))
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, SecretMaskingFilter) for f in handler.filters):
            handler.addFilter(mask)
    install_url_log_redaction()
    quiet_noisy_libraries()


def quiet_noisy_libraries() -> None:
    """Only warnings from the libraries that log chatter at INFO (Great Expectations logs
    about 200 lines while it is imported)."""
    for name in _NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)

"""Keeping secrets out of logs, errors and files.

Two complementary tools: :func:`redact_url` / :func:`redact_text` remove secret *parameters*
by name (Meta's ``paging.next`` links carry ``access_token``), and
:class:`SecretMaskingFilter` masks known secret *values* wherever they appear in a log record.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SECRET_PARAMS: frozenset[str] = frozenset(
    {"access_token", "access-token", "secret", "app_secret", "client_secret", "sign"}
)
MASK = "***"

# A secret parameter anywhere in free text: name=value up to the next delimiter.
_SECRET_IN_TEXT = re.compile(
    r"(?i)(?<![\w-])(" + "|".join(re.escape(name) for name in sorted(SECRET_PARAMS)) + r")"
    r"(=|%3D)([^&\s\"'<>#,;)]*)"
)


def redact_url(url: str) -> str:
    """Return ``url`` with the values of secret query parameters replaced by ``***``.

    Args:
        url: Any absolute or relative URL.

    Returns:
        The same URL, safe to log, raise or store. Non-secret parameters keep their order.
    """
    try:
        parts = urlsplit(url)
        pairs = parse_qsl(parts.query, keep_blank_values=True)
    except ValueError:
        return redact_text(url)
    if not any(name.lower() in SECRET_PARAMS for name, _ in pairs):
        return redact_text(url)
    cleaned = [(name, MASK if name.lower() in SECRET_PARAMS else value) for name, value in pairs]
    query = urlencode(cleaned, safe="*")
    return redact_text(urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment)))


def redact_text(text: str) -> str:
    """Mask ``name=value`` pairs of secret parameters inside free text (messages, reprs)."""
    return _SECRET_IN_TEXT.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)


class SecretMaskingFilter(logging.Filter):
    """Logging filter that masks secret parameters and configured secret values.

    Attach it to a handler (it then sees every record passing through) or to the logger
    that creates the records (e.g. ``urllib3.connectionpool``).
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        # Very short values would mask ordinary words; real tokens are long.
        self._secrets = sorted({s for s in secrets if s and len(s) >= 8}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message in place; never drops a record."""
        message = record.getMessage()
        masked = redact_text(message)
        for secret in self._secrets:
            masked = masked.replace(secret, MASK)
        if masked != message:
            record.msg = masked
            record.args = None
        return True


def install_url_log_redaction(logger_names: Iterable[str] = ("urllib3.connectionpool",)) -> None:
    """Make third-party loggers that print request URLs (urllib3 at DEBUG) redact them.

    Idempotent: a logger gets at most one redaction filter from this function.
    """
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, SecretMaskingFilter) for f in logger.filters):
            logger.addFilter(SecretMaskingFilter())

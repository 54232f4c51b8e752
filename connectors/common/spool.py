"""Writing an extract's pages to the spool folder, token-free.

Layout: ``<spool_dir>/<run_id>/<source>/<stream>/<account>/page-00001.json`` (one JSON array of
the page's ``data`` records per API page) plus ``manifest.json``. The manifest is written last
and atomically, so a unit without one is an unfinished extract and is never loaded.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

MANIFEST_NAME = "manifest.json"
LOADED_MANIFEST_NAME = "manifest.loaded.json"
STATUS_COMPLETE = "complete"


@dataclass(frozen=True)
class Manifest:
    """What one (stream, account) extract pulled; the content of ``manifest.json``."""

    run_id: str
    source: str
    stream: str
    account_id: str
    window_start: date
    window_end: date
    pulled_at: datetime
    files: tuple[str, ...]
    row_count: int
    request_count: int
    status: str
    #: Every top-level field name the pages' records carried (schema drift is judged on it).
    fields: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """Plain-JSON form, dates as ISO strings."""
        return {
            **asdict(self),
            "window_start": self.window_start.isoformat(),
            "window_end": self.window_end.isoformat(),
            "pulled_at": self.pulled_at.isoformat(),
            "files": list(self.files),
            "fields": list(self.fields),
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Manifest:
        """Parse the form written by :meth:`to_json`."""
        return cls(
            run_id=str(raw["run_id"]),
            source=str(raw["source"]),
            stream=str(raw["stream"]),
            account_id=str(raw["account_id"]),
            window_start=date.fromisoformat(raw["window_start"]),
            window_end=date.fromisoformat(raw["window_end"]),
            pulled_at=datetime.fromisoformat(raw["pulled_at"]),
            files=tuple(raw["files"]),
            row_count=int(raw["row_count"]),
            request_count=int(raw["request_count"]),
            status=str(raw["status"]),
            fields=tuple(raw.get("fields", ())),
        )


def read_manifest(path: Path) -> Manifest:
    """Read a ``manifest.json`` file."""
    return Manifest.from_json(json.loads(path.read_text(encoding="utf-8")))


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _write_durably(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


class SpoolWriter:
    """Writes the pages of one (source, stream, account) extract and, last, its manifest.

    Creating a writer clears whatever an earlier, interrupted attempt of the same run left in
    the unit's folder, so a retried extract starts clean.

    Args:
        spool_dir: Root spool folder (``Settings.spool_dir``).
        run_id: The pipeline run; becomes ``_sync_id`` in the raw tables.
        source: Source package name, e.g. ``"meta"``.
        stream: Stream name, e.g. ``"ad_insights_placement"``.
        account_id: Account the pages belong to.
        window_start: First day of the pulled window (inclusive).
        window_end: Last day of the pulled window (inclusive).
        clock: Returns the current UTC time (tests).
    """

    def __init__(
        self,
        spool_dir: Path,
        run_id: str,
        source: str,
        stream: str,
        account_id: str,
        window_start: date,
        window_end: date,
        *,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        for part in (run_id, source, stream, account_id):
            if not part or "/" in part or "\\" in part or part in {".", ".."}:
                raise ValueError(f"unsafe spool path component: {part!r}")
        self.unit_dir = Path(spool_dir) / run_id / source / stream / account_id
        # The manifest's first fields, in :class:`Manifest`'s order, known from the start.
        self._header = (run_id, source, stream, account_id, window_start, window_end)
        self._clock = clock
        self._files: list[str] = []
        self._rows_per_file: list[int] = []
        self._fields: set[str] = set()
        self._pulled_at: datetime | None = None
        self.discard()
        self.unit_dir.mkdir(parents=True)

    @property
    def row_count(self) -> int:
        """Rows written so far."""
        return sum(self._rows_per_file)

    @property
    def page_count(self) -> int:
        """Page files written so far; pass it to :meth:`truncate` to undo later pages."""
        return len(self._files)

    def write_page(self, records: Sequence[dict[str, Any]]) -> Path:
        """Write one API page's ``data`` records as a JSON array file (one dump per page)."""
        name = f"page-{len(self._files) + 1:05d}.json"
        path = self.unit_dir / name
        _write_durably(path, json.dumps(list(records), ensure_ascii=False, separators=(",", ":")))
        self._files.append(name)
        self._rows_per_file.append(len(records))
        self._fields.update(*records)
        self._pulled_at = self._clock()
        return path

    def truncate(self, page_count: int) -> None:
        """Delete the pages written after the first ``page_count`` (a query being redone)."""
        for name in self._files[page_count:]:
            (self.unit_dir / name).unlink(missing_ok=True)
        del self._files[page_count:]
        del self._rows_per_file[page_count:]

    def commit(self, request_count: int) -> Path:
        """Write ``manifest.json`` atomically (temp file + rename); the unit becomes loadable.

        Args:
            request_count: HTTP requests the extract sent for this unit, retries included.

        Returns:
            The manifest path.
        """
        manifest = Manifest(
            *self._header,
            pulled_at=(self._pulled_at or self._clock()).astimezone(UTC),
            files=tuple(self._files),
            row_count=self.row_count,
            request_count=request_count,
            status=STATUS_COMPLETE,
            fields=tuple(sorted(self._fields)),
        )
        final = self.unit_dir / MANIFEST_NAME
        temp = final.with_name(MANIFEST_NAME + ".tmp")
        _write_durably(temp, json.dumps(manifest.to_json(), indent=2))
        os.replace(temp, final)
        return final

    def discard(self) -> None:
        """Remove the unit folder and everything in it (nothing of it stays loadable)."""
        shutil.rmtree(self.unit_dir, ignore_errors=True)

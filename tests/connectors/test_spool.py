"""SpoolWriter: page files, atomic manifest, undo and discard."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from connectors.common.spool import MANIFEST_NAME, SpoolWriter, read_manifest

PULLED = datetime(2026, 6, 3, 4, 5, 6, tzinfo=UTC)


def _writer(tmp_path: Path, account: str = "42") -> SpoolWriter:
    return SpoolWriter(
        tmp_path,
        "run-1",
        "meta",
        "ad_insights_placement",
        account,
        date(2026, 6, 1),
        date(2026, 6, 2),
        clock=lambda: PULLED,
    )


def test_pages_and_manifest_layout(tmp_path: Path) -> None:
    writer = _writer(tmp_path)
    writer.write_page([{"a": "1"}, {"a": "2"}])
    writer.write_page([])
    manifest_path = writer.commit(request_count=3)
    unit = tmp_path / "run-1" / "meta" / "ad_insights_placement" / "42"
    assert manifest_path == unit / MANIFEST_NAME
    assert sorted(p.name for p in unit.iterdir()) == [
        MANIFEST_NAME,
        "page-00001.json",
        "page-00002.json",
    ]
    assert json.loads((unit / "page-00001.json").read_text()) == [{"a": "1"}, {"a": "2"}]
    assert json.loads((unit / "page-00002.json").read_text()) == []
    raw = json.loads(manifest_path.read_text())
    assert raw == {
        "run_id": "run-1",
        "source": "meta",
        "stream": "ad_insights_placement",
        "account_id": "42",
        "window_start": "2026-06-01",
        "window_end": "2026-06-02",
        "pulled_at": "2026-06-03T04:05:06+00:00",
        "files": ["page-00001.json", "page-00002.json"],
        "row_count": 2,
        "request_count": 3,
        "status": "complete",
        "fields": ["a"],
    }
    assert read_manifest(manifest_path).pulled_at == PULLED


def test_no_manifest_until_commit(tmp_path: Path) -> None:
    writer = _writer(tmp_path)
    writer.write_page([{"a": "1"}])
    assert not (writer.unit_dir / MANIFEST_NAME).exists()
    assert not list(writer.unit_dir.glob("*.tmp"))


def test_truncate_removes_redone_pages(tmp_path: Path) -> None:
    writer = _writer(tmp_path)
    writer.write_page([{"a": "1"}])
    mark = writer.page_count
    writer.write_page([{"a": "2"}, {"a": "3"}])
    writer.truncate(mark)
    writer.write_page([{"a": "4"}])
    manifest = read_manifest(writer.commit(request_count=1))
    assert manifest.files == ("page-00001.json", "page-00002.json")
    assert manifest.row_count == 2
    assert json.loads((writer.unit_dir / "page-00002.json").read_text()) == [{"a": "4"}]


def test_new_attempt_clears_the_previous_one(tmp_path: Path) -> None:
    first = _writer(tmp_path)
    first.write_page([{"a": "1"}])
    first.commit(request_count=1)
    second = _writer(tmp_path)
    assert list(second.unit_dir.iterdir()) == []


def test_discard_removes_the_unit(tmp_path: Path) -> None:
    writer = _writer(tmp_path)
    writer.write_page([{"a": "1"}])
    writer.discard()
    assert not writer.unit_dir.exists()


@pytest.mark.parametrize("account", ["", "..", "a/b"])
def test_unsafe_path_parts_are_rejected(tmp_path: Path, account: str) -> None:
    with pytest.raises(ValueError, match="unsafe"):
        _writer(tmp_path, account)

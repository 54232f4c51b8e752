"""load_spool: versioned raw tables, tombstones, idempotency, all-or-nothing units."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from connectors.common.land import LoadPolicy, load_spool, load_unit
from connectors.common.spool import MANIFEST_NAME, SpoolWriter, read_manifest
from connectors.meta.streams import AD_INSIGHTS_PLACEMENT

JUNE_1, JUNE_2, JUNE_3 = date(2026, 6, 1), date(2026, 6, 2), date(2026, 6, 3)
ACCOUNT = "1234567890"
TABLE = "raw.meta__ad_insights_placement"


def _row(day: date, ad: str = "301", spend: str = "1.00", **extra: Any) -> dict[str, Any]:
    return {
        "account_id": extra.pop("account_id", ACCOUNT),
        "account_currency": "EUR",
        "campaign_id": "101",
        "campaign_name": "Sales",
        "adset_id": "201",
        "adset_name": "Auto",
        "ad_id": ad,
        "ad_name": f"Ad {ad}",
        "date_start": day.isoformat(),
        "date_stop": day.isoformat(),
        "publisher_platform": "instagram",
        "platform_position": "instagram_reels",
        "impressions": "100",
        "clicks": "7",
        "spend": spend,
        "actions": [{"action_type": "omni_purchase", "value": "1", "7d_click": "1"}],
        "action_values": [{"action_type": "omni_purchase", "value": "9.99"}],
        **extra,
    }


class Spool:
    """Writes pulls into a spool folder the way the extract does, one run per call."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.runs = 0

    def pull(
        self,
        pages: list[list[dict[str, Any]]],
        start: date = JUNE_1,
        end: date = JUNE_2,
        account: str = ACCOUNT,
        commit: bool = True,
    ) -> str:
        self.runs += 1
        run_id = f"run-{self.runs}"
        pulled_at = datetime(2026, 6, 3, tzinfo=UTC) + timedelta(hours=self.runs)
        writer = SpoolWriter(
            self.root,
            run_id,
            "meta",
            AD_INSIGHTS_PLACEMENT.name,
            account,
            start,
            end,
            clock=lambda: pulled_at,
        )
        for page in pages:
            writer.write_page(page)
        if commit:
            writer.commit(request_count=len(pages))
        return run_id


@pytest.fixture
def spool(tmp_path: Path) -> Spool:
    return Spool(tmp_path / "spool")


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as connection:
        yield connection


def _load(con: duckdb.DuckDBPyConnection, spool: Spool, run_id: str) -> tuple[int, int, int]:
    [report] = load_spool(con, spool.root / run_id, run_id)
    return report.rows_seen, report.rows_inserted, report.tombstones_inserted


def _latest(con: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    """What staging will read: latest version per key, deleted ones dropped."""
    return con.execute(
        f"""
        select ad_id, date_start, spend, _sync_id from {TABLE}
        qualify row_number() over (
            partition by account_id, ad_id, date_start, publisher_platform, platform_position
            order by _pulled_at desc
        ) = 1 and not _is_deleted
        order by all
        """
    ).fetchall()


def _raw_tables(con: duckdb.DuckDBPyConnection) -> int:
    sql = "select count(*) from duckdb_tables() where schema_name = 'raw'"
    return con.execute(sql).fetchone()[0]


def _count(con: duckdb.DuckDBPyConnection, where: str = "true") -> int:
    return con.execute(f"select count(*) from {TABLE} where {where}").fetchone()[0]


def test_first_load_creates_typed_tables(con: duckdb.DuckDBPyConnection, spool: Spool) -> None:
    run = spool.pull([[_row(JUNE_1), _row(JUNE_2)], []])
    assert _load(con, spool, run) == (2, 2, 0)
    types = dict(
        con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'raw' and table_name = 'meta__ad_insights_placement' "
            "order by ordinal_position"
        ).fetchall()
    )
    assert list(types) == [
        *AD_INSIGHTS_PLACEMENT.columns,
        *("_sync_id", "_pulled_at", "_source", "_row_hash", "_is_deleted"),
    ]
    assert types["date_start"] == "DATE" and types["actions"] == "JSON"
    assert types["spend"] == "VARCHAR" and types["_pulled_at"] == "TIMESTAMP WITH TIME ZONE"
    row = con.execute(
        f"select _sync_id, _source, _is_deleted, length(_row_hash), "
        f"json_extract_string(actions, '$[0].7d_click'), _pulled_at = '2026-06-03 01:00:00+00' "
        f"from {TABLE} limit 1"
    ).fetchone()
    assert row == ("run-1", "meta_marketing_api", False, 32, "1", True)
    loads = con.execute(
        "select run_id, source, stream, account_id, window_start, window_end, rows_seen, "
        "rows_inserted, tombstones_inserted from raw._loads"
    ).fetchall()
    assert loads == [("run-1", "meta", "ad_insights_placement", ACCOUNT, JUNE_1, JUNE_2, 2, 2, 0)]


def test_loading_twice_inserts_nothing(con: duckdb.DuckDBPyConnection, spool: Spool) -> None:
    first = spool.pull([[_row(JUNE_1), _row(JUNE_2)]])
    _load(con, spool, first)
    assert load_spool(con, spool.root / first, first) == []  # already loaded: skipped
    again = spool.pull([[_row(JUNE_2)], [_row(JUNE_1)]])  # same data, new run, other order
    assert _load(con, spool, again) == (2, 0, 0)
    assert _count(con) == 2


def test_changed_value_adds_one_version(con: duckdb.DuckDBPyConnection, spool: Spool) -> None:
    _load(con, spool, spool.pull([[_row(JUNE_1), _row(JUNE_2)]]))
    run = spool.pull([[_row(JUNE_1, spend="2.50"), _row(JUNE_2)]])
    assert _load(con, spool, run) == (2, 1, 0)
    assert _count(con) == 3
    assert _latest(con) == [
        ("301", JUNE_1, "2.50", "run-2"),
        ("301", JUNE_2, "1.00", "run-1"),
    ]


def test_changed_nested_action_adds_a_version(con: duckdb.DuckDBPyConnection, spool: Spool) -> None:
    _load(con, spool, spool.pull([[_row(JUNE_1)]], end=JUNE_1))
    restated = _row(JUNE_1, actions=[{"action_type": "omni_purchase", "value": "2"}])
    assert _load(con, spool, spool.pull([[restated]], end=JUNE_1)) == (1, 1, 0)


def test_vanished_row_is_tombstoned_inside_the_window_only(
    con: duckdb.DuckDBPyConnection, spool: Spool
) -> None:
    other_account = "999"
    _load(con, spool, spool.pull([[_row(JUNE_1), _row(JUNE_2), _row(JUNE_3)]], end=JUNE_3))
    _load(con, spool, spool.pull([[_row(JUNE_1, account_id=other_account)]], account="999"))
    run = spool.pull([[_row(JUNE_1)]], start=JUNE_1, end=JUNE_2)
    assert _load(con, spool, run) == (1, 0, 1)
    tombstone = con.execute(
        f"select account_id, ad_id, date_start, publisher_platform, platform_position, spend, "
        f"actions, campaign_id, _sync_id from {TABLE} where _is_deleted"
    ).fetchall()
    assert tombstone == [
        (ACCOUNT, "301", JUNE_2, "instagram", "instagram_reels", None, None, None, "run-3")
    ]
    assert _latest(con) == [
        ("301", JUNE_1, "1.00", "run-1"),
        ("301", JUNE_1, "1.00", "run-2"),
        ("301", JUNE_3, "1.00", "run-1"),
    ]
    # Tombstoning again is a no-op; a row that comes back gets a live version.
    assert _load(con, spool, spool.pull([[_row(JUNE_1)]])) == (1, 0, 0)
    assert _load(con, spool, spool.pull([[_row(JUNE_1), _row(JUNE_2)]])) == (2, 1, 0)
    assert ("301", JUNE_2, "1.00", "run-5") in _latest(con)


def _loads_row(con: duckdb.DuckDBPyConnection, run_id: str) -> tuple[Any, ...]:
    return con.execute(
        "select rows_seen, tombstones_inserted, live_keys_in_window, tombstones_withheld, "
        "rows_quarantined from raw._loads where run_id = ?",
        [run_id],
    ).fetchone()


def test_empty_pull_of_a_window_with_rows_deletes_nothing(
    con: duckdb.DuckDBPyConnection, spool: Spool, caplog: pytest.LogCaptureFixture
) -> None:
    """An empty answer is far more often a platform hiccup than a mass deletion (issue 13)."""
    _load(con, spool, spool.pull([[_row(JUNE_1), _row(JUNE_2), _row(JUNE_3)]], end=JUNE_3))
    run = spool.pull([[]], start=JUNE_2, end=JUNE_3)
    [report] = load_spool(con, spool.root / run, run)
    assert (report.rows_seen, report.tombstones_inserted, report.tombstones_withheld) == (0, 0, 2)
    assert report.deletion_suspect and report.live_keys_in_window == 2
    assert _loads_row(con, run) == (0, 0, 2, 2, 0)
    assert len(_latest(con)) == 3  # nothing lost
    assert (
        "meta/ad_insights_placement account 1234567890: the pull of 2026-06-02..2026-06-03 "
        "returned 0 rows where 2 keys were live; 2 deletions withheld" in caplog.text
    )
    assert "LOAD_CONFIRM_DELETIONS=meta/ad_insights_placement/1234567890" in caplog.text


def test_a_re_pull_that_returns_the_rows_clears_a_suspect_pull(
    con: duckdb.DuckDBPyConnection, spool: Spool
) -> None:
    _load(con, spool, spool.pull([[_row(JUNE_1), _row(JUNE_2)]]))
    _load(con, spool, spool.pull([[]]))
    run = spool.pull([[_row(JUNE_1), _row(JUNE_2)]])
    assert _load(con, spool, run) == (2, 0, 0)
    assert _loads_row(con, run) == (2, 0, 2, 0, 0)


def test_sharply_shorter_pull_is_suspect_a_small_deletion_is_not(
    con: duckdb.DuckDBPyConnection, spool: Spool
) -> None:
    ads = [_row(JUNE_1, ad=str(ad)) for ad in range(301, 311)]
    _load(con, spool, spool.pull([ads], end=JUNE_1))
    # 4 of 10 keys vanish: at most half may go, so the deletion is credible.
    assert _load(con, spool, spool.pull([ads[:6]], end=JUNE_1)) == (6, 0, 4)
    # 5 of the remaining 6 vanish: more than half, so nothing is deleted.
    run = spool.pull([ads[:1]], end=JUNE_1)
    assert _load(con, spool, run) == (1, 0, 0)
    assert _loads_row(con, run) == (1, 0, 6, 5, 0)


def test_an_operator_can_confirm_a_suspect_deletion(
    con: duckdb.DuckDBPyConnection, spool: Spool
) -> None:
    _load(con, spool, spool.pull([[_row(JUNE_1), _row(JUNE_2)]]))
    run = spool.pull([[]])
    confirmed = LoadPolicy(confirmed=("meta/ad_insights_*/1234567890",))
    [report] = load_spool(con, spool.root / run, run, confirmed)
    assert (report.tombstones_inserted, report.tombstones_withheld) == (2, 0)
    assert _latest(con) == []
    assert not LoadPolicy(confirmed=("meta/ad_insights/*",)).confirms(
        "meta", "ad_insights_placement", ACCOUNT
    )


def test_rows_breaking_the_contract_are_quarantined_not_loaded(
    con: duckdb.DuckDBPyConnection, spool: Spool
) -> None:
    """A later full refresh reads raw only: what the contract rejected can never be published."""
    _load(con, spool, spool.pull([[_row(JUNE_1), _row(JUNE_2)]]))
    run = spool.pull(
        [
            [
                _row(JUNE_1, spend="-3.00"),  # a negative amount: the old version stays live
                _row(JUNE_2),
                _row(JUNE_3, ad="302"),  # a day outside the requested window
                _row(JUNE_1, ad="303", account_currency="EURO", clicks="1,2"),
            ]
        ]
    )
    assert _load(con, spool, run) == (4, 0, 0)  # JUNE_1's key was returned: no tombstone
    assert _loads_row(con, run) == (4, 0, 2, 0, 3)
    assert _latest(con) == [("301", JUNE_1, "1.00", "run-1"), ("301", JUNE_2, "1.00", "run-1")]
    quarantined = con.execute(
        "select ad_id, date_start, _sync_id, _reject_reason "
        "from quarantine.meta__ad_insights_placement order by ad_id"
    ).fetchall()
    assert quarantined == [
        ("301", JUNE_1, run, "spend is not a non-negative number"),
        ("302", JUNE_3, run, "date_start outside the requested window"),
        (
            "303",
            JUNE_1,
            run,
            "clicks is not a non-negative number; "
            "account_currency is not an ISO 4217 currency code",
        ),
    ]


def test_unknown_response_fields_are_recorded_once_per_field(
    con: duckdb.DuckDBPyConnection, spool: Spool, caplog: pytest.LogCaptureFixture
) -> None:
    _load(con, spool, spool.pull([[_row(JUNE_1, engaged_views="3")]]))
    _load(con, spool, spool.pull([[_row(JUNE_1, engaged_views="3", new_metric="1")]]))
    drift = con.execute(
        "select field, first_seen_run_id, last_seen_run_id from raw._schema_drift order by field"
    ).fetchall()
    assert drift == [("engaged_views", "run-1", "run-2"), ("new_metric", "run-2", "run-2")]
    assert "returned fields the stream does not declare: engaged_views, new_metric" in caplog.text


def test_half_written_spool_is_ignored(con: duckdb.DuckDBPyConnection, spool: Spool) -> None:
    run = spool.pull([[_row(JUNE_1)]], commit=False)
    assert load_spool(con, spool.root / run, run) == []
    assert (
        con.execute("select count(*) from duckdb_tables() where schema_name = 'raw'").fetchone()[0]
        == 0
    )


def test_failed_unit_leaves_nothing(
    con: duckdb.DuckDBPyConnection, spool: Spool, tmp_path: Path
) -> None:
    _load(con, spool, spool.pull([[_row(JUNE_1)]]))
    run = spool.pull([[_row(JUNE_1, spend="5.00")], [_row(JUNE_2)]])
    unit = spool.root / run / "meta" / "ad_insights_placement" / ACCOUNT
    (unit / "page-00002.json").write_text('[{"account_id": "1234567890", "ad_id": ')  # torn
    with pytest.raises(duckdb.Error):
        load_spool(con, spool.root / run, run)
    assert _count(con) == 1
    assert con.execute("select count(*) from raw._loads").fetchone()[0] == 1
    assert (unit / MANIFEST_NAME).exists()  # still pending: can be loaded after a fix


def test_manifest_and_files_must_agree(con: duckdb.DuckDBPyConnection, spool: Spool) -> None:
    run = spool.pull([[_row(JUNE_1)]])
    manifest = spool.root / run / "meta" / "ad_insights_placement" / ACCOUNT / MANIFEST_NAME
    raw = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**raw, "row_count": 5}))
    with pytest.raises(ValueError, match="manifest says 5"):
        load_spool(con, spool.root / run, run)
    assert _raw_tables(con) == 0  # even the DDL was rolled back


def test_rows_of_another_account_are_refused(con: duckdb.DuckDBPyConnection, spool: Spool) -> None:
    run = spool.pull([[_row(JUNE_1, account_id="555")]])
    with pytest.raises(ValueError, match="do not belong"):
        load_spool(con, spool.root / run, run)


def test_duplicate_key_within_a_pull_keeps_the_last_page(
    con: duckdb.DuckDBPyConnection, spool: Spool
) -> None:
    run = spool.pull([[_row(JUNE_1, spend="1.00")], [_row(JUNE_1, spend="1.10")]])
    assert _load(con, spool, run) == (2, 1, 0)
    assert _latest(con) == [("301", JUNE_1, "1.10", "run-1")]


def test_run_id_must_match(con: duckdb.DuckDBPyConnection, spool: Spool) -> None:
    run = spool.pull([[_row(JUNE_1)]])
    with pytest.raises(ValueError, match="belongs to run"):
        load_spool(con, spool.root / run, "another-run")


def test_newly_declared_column_is_added(con: duckdb.DuckDBPyConnection, spool: Spool) -> None:
    _load(con, spool, spool.pull([[_row(JUNE_1)]]))
    wider = replace(
        AD_INSIGHTS_PLACEMENT, columns={**AD_INSIGHTS_PLACEMENT.columns, "reach": "VARCHAR"}
    )
    run = spool.pull([[_row(JUNE_1, reach="88")]])
    unit = spool.root / run / "meta" / "ad_insights_placement" / ACCOUNT
    report = load_unit(con, wider, read_manifest(unit / MANIFEST_NAME), unit)
    assert report.rows_inserted == 1
    assert con.execute(f"select reach from {TABLE} where _sync_id = 'run-2'").fetchone() == ("88",)


def test_accounts_of_one_run_load_together_each_with_its_own_window(
    con: duckdb.DuckDBPyConnection, spool: Spool
) -> None:
    other = "999"
    _load(con, spool, spool.pull([[_row(JUNE_1), _row(JUNE_2), _row(JUNE_3)]], end=JUNE_3))
    run_id, pulled_at = "run-both", datetime(2026, 6, 4, tzinfo=UTC)
    for account, rows, end in (
        (ACCOUNT, [_row(JUNE_1)], JUNE_2),  # JUNE_2 vanished; JUNE_3 is outside the window
        (other, [_row(JUNE_2, account_id=other), _row(JUNE_3, account_id=other)], JUNE_3),
    ):
        _write_unit(spool, run_id, account, [rows], end, pulled_at)
    reports = load_spool(con, spool.root / run_id, run_id)
    assert [
        (r.account_id, r.rows_seen, r.rows_inserted, r.tombstones_inserted) for r in reports
    ] == [
        (ACCOUNT, 1, 0, 1),
        (other, 2, 2, 0),
    ]
    assert con.execute(
        "select account_id, rows_seen, rows_inserted, tombstones_inserted from raw._loads "
        "where run_id = 'run-both' order by account_id"
    ).fetchall() == [(ACCOUNT, 1, 0, 1), (other, 2, 2, 0)]
    deleted = f"select account_id, date_start from {TABLE} where _is_deleted"
    assert con.execute(deleted).fetchall() == [(ACCOUNT, JUNE_2)]


def _write_unit(
    spool: Spool,
    run_id: str,
    account: str,
    pages: list[list[dict[str, Any]]],
    end: date,
    pulled_at: datetime = datetime(2026, 6, 5, tzinfo=UTC),
) -> None:
    """One account's complete pull of ``run_id`` from JUNE_1 to ``end``, at ``pulled_at``."""
    writer = SpoolWriter(
        spool.root,
        run_id,
        "meta",
        AD_INSIGHTS_PLACEMENT.name,
        account,
        JUNE_1,
        end,
        clock=lambda: pulled_at,
    )
    for page in pages:
        writer.write_page(page)
    writer.commit(request_count=len(pages))


def test_loads_counts_are_the_rows_written_per_account(
    con: duckdb.DuckDBPyConnection, spool: Spool
) -> None:
    other = "999"
    _load(
        con, spool, spool.pull([[_row(JUNE_1), _row(JUNE_2), _row(JUNE_3, ad="302")]], end=JUNE_3)
    )
    run_id = "run-mixed"
    # ACCOUNT: JUNE_1 unchanged, JUNE_2 changed and repeated across pages, 302 vanished.
    _write_unit(
        spool,
        run_id,
        ACCOUNT,
        [[_row(JUNE_1), _row(JUNE_2, spend="2.00")], [_row(JUNE_2, spend="3.00")]],
        JUNE_3,
    )
    # The other account repeats ACCOUNT's keys: its own history, so no repeats, no tombstones.
    _write_unit(
        spool, run_id, other, [[_row(d, account_id=other) for d in (JUNE_1, JUNE_2)]], JUNE_3
    )
    reports = load_spool(con, spool.root / run_id, run_id)
    expected = [(ACCOUNT, 3, 1, 1), (other, 2, 2, 0)]
    assert [
        (r.account_id, r.rows_seen, r.rows_inserted, r.tombstones_inserted) for r in reports
    ] == expected
    assert (
        con.execute(
            "select account_id, rows_seen, rows_inserted, tombstones_inserted from raw._loads "
            f"where run_id = '{run_id}' order by account_id"
        ).fetchall()
        == expected
    )
    written = con.execute(
        f"select account_id, count(*) filter (where not _is_deleted), "
        f"count(*) filter (where _is_deleted) from {TABLE} where _sync_id = '{run_id}' "
        f"group by account_id order by account_id"
    ).fetchall()
    assert written == [
        (account, inserted, tombstones) for account, _, inserted, tombstones in expected
    ]
    assert ("301", JUNE_2, "3.00", run_id) in _latest(con)

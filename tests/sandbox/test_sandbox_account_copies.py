"""``SANDBOX_ACCOUNT_COPIES``: the stand-in as an agency's book of ad accounts (issue 16).

With the default (1) the stand-in is the brand alone, exactly as before; with N it lists N
copies of the Meta ad accounts (``/me/adaccounts``) and of the TikTok advertisers
(``/oauth2/advertiser/get/``), each with ids of its own, and its truth counts every copy, so a
copied account's served numbers reconcile like the brand's.
"""

from __future__ import annotations

import io
import json
from collections import defaultdict
from collections.abc import Iterator
from contextlib import redirect_stdout
from datetime import date
from decimal import Decimal

import pytest
import requests
from sandbox_support import EU, SEED, TOKEN, UK, US, walk

from sandbox import cli
from sandbox.meta import scenario as meta
from sandbox.meta.truth import totals_by_day_account_placement
from sandbox.server import RunningSandbox, serve_in_thread
from sandbox.tiktok import scenario as tiktok
from sandbox.tiktok.api import SANDBOX_APP_ID, SANDBOX_APP_SECRET
from sandbox.tiktok.truth import ad_day_truth
from socialmart.settings import SANDBOX_TIKTOK_TOKEN, load_settings

COPIES = 3
TIKTOK_BRAND = ("7002238017842757601", "7002238017842757602", "7002238017842757603")
NOW = "2026-10-05T12:00:00+00:00"
DAYS = ("2026-09-28", "2026-09-30")


def _meta_ids(s: meta.Scenario) -> list[str]:
    objects = (*s.campaigns, *s.adsets, *s.ads, *s.creatives)
    return [a.account_id for a in s.accounts] + [o.id for o in objects]


def _tiktok_ids(s: tiktok.Scenario) -> list[str]:
    return [
        *(a.advertiser_id for a in s.advertisers),
        *(c.campaign_id for c in (*s.campaigns, *s.gmv_campaigns, *s.smart_plus_campaigns)),
        *(g.adgroup_id for g in (*s.adgroups, *s.smart_plus_adgroups)),
        *(a.ad_id for a in (*s.ads, *s.smart_plus_ads)),
        *(c for a in s.smart_plus_ads for c in a.creative_ids),
        *(s.store_id for s in s.stores),
    ]


def test_the_default_is_the_brand_alone_as_before() -> None:
    s, t = meta.configured_scenario(), tiktok.configured_scenario()
    assert load_settings().sandbox_account_copies == 1
    assert s == meta.build_scenario() and t is tiktok.build_scenario()
    assert [a.account_id for a in s.accounts] == [EU, US, UK]
    assert [a.advertiser_id for a in t.advertisers] == list(TIKTOK_BRAND)
    # The counts and ids the marts' reconciliation tests were written against.
    assert (len(s.campaigns), len(s.adsets), len(s.ads), len(s.creatives)) == (11, 12, 43, 43)
    assert s.campaigns[0].id == "120210110000000101" and s.ads[-1].id == "120210330000000309"
    assert (len(t.campaigns), len(t.adgroups), len(t.ads), len(t.stores)) == (7, 9, 22, 5)
    assert t.ads[0].ad_id == "1714113000000001"
    assert [st.store_id for st in t.stores][-1] == "749403000000002"
    assert len(s.partnership_media()) == 4


def test_copies_multiply_the_accounts_with_ids_of_their_own() -> None:
    s = meta.build_scenario(account_copies=COPIES)
    t = tiktok.build_scenario(COPIES)
    brand_meta, brand_tiktok = meta.build_scenario(), tiktok.build_scenario()
    assert len(s.accounts) == COPIES * 3 and len(t.advertisers) == COPIES * 3
    assert len(s.ads) == COPIES * len(brand_meta.ads)
    assert len(t.ads) == COPIES * len(brand_tiktok.ads)
    for ids in (_meta_ids(s), _tiktok_ids(t)):
        assert len(ids) == len(set(ids)) and all(i.isdigit() for i in ids)
    # Realistic shapes: the brand's id lengths; the first copy is the brand itself.
    assert {len(a.account_id) for a in s.accounts} == {15}
    assert {len(a.advertiser_id) for a in t.advertisers} == {19}
    assert {len(a.id) for a in s.ads} == {18} and {len(a.ad_id) for a in t.ads} == {16}
    assert s.accounts[:3] == brand_meta.accounts and s.ads[: len(brand_meta.ads)] == brand_meta.ads
    assert t.advertisers[:3] == brand_tiktok.advertisers
    # Copies are other clients: no TikTok Shop of the brand's, no boost of its creators' posts.
    assert s.partnership_media() == brand_meta.partnership_media()
    assert s.accounts[3].name.startswith("Client 002 | ")


def test_copies_is_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    for bad in ("0", "-2", "many", "1000"):
        monkeypatch.setenv("SANDBOX_ACCOUNT_COPIES", bad)
        with pytest.raises(ValueError, match="SANDBOX_ACCOUNT_COPIES: expected a whole number"):
            load_settings()


@pytest.fixture(scope="module")
def agency() -> Iterator[RunningSandbox]:
    """The stand-in under ``SANDBOX_ACCOUNT_COPIES``, as the stack starts it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SANDBOX_ACCOUNT_COPIES", str(COPIES))
        patch.setenv("SANDBOX_NOW", NOW)
        with serve_in_thread(seed=SEED) as running:
            yield running


@pytest.fixture(autouse=True)
def _setting(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """The truth reads the same setting as the served stand-in."""
    if "agency" in request.fixturenames:
        monkeypatch.setenv("SANDBOX_ACCOUNT_COPIES", str(COPIES))
        monkeypatch.setenv("SANDBOX_NOW", NOW)


def test_both_listings_serve_every_copy(agency: RunningSandbox) -> None:
    rows, _ = walk(
        f"{agency.meta_base_url}/v27.0/me/adaccounts",
        {"access_token": TOKEN, "fields": "account_id", "limit": "4"},
    )
    listed = [r["account_id"] for r in rows]
    assert listed == [a.account_id for a in meta.configured_scenario().accounts]
    assert len(listed) == COPIES * 3 == len(set(listed))
    body = requests.get(
        f"{agency.base_url}/business-api.tiktok.com/open_api/v1.3/oauth2/advertiser/get/",
        params={"app_id": SANDBOX_APP_ID, "secret": SANDBOX_APP_SECRET},
        headers={"Access-Token": SANDBOX_TIKTOK_TOKEN},
        timeout=10,
    ).json()
    advertisers = [r["advertiser_id"] for r in body["data"]["list"]]
    assert len(advertisers) == COPIES * 3 == len(set(advertisers))
    assert advertisers[:3] == list(TIKTOK_BRAND)


def test_a_copied_meta_account_reconciles_with_the_truth(agency: RunningSandbox) -> None:
    account = meta.configured_scenario().accounts[-1].account_id  # the last copy's UK
    params = {
        "access_token": TOKEN,
        "level": "account",
        "time_increment": "1",
        "time_range": json.dumps({"since": DAYS[0], "until": DAYS[1]}),
        "fields": "account_id,spend,impressions,clicks",
    }
    url = f"{agency.meta_base_url}/v27.0/act_{account}/insights"
    rows, _ = walk(url, params)
    served = {r["date_start"]: (Decimal(r["spend"]), int(r["impressions"])) for r in rows}
    truth: dict[str, list] = defaultdict(lambda: [Decimal(0), 0])
    for t in totals_by_day_account_placement(SEED, *map(date.fromisoformat, DAYS)):
        if t["account_id"] == account:
            truth[t["date"]][0] += t["spend"]
            truth[t["date"]][1] += t["impressions"]
    assert served and served == {d: tuple(v) for d, v in truth.items()}


def test_a_copied_tiktok_advertiser_reconciles_with_the_truth(agency: RunningSandbox) -> None:
    # The last copy's UK (no Upgraded Smart+, whose creatives reports by ad_id also list).
    advertiser = tiktok.configured_scenario().advertisers[-1].advertiser_id
    assert advertiser not in TIKTOK_BRAND
    body = requests.get(
        f"{agency.base_url}/business-api.tiktok.com/open_api/v1.3/report/integrated/get/",
        params={
            "advertiser_id": advertiser,
            "start_date": DAYS[0],
            "end_date": DAYS[1],
            "report_type": "BASIC",
            "data_level": "AUCTION_AD",
            "dimensions": '["ad_id","stat_time_day"]',
            "metrics": '["spend","impressions"]',
            "page_size": 1000,
        },
        headers={"Access-Token": SANDBOX_TIKTOK_TOKEN},
        timeout=10,
    ).json()
    served = {
        (r["dimensions"]["ad_id"], r["dimensions"]["stat_time_day"][:10]): Decimal(
            r["metrics"]["spend"]
        )
        for r in body["data"]["list"]
    }
    truth = {
        (t["ad_id"], t["date"]): t["spend"]
        for t in ad_day_truth(SEED, *map(date.fromisoformat, DAYS))
        if t["advertiser_id"] == advertiser
    }
    assert truth and served == truth


def test_the_truth_command_takes_the_copies() -> None:
    out = io.StringIO()
    with redirect_stdout(out):
        cli.main(["truth", "--start", DAYS[0], "--end", DAYS[0], "--account-copies", "2"])
    accounts = {row["account_id"] for row in json.loads(out.getvalue())}
    assert accounts == {a.account_id for a in meta.build_scenario(account_copies=2).accounts}


def test_the_command_line_refuses_a_bad_copy_count(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["serve", "--account-copies", "0"])
    assert "--account-copies: invalid parse_account_copies value: '0'" in capsys.readouterr().err

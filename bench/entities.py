"""Entity snapshots (Meta and TikTok accounts, campaigns, ad sets, ads) for the generated ads.

Written once, pulled the day after the preset's last day, covering every ad the delivery
formulas can name up to ``FUTURE_DAYS`` after it (ads are created ahead of their first
delivery), so appended days find their ads. Ids follow ``bench.generate``'s formulas.
"""

from __future__ import annotations

from datetime import timedelta

from bench.ids import id_sql
from bench.meta_sql import account_currency_sql
from bench.presets import Preset

FUTURE_DAYS = 60
_ADVANTAGE_ON = (
    '{"advantage_state":"ADVANTAGE_PLUS_SALES","advantage_budget_state":"ENABLED",'
    '"advantage_audience_state":"ENABLED","advantage_placement_state":"ENABLED"}'
)
_ADVANTAGE_OFF = (
    '{"advantage_state":"DISABLED","advantage_budget_state":"DISABLED",'
    '"advantage_audience_state":"DISABLED","advantage_placement_state":"DISABLED"}'
)
_MANUAL_TARGETING = (
    '{"geo_locations":{"countries":["DE"]},"publisher_platforms":["facebook","instagram",'
    '"threads"],"facebook_positions":["feed","facebook_reels","story"],"instagram_positions":'
    '["stream","reels","story","explore"],"threads_positions":["threads_stream"]}'
)
_AUTO_TARGETING = '{"geo_locations":{"countries":["DE"]}}'
#: Every object's creation and last update, in each API's own format.
_META_TIMES = """
        '2022-06-01T00:00:00+0000' as created_time,
        '2022-06-01T00:00:00+0000' as updated_time"""
_TIKTOK_TIMES = """
        '2022-06-01 00:00:00' as create_time,
        '2022-06-01 00:00:00' as modify_time"""


def snapshot_pulled(preset: Preset) -> str:
    """Pull time of every snapshot: 06:00 UTC the day after the last report day."""
    day = preset.first_day + timedelta(days=preset.days)
    return f"cast(timestamp '{day.isoformat()} 06:00:00' as timestamptz)"


def _snapshot(preset: Preset, columns: str, rows: str, *, distinct: bool = False) -> str:
    """One snapshot's ``select``: ``columns`` over ``rows``, pulled once, none deleted."""
    return f"""
    select{" distinct" if distinct else ""}{columns.rstrip()},
        {snapshot_pulled(preset)} as _pulled_at,
        false as _is_deleted
    from {rows}
    """


def _generations(preset: Preset) -> int:
    return (preset.days + FUTURE_DAYS) // preset.ad_lifetime_days + 2


def meta_accounts_sql(preset: Preset) -> str:
    columns = f"""
        'act_' || {id_sql("meta_account", "a")} as id,
        {id_sql("meta_account", "a")} as account_id,
        'Bench account ' || a as name,
        1 as account_status,
        {account_currency_sql("a")} as currency,
        'Europe/Berlin' as timezone_name,
        1.0 as timezone_offset_hours_utc,
        '{{"id":"900000","name":"Bench Business"}}' as business,
        '2022-01-01T00:00:00+0000' as created_time"""
    return _snapshot(preset, columns, f"range({preset.meta_accounts}) as t(a)")


def _meta_slots(preset: Preset) -> str:
    a = preset.meta_accounts
    return f"""(
    select distinct slot % {a} as account_index, slot // {a} // 10 as campaign_index,
        slot // {a} // 5 as adset_index
    from range({preset.meta_ads_per_day}) as t(slot)
    )"""


def meta_campaigns_sql(preset: Preset) -> str:
    columns = f"""
        {id_sql("meta_campaign", "campaign_index", "account_index")} as id,
        {id_sql("meta_account", "account_index")} as account_id,
        'Campaign ' || campaign_index as name,
        'OUTCOME_SALES' as objective,
        'ACTIVE' as status,
        'ACTIVE' as effective_status,
        'AUCTION' as buying_type,
        'LOWEST_COST_WITHOUT_CAP' as bid_strategy,
        '50000' as daily_budget,
        null as lifetime_budget,
        case when campaign_index % 3 = 0 then 'AUTOMATED_SHOPPING_ADS' else 'GUIDED_CREATION'
            end as smart_promotion_type,
        case when campaign_index % 3 = 0 then '{_ADVANTAGE_ON}' else '{_ADVANTAGE_OFF}' end
            as advantage_state_info,
        '2022-06-01T00:00:00+0000' as start_time,
        null as stop_time,{_META_TIMES}"""
    return _snapshot(preset, columns, _meta_slots(preset), distinct=True)


def meta_adsets_sql(preset: Preset) -> str:
    columns = f"""
        {id_sql("meta_adset", "adset_index", "account_index")} as id,
        {id_sql("meta_account", "account_index")} as account_id,
        {id_sql("meta_campaign", "campaign_index", "account_index")} as campaign_id,
        'Ad set ' || adset_index as name,
        'ACTIVE' as status,
        'ACTIVE' as effective_status,
        'OFFSITE_CONVERSIONS' as optimization_goal,
        'IMPRESSIONS' as billing_event,
        '10000' as daily_budget,
        null as lifetime_budget,
        '[{{"event_type":"CLICK_THROUGH","window_days":7}},'
            || '{{"event_type":"VIEW_THROUGH","window_days":1}}]' as attribution_spec,
        case when adset_index % 2 = 1 then '{_MANUAL_TARGETING}' else '{_AUTO_TARGETING}' end
            as targeting,
        '2022-06-01T00:00:00+0000' as start_time,
        null as end_time,{_META_TIMES}"""
    return _snapshot(preset, columns, _meta_slots(preset), distinct=True)


def _meta_ad_generations(preset: Preset) -> str:
    """Every delivery slot's ads: ``slot`` x generation ``g``."""
    return (
        f"range({preset.meta_ads_per_day}) as s(slot)\n"
        f"    cross join range({_generations(preset)}) as t(g)"
    )


def meta_ads_sql(preset: Preset) -> str:
    a = preset.meta_accounts
    columns = f"""
        {id_sql("meta_ad", "g", "slot")} as id,
        {id_sql("meta_account", f"slot % {a}")} as account_id,
        {id_sql("meta_campaign", f"slot // {a} // 10", f"slot % {a}")} as campaign_id,
        {id_sql("meta_adset", f"slot // {a} // 5", f"slot % {a}")} as adset_id,
        'Ad ' || slot || '.' || g as name,
        'ACTIVE' as status,
        'ACTIVE' as effective_status,
        '{{"id":"' || {id_sql("meta_creative", "g", "slot")} || '"}}' as creative,{_META_TIMES}"""
    return _snapshot(preset, columns, _meta_ad_generations(preset))


def meta_adcreatives_sql(preset: Preset) -> str:
    a = preset.meta_accounts
    columns = f"""
        {id_sql("meta_creative", "g", "slot")} as id,
        {id_sql("meta_account", f"slot % {a}")} as account_id,
        'Creative ' || slot || '.' || g as name,
        '{{"page_id":"800000"}}' as object_story_spec,
        null as source_instagram_media_id,
        null as branded_content,
        null as facebook_branded_content,
        null as instagram_branded_content"""
    return _snapshot(preset, columns, _meta_ad_generations(preset))


def tiktok_advertisers_sql(preset: Preset) -> str:
    columns = f"""
        {id_sql("tiktok_advertiser", "a")} as advertiser_id,
        'Bench advertiser ' || a as name,
        ['EUR', 'USD'][1 + a % 2] as currency,
        'Europe/Berlin' as timezone,
        'Europe/Berlin' as display_timezone,
        'STATUS_ENABLE' as status,
        'DE' as country,
        1640995200 as create_time"""
    return _snapshot(preset, columns, f"range({preset.tiktok_advertisers}) as t(a)")


def _tiktok_slots(preset: Preset) -> str:
    adv = preset.tiktok_advertisers
    return f"""(
    select slot, slot % {adv} as a, slot // {adv} // 10 as c, slot // {adv} // 5 as ag
    from range({preset.tiktok_ads_per_day}) as t(slot)
    )"""


def tiktok_campaigns_sql(preset: Preset) -> str:
    columns = f"""
        {id_sql("tiktok_advertiser", "a")} as advertiser_id,
        {id_sql("tiktok_campaign", "c", "a")} as campaign_id,
        'TikTok campaign ' || c as campaign_name,
        'REGULAR_CAMPAIGN' as campaign_type,
        'WEB_CONVERSIONS' as objective_type,
        500.00 as budget,
        'BUDGET_MODE_DAY' as budget_mode,
        'ENABLE' as operation_status,
        'CAMPAIGN_STATUS_ENABLE' as secondary_status,{_TIKTOK_TIMES}"""
    return _snapshot(preset, columns, _tiktok_slots(preset), distinct=True)


def tiktok_adgroups_sql(preset: Preset) -> str:
    columns = f"""
        {id_sql("tiktok_advertiser", "a")} as advertiser_id,
        {id_sql("tiktok_campaign", "c", "a")} as campaign_id,
        {id_sql("tiktok_adgroup", "ag", "a")} as adgroup_id,
        'Ad group ' || ag as adgroup_name,
        'PLACEMENT_TYPE_AUTOMATIC' as placement_type,
        '["PLACEMENT_TIKTOK"]' as placements,
        'WEBSITE' as promotion_type,
        'CONVERT' as optimization_goal,
        100.00 as budget,
        'BUDGET_MODE_DAY' as budget_mode,
        'ENABLE' as operation_status,
        'ADGROUP_STATUS_DELIVERY_OK' as secondary_status,{_TIKTOK_TIMES}"""
    return _snapshot(preset, columns, _tiktok_slots(preset), distinct=True)


def tiktok_ads_sql(preset: Preset) -> str:
    generations = (preset.days + FUTURE_DAYS + preset.tiktok_ads_per_day) // 30 + 2
    columns = f"""
        {id_sql("tiktok_advertiser", "a")} as advertiser_id,
        {id_sql("tiktok_campaign", "c", "a")} as campaign_id,
        {id_sql("tiktok_adgroup", "ag", "a")} as adgroup_id,
        {id_sql("tiktok_ad", "g", "slot")} as ad_id,
        'TikTok ad ' || slot || '.' || g as ad_name,
        'SINGLE_VIDEO' as ad_format,
        'ENABLE' as operation_status,
        'AD_STATUS_DELIVERY_OK' as secondary_status,
        'CUSTOMIZED_USER' as identity_type,
        {id_sql("tiktok_identity", "a")} as identity_id,
        null as identity_authorized_bc_id,
        null as tiktok_item_id,
        'Bench brand' as display_name,{_TIKTOK_TIMES}"""
    rows = f"{_tiktok_slots(preset)}\n    cross join range({generations}) as t(g)"
    return _snapshot(preset, columns, rows)


def gmv_max_campaigns_sql(preset: Preset) -> str:
    adv = preset.tiktok_advertisers
    columns = f"""
        {id_sql("tiktok_advertiser", f"c % {adv}")} as advertiser_id,
        {id_sql("tiktok_store", f"c % {adv}")} as store_id,
        'PRODUCT_GMV_MAX' as gmv_max_promotion_type,
        {id_sql("gmv_max_campaign", "c")} as campaign_id,
        'GMV Max ' || c as campaign_name,
        'PRODUCT_SALES' as objective_type,
        'ENABLE' as operation_status,
        'CAMPAIGN_STATUS_ENABLE' as secondary_status,{_TIKTOK_TIMES}"""
    return _snapshot(preset, columns, f"range({preset.gmv_max_campaigns}) as t(c)")


def gmv_max_stores_sql(preset: Preset) -> str:
    columns = f"""
        {id_sql("tiktok_advertiser", "a")} as advertiser_id,
        {id_sql("tiktok_store", "a")} as store_id,
        'Bench store ' || a as store_name,
        'ACTIVE' as store_status,
        true as is_gmv_max_available"""
    return _snapshot(preset, columns, f"range({preset.tiktok_advertisers}) as t(a)")


#: (source, stream) -> snapshot SQL builder.
SNAPSHOTS = {
    ("meta", "ad_accounts"): meta_accounts_sql,
    ("meta", "campaigns"): meta_campaigns_sql,
    ("meta", "adsets"): meta_adsets_sql,
    ("meta", "ads"): meta_ads_sql,
    ("meta", "adcreatives"): meta_adcreatives_sql,
    ("tiktok", "advertisers"): tiktok_advertisers_sql,
    ("tiktok", "campaigns"): tiktok_campaigns_sql,
    ("tiktok", "adgroups"): tiktok_adgroups_sql,
    ("tiktok", "ads"): tiktok_ads_sql,
    ("tiktok", "gmv_max_campaigns"): gmv_max_campaigns_sql,
    ("tiktok", "gmv_max_stores"): gmv_max_stores_sql,
}

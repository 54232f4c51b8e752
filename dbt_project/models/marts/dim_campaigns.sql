{#-
    One row per campaign of every platform, deleted and archived ones included, with
    automation flags. Grain: platform x campaign_id.

    TikTok: auction/reservation campaigns (/campaign/get/), GMV Max campaigns
    (/gmv_max/campaign/get/) and Upgraded Smart+ campaigns (/smart_plus/campaign/get/) in
    one list; a campaign two endpoints return is one row, flagged is_gmv_max_campaign or
    is_smart_plus_campaign by the list that has it. TikTok sends create/modify times in the
    advertiser's time zone; they are converted to UTC with the account's zone
    (dim_ad_accounts).
-#}
{#- The TikTok campaign lists, first wins, by the name the merge reads each under. -#}
{%- set tiktok_lists = {
    'tiktok_campaigns': ref('stg_tiktok__campaigns'),
    'tiktok_gmv_max_campaigns': ref('stg_tiktok__gmv_max_campaigns'),
    'tiktok_smart_plus_campaigns': ref('stg_tiktok__smart_plus_campaigns'),
} -%}
{#- GMV Max campaigns have no budget settings. -#}
{%- set tiktok_budget_lists = ['tiktok_campaigns', 'tiktok_smart_plus_campaigns'] -%}

with

meta_campaigns as (select * from {{ ref('stg_meta__campaigns') }}),

meta_accounts as (select * from {{ ref('stg_meta__ad_accounts') }}),

tiktok_accounts as (

    select * from {{ ref('dim_ad_accounts') }}
    where platform = 'tiktok'

),

meta_rows as (

    select
        meta_campaigns.campaign_id,
        meta_campaigns.ad_account_id,
        meta_campaigns.campaign_name,
        meta_accounts.account_currency,
        meta_campaigns.objective,
        meta_campaigns.status,
        meta_campaigns.effective_status,
        meta_campaigns.buying_type,
        meta_campaigns.bid_strategy,
        meta_campaigns.smart_promotion_type,
        meta_campaigns.advantage_state,
        meta_campaigns.advantage_placement_state,
        meta_campaigns.daily_budget_minor_units,
        meta_campaigns.lifetime_budget_minor_units,
        coalesce(
            substring(meta_campaigns.advantage_state, 1, 15) = 'ADVANTAGE_PLUS_'
            or meta_campaigns.smart_promotion_type
            in ('AUTOMATED_SHOPPING_ADS', 'SMART_APP_PROMOTION'),
            false
        ) as is_advantage_plus_campaign,
        meta_campaigns.effective_status = 'DELETED'
        or meta_campaigns.is_removed_from_source as is_deleted,
        meta_campaigns.is_removed_from_source,
        meta_campaigns.started_at,
        meta_campaigns.stopped_at,
        meta_campaigns.created_at,
        meta_campaigns.updated_at
    from meta_campaigns
    left join meta_accounts using (ad_account_id)

),

tiktok_campaign_keys as (

    {% for relation in tiktok_lists.values() -%}
    select
        advertiser_id,
        campaign_id
    from {{ relation }}
    {% if not loop.last %}union
    {% endif -%}
    {%- endfor %}

),

tiktok_merged as (

    select
        tiktok_campaign_keys.advertiser_id,
        tiktok_campaign_keys.campaign_id,
        tiktok_gmv_max_campaigns.store_id as gmv_max_store_id,
        {{ coalesce_columns(tiktok_lists, 'campaign_name') }} as campaign_name,
        tiktok_accounts.account_currency,
        tiktok_accounts.account_timezone,
        {{ coalesce_columns(tiktok_lists, 'objective_type') }} as objective,
        {{ coalesce_columns(tiktok_lists, 'operation_status') }} as status,
        {{ coalesce_columns(tiktok_lists, 'secondary_status') }} as effective_status,
        {{ coalesce_columns(tiktok_budget_lists, 'budget_mode') }} as budget_mode,
        tiktok_gmv_max_campaigns.gmv_max_promotion_type,
        {{ coalesce_columns(tiktok_budget_lists, 'budget') }} as budget,
        tiktok_gmv_max_campaigns.campaign_id is not null as is_gmv_max_campaign,
        tiktok_smart_plus_campaigns.campaign_id is not null as is_smart_plus_campaign,
        -- removed once every endpoint that listed the campaign stopped returning it
        {% for name in tiktok_lists -%}
        {{ 'and ' if not loop.first }}coalesce({{ name }}.is_removed_from_source, true)
        {% endfor -%}
            as is_removed_from_source,
        {{ coalesce_columns(tiktok_lists, 'created_at_local') }} as created_at_local,
        {{ coalesce_columns(tiktok_lists, 'modified_at_local') }} as modified_at_local
    from tiktok_campaign_keys
    {% for name, relation in tiktok_lists.items() -%}
    left join {{ relation }} as {{ name }} using (advertiser_id, campaign_id)
    {% endfor -%}
    left join tiktok_accounts
        on tiktok_accounts.ad_account_id = tiktok_campaign_keys.advertiser_id

),

tiktok_rows as (

    select
        campaign_id,
        advertiser_id as ad_account_id,
        gmv_max_store_id,
        campaign_name,
        account_currency,
        objective,
        status,
        effective_status,
        budget_mode,
        gmv_max_promotion_type,
        budget,
        is_gmv_max_campaign,
        is_smart_plus_campaign,
        coalesce(
            status = 'DELETE' or effective_status = 'CAMPAIGN_STATUS_DELETE', false
        ) or is_removed_from_source as is_deleted,
        is_removed_from_source,
        {{ local_timestamp_to_utc('created_at_local', 'account_timezone') }}
            as created_at,
        {{ local_timestamp_to_utc('modified_at_local', 'account_timezone') }}
            as updated_at
    from tiktok_merged

),

final as (

    {{ union_platforms(campaign_columns(), [
        {'platform': 'meta', 'relation': 'meta_rows', 'fields': {
            'gmv_max_store_id': none, 'budget_mode': none, 'gmv_max_promotion_type': none,
            'budget': none, 'is_gmv_max_campaign': 'false',
            'is_smart_plus_campaign': 'false',
        }},
        {'platform': 'tiktok', 'relation': 'tiktok_rows', 'fields': {
            'buying_type': none, 'bid_strategy': none, 'smart_promotion_type': none,
            'advantage_state': none, 'advantage_placement_state': none,
            'daily_budget_minor_units': none, 'lifetime_budget_minor_units': none,
            'is_advantage_plus_campaign': 'false', 'started_at': none, 'stopped_at': none,
        }},
    ]) }}

)

select * from final

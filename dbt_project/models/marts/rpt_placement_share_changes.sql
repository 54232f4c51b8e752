{#-
    Week-over-week moves of a placement's share of its campaign's spend larger than var
    placement_share_change_threshold (default 0.10), so automation shifts get noticed.
    Every campaign of both platforms is covered (TikTok automatic placements shift too).
    A placement without spend in a week the campaign spent has
    share 0 that week, so a placement appearing (Threads joining Advantage+) or vanishing
    is a change too; weeks in which the campaign spent nothing are not compared.
    is_latest_week marks the changes of the platform's newest week: the gate warns about
    those (and alerts), the Advantage+ page shows them as a badge.
-#}
{%- set threshold = var('placement_share_change_threshold', 0.10) -%}

with

placement_days as (select * from {{ ref('fct_placement_performance_daily') }}),

weekly as (

    select
        platform,
        ad_account_id,
        campaign_id,
        account_currency,
        cast({{ dbt.date_trunc('week', 'report_date') }} as date) as week_start_date,
        publisher_platform,
        platform_position,
        sum(spend) as spend
    from placement_days
    group by 1, 2, 3, 4, 5, 6, 7

),

campaign_weeks as (

    select
        platform,
        ad_account_id,
        campaign_id,
        account_currency,
        week_start_date,
        sum(spend) as campaign_spend
    from weekly
    group by 1, 2, 3, 4, 5

),

campaign_placements as (

    select distinct
        platform,
        campaign_id,
        publisher_platform,
        platform_position
    from weekly

),

placement_weeks as (

    select
        campaign_weeks.platform,
        campaign_weeks.ad_account_id,
        campaign_weeks.campaign_id,
        campaign_weeks.account_currency,
        campaign_placements.publisher_platform,
        campaign_placements.platform_position,
        campaign_weeks.week_start_date,
        coalesce(weekly.spend, 0) as spend,
        campaign_weeks.campaign_spend,
        {{ exact_ratio('coalesce(weekly.spend, 0)', 'campaign_weeks.campaign_spend', 6) }}
            as spend_share
    from campaign_weeks
    inner join campaign_placements using (platform, campaign_id)
    left join weekly
        on weekly.platform = campaign_weeks.platform
        and weekly.campaign_id = campaign_weeks.campaign_id
        and weekly.week_start_date = campaign_weeks.week_start_date
        and weekly.publisher_platform = campaign_placements.publisher_platform
        and weekly.platform_position = campaign_placements.platform_position

),

with_previous as (

    select
        *,
        lag(week_start_date) over (
            partition by platform, campaign_id, publisher_platform, platform_position
            order by week_start_date
        ) as previous_week_start_date,
        lag(spend_share) over (
            partition by platform, campaign_id, publisher_platform, platform_position
            order by week_start_date
        ) as previous_spend_share,
        max(week_start_date) over (partition by platform) as latest_week_start_date
    from placement_weeks
    where campaign_spend <> 0

),

final as (

    select
        platform,
        ad_account_id,
        campaign_id,
        account_currency,
        publisher_platform,
        platform_position,
        spend,
        campaign_spend,
        previous_spend_share,
        spend_share,
        spend_share - previous_spend_share as spend_share_change,
        week_start_date,
        previous_week_start_date,
        week_start_date = latest_week_start_date as is_latest_week
    from with_previous
    where previous_week_start_date = {{ dbt.dateadd('day', -7, 'week_start_date') }}
        and abs(spend_share - previous_spend_share) > {{ threshold }}

)

select * from final

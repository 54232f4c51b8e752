{#-
    "How much of my Advantage+ budget went to Threads, since when, and did it pay?"
    Per Advantage+ campaign, ISO week and placement: spend, revenue (purchase value), ROAS
    and the placement's share of the campaign's weekly spend; per campaign the first day
    Threads received spend and whether it did so without an explicit opt-in. Meta only.
    A campaign is in the report for the days it was Advantage+ (settings in effect on
    the day, see fct_placement_performance_daily).
    threads_spend_without_opt_in is the Threads spend itself that came without the
    advertiser naming Threads (ad sets whose threads_inclusion is not explicitly_included):
    non-zero only on Threads rows, so it adds up over any rows (campaign, week, account).
    threads_without_opt_in stays a campaign-level flag.
-#}

with placement_days as (

    select * from {{ ref('fct_placement_performance_daily') }}
    -- Advantage+ is a Meta campaign type (TikTok rows are never flagged; said explicitly)
    where platform = 'meta' and is_advantage_plus_campaign

),

weekly as (

    select
        ad_account_id,
        campaign_id,
        account_currency,
        reporting_currency,
        cast({{ dbt.date_trunc('week', 'report_date') }} as date) as week_start_date,
        publisher_platform,
        platform_position,
        max(campaign_name) as campaign_name,
        sum(spend) as spend,
        sum(purchase_value) as purchase_value,
        sum(spend_reporting) as spend_reporting,
        sum(purchase_value_reporting) as purchase_value_reporting,
        sum(case
            when publisher_platform = 'threads' and threads_inclusion <> 'explicitly_included'
                then spend
            else 0
        end) as threads_spend_without_opt_in,
        sum(case
            when publisher_platform = 'threads' and threads_inclusion <> 'explicitly_included'
                then spend_reporting
            else 0
        end) as threads_spend_without_opt_in_reporting
    from placement_days
    group by 1, 2, 3, 4, 5, 6, 7

),

campaign_weeks as (

    select
        campaign_id,
        week_start_date,
        sum(spend) as campaign_spend
    from weekly
    group by 1, 2

),

threads_delivery as (

    select
        campaign_id,
        min(report_date) as threads_first_spend_date,
        max(case when threads_inclusion <> 'explicitly_included' then 1 else 0 end)
            as has_spend_without_opt_in
    from placement_days
    where publisher_platform = 'threads' and spend > 0
    group by 1

),

final as (

    select
        weekly.ad_account_id,
        weekly.campaign_id,
        weekly.campaign_name,
        weekly.account_currency,
        weekly.publisher_platform,
        weekly.platform_position,
        weekly.reporting_currency,
        weekly.spend,
        weekly.purchase_value,
        weekly.spend_reporting,
        weekly.purchase_value_reporting,
        campaign_weeks.campaign_spend,
        {{ exact_ratio('weekly.purchase_value', 'weekly.spend', 4) }} as roas,
        {{ exact_ratio('weekly.spend', 'campaign_weeks.campaign_spend', 6) }}
            as spend_share,
        coalesce(threads_delivery.has_spend_without_opt_in = 1, false)
            as threads_without_opt_in,
        weekly.threads_spend_without_opt_in,
        weekly.threads_spend_without_opt_in_reporting,
        weekly.week_start_date,
        threads_delivery.threads_first_spend_date
    from weekly
    inner join campaign_weeks using (campaign_id, week_start_date)
    left join threads_delivery using (campaign_id)

)

select * from final

{#-
    Creator performance per creator, day and currency. See the model YAML for the
    definition of creator-driven revenue and the double-counting rule; in short:
    creator_driven_revenue = affiliate_gmv + paid_attributed_revenue
    - deduction_spark_orders_in_order_book (the Spark Ads revenue whose orders the loaded
    order book also holds, already in affiliate_gmv; nothing else is deducted).
    Money columns are in `currency`; every *_reporting column is its native twin converted
    per row (fx_conversion_rule). Organic Threads metrics carry no money: they sit on the
    creator's row in the reporting currency for that day.
-#}
{%- set reporting_currency = socialmart.reporting_currency() -%}
{%- set money_columns = [
    'affiliate_gmv', 'affiliate_commission_estimated', 'affiliate_commission_actual',
    'paid_spend', 'paid_attributed_revenue', 'paid_attributed_revenue_shop',
    'deduction_spark_orders_in_order_book', 'creator_driven_revenue', 'creator_cost',
] -%}

with identities as (

    select * from {{ ref('int_creator_identities_resolved') }}

),

affiliate_days as (

    select * from {{ ref('int_creator_affiliate_orders_daily') }}

),

paid_days as (

    select * from {{ ref('int_creator_paid_content_daily') }}

),

threads_days as (

    select * from {{ ref('int_creator_threads_daily') }}

),

fx_rates as (

    select * from {{ ref('int_fx_rates_daily') }}
    where to_currency = '{{ reporting_currency }}'

),

activity as (

    select
        identity_type,
        identity_value,
        order_date as report_date,
        currency,
        orders as affiliate_orders,
        gmv as affiliate_gmv,
        commission_estimated as affiliate_commission_estimated,
        commission_actual as affiliate_commission_actual,
        0 as paid_spend,
        0 as paid_spend_meta,
        0 as paid_spend_tiktok,
        0 as paid_attributed_revenue,
        0 as paid_attributed_revenue_shop,
        0 as deduction_spark_orders_in_order_book,
        0 as threads_posts,
        0 as threads_views,
        0 as threads_likes,
        0 as threads_replies,
        0 as threads_reposts,
        0 as threads_quotes,
        0 as threads_shares
    from affiliate_days
    union all
    select
        identity_type,
        identity_value,
        report_date,
        currency,
        0 as affiliate_orders,
        0 as affiliate_gmv,
        0 as affiliate_commission_estimated,
        0 as affiliate_commission_actual,
        spend as paid_spend,
        case when platform = 'meta' then spend else 0 end as paid_spend_meta,
        case when platform = 'tiktok' then spend else 0 end as paid_spend_tiktok,
        purchase_value as paid_attributed_revenue,
        case when is_shop_promotion then purchase_value else 0 end
            as paid_attributed_revenue_shop,
        revenue_in_order_book as deduction_spark_orders_in_order_book,
        0 as threads_posts,
        0 as threads_views,
        0 as threads_likes,
        0 as threads_replies,
        0 as threads_reposts,
        0 as threads_quotes,
        0 as threads_shares
    from paid_days
    union all
    select
        identity_type,
        identity_value,
        post_date as report_date,
        '{{ reporting_currency }}' as currency,
        0 as affiliate_orders,
        0 as affiliate_gmv,
        0 as affiliate_commission_estimated,
        0 as affiliate_commission_actual,
        0 as paid_spend,
        0 as paid_spend_meta,
        0 as paid_spend_tiktok,
        0 as paid_attributed_revenue,
        0 as paid_attributed_revenue_shop,
        0 as deduction_spark_orders_in_order_book,
        posts as threads_posts,
        coalesce(views, 0) as threads_views,
        coalesce(likes, 0) as threads_likes,
        coalesce(replies, 0) as threads_replies,
        coalesce(reposts, 0) as threads_reposts,
        coalesce(quotes, 0) as threads_quotes,
        coalesce(shares, 0) as threads_shares
    from threads_days

),

creator_days as (

    select
        identities.creator_id,
        activity.report_date,
        cast(activity.currency as {{ dbt.type_string() }}) as currency,
        cast(sum(activity.affiliate_orders) as {{ dbt.type_bigint() }}) as affiliate_orders,
        {%- for column in [
            'affiliate_gmv', 'affiliate_commission_estimated', 'affiliate_commission_actual',
            'paid_spend', 'paid_spend_meta', 'paid_spend_tiktok', 'paid_attributed_revenue',
            'paid_attributed_revenue_shop', 'deduction_spark_orders_in_order_book',
        ] %}
        cast(sum(activity.{{ column }}) as decimal(18, 2)) as {{ column }},
        {%- endfor %}
        {%- for column in [
            'threads_posts', 'threads_views', 'threads_likes', 'threads_replies',
            'threads_reposts', 'threads_quotes', 'threads_shares',
        ] %}
        cast(sum(activity.{{ column }}) as {{ dbt.type_bigint() }}) as {{ column }}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from activity
    inner join identities
        on identities.identity_type = activity.identity_type
        and identities.identity_value = activity.identity_value
    where not identities.is_brand
    group by identities.creator_id, activity.report_date, activity.currency

),

with_revenue as (

    select
        *,
        cast(
            affiliate_gmv + paid_attributed_revenue - deduction_spark_orders_in_order_book
            as decimal(18, 2)
        ) as creator_driven_revenue,
        cast(paid_spend + affiliate_commission_estimated as decimal(18, 2)) as creator_cost
    from creator_days

),

final as (

    select
        with_revenue.report_date,
        with_revenue.creator_id,
        with_revenue.currency,
        with_revenue.affiliate_orders,
        with_revenue.affiliate_gmv,
        with_revenue.affiliate_commission_estimated,
        with_revenue.affiliate_commission_actual,
        with_revenue.paid_spend,
        with_revenue.paid_spend_meta,
        with_revenue.paid_spend_tiktok,
        with_revenue.paid_attributed_revenue,
        with_revenue.paid_attributed_revenue_shop,
        with_revenue.deduction_spark_orders_in_order_book,
        with_revenue.creator_driven_revenue,
        with_revenue.creator_cost,
        {{ socialmart.exact_ratio(
            '(with_revenue.creator_driven_revenue - with_revenue.creator_cost)',
            'with_revenue.creator_cost', 4) }} as creator_roi,
        with_revenue.threads_posts,
        with_revenue.threads_views,
        with_revenue.threads_likes,
        with_revenue.threads_replies,
        with_revenue.threads_reposts,
        with_revenue.threads_quotes,
        with_revenue.threads_shares,
        cast('{{ reporting_currency }}' as {{ dbt.type_string() }}) as reporting_currency,
        {%- for column in money_columns %}
        {{ convert_amount(
            'with_revenue.' ~ column, 'fx_rates.from_per_eur', 'fx_rates.to_per_eur') }}
            as {{ column }}_reporting{% if not loop.last %},{% endif %}
        {%- endfor %}
    from with_revenue
    left join fx_rates
        on fx_rates.rate_date = with_revenue.report_date
        and fx_rates.from_currency = with_revenue.currency

)

select * from final

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
{%- set money_columns = [
    'affiliate_gmv', 'affiliate_commission_estimated', 'affiliate_commission_actual',
    'paid_spend', 'paid_attributed_revenue', 'paid_attributed_revenue_shop',
    'deduction_spark_orders_in_order_book', 'creator_driven_revenue', 'creator_cost',
] -%}
{%- set activity_money_columns = [
    'affiliate_gmv', 'affiliate_commission_estimated', 'affiliate_commission_actual',
    'paid_spend', 'paid_spend_meta', 'paid_spend_tiktok', 'paid_attributed_revenue',
    'paid_attributed_revenue_shop', 'deduction_spark_orders_in_order_book',
] -%}
{%- set threads_columns = [
    'threads_posts', 'threads_views', 'threads_likes', 'threads_replies',
    'threads_reposts', 'threads_quotes', 'threads_shares',
] -%}
{#- What one activity row holds: affiliate orders, paid delivery or organic Threads posts. -#}
{%- set activity_columns = [
    ('identity_type', 'string'), ('identity_value', 'string'), ('report_date', 'date'),
    ('currency', 'string'), ('affiliate_orders', 'bigint'),
] -%}
{%- for column in activity_money_columns %}{% do activity_columns.append((column, 'money')) %}
{%- endfor -%}
{%- for column in threads_columns %}{% do activity_columns.append((column, 'bigint')) %}
{%- endfor -%}

with

identities as (select * from {{ ref('int_creator_identities_resolved') }}),

fx_rates as (

    {{ reporting_fx_rates() }}

),

activity as (

    {{ union_platforms(activity_columns, [
        {'relation': ref('int_creator_affiliate_orders_daily'), 'default': '0', 'fields': {
            'identity_type': 'identity_type', 'identity_value': 'identity_value',
            'report_date': 'order_date', 'currency': 'currency',
            'affiliate_orders': 'orders', 'affiliate_gmv': 'gmv',
            'affiliate_commission_estimated': 'commission_estimated',
            'affiliate_commission_actual': 'commission_actual',
        }},
        {'relation': ref('int_creator_paid_content_daily'), 'default': '0', 'fields': {
            'identity_type': 'identity_type', 'identity_value': 'identity_value',
            'report_date': 'report_date', 'currency': 'currency',
            'paid_spend': 'spend',
            'paid_spend_meta': "case when platform = 'meta' then spend else 0 end",
            'paid_spend_tiktok': "case when platform = 'tiktok' then spend else 0 end",
            'paid_attributed_revenue': 'purchase_value',
            'paid_attributed_revenue_shop': 'case when is_shop_promotion then purchase_value else 0 end',
            'deduction_spark_orders_in_order_book': 'revenue_in_order_book',
        }},
        {'relation': ref('int_creator_threads_daily'), 'default': '0', 'fields': {
            'identity_type': 'identity_type', 'identity_value': 'identity_value',
            'report_date': 'post_date', 'currency': "'" ~ reporting_currency() ~ "'",
            'threads_posts': 'posts', 'threads_views': 'coalesce(views, 0)',
            'threads_likes': 'coalesce(likes, 0)', 'threads_replies': 'coalesce(replies, 0)',
            'threads_reposts': 'coalesce(reposts, 0)', 'threads_quotes': 'coalesce(quotes, 0)',
            'threads_shares': 'coalesce(shares, 0)',
        }},
    ]) }}

),

creator_days as (

    select
        identities.creator_id,
        activity.report_date,
        cast(activity.currency as {{ dbt.type_string() }}) as currency,
        cast(sum(activity.affiliate_orders) as {{ dbt.type_bigint() }}) as affiliate_orders,
        {%- for column in activity_money_columns %}
        cast(sum(activity.{{ column }}) as {{ type_money() }}) as {{ column }},
        {%- endfor %}
        {%- for column in threads_columns[:-1] %}
        cast(sum(activity.{{ column }}) as {{ dbt.type_bigint() }}) as {{ column }},
        {%- endfor %}
        cast(sum(activity.{{ threads_columns[-1] }}) as {{ dbt.type_bigint() }})
            as {{ threads_columns[-1] }}
    from activity
    inner join identities using (identity_type, identity_value)
    where not identities.is_brand
    group by identities.creator_id, activity.report_date, activity.currency

),

with_revenue as (

    select
        *,
        cast(
            affiliate_gmv + paid_attributed_revenue - deduction_spark_orders_in_order_book
            as {{ type_money() }}
        ) as creator_driven_revenue,
        cast(paid_spend + affiliate_commission_estimated as {{ type_money() }}) as creator_cost
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
        {{ reporting_amounts(money_columns, 'with_revenue') }}
    from with_revenue
    left join fx_rates
        on fx_rates.rate_date = with_revenue.report_date
        and fx_rates.from_currency = with_revenue.currency

)

select * from final

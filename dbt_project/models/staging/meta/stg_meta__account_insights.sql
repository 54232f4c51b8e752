{#-
    One row per ad account and account-local day: Meta's own account-level totals
    (insights at level=account), the latest non-deleted raw version. The mart gate checks
    that the ad rows of fct_ad_performance_daily add up to these (an object type the
    ad-level pull misses would show as a difference).
-#}

{% call present_rows_staging(
    source('meta', 'account_insights'), ['account_id', 'date_start'],
) -%}
        ---------- ids
        account_id as ad_account_id,
        ---------- strings
        account_currency,
        ---------- numerics
        cast(spend as {{ type_money() }}) as spend,
        cast(impressions as {{ dbt.type_bigint() }}) as impressions,
        cast(clicks as {{ dbt.type_bigint() }}) as clicks,
        ---------- dates
        date_start as report_date,
        ---------- load metadata
        _sync_id as sync_id,
        _pulled_at as pulled_at
{%- endcall %}

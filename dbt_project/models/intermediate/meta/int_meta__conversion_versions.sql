{#-
    Every pulled version of the base report's conversions, one row per ad x day x
    attribution window (`default` = the ad set's attribution setting; the modelled windows
    that are requested) x version, ranked first-to-last and last-to-first by pull (same
    ordering as the loader).

    A day's numbers are compared only with other pulls of the same day, so Meta's
    click-through change (report days from its date on count link clicks only, other clicks
    as 1d_ev engage-through) is a new definition of new days, never a restatement.
-#}
{%- set requested = meta_requested_windows() -%}
{%- set windows = ['default'] + (meta_attribution_windows() | select('in', requested) | list) -%}

with

versions as (select * from {{ ref('stg_meta__ad_insights_versions') }}),

by_window as (

    {% for window in windows -%}
    select
        ad_account_id,
        ad_id,
        account_currency,
        report_date,
        cast('{{ window }}' as {{ dbt.type_string() }}) as attribution_window,
        {%- set suffix = '' if window == 'default' else '_' ~ window %}
        cast(purchases{{ suffix }} as {{ type_money() }}) as purchases,
        cast(purchase_value{{ suffix }} as {{ type_money() }}) as purchase_value,
        pulled_at,
        sync_id
    from versions
    {% if not loop.last %}union all
    {% endif -%}
    {%- endfor %}

),

ranked as (

    select
        *,
        row_number() over (
            partition by ad_account_id, ad_id, report_date, attribution_window
            order by pulled_at, sync_id
        ) as pull_number,
        row_number() over (
            partition by ad_account_id, ad_id, report_date, attribution_window
            order by pulled_at desc, sync_id desc
        ) as reverse_pull_number
    from by_window

)

select * from ranked

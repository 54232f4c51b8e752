{#-
    Units of each currency per 1 EUR for EVERY calendar day: the day's ECB publication,
    else the latest earlier publication of that currency, at most fx_carry_forward_days
    back. EUR is 1 on every day of the calendar.
-#}
{%- set carry_days = var('fx_carry_forward_days') | int -%}

with

ecb_rates as (select * from {{ ref('stg_fx__ecb_rates') }}),

calendar_bounds as (

    select
        min(published_date) as first_date,
        max(published_date) as last_date
    from ecb_rates

),

calendar as (

    select
        cast({{ day_series(
            'first_date',
            dbt.dateadd('day', carry_days, 'last_date')
        ) }} as date) as rate_date
    from calendar_bounds
    where first_date is not null

),

currencies as (

    select distinct currency from ecb_rates

),

currency_days as (

    select
        calendar.rate_date,
        currencies.currency,
        max(ecb_rates.published_date) over (
            partition by currencies.currency
            order by calendar.rate_date
            rows between unbounded preceding and current row
        ) as published_date
    from calendar
    cross join currencies
    left join ecb_rates
        on ecb_rates.currency = currencies.currency
        and ecb_rates.published_date = calendar.rate_date

),

carried_forward as (

    select
        currency_days.currency,
        ecb_rates.rate_per_eur,
        currency_days.rate_date,
        currency_days.published_date
    from currency_days
    inner join ecb_rates using (currency, published_date)
    where {{ dbt.datediff('currency_days.published_date', 'currency_days.rate_date', 'day') }}
        <= {{ carry_days }}

),

euro as (

    select
        cast('EUR' as {{ dbt.type_string() }}) as currency,
        cast(1 as decimal(18, 6)) as rate_per_eur,
        rate_date,
        rate_date as published_date
    from calendar

),

final as (

    select * from carried_forward
    union all
    select * from euro

)

select * from final

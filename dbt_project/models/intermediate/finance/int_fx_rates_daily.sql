{#-
    Cross rates for every calendar day and every (from, to) currency pair, via EUR. Carry
    both per-EUR rates so conversions stay exact: use the convert_amount macro, never
    multiply by the rounded cross_rate.
-#}

with

eur_rates as (select * from {{ ref('int_fx_eur_rates_daily') }}),

pairs as (

    select
        from_rates.currency as from_currency,
        to_rates.currency as to_currency,
        from_rates.rate_per_eur as from_per_eur,
        to_rates.rate_per_eur as to_per_eur,
        cast(
            {{ socialmart.integer_divide(
                '2 * cast(to_rates.rate_per_eur * 1000000 as '
                    ~ socialmart.type_exact_integer() ~ ') * 10000000000'
                    ~ ' + cast(from_rates.rate_per_eur * 1000000 as '
                    ~ socialmart.type_exact_integer() ~ ')',
                '2 * cast(from_rates.rate_per_eur * 1000000 as '
                    ~ socialmart.type_exact_integer() ~ ')'
            ) }} as decimal(38, 0)
        ) * 0.0000000001 as cross_rate,
        from_rates.rate_date
    from eur_rates as from_rates
    inner join eur_rates as to_rates
        on to_rates.rate_date = from_rates.rate_date

),

final as (

    select
        from_currency,
        to_currency,
        from_per_eur,
        to_per_eur,
        cast(cross_rate as decimal(28, 10)) as cross_rate,
        rate_date
    from pairs

)

select * from final

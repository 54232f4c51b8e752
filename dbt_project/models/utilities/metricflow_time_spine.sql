{#-
    One row per calendar day for the semantic layer (MetricFlow's time spine), covering
    every report day of the facts plus a year either side.
-#}

with bounds as (

    select
        min(report_date) as first_date,
        max(report_date) as last_date
    from {{ ref('fct_ad_performance_daily') }}

),

days as (

    select
        cast({{ day_series(
            dbt.dateadd('day', -366, 'first_date'),
            dbt.dateadd('day', 366, 'last_date')
        ) }} as date) as date_day
    from bounds
    where first_date is not null

)

select * from days

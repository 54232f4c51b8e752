{#-
    Meta rows of the placement-performance shape (see int_placement_performance_daily_unioned):
    the placement insights the staging table holds with the automation settings in effect
    on the report day (meta_placement_performance).
-#}

with placement_insights as (select * from {{ ref('stg_meta__ad_insights_placement') }}),

final as (

    {{ meta_placement_performance('placement_insights') }}

)

select * from final

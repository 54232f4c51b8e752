{#-
    Every platform's rows of the placement-performance shape in one relation, over the
    column list placement_performance_columns declares (union_platforms: by column name,
    one cast each, so both platforms agree on the types). Meta's rows are the days its
    staging table holds (see placement_performance_input).
-#}

with unioned as (

    {{ placement_performance_unioned(ref('int_meta__placement_performance_daily')) }}

)

select * from unioned

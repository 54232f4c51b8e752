{#-
    Every platform's rows of the placement-performance shape in one relation, over the
    column list placement_performance_columns declares (union_platforms: by column name,
    one cast each, so both platforms agree on the types).
-#}

with unioned as (

    {{ union_platforms(placement_performance_columns(), [
        {'platform': 'meta', 'relation': ref('int_meta__placement_performance_daily')},
        {'platform': 'tiktok', 'relation': ref('int_tiktok__placement_performance_daily')},
    ]) }}

)

select * from unioned

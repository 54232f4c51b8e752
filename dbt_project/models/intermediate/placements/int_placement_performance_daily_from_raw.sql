{#-
    The rows of int_placement_performance_daily_unioned for every day, Meta's computed
    straight from raw through the staging's and the Meta model's own macros
    (meta_insights_rows, meta_placement_performance): what fct_placement_performance_daily
    reads on a build without its table (see placement_performance_input). A view: nothing
    is written until the mart writes its rows, once.
-#}

with meta_placement_insights as (

    {{ meta_insights_rows(
        source('meta', 'ad_insights_placement'), meta_placement_breakdowns(), none) }}

),

meta_placement_performance as (

    {{ meta_placement_performance('meta_placement_insights') }}

),

unioned as (

    {{ placement_performance_unioned('meta_placement_performance') }}

)

select * from unioned

{#-
    How a TikTok AUDIENCE-report `placement` maps onto the placement mart's
    publisher_platform x platform_position: the app or network becomes the publisher
    platform; TikTok reports no position inside a placement, so platform_position is
    `all`. A placement missing here still reaches the mart with its raw value (see
    int_tiktok__placement_performance_daily); add a row here to map it. A model rather
    than a seed so that `dbt run` of the mart and its parents builds it too.
    Lemon8 and PineDrama are TikTok subplacements of Upgraded Smart+ ad groups (since
    2026-06-26); how the AUDIENCE report names their delivery is not documented: the rows
    assume their `tiktok_subplacements` names (DECISIONS.md, "TikTok Smart+").
-#}
{#- Each placement's publisher platform; the position is `all` for every one. -#}
{%- set publisher_platforms = {
    'PLACEMENT_TIKTOK': 'tiktok',
    'PLACEMENT_PANGLE': 'pangle',
    'PLACEMENT_GLOBAL_APP_BUNDLE': 'global_app_bundle',
    'PLACEMENT_TOPBUZZ': 'topbuzz',
    'PLACEMENT_HELO': 'helo',
    'LEMON8': 'lemon8',
    'PINE_DRAMA': 'pine_drama',
} -%}

with mapping as (

    {% for placement, publisher_platform in publisher_platforms.items() -%}
    select
        cast('{{ placement }}' as {{ dbt.type_string() }}) as placement,
        cast('{{ publisher_platform }}' as {{ dbt.type_string() }}) as publisher_platform,
        cast('all' as {{ dbt.type_string() }}) as platform_position
    {% if not loop.last %}union all
    {% endif -%}
    {%- endfor %}

)

select * from mapping

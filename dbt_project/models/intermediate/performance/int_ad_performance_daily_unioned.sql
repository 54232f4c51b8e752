{#-
    Every platform's rows of the ad-performance shape in one relation, over the column list
    ad_performance_columns declares (union_platforms: by column name, one cast each). The
    platform models name the ad set / ad group adgroup_*; the marts name it adset_* (one
    name per concept), so both field mappings rename it.
-#}
{%- set ad_group_as_ad_set = {'adset_id': 'adgroup_id', 'adset_name': 'adgroup_name'} -%}

with unioned as (

    {{ union_platforms(ad_performance_columns(), [
        {'platform': 'meta', 'relation': ref('int_meta__ad_performance_daily'),
         'fields': ad_group_as_ad_set},
        {'platform': 'tiktok', 'relation': ref('int_tiktok__ad_performance_daily'),
         'fields': ad_group_as_ad_set},
    ]) }}

)

select * from unioned

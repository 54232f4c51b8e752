{#
    True for a row of a TikTok report by `ad_id` that is not one creative of an Upgraded
    Smart+ ad. Reports by `ad_id` list those creatives one by one
    (campaign_automation_type = UPGRADED_SMART_PLUS_CREATIVE); the Smart+ ad itself comes from
    the reports by `ad_id_v2`, so keeping both would count its spend twice.
#}
{% macro tiktok_not_smart_plus_creative(column='campaign_automation_type') -%}
    coalesce({{ column }}, '') <> 'UPGRADED_SMART_PLUS_CREATIVE'
{%- endmacro %}

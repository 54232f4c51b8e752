{#
    TikTok's mapping of a report onto the cross-platform shapes. `report`: 'ad' (the BASIC
    report per ad and day) or 'placement' (the AUDIENCE report per ad, placement and day);
    each comes as two lists, the auction ads' by ad_id and the Upgraded Smart+ ads' by
    ad_id_v2. Every row of both is joined to its ad of the same list in
    int_tiktok__ads_joined for the campaign, ad group and ad ids and names, with the
    report's `measures` (columns) beside them. A report row without its ad keeps null
    names, never drops.
#}
{% macro tiktok_report_rows(report, measures) -%}
    {%- set report_lists = {
        'ad': [
            ('stg_tiktok__ad_report_daily', false),
            ('stg_tiktok__smart_plus_ad_report_daily', true),
        ],
        'placement': [
            ('stg_tiktok__ad_placement_report_daily', false),
            ('stg_tiktok__smart_plus_ad_placement_report_daily', true),
        ],
    } -%}
    {%- for model, is_smart_plus in report_lists[report] %}
    select
        report.advertiser_id,
        ads.campaign_id,
        ads.campaign_name,
        ads.adgroup_id,
        ads.adgroup_name,
        report.ad_id,
        ads.ad_name,
        {%- for measure in measures %}
        report.{{ measure }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref(model) }} as report
    left join {{ ref('int_tiktok__ads_joined') }} as ads
        on ads.advertiser_id = report.advertiser_id
        and ads.ad_id = report.ad_id
        and ads.is_smart_plus_ad = {{ is_smart_plus }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}

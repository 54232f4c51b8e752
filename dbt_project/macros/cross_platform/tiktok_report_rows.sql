{#
    TikTok's mapping of a report onto the cross-platform shapes: the rows of every report
    in `reports` ((relation, is_smart_plus) pairs: the auction report by ad_id, the
    Upgraded Smart+ one by ad_id_v2), each joined to its ad of the same list in `ads`
    (int_tiktok__ads_joined) for the campaign, ad group and ad ids and names, with the
    report's `measures` (columns) beside them. A report row without its ad keeps null
    names, never drops.
#}
{% macro tiktok_report_rows(reports, ads, measures) -%}
    {%- for report, is_smart_plus in reports %}
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
    from {{ report }} as report
    left join {{ ads }} as ads
        on ads.advertiser_id = report.advertiser_id
        and ads.ad_id = report.ad_id
        and ads.is_smart_plus_ad = {{ is_smart_plus }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}

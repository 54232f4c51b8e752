{#
    The staging bodies of the TikTok Business API tables. Manual, Upgraded Smart+ and
    GMV Max objects and reports share one shape each, so every staging model is a call
    naming its source table, key and columns; the casts, the "-" handling and the load
    metadata live here once.
#}

{#
    Report fields whose warehouse name differs from TikTok's, and the fields that are
    counts (bigint); every other report field is an amount (type_money).
#}
{% macro tiktok_report_field_names() -%}
    {{ return({
        'conversion': 'conversions',
        'complete_payment': 'purchases',
        'total_complete_payment_rate': 'purchase_value',
    }) }}
{%- endmacro %}

{% macro tiktok_count_fields() -%}
    {{ return([
        'impressions', 'clicks', 'conversion', 'orders', 'product_impressions',
        'product_clicks', 'video_play_actions', 'video_watched_2s', 'video_views_p100',
    ]) }}
{%- endmacro %}

{#- The fields of the ad-level auction reports (BASIC and AUDIENCE, manual and Smart+). -#}
{% macro tiktok_ad_report_fields() -%}
    {{ return([
        'spend', 'impressions', 'clicks', 'conversion', 'complete_payment',
        'total_complete_payment_rate',
    ]) }}
{%- endmacro %}

{#- The video fields only the BASIC ad reports carry. -#}
{% macro tiktok_video_fields() -%}
    {{ return(['video_play_actions', 'video_watched_2s', 'video_views_p100']) }}
{%- endmacro %}


{#- Select-list columns of report `fields`, each a tiktok_metric under its warehouse name. -#}
{% macro tiktok_metric_columns(fields) -%}
    {%- set columns = [] -%}
    {%- for field in fields -%}
        {%- set data_type = (
            dbt.type_bigint() if field in tiktok_count_fields() else type_money()) -%}
        {%- do columns.append(
            tiktok_metric(field, data_type) ~ ' as '
            ~ tiktok_report_field_names().get(field, field)) -%}
    {%- endfor -%}
    {{ columns | join(',\n        ') }}
{%- endmacro %}


{#
    A daily report: the latest live version per `key_columns` (the report's dimensions and
    stat_time_day), with `id_columns`, the `breakdown_columns` (strings), `fields` as
    metrics, the day and the load metadata. Rows TikTok stopped returning are left out, and
    with `without_smart_plus_creatives` the Upgraded Smart+ creatives of a report by ad_id
    (see tiktok_not_smart_plus_creative).
#}
{% macro tiktok_report_staging(
    relation, key_columns, id_columns, fields,
    breakdown_columns=[], without_smart_plus_creatives=false
) %}
{% call present_rows_staging(
    relation,
    key_columns,
    where=tiktok_not_smart_plus_creative() if without_smart_plus_creatives else none,
) -%}
        ---------- ids
        {{ id_columns | join(',\n        ') }},
        {%- if breakdown_columns %}
        ---------- strings
        {{ breakdown_columns | join(',\n        ') }},
        {%- endif %}
        ---------- numerics
        {{ tiktok_metric_columns(fields) }},
        ---------- dates
        stat_time_day as report_date,
        ---------- load metadata
        _sync_id as sync_id,
        _pulled_at as pulled_at
{%- endcall %}
{% endmacro %}


{#
    An ad-level auction report, manual or Upgraded Smart+, by `ad_id_column`: reports by
    `ad_id` also list the creatives of Smart+ ads one by one, which are left out (the
    Smart+ reports by `ad_id_v2` carry those ads); the id is `ad_id` either way.
#}
{% macro tiktok_ad_report_staging(relation, ad_id_column, fields, breakdown_columns=[]) %}
    {{ return(tiktok_report_staging(
        relation,
        ['advertiser_id', ad_id_column, 'stat_time_day'] + breakdown_columns,
        ['advertiser_id', tiktok_ad_id(ad_id_column)],
        fields,
        breakdown_columns,
        without_smart_plus_creatives=(ad_id_column == 'ad_id'),
    )) }}
{% endmacro %}

{#- `ad_id_column` as the select-list column `ad_id`. -#}
{% macro tiktok_ad_id(ad_id_column) -%}
    {{ ad_id_column if ad_id_column == 'ad_id' else ad_id_column ~ ' as ad_id' }}
{%- endmacro %}


{#
    Every stored version of a daily report's rows (not only the latest), for
    fct_conversion_restatements: `id_columns`, the sync id, `fields` as metrics, the day
    and the pull time in UTC. Tombstones carry no numbers and are left out, so are the
    Upgraded Smart+ creatives with `without_smart_plus_creatives`.
#}
{% macro tiktok_report_versions_staging(
    relation, id_columns, fields, without_smart_plus_creatives=false
) %}
{% call every_version_staging(
    relation,
    where=tiktok_not_smart_plus_creative() if without_smart_plus_creatives else none,
) -%}
        ---------- ids
        {{ id_columns | join(',\n        ') }},
        _sync_id as sync_id,
        ---------- numerics
        {{ tiktok_metric_columns(fields) }},
        ---------- dates
        stat_time_day as report_date,
        ---------- timestamps
        {{ utc_timestamp('_pulled_at') }} as pulled_at
{%- endcall %}
{% endmacro %}


{#
    An object list (campaigns, ad groups, ads; manual, Smart+ or GMV Max): the latest live
    version per `key_columns`, deleted objects included (is_removed_from_source). Columns:
    `id_columns`; `string_columns`, where a name ending in `_json` is the raw JSON column
    without the suffix as text; `money_columns` cast to type_money; `boolean_columns`
    (select expressions); the create and modify times as TikTok sends them (advertiser
    time zone); the load metadata.
#}
{% macro tiktok_entity_staging(
    relation, key_columns, id_columns, string_columns,
    money_columns=[], boolean_columns=[]
) %}
{% call latest_live_staging(relation, key_columns) -%}
        ---------- ids
        {{ id_columns | join(',\n        ') }},
        ---------- strings
        {%- for column in string_columns %}
        {%- if column.endswith('_json') %}
        cast({{ column[:-5] }} as {{ dbt.type_string() }}) as {{ column }},
        {%- else %}
        {{ column }},
        {%- endif %}
        {%- endfor %}
        {%- if money_columns %}
        ---------- numerics
        {%- for column in money_columns %}
        cast({{ column }} as {{ type_money() }}) as {{ column }},
        {%- endfor %}
        {%- endif %}
        {%- if boolean_columns %}
        ---------- booleans
        {{ boolean_columns | join(',\n        ') }},
        {%- endif %}
        ---------- timestamps (advertiser time zone, as TikTok sends them)
        cast(create_time as timestamp) as created_at_local,
        cast(modify_time as timestamp) as modified_at_local,
        ---------- load metadata
        is_removed_from_source,
        _sync_id as sync_id,
        _pulled_at as pulled_at
{%- endcall %}
{% endmacro %}


{#
    Every stored version of an ad group list's (manual or Upgraded Smart+) placement type,
    for int_tiktok__adgroup_placement_mode_versions: TikTok keeps no history of settings,
    so the loader's versions are the history.
#}
{% macro tiktok_adgroup_versions_staging(relation) %}
{% call every_version_staging(relation) -%}
        ---------- ids
        advertiser_id,
        adgroup_id,
        _sync_id as sync_id,
        ---------- strings
        placement_type,
        ---------- timestamps
        _pulled_at as pulled_at
{%- endcall %}
{% endmacro %}


{#
    An ad group list (manual or Upgraded Smart+): tiktok_entity_staging over the columns
    both lists have, then `extra_string_columns` (Smart+: its TikTok subplacements).
#}
{% macro tiktok_adgroup_staging(relation, extra_string_columns=[]) -%}
{{ tiktok_entity_staging(
    relation, ['advertiser_id', 'adgroup_id'],
    id_columns=['advertiser_id', 'campaign_id', 'adgroup_id'],
    string_columns=[
        'adgroup_name', 'placement_type', 'placements_json', 'promotion_type',
        'optimization_goal', 'budget_mode', 'operation_status', 'secondary_status',
    ] + extra_string_columns,
    money_columns=['budget'],
) }}
{%- endmacro %}

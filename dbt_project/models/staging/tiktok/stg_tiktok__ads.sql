{#-
    One row per TikTok ad (deleted ones included): the latest raw version. Spark Ads run
    under a creator's identity (AUTH_CODE, TT_USER, BC_AUTH_TT, TTS_TT) on the creator's post
    (tiktok_item_id); CUSTOMIZED_USER is the advertiser's own custom identity, never Spark.
-#}

{%- set is_spark_ad -%}
    coalesce(
        identity_type in ('AUTH_CODE', 'TT_USER', 'BC_AUTH_TT', 'TTS_TT')
        and tiktok_item_id is not null,
        false
    ) as is_spark_ad
{%- endset -%}

{{ tiktok_entity_staging(
    source('tiktok', 'ads'), ['advertiser_id', 'ad_id'],
    id_columns=[
        'advertiser_id', 'campaign_id', 'adgroup_id', 'ad_id', 'identity_id',
        'identity_authorized_bc_id', 'tiktok_item_id',
    ],
    string_columns=[
        'ad_name', 'ad_format', 'operation_status', 'secondary_status', 'identity_type',
        'display_name as identity_display_name',
    ],
    boolean_columns=[is_spark_ad],
) }}

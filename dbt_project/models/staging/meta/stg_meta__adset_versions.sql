{#-
    Every stored version of each ad set's placement targeting (not only the latest;
    tombstones left out), for int_meta__adset_setting_versions: Meta keeps no history of
    settings, so the loader's versions are the history. See meta_placement_targeting.
-#}

{% call every_version_staging(source('meta', 'adsets')) -%}
        ---------- ids
        account_id as ad_account_id,
        id as adset_id,
        campaign_id,
        _sync_id as sync_id,
        ---------- booleans
        {{ meta_placement_targeting('targeting') }},
        ---------- timestamps
        _pulled_at as pulled_at
{%- endcall %}

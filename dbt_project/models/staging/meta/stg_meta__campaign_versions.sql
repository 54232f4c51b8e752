{#-
    Every stored version of each campaign's automation settings (not only the latest;
    tombstones left out), for int_meta__campaign_setting_versions: Meta keeps no history
    of settings, so the loader's versions are the history.
-#}

{% call every_version_staging(source('meta', 'campaigns')) -%}
        ---------- ids
        account_id as ad_account_id,
        id as campaign_id,
        _sync_id as sync_id,
        ---------- strings
        smart_promotion_type,
        {{ json_text('advantage_state_info', 'advantage_state') }} as advantage_state,
        {{ json_text('advantage_state_info', 'advantage_placement_state') }}
            as advantage_placement_state,
        ---------- timestamps
        _pulled_at as pulled_at
{%- endcall %}

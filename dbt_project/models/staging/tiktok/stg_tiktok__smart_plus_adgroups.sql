{#-
    One row per Upgraded Smart+ ad group (deleted ones included): the latest raw version,
    with its placements and TikTok subplacements (Lemon8, PineDrama) as JSON text.
-#}

{{ tiktok_adgroup_staging(
    source('tiktok', 'smart_plus_adgroups'), extra_string_columns=['tiktok_subplacements_json']
) }}

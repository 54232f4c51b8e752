{#-
    Every stored version of each Upgraded Smart+ ad group's placement type (tombstones left
    out).
-#}

{{ tiktok_adgroup_versions_staging(source('tiktok', 'smart_plus_adgroups')) }}

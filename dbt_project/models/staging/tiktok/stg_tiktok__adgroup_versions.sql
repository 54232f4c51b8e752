{#- Every stored version of each TikTok ad group's placement type (tombstones left out). -#}

{{ tiktok_adgroup_versions_staging(source('tiktok', 'adgroups')) }}

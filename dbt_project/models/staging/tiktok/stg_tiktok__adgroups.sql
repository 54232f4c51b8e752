{#- One row per TikTok ad group (deleted ones included): the latest raw version. -#}

{{ tiktok_adgroup_staging(source('tiktok', 'adgroups')) }}

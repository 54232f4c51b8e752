{#- One row per ad, day and placement: the latest non-deleted raw version. -#}
{{ meta_insights_staging(
    source('meta', 'ad_insights_placement'),
    ['publisher_platform', 'platform_position'],
) }}

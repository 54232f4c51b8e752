{#-
    One row per ad, day and placement: the latest non-deleted raw version.

    A table, not a view: picking the latest version per key over the whole raw history is
    the costliest step of a build at scale (tens of seconds over 19.5 M placement versions),
    and every test and model downstream would otherwise repeat it.
-#}
{{ config(materialized='table') }}
{{ meta_insights_staging(
    source('meta', 'ad_insights_placement'),
    ['publisher_platform', 'platform_position'],
) }}

{#-
    Every creator identity seen in the data, once: TikTok Shop usernames of affiliate
    orders, Spark Ads identities, authors of Meta partnership ads, Threads profiles. The
    handle is the name the platform shows for it (latest by name when several).

    A table: it condenses millions of order lines into a few thousand identities, which
    int_creator_identities_resolved and every test of both read.
-#}
{{ config(materialized='table') }}

{%- set identity_columns = [
    ('identity_type', 'string'), ('identity_value', 'string'), ('handle', 'string'),
] -%}

with

sightings as (

    {{ union_platforms(identity_columns, [
        {'relation': ref('stg_tiktok_shop__affiliate_orders'), 'fields': {
            'identity_type': "'tiktok_username'", 'identity_value': 'creator_username',
            'handle': 'creator_username',
        }},
        {'relation': ref('stg_tiktok__ads'), 'where': 'is_spark_ad', 'fields': {
            'identity_type': "'tiktok_identity_id'", 'identity_value': 'identity_id',
            'handle': 'identity_display_name',
        }},
        {'relation': ref('int_creator_meta_partnership_ads'), 'fields': {
            'identity_type': "'instagram_user_id'",
            'identity_value': 'author_instagram_user_id', 'handle': none,
        }},
        {'relation': ref('stg_threads__posts'), 'fields': {
            'identity_type': "'threads_user_id'", 'identity_value': 'profile_id',
            'handle': 'username',
        }},
        {'relation': ref('stg_threads__post_insights'), 'fields': {
            'identity_type': "'threads_user_id'", 'identity_value': 'profile_id',
            'handle': none,
        }},
    ]) }}

),

final as (

    select
        identity_type,
        identity_value,
        max(handle) as handle
    from sightings
    where identity_value is not null
    group by identity_type, identity_value

)

select * from final

{#-
    Every creator identity seen in the data, once: TikTok Shop usernames of affiliate
    orders, Spark Ads identities, authors of Meta partnership ads, Threads profiles. The
    handle is the name the platform shows for it (latest by name when several).

    A table: it condenses millions of order lines into a few thousand identities, which
    int_creator_identities_resolved and every test of both read.
-#}
{{ config(materialized='table') }}

with

affiliate_orders as (select * from {{ ref('stg_tiktok_shop__affiliate_orders') }}),

tiktok_ads as (select * from {{ ref('stg_tiktok__ads') }}),

meta_partnership_ads as (select * from {{ ref('int_creator_meta_partnership_ads') }}),

threads_posts as (select * from {{ ref('stg_threads__posts') }}),

threads_insights as (select * from {{ ref('stg_threads__post_insights') }}),

sightings as (

    select
        'tiktok_username' as identity_type,
        creator_username as identity_value,
        creator_username as handle
    from affiliate_orders
    union all
    select
        'tiktok_identity_id' as identity_type,
        identity_id as identity_value,
        identity_display_name as handle
    from tiktok_ads
    where is_spark_ad
    union all
    select
        'instagram_user_id' as identity_type,
        author_instagram_user_id as identity_value,
        cast(null as {{ dbt.type_string() }}) as handle
    from meta_partnership_ads
    union all
    select
        'threads_user_id' as identity_type,
        profile_id as identity_value,
        username as handle
    from threads_posts
    union all
    select
        'threads_user_id' as identity_type,
        profile_id as identity_value,
        cast(null as {{ dbt.type_string() }}) as handle
    from threads_insights

),

final as (

    select
        cast(identity_type as {{ dbt.type_string() }}) as identity_type,
        identity_value,
        max(handle) as handle
    from sightings
    where identity_value is not null
    group by identity_type, identity_value

)

select * from final

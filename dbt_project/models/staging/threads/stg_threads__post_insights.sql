{#- One row per Threads post: its latest lifetime insights reading. -#}

with source as (

    {{ latest_live_versions(source('threads', 'post_insights'), ['profile_id', 'post_id']) }}

),

renamed as (

    select
        ---------- ids
        profile_id,
        post_id,
        ---------- numerics
        views,
        likes,
        replies,
        reposts,
        quotes,
        shares,
        ---------- dates
        post_date,
        ---------- load metadata
        _sync_id as sync_id,
        _pulled_at as pulled_at
    from source
    where not is_removed_from_source

)

select * from renamed

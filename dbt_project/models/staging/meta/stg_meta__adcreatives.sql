{#-
    One row per ad creative: its latest known state. The branded-content (partnership)
    objects stay JSON text: their `partners` list is read where creators are resolved.
-#}

with latest as (

    {{ latest_live_versions(source('meta', 'adcreatives'), ['account_id', 'id']) }}

),

renamed as (

    select
        ---------- ids
        id as creative_id,
        account_id as ad_account_id,
        {{ json_text('object_story_spec', 'page_id') }} as page_id,
        {{ json_text('object_story_spec', 'instagram_user_id') }} as instagram_user_id,
        source_instagram_media_id,
        ---------- strings
        name as creative_name,
        cast(branded_content as {{ dbt.type_string() }}) as branded_content,
        cast(facebook_branded_content as {{ dbt.type_string() }})
            as facebook_branded_content,
        cast(instagram_branded_content as {{ dbt.type_string() }})
            as instagram_branded_content,
        ---------- booleans
        {{ json_has_key('branded_content', 'partners') }} as is_partnership,
        is_removed_from_source,
        ---------- timestamps
        {{ utc_timestamp('_pulled_at') }} as pulled_at
    from latest

)

select * from renamed

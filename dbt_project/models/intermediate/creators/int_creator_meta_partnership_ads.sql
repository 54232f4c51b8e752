{#-
    Meta partnership ads and the creator whose content each one promotes (one creator per
    ad, so spend is never split or counted for two people).

    A partnership creative boosts a post authored by one creator. Meta names the two sides
    of the partnership: the identity the ad runs under (object_story_spec) and the sponsor
    (instagram_branded_content.sponsor_id). When the ad runs under the creator, the brand is
    listed among branded_content.partners with identity_type BRAND and the author is the
    story identity; otherwise the ad runs under the brand and the author is the sponsor.
    Co-creators in the partners list are not credited with spend.
-#}

with

ads as (select * from {{ ref('stg_meta__ads') }}),

creatives as (select * from {{ ref('stg_meta__adcreatives') }}),

partnership_creatives as (

    select
        creative_id,
        ad_account_id,
        source_instagram_media_id,
        case
            when {{ json_list_has('branded_content', 'partners', 'identity_type', 'BRAND') }}
                then instagram_user_id
            else {{ json_text('instagram_branded_content', 'sponsor_id') }}
        end as author_instagram_user_id
    from creatives
    where is_partnership

),

final as (

    select
        ads.ad_account_id,
        ads.ad_id,
        partnership_creatives.creative_id,
        partnership_creatives.source_instagram_media_id,
        partnership_creatives.author_instagram_user_id
    from ads
    inner join partnership_creatives using (ad_account_id, creative_id)
    where partnership_creatives.author_instagram_user_id is not null

)

select * from final

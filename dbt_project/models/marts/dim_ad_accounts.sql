{#-
    One row per ad account of every platform (Meta ad accounts, TikTok advertisers),
    removed ones included, with the currency of its amounts and the time zone its report
    days are cut in. Grain: platform x ad_account_id.

    TikTok sends two zones: `timezone`, a fixed offset in POSIX form (Etc/GMT+8 = UTC-8,
    no daylight saving time), and `display_timezone`, the IANA zone of the account
    (America/Los_Angeles). account_timezone is the IANA zone, as Meta's timezone_name is:
    the zone whose calendar days the reports use (the fixed offset only as a fallback;
    stg_tiktok__advertisers picks it, so facts and dims carry the same zone).
-#}

with final as (

    {{ union_platforms(ad_account_columns(), [
        {'platform': 'meta', 'relation': ref('stg_meta__ad_accounts'),
         'fields': {'advertiser_status': none}},
        {'platform': 'tiktok', 'relation': ref('stg_tiktok__advertisers'), 'fields': {
            'ad_account_id': 'advertiser_id', 'ad_account_name': 'advertiser_name',
            'business_id': none, 'business_name': none, 'account_status': none,
        }},
    ]) }}

)

select * from final

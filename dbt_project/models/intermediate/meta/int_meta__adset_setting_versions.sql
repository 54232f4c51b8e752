{#-
    Every stored version of a Meta ad set's placement targeting with the days it was in
    effect (see setting_versions and meta_placement_targeting). Days are account-local.
-#}

with {{ setting_versions(
    [ref('stg_meta__adset_versions')], ref('stg_meta__ad_accounts'),
    key_columns=['ad_account_id', 'adset_id'],
    columns=[
        'campaign_id', 'has_placement_targeting', 'is_threads_targeted',
        'is_threads_excluded',
    ],
) }}

select * from setting_versions

{#- One row per campaign: its latest known state (see latest_live_versions). -#}

{{ meta_entity_staging(
    source('meta', 'campaigns'), 'campaign_id',
    string_columns=[
        'name as campaign_name', 'objective', 'status', 'effective_status', 'buying_type',
        'bid_strategy', 'smart_promotion_type',
        json_text('advantage_state_info', 'advantage_state') ~ ' as advantage_state',
        json_text('advantage_state_info', 'advantage_placement_state')
            ~ ' as advantage_placement_state'],
    numeric_columns=meta_budget_columns(),
    timestamp_columns={
        'start_time': 'started_at', 'stop_time': 'stopped_at', 'created_time': 'created_at',
        'updated_time': 'updated_at'},
) }}

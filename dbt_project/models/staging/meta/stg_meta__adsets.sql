{#-
    One row per ad set: its latest known state (see latest_live_versions). Placement
    targeting is parsed from `targeting` (meta_placement_targeting): an ad set that names no
    publisher platform and no position leaves placements to Meta (Advantage+ placements).
-#}

{{ meta_entity_staging(
    source('meta', 'adsets'), 'adset_id',
    id_columns=['campaign_id'],
    string_columns=[
        'name as adset_name', 'status', 'effective_status', 'optimization_goal',
        'billing_event'],
    numeric_columns=meta_budget_columns(),
    boolean_columns=[meta_placement_targeting('targeting')],
    timestamp_columns={
        'start_time': 'started_at', 'end_time': 'ended_at', 'created_time': 'created_at',
        'updated_time': 'updated_at'},
) }}

{#
    The placement facts of a Meta ad set `targeting` JSON, as three boolean select-list
    columns: has_placement_targeting (it names a publisher platform or a position; none
    leaves placements to Meta), is_threads_targeted (it names Threads or a Threads
    position) and is_threads_excluded (it lists Threads among excluded platforms).
#}
{% macro meta_placement_targeting(targeting) -%}
    {%- set position_keys = [
        'facebook_positions', 'instagram_positions', 'threads_positions',
        'audience_network_positions', 'messenger_positions', 'whatsapp_positions',
    ] -%}
    (
        {{ json_has_key(targeting, 'publisher_platforms') }}
        {%- for key in position_keys %}
        or {{ json_has_key(targeting, key) }}
        {%- endfor %}
    ) as has_placement_targeting,
    (
        {{ json_array_has(targeting, 'publisher_platforms', 'threads') }}
        or {{ json_has_key(targeting, 'threads_positions') }}
    ) as is_threads_targeted,
    {{ json_array_has(targeting, 'excluded_publisher_platforms', 'threads') }}
        as is_threads_excluded
{%- endmacro %}

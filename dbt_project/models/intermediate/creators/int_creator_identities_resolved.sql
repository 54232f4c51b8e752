{#-
    Creator identity resolution: every identity of the registry or the data, once, with
    the creator it belongs to. A registered identity maps to its registry creator_id (so
    one person's TikTok username, Spark identity, Instagram and Threads ids resolve to one
    creator); an unregistered one becomes its own creator, creator_id
    '<identity_type>:<identity_value>', is_registered = false. The brand's own identities
    (registry is_brand) resolve too, so facts can leave them out.
-#}

with

registry as (select * from {{ ref('creator_registry') }}),

observed as (select * from {{ ref('int_creator_identities_observed') }}),

registered_identities as (

    {%- set identity_columns = [
        'instagram_user_id', 'threads_user_id', 'tiktok_username', 'tiktok_identity_id',
    ] %}
    {%- for column in identity_columns %}
    select
        cast('{{ column }}' as {{ dbt.type_string() }}) as identity_type,
        cast({{ column }} as {{ dbt.type_string() }}) as identity_value,
        creator_id,
        is_brand
    from registry
    where {{ column }} is not null
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

all_identities as (

    select
        identity_type,
        identity_value
    from registered_identities
    union
    select
        identity_type,
        identity_value
    from observed

),

final as (

    select
        all_identities.identity_type,
        all_identities.identity_value,
        coalesce(
            registered_identities.creator_id,
            {{ dbt.concat([
                'all_identities.identity_type', "':'", 'all_identities.identity_value'
            ]) }}
        ) as creator_id,
        observed.handle,
        registered_identities.creator_id is not null as is_registered,
        coalesce(registered_identities.is_brand, false) as is_brand,
        observed.identity_value is not null as is_observed
    from all_identities
    left join registered_identities using (identity_type, identity_value)
    left join observed using (identity_type, identity_value)

)

select * from final

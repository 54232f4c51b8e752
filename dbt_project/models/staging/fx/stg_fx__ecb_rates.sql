{#- One row per publication day and currency: the latest non-deleted raw version. -#}

with

source as (select * from {{ source('fx', 'ecb_rates') }}),

versions_ranked as (

    select
        *,
        row_number() over (
            partition by provider, {{ adapter.quote('date') }}, currency
            order by _pulled_at desc, _sync_id desc
        ) as version_rank
    from source

),

renamed as (

    select
        ---------- ids
        provider,
        currency,
        ---------- numerics
        cast(rate as decimal(18, 6)) as rate_per_eur,
        ---------- dates
        {{ adapter.quote('date') }} as published_date,
        ---------- load metadata
        _sync_id as sync_id,
        _pulled_at as pulled_at
    from versions_ranked
    where version_rank = 1 and not _is_deleted

)

select * from renamed

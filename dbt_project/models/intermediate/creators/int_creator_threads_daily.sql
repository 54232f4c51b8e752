{#-
    Organic Threads reach and engagement per profile and UTC posting day: the latest
    lifetime insights of the posts published that day, summed.
-#}

with

post_insights as (select * from {{ ref('stg_threads__post_insights') }}),

final as (

    select
        cast('threads_user_id' as {{ dbt.type_string() }}) as identity_type,
        profile_id as identity_value,
        post_date,
        cast(count(*) as {{ dbt.type_bigint() }}) as posts,
        cast(sum(views) as {{ dbt.type_bigint() }}) as views,
        cast(sum(likes) as {{ dbt.type_bigint() }}) as likes,
        cast(sum(replies) as {{ dbt.type_bigint() }}) as replies,
        cast(sum(reposts) as {{ dbt.type_bigint() }}) as reposts,
        cast(sum(quotes) as {{ dbt.type_bigint() }}) as quotes,
        cast(sum(shares) as {{ dbt.type_bigint() }}) as shares
    from post_insights
    group by profile_id, post_date

)

select * from final

{#-
    TikTok Shop affiliate sales per creator username, order day (shop time zone) and
    currency, over every shop. Cancelled orders count for nothing. GMV is the line price
    times the quantity not refunded; commissions are the paid-commission amounts TikTok
    states per line (estimated for every order, actual once the order is settled).
-#}

with order_lines as (

    select * from {{ ref('stg_tiktok_shop__affiliate_orders') }}
    where not is_cancelled

),

final as (

    select
        cast('tiktok_username' as {{ dbt.type_string() }}) as identity_type,
        creator_username as identity_value,
        currency,
        order_date,
        count(distinct {{ dbt.concat(['shop_cipher', "'/'", 'order_id']) }}) as orders,
        cast(sum(unit_price * (quantity - refunded_quantity)) as {{ type_money() }}) as gmv,
        cast(sum(estimated_paid_commission) as {{ type_money() }}) as commission_estimated,
        cast(sum(coalesce(actual_paid_commission, 0)) as {{ type_money() }})
            as commission_actual
    from order_lines
    group by creator_username, currency, order_date

)

select * from final

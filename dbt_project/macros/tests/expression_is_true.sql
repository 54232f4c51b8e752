{#
    Generic test: every row satisfies `expression` (a SQL boolean over the model's
    columns). Fails with the rows that do not; null results count as failures.
#}
{% test expression_is_true(model, expression) %}

select * from {{ model }}
where not coalesce(({{ expression }}), false)

{% endtest %}

{#
    Generic test: every row satisfies `expression` (a SQL boolean over the model's
    columns). Fails with the rows that do not; null results count as failures.

    Stands for dbt_utils.expression_is_true, under its name and `expression` argument
    (the row filter comes from dbt's `where` config, as with the package). Hand-written
    because dbt packages install only from dbt Hub or git, which this project's machines
    and CI cannot reach (they reach PyPI, where dbt_utils is not published), and the
    package's code is not copied in. With a reachable package source: pin dbt-labs/dbt_utils
    in packages.yml, commit package-lock.yml, call it as dbt_utils.expression_is_true in
    the YAML and delete this file.
#}
{% test expression_is_true(model, expression) %}

select * from {{ model }}
where not coalesce(({{ expression }}), false)

{% endtest %}

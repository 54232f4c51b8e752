{#
    The first non-null `column` of `relations` (names of relations joined in one select),
    in their order: where several lists of one platform describe the same object (TikTok's
    auction, GMV Max and Upgraded Smart+ campaigns) and the first list that has it wins.
#}
{% macro coalesce_columns(relations, column) -%}
    coalesce(
        {%- for relation in relations %}{{ relation }}.{{ column }}{{ ', ' if not loop.last }}
        {%- endfor -%}
    )
{%- endmacro %}

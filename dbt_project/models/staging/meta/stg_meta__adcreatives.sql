{#-
    One row per ad creative: its latest known state. The branded-content (partnership)
    objects stay JSON text: their `partners` list is read where creators are resolved.
-#}

{%- set partnership_columns = [
    'branded_content', 'facebook_branded_content', 'instagram_branded_content'] -%}
{%- set partnership_texts = [] -%}
{%- for column in partnership_columns -%}
    {%- do partnership_texts.append(
        'cast(' ~ column ~ ' as ' ~ dbt.type_string() ~ ') as ' ~ column) -%}
{%- endfor -%}

{{ meta_entity_staging(
    source('meta', 'adcreatives'), 'creative_id',
    id_columns=[
        json_text('object_story_spec', 'page_id') ~ ' as page_id',
        json_text('object_story_spec', 'instagram_user_id') ~ ' as instagram_user_id',
        'source_instagram_media_id'],
    string_columns=['name as creative_name'] + partnership_texts,
    boolean_columns=[json_has_key('branded_content', 'partners') ~ ' as is_partnership'],
) }}

"""Airflow DAG transform_publish: dbt build, gate, publish on raw-table assets (see factories)."""

from assets import ALL_RAW_ASSETS
from factories import transform_dag

transform_dag(ALL_RAW_ASSETS)

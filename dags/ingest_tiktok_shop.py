"""Airflow DAG ingest_tiktok_shop: tiktok_shop ingestion (docs: ``factories.INGEST_DOC``)."""

from assets import RAW_ASSETS
from factories import ingest_dag

ingest_dag("tiktok_shop", RAW_ASSETS["tiktok_shop"])

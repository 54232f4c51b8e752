"""Airflow DAG ingest_tiktok: tiktok ingestion (docs: ``factories.INGEST_DOC``)."""

from assets import RAW_ASSETS
from factories import ingest_dag

ingest_dag("tiktok", RAW_ASSETS["tiktok"])

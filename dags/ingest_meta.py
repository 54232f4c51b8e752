"""Airflow DAG ingest_meta: Meta Marketing API ingestion (docs: ``factories.INGEST_DOC``)."""

from assets import RAW_ASSETS
from factories import ingest_dag

ingest_dag("meta", RAW_ASSETS["meta"])

"""Airflow DAG ingest_fx: fx ingestion (docs: ``factories.INGEST_DOC``)."""

from assets import RAW_ASSETS
from factories import ingest_dag

ingest_dag("fx", RAW_ASSETS["fx"])

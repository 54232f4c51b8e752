"""Airflow DAG ingest_threads: threads ingestion (docs: ``factories.INGEST_DOC``)."""

from assets import RAW_ASSETS
from factories import ingest_dag

ingest_dag("threads", RAW_ASSETS["threads"])

"""Airflow DAG ingest_instagram: instagram ingestion (docs: ``factories.INGEST_DOC``)."""

from assets import RAW_ASSETS
from factories import ingest_dag

ingest_dag("instagram", RAW_ASSETS["instagram"])

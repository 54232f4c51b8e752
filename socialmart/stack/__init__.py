"""The local production-shaped Airflow stack behind `make airflow` (see docs/operations.md).

``supervisor`` runs every component (PostgreSQL, Redis for Celery, the stand-in APIs and the
Airflow api-server, scheduler, dag-processor, triggerer and Celery workers) as child processes
and restarts any that dies; ``control`` starts, stops and inspects it; ``postgres`` owns the
metadata database cluster under ``<SOCIALMART_HOME>/airflow/postgres``.
"""

# syntax=docker/dockerfile:1
# One image for every service in docker-compose.yml: the Airflow 3 components, the stand-in
# APIs and the dashboards. Python dependencies come only from requirements.lock.

FROM ghcr.io/astral-sh/uv:0.13.9 AS uv

FROM python:3.11-slim

# The Airflow convention: uid 50000 in group 0, so an arbitrary uid in group 0 also works.
ARG SOCIALMART_UID=50000

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1 \
    UV_PYTHON_DOWNLOADS=never \
    SOCIALMART_HOME=/opt/socialmart/var \
    AIRFLOW_HOME=/opt/socialmart/var/airflow

COPY --from=uv /uv /usr/local/bin/uv

RUN useradd --uid "${SOCIALMART_UID}" --gid 0 --create-home --shell /bin/bash socialmart \
    && uv venv "${VIRTUAL_ENV}"

WORKDIR /opt/socialmart

# Dependencies first, so this layer is rebuilt only when the lock changes.
COPY requirements.lock ./
RUN uv pip install --requirement requirements.lock

# Editable install: socialmart.settings.PROJECT_ROOT stays /opt/socialmart, where dags/ and
# dbt_project/ live. All runtime state goes to SOCIALMART_HOME, a volume owned by the user.
COPY . .
RUN uv pip install --no-deps --editable . \
    && mkdir -p "${SOCIALMART_HOME}" \
    && chown "${SOCIALMART_UID}:0" "${SOCIALMART_HOME}" \
    && chmod 0775 "${SOCIALMART_HOME}"

USER ${SOCIALMART_UID}

CMD ["socialmart", "--help"]

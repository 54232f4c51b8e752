# socialmart: one entry point for people and CI. `make help` lists the targets.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.9
STAMP := $(VENV)/.installed-stamp

.DEFAULT_GOAL := help
.PHONY: help setup system-deps docs demo airflow airflow-stop airflow-status airflow-unpause airflow-pause airflow-cli soak bench-airflow bench-celery test lint fmt dashboard sandbox dbt-build bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

setup: $(STAMP) ## create .venv from requirements.lock (uv, reproducible)

$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || python3.11 -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(VENV)/bin/uv pip install --quiet --python $(PY) -r requirements.lock
	$(VENV)/bin/uv pip install --quiet --python $(PY) --no-deps -e .
	touch $(STAMP)

# WAREHOUSE=postgres: the same demo on a local PostgreSQL cluster (Debian's server, under
# SOCIALMART_HOME, 127.0.0.1:SOCIALMART_PG_PORT) that the demo starts and stops.
WAREHOUSE ?= $(or $(SOCIALMART_WAREHOUSE),duckdb)
demo: setup ## run the whole pipeline through Airflow on the stand-in APIs (WAREHOUSE=postgres)
	SOCIALMART_WAREHOUSE=$(WAREHOUSE) $(PY) -m devtools.demo

# The local stack: PostgreSQL metadata DB, api-server, scheduler, dag-processor, triggerer
# (+ Redis and Celery workers with AIRFLOW_EXECUTOR=CeleryExecutor) and the stand-in, supervised
# in the background; ports and bind address from settings (.env.example).
airflow: setup ## start the supervised Airflow stack in the background (UI on AIRFLOW_API_PORT)
	$(PY) -m socialmart.stack.control up

airflow-stop: setup ## stop the Airflow stack (every component, the metadata DB included)
	$(PY) -m socialmart.stack.control down

airflow-status: setup ## the stack's components, pids and restarts
	$(PY) -m socialmart.stack.control status

airflow-unpause: setup ## switch on the schedules of every socialmart DAG (they start paused)
	$(PY) -m socialmart.stack.control unpause

airflow-pause: setup ## pause every socialmart DAG
	$(PY) -m socialmart.stack.control pause

airflow-cli: setup ## the airflow CLI on the stack's metadata DB: make airflow-cli ARGS="dags list"
	$(PY) -m socialmart.stack.control cli $(ARGS)

# DAYS daily schedules through the real scheduler on a stack of its own (var/soak, free ports),
# the stand-in's clock following each day, one scheduler/worker kill; exit 0 only when nothing
# got stuck and the marts equal the stand-in's truth. Result: var/soak-result.json.
DAYS ?= 3
soak: setup ## DAYS=N daily runs through the real scheduler; ends "soak: N days, R runs, 0 stuck, ..."
	$(PY) -m devtools.soak --days $(DAYS)

# Test files are spread over one worker per core (pytest-xdist); a file's tests stay together,
# so module fixtures (a dbt build, a stand-in) are built once. TEST_WORKERS=0 runs in-process.
TEST_WORKERS ?= auto
system-deps: ## Debian packages the tests and the stack use (PostgreSQL, Redis, Chromium), if missing
	bash scripts/install-postgres.sh
	bash scripts/install-redis.sh
	bash scripts/install-chromium.sh

# The one-day soak (marker `longest`, ~8 min) runs beside the others from the start, in a
# process of its own. Its output: var/test-artifacts/soak.log. In the pool, the long files go
# first (tests/conftest.py orders them; --no-loadscope-reorder keeps pytest-xdist from
# re-sorting the files by their number of tests, which put the one-test e2e files last).
SOAK_LOG := var/test-artifacts/soak.log
test: setup system-deps lint ## lint, then every test (offline)
	@mkdir -p $(dir $(SOAK_LOG))
	$(VENV)/bin/pytest -m longest -p no:cacheprovider > $(SOAK_LOG) 2>&1 & soak=$$!; \
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder -m "not longest"; others=$$?; \
	wait $$soak; soaked=$$?; tail -n 5 $(SOAK_LOG); \
	if [ $$soaked -ne 0 ]; then cat $(SOAK_LOG); fi; \
	exit $$(( others || soaked ))

# sqlfluff compiles the dbt models with dbt (.sqlfluff, templater dbt) on an in-memory DuckDB,
# never the warehouse file; it gets absolute paths because the dbt templater works from the dbt
# project folder and `sqlfluff fix` fails to write files named relative to the repository.
SQLFLUFF := SOCIALMART_WAREHOUSE_PATH=:memory: $(VENV)/bin/sqlfluff
lint: setup ## ruff lint + format check, sqlfluff on the dbt models
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(SQLFLUFF) lint $(CURDIR)/dbt_project

fmt: setup ## format and auto-fix (ruff, sqlfluff)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .
	$(SQLFLUFF) fix $(CURDIR)/dbt_project

docs: setup ## dbt docs + Great Expectations Data Docs, offline, under var/docs (index.html)
	$(VENV)/bin/socialmart docs

dashboard: setup ## serve the dashboard on SOCIALMART_BIND_HOST:DASHBOARD_PORT
	$(VENV)/bin/streamlit run dashboards/app.py --server.address "$${SOCIALMART_BIND_HOST:-127.0.0.1}" --server.port "$${DASHBOARD_PORT:-8501}" --server.headless true

sandbox: setup ## serve the stand-in APIs on $$SANDBOX_PORT (default 8765)
	$(PY) -m sandbox serve

dbt-build: setup ## dbt build against the warehouse
	$(VENV)/bin/socialmart transform

SCALE ?= small
# The same window through `socialmart run` and through the DAGs on a throw-away stack (issue 14).
BENCH_DAYS ?= 7
bench-airflow: setup ## Airflow's overhead: DAGs vs `socialmart run` on BENCH_DAYS days (7)
	$(PY) -m bench.airflow_overhead --days $(BENCH_DAYS)

# Every ingest DAG's extracts on CeleryExecutor: 1 worker, then 2 (issue 16), no pull twice.
# ACCOUNT_COPIES=17 serves 17 copies of the stand-in's ad accounts: an agency's 102.
CELERY_DAYS ?= 60
ACCOUNT_COPIES ?= 1
bench-celery: setup ## extracts over 1 vs 2 Celery workers on CELERY_DAYS days (60), ACCOUNT_COPIES x the ad accounts (1): speed-up, no double pull
	$(PY) -m bench.celery_fanout --days $(CELERY_DAYS) --account-copies $(ACCOUNT_COPIES)

bench: setup ## benchmarks at a preset (SCALE=small|large|agency, WAREHOUSE=duckdb|postgres): var/bench/*.json + BENCHMARKS.md
	$(PY) -m bench.run --scale $(SCALE) --warehouse $(WAREHOUSE)

clean: ## remove runtime state (warehouse, published marts, Airflow home)
	rm -rf var

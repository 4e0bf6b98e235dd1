# The two commands a new user needs: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test venv system-deps frontend-deps lint format check-migrations typecheck pytest
.PHONY: bench-anchoring bench-comments bench-live bench-frontend bench-moderation

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# The CPU build of torch first, so nothing else pulls a multi-GB CUDA build.
	$(PY) -m pip install --quiet "torch==2.13.0"
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

system-deps:
	./scripts/system-deps.sh

# axe-core for the accessibility checks in browser tests, pinned by frontend/package-lock.json.
AXE := frontend/node_modules/axe-core/axe.min.js
$(AXE): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $(AXE)

frontend-deps: $(AXE)

bench-frontend: venv frontend-deps
	CONSULT_INSECURE_DEFAULTS=1 $(PY) bench/bench_frontend.py

run: system-deps venv
	./scripts/run.sh

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# No connection pool here: with the database not created yet, a pool would wait its timeout.
check-migrations: venv
	CONSULT_INSECURE_DEFAULTS=1 DATABASE_POOL=0 $(PY) manage.py makemigrations --check --dry-run

# Both cores (a database per worker) and branch coverage; PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= 2
pytest: venv
	CONSULT_INSECURE_DEFAULTS=1 $(VENV)/bin/pytest -n $(PYTEST_WORKERS) --cov --cov-report=term:skip-covered $(PYTEST_ARGS)

typecheck: venv
	CONSULT_INSECURE_DEFAULTS=1 $(VENV)/bin/mypy

test: system-deps venv frontend-deps lint check-migrations typecheck pytest


.PHONY: bench-moderation
bench-moderation: venv
	CONSULT_INSECURE_DEFAULTS=1 $(PY) bench/bench_moderation.py

# Backups (README "Backups"): var/backups/<timestamp>/; restore refuses a non-empty
# database unless FORCE=1.
.PHONY: backup restore
backup:
	$(PY) manage.py backup

restore:
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=var/backups/<timestamp>"; exit 2; }
	$(PY) manage.py restore $(BACKUP) $(if $(FORCE),--force)

# Benchmarks: see bench/RESULTS.md.
bench-anchoring:
	$(PY) bench/bench_anchoring.py

bench-comments:
	CONSULT_INSECURE_DEFAULTS=1 $(PY) bench/bench_comments.py

# The public API: paging through 100,000 published submissions (PostgreSQL: DATABASE_URL).
.PHONY: bench-api
bench-api:
	CONSULT_INSECURE_DEFAULTS=1 $(PY) bench/bench_api.py

CLIENTS ?= 500
bench-live:
	$(PY) bench/bench_live.py --clients $(CLIENTS)

# --- analysis -------------------------------------------------------------------------------
.PHONY: bench-analysis bench-analysis-quality bench-analysis-dask-compare
N ?= 100000
# DASK_WORKERS=2: on a LocalCluster of two worker processes (or DASK_SCHEDULER_ADDRESS=tcp://...).
# DASK_MEMORY_LIMIT=5GB: each local worker's limit; DASK_SAMPLE_SECONDS=3: what the workers hold.
bench-analysis:
	CONSULT_INSECURE_DEFAULTS=1 DASK_WORKERS=$(DASK_WORKERS) $(PY) bench/bench_analysis.py $(N)

# In-process and on two Dask workers, results compared whole (N=50000 unless given).
bench-analysis-dask-compare:
	CONSULT_INSECURE_DEFAULTS=1 $(PY) bench/bench_analysis_dask.py \
		$(if $(filter command line environment,$(origin N)),$(N),50000)

bench-analysis-quality:
	CONSULT_INSECURE_DEFAULTS=1 $(PY) bench/bench_analysis_quality.py

# The hostile-input suite against a live production-like server (PostgreSQL + Redis).
.PHONY: bench-security
bench-security: venv
	$(PY) bench/bench_security.py

.PHONY: bench-transcribe
# ROUNDS=5 interleaved speed rounds, NOTES=20 queued notes, THROUGHPUT_ROUNDS=2 (bench/RESULTS.md).
bench-transcribe: venv
	CONSULT_INSECURE_DEFAULTS=1 ROUNDS=$(or $(ROUNDS),5) NOTES=$(or $(NOTES),20) \
	  THROUGHPUT_ROUNDS=$(or $(THROUGHPUT_ROUNDS),2) $(PY) bench/bench_transcribe.py

# The deadline flood on two daphne processes, two workers, PostgreSQL and Redis (bench/RESULTS.md).
# CLIENTS=500 DURATION=60 by default; `make bench-load-micro` is the write path alone, before/after.
.PHONY: bench-load bench-load-micro bench-load-requests bench-load-ceiling
DURATION ?= 60
bench-load:
	$(PY) bench/bench_load.py --clients $(CLIENTS) --duration $(DURATION)

bench-load-micro:
	$(PY) bench/bench_load.py --micro

# CPU a request of each kind (health check, missing page, receipt, page, comment) costs one
# daphne process, on this tree and on PER_REQUEST_BASE, same run.
bench-load-requests:
	$(PY) bench/bench_load.py --per-request

# The most answers a second two daphne processes give here for the cheapest requests (daphne
# alone, a static file, the health check) against what the flood's target needs.
bench-load-ceiling:
	$(PY) bench/bench_load.py --ceiling --duration $(or $(CEILING_DURATION),15)

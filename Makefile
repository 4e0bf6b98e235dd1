# The two commands a new user needs: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test venv system-deps lint format check-migrations pytest

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

run: system-deps venv
	./scripts/run.sh

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check-migrations: venv
	CONSULT_INSECURE_DEFAULTS=1 $(PY) manage.py makemigrations --check --dry-run

pytest: venv
	CONSULT_INSECURE_DEFAULTS=1 $(VENV)/bin/pytest $(PYTEST_ARGS)

test: system-deps venv lint check-migrations pytest

.PHONY: bench-transcribe
bench-transcribe: venv
	CONSULT_INSECURE_DEFAULTS=1 $(PY) bench/bench_transcribe.py

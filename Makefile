# Two commands on a fresh Debian machine with Python 3.11+:
#   make run    the service on its embedded defaults (SQLite, local encrypted store, filesystem broker)
#   make test   the whole test suite against real MinIO, PostgreSQL, Redis and ffmpeg
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test venv lint bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -c constraints.txt -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	@command -v ffmpeg >/dev/null || deploy/services.sh install
	$(VENV)/bin/beeldkluis serve

test: $(STAMP)
	deploy/test.sh

bench: $(STAMP)
	deploy/test.sh --bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

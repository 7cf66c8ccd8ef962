# The two quick-start commands and what CI runs.  `make quickstart` then `make test` on a fresh machine.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DBDIR  ?= .kg-db
export KG_TEST_BOLT_URI ?= bolt://127.0.0.1:7687
export KG_NEO4J_USER ?= root
export KG_NEO4J_PASSWORD ?= policykg-dev

.PHONY: quickstart install dev system-deps bench-deps db-start db-stop test lint bench eval train

## Install the project and build the graph from the example reports (embedded store in ./kg-data).
quickstart: install
	$(BIN)/kg build --store ./kg-data examples/

install: $(BIN)/.installed
$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $@

## Everything the tests need: dev and db extras, Debian's chromium and CJK fonts.
dev: $(BIN)/.installed-dev system-deps
$(BIN)/.installed-dev: pyproject.toml $(BIN)/.installed
	$(BIN)/pip install -q -e '.[dev,db]'
	touch $@

system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi 'noto.*cjk'; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get install -y -q chromium fonts-noto-cjk >/dev/null || (apt-get update -q >/dev/null && apt-get install -y -q chromium fonts-noto-cjk >/dev/null)); \
	  else echo "install Debian's chromium and fonts-noto-cjk (sudo apt-get install chromium fonts-noto-cjk)"; exit 1; fi; \
	fi

db-start: dev
	$(BIN)/kg db start --dir $(DBDIR)

db-stop:
	-$(BIN)/kg db stop --dir $(DBDIR)

## Run the whole test suite against the embedded store and a real Bolt server (started and stopped here).
test: db-start
	$(BIN)/pytest; status=$$?; $(BIN)/kg db stop --dir $(DBDIR); exit $$status

lint: dev
	$(BIN)/ruff check extract graph api viz tests bench
	$(BIN)/mypy

## Leave-one-report-out scores of the extractor (the figure for reports it has not seen).
eval: dev
	$(BIN)/python bench/eval.py

## Rebuild the extractor's model from the annotated reports (extract/data/model.json).
train: dev
	$(BIN)/kg train

## The API benchmark's load generator: Debian's wrk (bench/api.py falls back to httpx without it).
bench-deps:
	@if ! command -v wrk >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get install -y -q wrk >/dev/null || (apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null)); \
	  else echo "wrk not found: bench/api.py falls back to httpx (sudo apt-get install wrk)"; fi; \
	fi

bench: db-start bench-deps
	$(BIN)/python bench/extract.py
	$(BIN)/python bench/store.py
	$(BIN)/python bench/fixes.py
	$(BIN)/python bench/build.py
	$(BIN)/python bench/api.py
	$(BIN)/python bench/viz.py
	$(BIN)/kg db stop --dir $(DBDIR)

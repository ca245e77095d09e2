# `make run` and `make test` work on a fresh clone: they create .venv and install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
CONTRACT := ../shared/contract/schema.graphql

.PHONY: run test lint schema schema-check bench install clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/rebill migrate
	REBILL_ENV=$${REBILL_ENV:-development} HOST=$(HOST) PORT=$(PORT) $(BIN)/rebill seed-demo
	REBILL_ENV=$${REBILL_ENV:-development} HOST=$(HOST) PORT=$(PORT) $(BIN)/rebill serve

test: $(STAMP)
	$(BIN)/pytest

lint: $(STAMP) schema-check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python $(CONTRACT:schema.graphql=../tools/contract_check.py) --built-only schema.graphql

bench: $(STAMP)
	$(BIN)/python -m bench.ingestion
	$(BIN)/python -m bench.accrual
	$(BIN)/python -m bench.invoicing
	$(BIN)/python -m bench.invoice_pdf
	$(BIN)/python -m bench.margins
	$(BIN)/python -m bench.live

schema: $(STAMP)
	$(BIN)/strawberry export-schema api.schema.root:schema --output schema.graphql

schema-check: $(STAMP)
	@$(BIN)/strawberry export-schema api.schema.root:schema > $(VENV)/schema.generated.graphql
	@diff -u schema.graphql $(VENV)/schema.generated.graphql \
		|| (echo "schema.graphql is out of date: run 'make schema'"; exit 1)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

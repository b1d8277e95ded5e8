# Two commands: `make up` (setup + the quickstart on the embedded local server) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STATE := $(CURDIR)/.pulumi-state
EXAMPLE := examples/quickstart-python

.PHONY: up down test lint type schema clean pulumi sdks example-sdks

# The examples import pulumi_deltastream from this repository's Python SDK (docs/sdks.md).
$(VENV)/.installed: pyproject.toml sdk/python/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip uninstall -q -y pulumi-deltastream 2>/dev/null || true
	$(BIN)/pip install -q -e '.[dev]' -e ./sdk/python
	touch $@

# The real Pulumi CLI, offline: state in ./.pulumi-state, no Pulumi Cloud, no plugin downloads;
# the provider is the venv's pulumi-resource-deltastream (the example's plugins.providers path).
PULUMI_ENV := PATH="$(CURDIR)/.tools/pulumi/bin:$(BIN):$$PATH" PULUMI_BACKEND_URL="file://$(STATE)" \
	PULUMI_CONFIG_PASSPHRASE="" PULUMI_SKIP_UPDATE_CHECK=1 PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
# With a pulumi-language-python on PATH, the plain CLI; otherwise the Automation API's inline
# path (tools/pulumi_inline.py: the same CLI and engine, the program run by the driver).
RUN_QUICKSTART = if command -v pulumi-language-python >/dev/null 2>&1; then \
		cd $(EXAMPLE) && (pulumi stack select dev 2>/dev/null || pulumi stack init dev) && pulumi $(1) --yes; \
	else $(BIN)/python tools/pulumi_inline.py $(EXAMPLE) dev $(1); fi

up: $(VENV)/.installed pulumi
	@mkdir -p $(STATE)
	@echo "== pulumi up of $(EXAMPLE) (stack dev) against the embedded local DeltaStream server; state in .pulumi-state/"
	@export $(PULUMI_ENV) && $(call RUN_QUICKSTART,up)
	@echo "== Done: the database and namespace above live in $(EXAMPLE)/.deltastream-local/dev/. Run 'make up' again (no changes) or 'make down' to destroy them."

down: $(VENV)/.installed pulumi
	@mkdir -p $(STATE)
	@export $(PULUMI_ENV) && $(call RUN_QUICKSTART,destroy)

# The pinned Pulumi CLI (+ YAML language host) in .tools/pulumi/bin/, built from Go modules
# (docs/reference/pulumi-cli-build.md). Without Go, a pulumi 3.x on PATH is used.
pulumi:
	@tools/pulumi-cli/build.sh >/dev/null

# What the examples need of sdk/ beyond the committed sources: the Node.js SDK compiled into
# sdk/nodejs/bin (git-ignored), which the TypeScript example installs as a file: dependency.
example-sdks:
	@tools/example-sdks.sh

# The real-engine tests (tests/engine) need the CLI: built here when Go is present, otherwise
# skipped with a line saying how to get them.
test: $(VENV)/.installed
	@if command -v go >/dev/null 2>&1; then $(MAKE) --no-print-directory pulumi example-sdks; fi
	$(BIN)/python -m pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/ruff format --check src tests benchmarks tools

type: $(VENV)/.installed
	$(BIN)/mypy

schema: $(VENV)/.installed
	$(BIN)/python -m deltastream_pulumi.schema --write schema.json

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis

# The project's SDKs in sdk/ (python, nodejs, go, dotnet, java) from schema.json, with the code
# generators of the pinned CLI's Go modules (docs/sdks.md, docs/reference/sdk-generation.md).
sdks: $(VENV)/.installed
	$(BIN)/python tools/sdkgen/generate.py sdk

# Two commands: `make up` (setup + the quickstart on the embedded local server) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STATE := $(CURDIR)/.pulumi-state
EXAMPLE := examples/quickstart-python

.PHONY: up down test lint type schema clean pulumi sdks

# The examples import pulumi_deltastream from this repository's Python SDK (docs/sdks.md).
$(VENV)/.installed: pyproject.toml sdk/python/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip uninstall -q -y pulumi-deltastream 2>/dev/null || true
	$(BIN)/pip install -q -e '.[dev]' ./sdk/python
	touch $@

up: $(VENV)/.installed
	@command -v pulumi >/dev/null 2>&1 || { echo "The pulumi CLI is not installed: get it from https://www.pulumi.com/docs/iac/download-install/ (e.g. curl -fsSL https://get.pulumi.com | sh), then rerun make up."; exit 1; }
	mkdir -p $(STATE)
	cd $(EXAMPLE) && export PATH="$(BIN):$$PATH" PULUMI_BACKEND_URL="file://$(STATE)" PULUMI_CONFIG_PASSPHRASE="" && \
		(pulumi stack select dev 2>/dev/null || pulumi stack init dev) && pulumi up --yes

down: $(VENV)/.installed
	cd $(EXAMPLE) && export PATH="$(BIN):$$PATH" PULUMI_BACKEND_URL="file://$(STATE)" PULUMI_CONFIG_PASSPHRASE="" && \
		pulumi destroy --yes

# The pinned Pulumi CLI (+ YAML language host) in .tools/pulumi/bin/, built from Go modules.
pulumi:
	@tools/pulumi-cli/build.sh >/dev/null

test: $(VENV)/.installed
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

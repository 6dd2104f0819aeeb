# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[pulumi,azure-dns,dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/relayctl demo

TOOLS := tools/node_modules/.package-lock.json

$(TOOLS): tools/package.json tools/package-lock.json
	npm ci --prefix tools --silent --no-audit --no-fund

test: $(STAMP) $(TOOLS)
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check o365relay components policies tests bench
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) .pytest_cache

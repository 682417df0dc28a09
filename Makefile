# Two commands: `make demo` runs the main job on the bundled offline demo; `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench bench-export serve clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/aggregator demo

test: $(VENV)/.installed
	$(BIN)/python -m pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check aggregator spiders pipelines tests bench

# Export memory at 1,000 / 10,000 / 100,000 stories (prints the figures).
bench-export: $(VENV)/.installed
	$(BIN)/python bench/export_memory.py

# The demo store in Datasette on http://127.0.0.1:8001/demo
serve: $(VENV)/.installed
	test -f data/demo.sqlite || $(BIN)/aggregator demo
	$(BIN)/aggregator serve --db sqlite:///data/demo.sqlite

clean:
	rm -rf $(VENV) data/demo.sqlite data/demo.sqlite-* data/*.lock .pytest_cache

# Two commands: `make demo` runs the main job on the bundled offline demo; `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test test-fast lint bench bench-export bench-report report-demo serve clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/aggregator demo

test: $(VENV)/.installed
	$(BIN)/python -m pytest

# Everything but the tests marked slow (crawls, eggs and wheels, PostgreSQL, the browser, big stores).
test-fast: $(VENV)/.installed
	$(BIN)/python -m pytest -m "not slow"

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check aggregator spiders pipelines tests bench
	$(BIN)/mypy

# Export memory at 1,000 / 10,000 / 100,000 stories (prints the figures).
bench-export: $(VENV)/.installed
	$(BIN)/python bench/export_memory.py

# Story page (50 reposts) and a month's digest on 100,000 stories, beside Datasette (prints the figures).
bench-report: $(VENV)/.installed
	$(BIN)/python bench/report.py

# The demo story's page and the demo digest in data/, and the README's screenshot of the
# story page (docs/report-demo.png; needs chromium: apt-get install chromium).
report-demo: $(VENV)/.installed
	test -f data/demo.sqlite || $(BIN)/aggregator demo
	story=$$($(BIN)/aggregator export --db sqlite:///data/demo.sqlite --min-reposts 1 --limit 1 \
	    | $(BIN)/python -c 'import json, sys; print(json.loads(sys.stdin.readline())["story_id"])') \
	  && $(BIN)/aggregator report $$story --db sqlite:///data/demo.sqlite -o data/demo-story.html
	$(BIN)/aggregator report --since 2012-01-01 --db sqlite:///data/demo.sqlite -o data/demo-digest.html
	$(BIN)/python -m tests.report.browser data/demo-story.html docs/report-demo.png

# The demo store in Datasette on http://127.0.0.1:8001/demo
serve: $(VENV)/.installed
	test -f data/demo.sqlite || $(BIN)/aggregator demo
	$(BIN)/aggregator serve --db sqlite:///data/demo.sqlite

clean:
	rm -rf $(VENV) data/demo.sqlite data/demo.sqlite-* data/demo-*.html data/*.lock .pytest_cache

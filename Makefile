# Two commands: `make demo` runs the main job on the embedded sample; `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint types unit bench eval install clean chromium wheel-check java

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,testing,spark]'  # pip keeps an installed pyspark
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(PY) examples/demo.py

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

types: $(STAMP)
	$(PY) -m mypy

unit: $(STAMP)
	$(PY) -m pytest

# The report's browser test needs Debian's chromium: installed when missing (CI runs as root).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	  else echo "chromium is missing: install Debian's chromium package (the browser test skips)"; fi; }

# The Spark tests need a Java runtime: Debian's openjdk-17-jre-headless (the release's default
# headless JRE where 17 is gone), installed only when `java` is missing (CI runs as root).
java:
	@command -v java >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && pkg=openjdk-17-jre-headless && \
	    { apt-cache show $$pkg >/dev/null 2>&1 || pkg=default-jre-headless; } && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$pkg >/dev/null; \
	  else echo "java is missing: install a JRE 17+ (the Spark tests fail in CI without it)"; fi; }

unit: java

# Build the wheel, install it into a fresh venv outside the checkout, run the command there.
wheel-check: $(STAMP)
	$(PY) tests/cli/wheel_check.py

unit: chromium

test: lint types unit wheel-check

bench: $(STAMP)
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis

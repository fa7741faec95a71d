# The project's task runner: `make run` and `make test` are all a newcomer needs.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
APTMON := $(VENV)/bin/aptmon
HOST ?= 127.0.0.1
PORT ?= 8050
WORKERS ?= 4
THREADS ?= 4

.PHONY: run test test-fast lint format bench install install-test run-deps system-deps plotly-bundle clean

run: install run-deps
	$(APTMON) init
	$(APTMON) demo --if-empty
	$(APTMON) users demo
	$(APTMON) serve --host $(HOST) --port $(PORT) --workers $(WORKERS) --threads $(THREADS)

test: install-test system-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest

# The quick loop while editing: every test but the slow ones (servers, subprocesses, Chromium, timings; see the
# markers in pyproject.toml), on both cores. `make test` runs them all, one at a time, and stays the CI command.
test-fast: install-test system-deps
	$(VENV)/bin/pytest -m "not slow" -n 2

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

$(PY):
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# The stamp files re-run an install only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PIP) install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

# The monitor's own modules byte-compiled ahead, as an installed package would be: every `aptmon` command is a new
# interpreter, and one that compiles them itself (or never keeps what it compiled, under PYTHONDONTWRITEBYTECODE)
# spends 0.05-0.1 s of CPU on it. Only changed files are compiled again.
install: $(VENV)/.installed
	@$(PY) -m compileall -q -j 0 etl dashboard >/dev/null

install-test: $(VENV)/.installed-test
	@$(PY) -m compileall -q -j 0 etl dashboard >/dev/null

# The Debian package the dashboard itself needs: Chromium, in which the Word report draws its charts. Without it
# (apt-get refused: not root, no network) the dashboard still runs, and the Word report says what to install.
run-deps:
	@if ! command -v chromium >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
		|| echo "Could not install chromium (run: apt-get install chromium as root); the Word report needs it."; \
	fi

# Debian packages the tests drive: Chromium for the browser tests, LibreOffice Calc for foreign-writer files and
# LibreOffice Writer to print the Word report to PDF (its page count and column widths).
system-deps:
	@if ! command -v chromium >/dev/null || ! command -v soffice >/dev/null \
		|| ! dpkg -s libreoffice-writer-nogui >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium libreoffice-calc-nogui \
			libreoffice-writer-nogui >/dev/null; \
	fi

# Every benchmarks/bench_*.py runs on generated data and records its figures; report.py writes REPORT.md.
# A benchmark that stops with an error is listed in the report (benchmarks/results/FAILED) and fails the target,
# after the others have run and REPORT.md is written. Each starts once the last one's processes have let the
# machine go quiet (benchmarks/quiet.py).
bench: install-test system-deps
	rm -rf benchmarks/results
	mkdir -p benchmarks/results
	@for script in benchmarks/bench_*.py; do \
		echo "== $$script"; $(PY) -m benchmarks.quiet; $(PY) -m benchmarks.$$(basename $$script .py) || echo "$$script" >> benchmarks/results/FAILED; \
	done
	$(PY) -m benchmarks.report
	@test ! -f benchmarks/results/FAILED || { echo "Benchmarks that failed:"; cat benchmarks/results/FAILED; exit 1; }

# Rebuilds dashboard/assets/05-plotly-dashboard.min.js (committed; needs Node.js and the npm registry, not run by
# run or test): after a plotly upgrade, or when a chart needs another trace type (tools/plotly-bundle/entry.js).
plotly-bundle:
	cd tools/plotly-bundle && npm ci --no-audit --no-fund && node build.js

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

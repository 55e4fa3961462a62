# Two commands for a new user: `make run` (dashboard on the shipped reports) and `make test`.
# `make run` installs only what running needs (requirements.txt); tests, linters, benchmarks and Dask
# come with `make test`, `make lint`, `make bench*` (requirements-dev.txt and requirements-dask.txt).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEV_STAMP := $(VENV)/.installed-dev-stamp
DB     ?= data/metrics.duckdb
PORT   ?= 8501
# The dashboard listens on this machine only; `make run HOST=0.0.0.0` shares it on the network, read-only
# unless METRICS_EDIT_TOKEN is set (docs/safety.md). ALLOW_EDITS=0 makes even the local page read-only.
HOST   ?= 127.0.0.1
ALLOW_EDITS ?= 1

.PHONY: setup setup-dev run test lint system-deps store compiled bench bench-instructions bench-dashboard bench-ingest bench-small-files bench-load sync-corpus clean

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

$(DEV_STAMP): $(STAMP) requirements-dev.txt requirements-dask.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt -r requirements-dask.txt
	touch $(DEV_STAMP)

setup: $(STAMP)

setup-dev: $(DEV_STAMP)

# Debian's Chromium and a CJK font for the real-browser tests (never `playwright install`).
system-deps:
	@if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi 'cjk'; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	else echo "note: install chromium and fonts-noto-cjk to run the browser tests (sudo apt-get install chromium fonts-noto-cjk)"; fi

$(DB): $(STAMP)
	$(BIN)/python -m metrics ingest data/corpus data/reports --db $(DB)

store: $(DB)

# A store extracted by an older extractor (after a pull that changed a rule) is re-extracted first, keeping
# uploads and corrections; when it is current this is one read. If it fails (a read-only store), the
# dashboard still opens on the store as it is (the leading '-').
run: setup $(DB)
	-$(BIN)/python -m metrics refresh --db $(DB)
	METRICS_ALLOW_EDITS=$(ALLOW_EDITS) $(BIN)/python -m streamlit run dashboard.py --server.address $(HOST) \
	  --server.port $(PORT) --browser.gatherUsageStats false -- --db $(DB)

test: setup-dev system-deps lint
	$(BIN)/python -m pytest

# The architecture (import-linter contracts in pyproject.toml: layers, no cycles, pure extraction), then
# ruff's rules (E F W I B UP, line length 120) and its formatting, all configured in pyproject.toml.
lint: setup-dev
	$(BIN)/lint-imports
	$(BIN)/ruff check metrics tests bench dashboard.py data
	$(BIN)/ruff format --check metrics tests bench dashboard.py data

# The optional compiled build (mypyc, with this machine's C compiler) in build/compiled: nothing in the
# working tree changes; PYTHONPATH=build/compiled python -P -m metrics … runs it. Without a compiler, pure Python runs as before.
compiled: setup-dev
	$(BIN)/python bench/build_compiled.py || echo "note: no compiled build; pure Python is used"

bench: setup-dev compiled
	$(BIN)/python -m pip install --quiet -r requirements-peers.txt
	$(BIN)/python bench/bench_extract.py

# Instructions of extraction counted by valgrind, the working tree against BASE (a git revision) side by side:
# a figure the machine's load does not move. `make bench-instructions BASE=HEAD~3`
BASE ?=
bench-instructions: setup-dev
	@command -v valgrind >/dev/null || { echo "install valgrind (sudo apt-get install valgrind)"; exit 2; }
	$(BIN)/python bench/bench_instructions.py $(if $(BASE),--base $(BASE))

bench-dashboard: setup-dev
	$(BIN)/python bench/bench_dashboard.py

bench-ingest: setup-dev compiled
	$(BIN)/python bench/bench_ingest.py

bench-small-files: setup-dev
	$(BIN)/python bench/bench_small_files.py

# 1, 5 and 20 sessions in real browsers on the shipped store (Debian's Chromium: make system-deps).
bench-load: setup-dev system-deps $(DB)
	$(BIN)/python bench/bench_load.py --db $(DB)

# Bring data/corpus in step with the annotated reports of ../shared/corpus (the ground truth).
sync-corpus:
	cp ../shared/corpus/dev/*.json data/corpus/dev/
	cp ../shared/corpus/dev-genres/*.json data/corpus/dev-genres/
	$(BIN)/python -m metrics eval data/corpus/dev
	$(BIN)/python -m metrics eval data/corpus/dev-genres

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts build $(DB) $(DB).wal

# Two commands for a new user: `make run` (dashboard on the shipped reports) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DB     ?= data/metrics.duckdb
PORT   ?= 8501

.PHONY: setup run test lint system-deps store bench bench-dashboard bench-ingest sync-corpus clean

$(STAMP): requirements.txt requirements-dev.txt requirements-dask.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt -r requirements-dask.txt
	touch $(STAMP)

setup: $(STAMP)

# Debian's Chromium and a CJK font for the real-browser tests (never `playwright install`).
system-deps:
	@if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi 'cjk'; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	else echo "note: install chromium and fonts-noto-cjk to run the browser tests (sudo apt-get install chromium fonts-noto-cjk)"; fi

$(DB): $(STAMP)
	$(BIN)/python -m metrics ingest data/corpus --db $(DB)

store: $(DB)

run: setup $(DB)
	$(BIN)/python -m streamlit run dashboard.py --server.port $(PORT) --browser.gatherUsageStats false -- --db $(DB)

test: setup system-deps lint
	$(BIN)/python -m pytest

# Errors a linter can prove (undefined names, unused imports, syntax): the same check CI runs.
lint: setup
	$(BIN)/ruff check --select F,E9 metrics tests bench dashboard.py

bench: setup
	$(BIN)/python -m pip install --quiet -r requirements-peers.txt
	$(BIN)/python bench/bench_extract.py

bench-dashboard: setup
	$(BIN)/python bench/bench_dashboard.py

bench-ingest: setup
	$(BIN)/python bench/bench_ingest.py

# Bring data/corpus in step with the annotated reports of ../shared/corpus (the ground truth).
sync-corpus:
	cp ../shared/corpus/dev/*.json data/corpus/dev/
	cp ../shared/corpus/dev-genres/*.json data/corpus/dev-genres/
	$(BIN)/python -m metrics eval data/corpus/dev
	$(BIN)/python -m metrics eval data/corpus/dev-genres

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts $(DB) $(DB).wal

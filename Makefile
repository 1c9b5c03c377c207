# Two entry points for a fresh machine: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
MODEL := models/multilingual-e5-small

.PHONY: setup run test test-fast browser postgres bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt constraints.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt -c constraints.txt
	touch $@

# The float32 model and its int8 ONNX copy. Run every time: it checks what is there in a second or two
# and builds only what is missing or was made by an older recipe.
setup: $(VENV)/.installed
	$(BIN)/python -m ingest.build_model --out $(MODEL)

# Debian's Chromium for the browser tests (Playwright's own download does not work offline),
# and a CJK font so screenshots show Chinese rather than empty boxes.
browser:
	@(command -v chromium >/dev/null && fc-list :lang=zh | grep -q .) || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null)

# Debian's PostgreSQL server binaries: the tests start their own cluster in a temporary folder
# (tests/pg_server.py), so the package's own cluster is never used.
postgres:
	@(ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null) || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null)

run: setup
	$(BIN)/python -m ingest samples --quiet
	$(BIN)/python -m web serve

test: setup browser postgres
	$(BIN)/python -m pytest -q

test-fast: setup
	$(BIN)/python -m pytest -q -m "not e2e"

bench: setup
	$(BIN)/pip install -q -r requirements-bench.txt -c constraints.txt
	$(BIN)/python scripts/bench_ingest.py
	$(BIN)/python scripts/bench_answer.py

clean:
	rm -rf data bench-data screenshots

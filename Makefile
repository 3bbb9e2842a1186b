# Two entry points (see README): `make demo` and `make test`. Both build .venv from scratch.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
# torch is pinned to the CPU wheel that exists on these machines; other versions pull CUDA (GBs).
TORCH  ?= torch==2.13.0
# Debian packages the tests use; .ci/run installs the same list.
SYSPKGS := tesseract-ocr tesseract-ocr-eng tesseract-ocr-chi-sim tesseract-ocr-chi-tra tesseract-ocr-jpn tesseract-ocr-kor fonts-noto-cjk fonts-dejavu-core chromium curl

.PHONY: demo test install install-dev sysdeps lint bench bench-quick bench-real peer-rapidocrlite examples clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.core: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q "$(TORCH)"
	$(BIN)/pip install -q -e ".[dev]"
	touch $@ $(VENV)/.core

# An editable install leaves vlocr's modules uncompiled, and where PYTHONDONTWRITEBYTECODE is set
# (as on these machines) every process compiled the ~50 it imports again: their import time was
# 104-203 ms from source vs 57-75 ms compiled (`python -X importtime`, 6 runs each).
# A wheel install compiles them; this does the same for the checkout (only changed files).
install: $(VENV)/.core
	$(BIN)/python -m compileall -q src/vlocr
install-dev: $(VENV)/.dev
	$(BIN)/python -m compileall -q src/vlocr

## demo: set up the light install (no torch, no gradio) and read the bundled receipt.
demo: install
	$(BIN)/vlocr read examples/receipt.jpg

## sysdeps: Debian packages the tests use (tesseract + Chinese pack, CJK fonts, Chromium).
sysdeps:
	@if command -v tesseract >/dev/null && tesseract --list-langs 2>/dev/null | grep -q kor \
	   && command -v chromium >/dev/null && command -v curl >/dev/null && fc-list :lang=zh | grep -q .; then \
	  echo "system packages present"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    $(SYSPKGS) >/dev/null; \
	else \
	  echo "missing system packages: run as root or: sudo apt-get install $(SYSPKGS)" >&2; exit 1; \
	fi

## test: system packages, full dev install, then every test.
test: sysdeps install-dev
	$(BIN)/python -m pytest

lint: install-dev
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts
	$(BIN)/mypy src/vlocr

bench: install-dev
	$(BIN)/vlocr bench --out bench-out/full

bench-quick: install-dev
	$(BIN)/vlocr bench --quick --out bench-out/quick

## bench-real: every engine and the rapidocrlite peer on the real development scans plus the
## synthetic layout pages (mixed sizes, multi-column reading order), one run (docs/benchmarks.md,
## "Real development scans"). Needs ../shared/dev-data and peer-rapidocrlite.
DEV_DATA        ?= ../shared/dev-data
PEERS_DIR       ?= /work/peers
BENCH_LIMIT     ?= 10
BENCH_REAL_OUT  ?= bench-out/real
bench-real: install-dev
	$(BIN)/vlocr bench --docs 0 --layout-docs 1 --no-progress --presets none \
	  --data $(DEV_DATA)/sroie-train --format sroie \
	  --data $(DEV_DATA)/funsd-train --format funsd \
	  --data $(DEV_DATA)/oldbooks --format txt \
	  --limit $(BENCH_LIMIT) --receipts 6 --fresh-runs 3 \
	  --peer rapidocrlite='$(PEERS_DIR)/rapidocrlite/bin/python scripts/peer_rapidocrlite.py {imgs}' \
	  --out $(BENCH_REAL_OUT)

## peer-rapidocrlite: rapidocrlite in its own venv (it replaces the rapidocr package we use).
peer-rapidocrlite:
	python3.11 -m venv $(PEERS_DIR)/rapidocrlite
	$(PEERS_DIR)/rapidocrlite/bin/pip install -q rapidocrlite==5.0.0a15

examples: install
	$(BIN)/python scripts/make_examples.py

clean:
	rm -rf $(VENV) bench-out test-artifacts .pytest_cache

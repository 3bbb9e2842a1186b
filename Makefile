# Two entry points (see README): `make demo` and `make test`. Both build .venv from scratch.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
# torch is pinned to the CPU wheel that exists on these machines; other versions pull CUDA (GBs).
TORCH  ?= torch==2.13.0

.PHONY: demo test install install-dev sysdeps lint bench bench-quick examples clean

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

install: $(VENV)/.core
install-dev: $(VENV)/.dev

## demo: set up the light install (no torch, no gradio) and read the bundled receipt.
demo: install
	$(BIN)/vlocr read examples/receipt.jpg

## sysdeps: Debian packages the tests use (tesseract + Chinese pack, CJK fonts, Chromium).
sysdeps:
	@if command -v tesseract >/dev/null && tesseract --list-langs 2>/dev/null | grep -q chi_sim \
	   && command -v chromium >/dev/null && command -v curl >/dev/null && fc-list :lang=zh | grep -q .; then \
	  echo "system packages present"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    tesseract-ocr tesseract-ocr-eng tesseract-ocr-chi-sim fonts-noto-cjk fonts-dejavu-core chromium curl >/dev/null; \
	else \
	  echo "missing system packages: run as root or: sudo apt-get install tesseract-ocr tesseract-ocr-chi-sim fonts-noto-cjk fonts-dejavu-core chromium curl" >&2; exit 1; \
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

examples: install
	$(BIN)/python scripts/make_examples.py

clean:
	rm -rf $(VENV) bench-out test-artifacts .pytest_cache

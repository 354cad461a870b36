# The two commands of the README's quick start: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip

.PHONY: demo test install install-dev torch-if-local lint bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Runtime install: NumPy only.
$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PIP) install --quiet -e .
	touch $@

# Test dependencies (the `dev` extra) into the same .venv.
$(VENV)/.installed-dev: pyproject.toml | $(VENV)/bin/python
	$(PIP) install --quiet -e ".[dev]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

demo: $(VENV)/.installed
	$(PY) examples/xor_tutorial.py

test: $(VENV)/.installed-dev
	$(PY) -m pytest

# PyTorch is optional (the parity tests skip without it). Install it only when
# this machine has the CPU wheel locally: any other torch install downloads GBs.
torch-if-local: $(VENV)/bin/python
	@if $(PIP) download --quiet --no-index --no-deps --dest "$$(mktemp -d)" torch==2.13.0 \
		>/dev/null 2>&1; then $(PIP) install --quiet torch==2.13.0; \
	else echo "no local torch 2.13.0 wheel: the PyTorch parity tests will be skipped"; fi

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check src tests examples benchmarks docs

# Timings against PyTorch (if installed), scikit-learn and a plain NumPy loop, written to
# benchmarks/results/; see benchmarks/RESULTS.md. Address-space randomisation is turned
# off where setarch allows it (it alone moves timings on shared machines).
NORAND := $(shell setarch "$$(uname -m)" -R true >/dev/null 2>&1 && echo setarch "$$(uname -m)" -R)

bench: SHELL := /bin/bash
bench: .SHELLFLAGS := -o pipefail -c
bench: $(VENV)/.installed-dev torch-if-local
	$(NORAND) $(PY) benchmarks/bench_mlp.py | tee benchmarks/results/mlp.txt
	$(NORAND) $(PY) benchmarks/bench_sklearn.py | tee benchmarks/results/sklearn.txt
	$(NORAND) $(PY) benchmarks/bench_cnn.py | tee benchmarks/results/cnn.txt

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache

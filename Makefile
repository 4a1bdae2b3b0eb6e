# Everything starts from two commands on a fresh machine (see README.md):
#   make book   install into .venv, build the HTML book into _build/html
#   make test   install, then lint, unit tests, notebooks in quick mode, book build and
#               the built book in headless Chromium (tests/test_browser.py)
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_WORKERS ?= 2

.PHONY: install vendor book browser-test test lint execute run-times colab colab-check benchmark gpu-check fake-gpu-check gpu-carry clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# A small CPU build of torch where none is installed: an unpinned torch is a multi-GB CUDA build.
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -r requirements-dev.txt -e .
	touch $@

# MathJax and the widget scripts, bundled so that the book renders offline.
vendor:
	bash tools/vendor_js.sh

book: install vendor
	$(BIN)/jupyter-book build . --all --warningiserror --keep-going
	@echo "The book is ready: open file://$(CURDIR)/_build/html/index.html"

# Every page of the built book in headless Chromium (the system's: apt-get install chromium):
# maths, images, links, widgets, Colab buttons, run notes; screenshots in _build/screenshots/.
# `make test` runs the same test on its own build.
browser-test: book
	AELAB_BOOK_HTML=_build/html OMP_NUM_THREADS=1 $(BIN)/python -m pytest -q tests/test_browser.py \
		tests/test_colab_browser.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check src tests tools _ext benchmarks chapters

# Unit tests, every chapter re-executed in quick mode (nbval), the book build and the
# browser test (one build, shared: tests/conftest.py), chapter 1 run alone (tests/test_colab.py).
# One thread per process: the two pytest workers share two cores.
test: install vendor lint
	AELAB_QUICK=1 OMP_NUM_THREADS=1 $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile \
		--nbval-lax --nbval-current-env tests chapters

# Re-execute every chapter in full mode, in place (the outputs the book shows), then
# refresh the run-time table in book/setup.md from the notebooks' run records and the
# Colab editions (colab/) from the new outputs.
execute: install
	$(BIN)/python tools/execute.py
	$(BIN)/python tools/run_times.py --write book/setup.md
	$(BIN)/python tools/colab.py

# The run-time table alone (after `python tools/execute.py chapters/NN_*.ipynb`).
run-times: install
	$(BIN)/python tools/run_times.py --write book/setup.md

# The Colab editions, colab/NN_*.ipynb: every chapter as a plain Jupyter notebook (no MyST,
# solutions folded, outputs cleared). Run after re-executing a chapter; a test fails while stale.
colab: install
	$(BIN)/python tools/colab.py

# The editions are up to date, and "Run all" on each of the nine runs to the end in quick
# mode in a clean environment whose only aelab is the one its setup cell installs.
colab-check: install
	$(BIN)/python tools/colab.py --check
	AELAB_COLAB_ALL=1 OMP_NUM_THREADS=1 $(BIN)/python -m pytest -q tests/test_colab_edition.py

# Seconds per epoch: the conventional DataLoader loop against ae.fit (benchmarks/README.md).
benchmark: install
	OMP_NUM_THREADS=$${OMP_NUM_THREADS:-1} $(BIN)/python benchmarks/train_speed.py --epochs 2

# One command that proves the book on the device aelab selects (a GPU where there is one):
# device-relevant unit tests, every chapter in quick mode, the benchmark; one report in
# _build/gpu-check/ (README.md, "GPU check"). `make test` runs GPU_CHECK_ARGS=--tiny on the CPU.
gpu-check: install
	$(BIN)/python tools/gpu_check.py $(GPU_CHECK_ARGS)

# Every chapter in quick mode on a stand-in GPU (tools/fake_gpu.py; README.md, "A stand-in GPU on
# the CPU"): the device mixing that the CPU lets pass. Not part of `make test` (it takes a while).
fake-gpu-check: install
	$(BIN)/python tools/fake_gpu.py --quick chapters/*.ipynb

# What a lent GPU machine needs carried for tools/device_session.py (README, "GPU check"), made
# here, where the package index answers: the Jupyter stack's wheels for the machine's Python in
# .whl/ (numpy left out: the machine has its own) and MNIST's four files in .gpu-data/.
GPU_PYTHON ?= 3.12
GPU_PLATFORMS ?= manylinux_2_28_x86_64,manylinux_2_17_x86_64,manylinux2014_x86_64
gpu-carry: install
	rm -rf .whl .gpu-data
	PYTHON=$(BIN)/python bash tools/offline_wheels.sh $(GPU_PYTHON) $(GPU_PLATFORMS) .whl \
		nbclient nbformat ipykernel jupyter_client ipywidgets PyWavelets
	rm -f .whl/numpy-*.whl
	$(BIN)/python -c "import shutil, aelab as ae; ae.data.mnist(device='cpu'); \
		shutil.copytree(ae.config.data_dir() / 'MNIST' / 'raw', '.gpu-data/MNIST/raw')"
	du -sh .whl .gpu-data

clean:
	rm -rf _build .pytest_cache .ruff_cache

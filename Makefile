# visitproof: every target does its own set-up on a fresh machine.
#   make demo    host on SQLite + a simulated badge replaying a real receiver log, console left running
#   make test    the whole test suite (firmware under CPython and the real micropython, host, browser)
#   make bench   benchmarks: prints a table, writes bench/results.json
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | cksum | cut -d' ' -f1)
NODE_STAMP := node_modules/.installed

.PHONY: setup demo test bench lint mpy flash clean browser

setup: $(STAMP) $(NODE_STAMP)

$(STAMP): requirements.txt pyproject.toml
	@echo "== installing Python dependencies into $(VENV)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	rm -f $(VENV)/.installed-*; touch $@

$(NODE_STAMP): package.json package-lock.json
	@echo "== installing console assets (Leaflet) with npm"
	npm ci --no-audit --no-fund --silent
	touch $@

# Debian's chromium for the browser tests; installed when missing and we may (root + apt).
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  { echo "== installing Debian's chromium for the browser tests"; apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; } || \
	  echo "chromium not installed: browser tests will skip (they fail under CI=true)"

demo: setup
	$(BIN)/visitproof demo

test: setup browser
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m bench.run

lint: setup
	$(BIN)/ruff check host tests bench tools

# Compile every firmware file with mpy-cross into build/mpy and pack build/firmware.romfs.
mpy: setup
	$(BIN)/python -m host.tools.compile_firmware

# Flash a badge on PORT: the firmware into its ROMFS partition, main.py onto its filesystem.
PORT ?= /dev/ttyUSB0
flash: mpy
	$(BIN)/mpremote connect $(PORT) romfs deploy build/mpy + cp firmware/main.py :main.py

clean:
	rm -rf $(VENV) node_modules build var .pytest_cache

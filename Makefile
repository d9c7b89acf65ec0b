# make demo: install and run the platform on an embedded SQLite database.
# make test: install and run the whole test suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: demo test install install-test browser lint lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.run: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install -q -c constraints.txt -e .
	touch $@

$(VENV)/.test: $(VENV)/.run
	$(BIN)/pip install -q -c constraints.txt -e '.[test]'
	touch $@

install: $(VENV)/.run
install-test: $(VENV)/.test

demo: install
	$(BIN)/xinyong demo --host $(HOST) --port $(PORT)

# Browser tests drive Debian's Chromium with CJK fonts; install what is missing when we may (root on Debian).
BROWSER_PACKAGES = $(if $(wildcard /usr/bin/chromium),,chromium) \
	$(if $(wildcard /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc),,fonts-noto-cjk)
browser:
	@if [ -n "$(strip $(BROWSER_PACKAGES))" ]; then \
		if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
			echo "installing $(strip $(BROWSER_PACKAGES))"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null; \
		else \
			echo "not installing $(strip $(BROWSER_PACKAGES)) (needs root and apt-get); browser tests may be skipped"; \
		fi; \
	fi

test: install-test browser
	$(BIN)/pytest -q $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src tests bench

# Re-pin every dependency (run after changing pyproject.toml).
lock:
	rm -rf /tmp/xinyong-lock && $(PYTHON) -m venv /tmp/xinyong-lock
	/tmp/xinyong-lock/bin/pip install -q --upgrade pip
	/tmp/xinyong-lock/bin/pip install -q '.[test]'
	/tmp/xinyong-lock/bin/pip freeze --exclude xinyong > constraints.txt

clean:
	rm -rf $(VENV) xinyong.db xinyong.db-wal xinyong.db-shm

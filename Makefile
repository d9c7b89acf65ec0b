# make demo: install and run the platform on an embedded SQLite database.
# make test: install and run the whole test suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: demo test install install-test fonts browser lint lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The sources compiled once: where PYTHONDONTWRITEBYTECODE is set, every command would compile them again.
$(VENV)/.run: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install -q -c constraints.txt -e .
	$(BIN)/python -m compileall -q src >/dev/null
	touch $@

$(VENV)/.test: $(VENV)/.run
	$(BIN)/pip install -q -c constraints.txt -e '.[test]'
	touch $@

install: $(VENV)/.run
install-test: $(VENV)/.test

demo: install fonts
	$(BIN)/xinyong demo --host $(HOST) --port $(PORT)

# Debian packages the platform and its tests use, installed when missing and we may (root on Debian):
# a CJK font for credit reports (PDF); for the tests also Chromium (pages) and poppler (PDF pages to PNG).
FONT_PACKAGES = $(if $(wildcard /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc),,fonts-noto-cjk)
BROWSER_PACKAGES = $(FONT_PACKAGES) $(if $(wildcard /usr/bin/chromium),,chromium) \
	$(if $(wildcard /usr/bin/pdftoppm),,poppler-utils)
define apt_install
	@if [ -n "$(strip $(1))" ]; then \
		if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
			echo "installing $(strip $(1))"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null; \
		else \
			echo "not installing $(strip $(1)) (needs root and apt-get): $(2)"; \
		fi; \
	fi
endef
fonts:
	$(call apt_install,$(FONT_PACKAGES),credit reports need a CJK font in $$XINYONG_DATA_DIR/fonts)
browser:
	$(call apt_install,$(BROWSER_PACKAGES),browser and PDF tests may be skipped)

test: install-test browser
	$(BIN)/pytest -q $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check src tests bench examples
	$(BIN)/ruff format --check src tests bench examples
	$(BIN)/mypy src tests bench examples

# Re-pin every dependency (run after changing pyproject.toml).
lock:
	rm -rf /tmp/xinyong-lock && $(PYTHON) -m venv /tmp/xinyong-lock
	/tmp/xinyong-lock/bin/pip install -q --upgrade pip
	/tmp/xinyong-lock/bin/pip install -q '.[test]'
	/tmp/xinyong-lock/bin/pip freeze --exclude xinyong > constraints.txt

clean:
	rm -rf $(VENV) xinyong.db xinyong.db-wal xinyong.db-shm

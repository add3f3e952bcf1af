# Tiyu: two commands take a bare machine to a running demo and to a green suite.
#   make demo   install what is missing, then migrate, load regions, seed, serve on $PORT
#   make test   install what is missing (including Chromium), lint, then the whole suite
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export PATH := $(HOME)/.local/bin:$(PATH)
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
PYTEST_ARGS ?=

.PHONY: demo test setup uv deps js browser lint suite bench messages clean

uv:
	@command -v uv >/dev/null 2>&1 || [ -x "$(HOME)/.local/bin/uv" ] || \
		python3 -m pip install --user --quiet uv || python3 -m pip install --quiet --break-system-packages --user uv

deps: uv
	$(UV) sync --frozen --python python3.11 || $(UV) sync --frozen

js:
	@[ -f node_modules/.package-lock.json ] && [ node_modules/.package-lock.json -nt package-lock.json ] || \
		npm ci --ignore-scripts --no-audit --no-fund

setup: deps js

# Debian's Chromium and CJK fonts for the browser tests (Playwright cannot download browsers here).
browser:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "noto.*cjk"; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

demo: setup
	TIYU_DEMO=1 $(UV) run tiyu demo

lint: deps
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run lint-imports
	$(UV) run mypy tiyu

suite: setup browser
	$(UV) run pytest $(PYTEST_ARGS)

test: setup browser lint suite

bench: setup
	$(UV) run python bench/nearest.py --quick
	$(UV) run python bench/booking.py --quick

# Refresh the English catalogue after changing strings (needs GNU gettext), then translate
# the new entries in tiyu/locale/en/LC_MESSAGES/django.po and run it again to compile.
messages: deps
	cd tiyu && DEBUG=1 $(UV) run tiyu makemessages -l en --ignore 'tests/*' --ignore '*/tests/*' --no-obsolete
	cd tiyu && DEBUG=1 $(UV) run tiyu compilemessages -l en

clean:
	rm -rf var .venv node_modules

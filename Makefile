# Two commands matter: `make demo` and `make test`. Both set up .venv by themselves.
VENV      := .venv
PY        := $(VENV)/bin/python
STAMP     := $(VENV)/.installed
HOST      ?= 127.0.0.1
PORT      ?= 8000
PYTEST_ARGS ?=
# Translations (the zh_Hans catalogue for django-unfold & co.), compiled at set-up by Babel.
PO_FILES  := $(wildcard locale/*/LC_MESSAGES/django.po)
MO_FILES  := $(PO_FILES:.po=.mo)

.PHONY: demo test setup messages db lint clean-db help

help:
	@echo "make demo   # 建立环境、迁移数据库、载入参考数据和演示数据，并在 http://$(HOST):$(PORT)/ 启动服务"
	@echo "make test   # 建立环境并运行全部测试"

$(STAMP): pyproject.toml
	@set -e; \
	if [ ! -x "$(PY)" ]; then \
		python=$$(bin/find-python); \
		echo "Creating $(VENV) with $$python"; \
		"$$python" -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

setup: $(STAMP) messages

messages: $(MO_FILES)

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po $(STAMP)
	$(VENV)/bin/pybabel compile --statistics -D django -l $* -i $< -o $@

db: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference_data
	$(PY) manage.py seed_demo

# The background-job worker (manage.py run_worker: db_worker that survives a database
# restart) runs next to the dev server; Ctrl-C stops both.
demo: db
	@$(PY) manage.py demo_info --host $(HOST) --port $(PORT)
	@set -e; \
	$(PY) manage.py run_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# Two commands matter: `make demo` and `make test`. Both set up .venv by themselves.
VENV      := .venv
PY        := $(VENV)/bin/python
STAMP     := $(VENV)/.installed
HOST      ?= 127.0.0.1
PORT      ?= 8000
PYTEST_ARGS ?=
# Every package, dev tools included, pinned with hashes for Python >= 3.12 (`make lock`).
LOCK      := requirements/lock.txt
LOCK_ARGS ?=
# Translations (the zh_Hans catalogue for django-unfold & co.), compiled at set-up by Babel.
PO_FILES  := $(wildcard locale/*/LC_MESSAGES/django.po)
MO_FILES  := $(PO_FILES:.po=.mo)

.PHONY: demo test serve setup messages db lint lock clean-db help

help:
	@echo "make demo   # 建立环境、迁移数据库、载入参考数据和演示数据，并在 http://$(HOST):$(PORT)/ 启动服务"
	@echo "make test   # 建立环境并运行全部测试"
	@echo "make serve  # 在本机以生产配置启动 gunicorn 和后台任务进程（需要 DATABASE_URL 指向 PostgreSQL）"

# The lock installs every package; the project itself goes in on top without resolving again.
$(STAMP): $(LOCK) pyproject.toml
	@set -e; \
	if [ ! -x "$(PY)" ]; then \
		python=$$(bin/find-python); \
		echo "Creating $(VENV) with $$python"; \
		"$$python" -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
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

# The production stack on this machine (bin/serve): PostgreSQL from DATABASE_URL, migrate,
# collectstatic, gunicorn + the job worker with config.settings.production over plain HTTP.
# Ctrl-C stops both. Demo data first, if wanted: manage.py load_reference_data, seed_demo.
serve: setup
	@PYTHON=$(PY) HOST=$(HOST) PORT=$(PORT) bin/serve

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

# Re-pin after editing the dependencies in pyproject.toml. Pins already in the lock are kept
# unless asked: `make lock LOCK_ARGS=--upgrade` (or `--upgrade-package NAME`).
lock: $(STAMP)
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --universal --python-version 3.12 \
		--generate-hashes --no-emit-package hbwsrc --quiet $(LOCK_ARGS) -o $(LOCK)

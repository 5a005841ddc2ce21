# NetZero Hub. `make demo` runs the portal with demo data; `make test` passes the tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEMO_ENV := DEBUG=true REQUIRE_STAFF_MFA=false
PYTEST_ARGS ?=

.PHONY: install demo serve test test-fast lint format bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

demo: install
	$(DEMO_ENV) $(PY) manage.py migrate --no-input
	$(DEMO_ENV) $(PY) manage.py load_reference_data
	$(DEMO_ENV) $(PY) manage.py load_demo_data
	@echo "Serving http://127.0.0.1:8000 (mail sent by the portal: http://127.0.0.1:8000/dev/mail/). Ctrl-C stops."
	@$(MAKE) --no-print-directory serve

serve:
	@trap 'kill 0' INT TERM EXIT; \
	$(DEMO_ENV) $(PY) manage.py db_worker --interval 1 & \
	$(DEMO_ENV) $(PY) manage.py run_event_jobs --loop 60 & \
	$(DEMO_ENV) $(PY) manage.py run_helpdesk_jobs --loop 60 & \
	$(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:8000

test: install
	$(VENV)/bin/pytest -n 2 -p no:randomly $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) var

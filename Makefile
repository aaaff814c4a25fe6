# Gradebox: `make run` sets up a fresh machine and starts the platform; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CACHE_DIR ?= $(or $(GRADER_CACHE_DIR),/var/cache/gradebox)
# chromium: the browser tests drive Debian's build through Playwright (never a browser Playwright downloads)
SYSTEM_PACKAGES := bubblewrap debootstrap python3-seccomp chromium
TEST_SERVICE_PACKAGES := redis-server postgresql nginx-core docker-compose
export GRADER_CACHE_DIR := $(CACHE_DIR)

.PHONY: setup system venv rootfs docker sandbox-image app-image migrate demo prepare validate run worker web test test-fast test-services clean

# The Docker sandbox is the production backend; GRADER_SANDBOX=bwrap skips the engine and the image.
DOCKER_TARGETS := $(if $(filter bwrap,$(GRADER_SANDBOX)),,docker sandbox-image)

setup: system venv rootfs $(DOCKER_TARGETS) migrate demo prepare  ## idempotent: a second run only checks

system:  ## Debian packages the sandbox and the browser tests need (installed only when missing)
	@missing=$$(for p in $(SYSTEM_PACKAGES) $(EXTRA_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

venv: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test,datasets]"
	touch $@

rootfs: venv  ## the sandbox root filesystems (numpy: Debian trixie; tensorflow: bookworm + pinned wheels), and the seccomp filter
	$(PY) -m sandbox.rootfs --cache-dir $(CACHE_DIR)
	$(PY) -m sandbox.rootfs --cache-dir $(CACHE_DIR) --environment tensorflow
	$(PY) -m sandbox.backends.syscall_filter --cache-dir $(CACHE_DIR)

docker:  ## Debian's docker.io, and dockerd with no bridge network (started only when none answers)
	$(MAKE) system EXTRA_PACKAGES=docker.io
	deploy/docker-daemon.sh

sandbox-image: rootfs docker  ## the Docker sandbox image, offline (about 35 s the first time; rebuilt only on change)
	$(PY) -m sandbox.image.build --cache-dir $(CACHE_DIR)
	$(PY) -m sandbox.image.build --cache-dir $(CACHE_DIR) --environment tensorflow

app-image: docker venv  ## the platform's own image for deploy/compose.yaml, offline (a few minutes the first time)
	$(MAKE) system EXTRA_PACKAGES=docker-compose
	$(PY) deploy/app_image.py --cache-dir $(CACHE_DIR)

migrate: venv
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py createcachetable
	$(PY) manage.py collectstatic --noinput -v 0

demo: migrate rootfs  ## the demo course with every course bundle loaded (publishing runs the contract in the sandbox)
	$(PY) manage.py seed_demo

prepare: rootfs demo  ## expected outputs of every assignment, computed in the sandbox once per version
	$(PY) manage.py prepare_assignments

run: setup  ## start the web server and a worker (embedded defaults: SQLite, filesystem broker)
	deploy/run-local.sh

validate: prepare  ## the contract of every loaded assignment and of every bundle folder
	$(PY) manage.py validate_assignment
	$(PY) manage.py validate_assignment assignments/*/assignment.toml
	GRADER_SANDBOX=bwrap $(PY) manage.py validate_assignment assignments/tensorflow_intro  # the other backend too

test-services:  ## PostgreSQL and Redis for the tests that need them
	$(MAKE) system EXTRA_PACKAGES="$(TEST_SERVICE_PACKAGES)"
	deploy/test-services.sh start

test: setup test-services  ## every test, slow suites included (this is what CI runs)
	$(PY) -m pytest -m "slow or not slow" $(PYTEST_ARGS)
	@echo "--- again on PostgreSQL and Redis: the Django apps and the end-to-end path"
	@# tests/grader/grading is the grading library (no database, no broker): the same on either stack, run once.
	source var/test-services.env && GRADER_DATA_DIR=var/test-pg DATABASE_URL=$$GRADER_TEST_DATABASE_URL \
	  CELERY_BROKER_URL=$$GRADER_TEST_REDIS_URL DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') $(PY) -m pytest -m "slow or not slow" tests/grader --ignore=tests/grader/grading $(PYTEST_ARGS)

test-fast: venv  ## the quick loop: everything not marked slow
	$(PY) -m pytest $(PYTEST_ARGS)

clean:
	rm -rf var/test var/jobs var/artifacts

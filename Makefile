# Two commands do everything: `make run` and `make test`. Both go through `make setup`,
# which is idempotent: it installs only what is missing.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
APT_PACKAGES := espeak-ng libportaudio2 pulseaudio pulseaudio-utils libasound2-plugins sox

.PHONY: setup run test bench clean system-packages

setup: system-packages $(STAMP)

system-packages:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	  else \
	    echo "Missing system packages: $$missing"; \
	    echo "Run: sudo apt-get install -y $$missing   then run make again."; exit 1; \
	  fi; \
	fi

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	# RNNoise's library only: pyrnnoise's own dependencies (matplotlib, audiolab, ...) serve its CLI
	$(PY) -m pip install -q --no-deps pyrnnoise==0.4.5
	$(PY) -m voice_coach.hearing.whisper_model
	touch $(STAMP)

run: setup
	$(VENV)/bin/voice-coach

test: setup
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q

bench: setup
	$(VENV)/bin/voice-coach bench

clean:
	rm -rf $(VENV) build *.egg-info

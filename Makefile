# The two commands of the README: `make up` and `make test`. Everything else is here
# for the people who work on the system.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
PACKAGES := libs/crmkit libs/totals libs/crmsubscriber services/leads services/deals services/billing services/subscriptions gateway
STAMP := $(VENV)/.installed

.PHONY: up test bench bench-compare bench-hop bench-relay bench-webhooks profile lint dlq clean

# The environment is (re)built when a package's dependencies change.
$(STAMP): $(addsuffix /pyproject.toml,$(PACKAGES)) requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt $(addprefix -e ,$(PACKAGES))
	touch $@

## Start every process in the foreground (Ctrl-C stops them all)
up: $(STAMP)
	PATH=$(BIN):$$PATH $(BIN)/crm-up

## Run every test against the real RabbitMQ and PostgreSQL
test: $(STAMP)
	$(BIN)/pytest

## Measure the flow and this machine's ceilings (never part of pass/fail)
bench: $(STAMP)
	PATH=$(BIN):$$PATH $(BIN)/python bench/run.py

## Profile the bench's whole flow: every process under py-spy, a flame graph each (var/profile/)
FLOW_ONLY := --leads 0 --import-rows 0 --list-leads 0 --opportunities 0 --quotes 0 --invoices 0 \
	--billing-invoices 0 --gateway-requests 0
profile: $(STAMP)
	PATH=$(BIN):$$PATH $(BIN)/python bench/run.py $(FLOW_ONLY) \
		--profile var/profile/$$(date -u +%Y%m%dT%H%M%SZ) $(PROFILE_ARGS)

## Two revisions' bench, run alternately (BASE=<rev> HEAD=<rev>, ROUNDS=3, BENCH_ARGS=...): each figure's ratio
BASE ?= HEAD~1
HEAD ?= HEAD
ROUNDS ?= 3
bench-compare: $(STAMP)
	$(BIN)/python bench/compare.py $(BASE) $(HEAD) --rounds $(ROUNDS) -- $(BENCH_ARGS)

## The gateway -> service hop: nameko RPC through the broker beside a direct gRPC call (bench/README.md)
bench-hop: $(STAMP)
	PATH=$(BIN):$$PATH $(BIN)/python bench/direct_hop.py $(HOP_ARGS)

## The relay emptying an outbox backlog beside the one-at-a-time confirmed publish (bench/README.md)
bench-relay: $(STAMP)
	PATH=$(BIN):$$PATH $(BIN)/python bench/relay_bench.py $(RELAY_ARGS)

## Measure the webhook dispatcher: deliveries/s, commit -> webhook latency (bench/README.md)
bench-webhooks: $(STAMP)
	PATH=$(BIN):$$PATH $(BIN)/python bench/webhook_bench.py

## ruff, and the import rules of .importlinter (run from the venv: a package directory
## of the repository's root would shadow the installed package of the same name)
lint: $(STAMP)
	$(BIN)/ruff check .
	cd $(VENV) && $(BIN)/lint-imports --no-cache ../.importlinter

## List the dead-letter queues (see `crm-dlq --help` to show and replay)
dlq: $(STAMP)
	$(BIN)/crm-dlq list

clean:
	rm -rf $(VENV) var

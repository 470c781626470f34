# Skincare migrations. `make help` lists the targets; each one installs and builds first when needed.
# To add a target: put it below with a one-line `## comment` after its prerequisites and a `.PHONY:` line above it.

.DEFAULT_GOAL := all

# Where the migrations live, and how many steps `make rollback` undoes (a number, or all).
MIGRATIONS_DIR ?= sql
STEPS ?= 1
# Extra arguments for tap, e.g. `make test TAP_ARGS='--reporter=tap test/chain.test.ts'`.
TAP_ARGS ?=

NODE ?= node
MIGRATE = $(NODE) dist/scripts/migrate.js --dir $(MIGRATIONS_DIR)

# Stamps: npm ci when package.json or package-lock.json changed; tsc when a TypeScript source changed.
INSTALLED := node_modules/.installed
BUILT := dist/.built
SOURCES := $(shell find verify scripts -name '*.ts' 2>/dev/null)

$(INSTALLED): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

$(BUILT): $(INSTALLED) $(SOURCES) tsconfig.json
	npx tsc -p .
	@touch $@

# ---- the chain -------------------------------------------------------------------------------------------------

.PHONY: all
all: $(BUILT) ## verify the chain (once the verifier is built), apply it to the database, print status
	@if [ -f dist/verify/cli.js ]; then $(MAKE) --no-print-directory verify; \
	else echo "make: skipping verify: dist/verify/cli.js is not built yet"; fi
	@$(MAKE) --no-print-directory migrate
	@$(MAKE) --no-print-directory status

.PHONY: verify
verify: $(BUILT) ## check the migration files with the verifier (no database)
	$(NODE) dist/verify/cli.js $(MIGRATIONS_DIR)

.PHONY: migrate
migrate: $(BUILT) ## apply every pending migration (DATABASE_URL, else the embedded server)
	@$(MIGRATE) up

.PHONY: rollback
rollback: $(BUILT) ## roll back the last STEPS migrations (STEPS=1 by default, STEPS=all for every one)
	@$(MIGRATE) down $(STEPS)

.PHONY: redo
redo: $(BUILT) ## roll back the last migration and apply it again
	@$(MIGRATE) redo

.PHONY: status
status: $(BUILT) ## list applied migrations (with run_on), then pending ones
	@$(MIGRATE) status

.PHONY: new
new: $(BUILT) ## create sql/<UTC timestamp>_NAME.up.sql and .down.sql (make new NAME=add_products_barcode)
	@if [ -z "$(NAME)" ]; then echo "error: usage: make new NAME=<lower_snake_case_name>" >&2; exit 2; fi
	@$(NODE) dist/scripts/new-migration.js --dir $(MIGRATIONS_DIR) '$(NAME)'

# ---- the embedded server (.pgdata/, port 54329; EMBEDDED_PG_DIR and EMBEDDED_PG_PORT move it) ----------------

.PHONY: db-start
db-start: $(BUILT) ## start the embedded PostgreSQL (migrate and status start it on demand too)
	@$(NODE) dist/scripts/db.js start

.PHONY: db-stop
db-stop: $(BUILT) ## stop the embedded PostgreSQL (its data stays in .pgdata/)
	@$(NODE) dist/scripts/db.js stop

.PHONY: db-url
db-url: $(BUILT) ## print the database URL the scripts use, password redacted
	@$(NODE) dist/scripts/db.js url

# ---- checks ----------------------------------------------------------------------------------------------------

.PHONY: test
test: $(BUILT) ## build, then run every test with tap (each test file starts its own throwaway PostgreSQL)
	npx tap $(TAP_ARGS)

.PHONY: hooks
hooks: $(BUILT) ## install the git pre-commit hook that verifies staged migration files
	@mkdir -p "$$(git rev-parse --git-path hooks)" && install -m 0755 scripts/hooks/pre-commit "$$(git rev-parse --git-path hooks)/pre-commit"
	@echo "installed $$(git rev-parse --git-path hooks)/pre-commit: staged .sql files are verified before each commit"

.PHONY: typecheck
typecheck: $(INSTALLED) ## type-check sources and tests (tsconfig.test.json)
	npx tsc -p tsconfig.test.json

.PHONY: build
build: $(BUILT) ## compile TypeScript into dist/

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-zA-Z0-9_-]+):.*## (.*)$$/  \1|\2/' | awk -F'|' '{ printf "%-12s %s\n", $$1, $$2 }'

# Skincare migrations. `make help` lists the targets; each one installs and builds first when needed.
# To add a target: put it below with a one-line `## comment` after its prerequisites and a `.PHONY:` line above it.

.DEFAULT_GOAL := all

# Where the migrations live, and how many steps `make rollback` undoes (a number, or all).
MIGRATIONS_DIR ?= sql
STEPS ?= 1
# Extra arguments for tap, e.g. `make test TAP_ARGS='--reporter=tap test/chain.test.ts'`.
TAP_ARGS ?=
# Extra arguments for make bench, e.g. `make bench BENCH_ARGS=--quick` (sql/ and 400 pairs; 3 iterations).
BENCH_ARGS ?=
# make agreement: the migration folder to judge, and extra arguments (docs/reversibility.md).
DIR ?=
AGREEMENT_ARGS ?=

# Safe deployment (docs/deploy.md). DRY_RUN=1: migrate, rollback and redo print the SQL and change nothing.
DRY_RUN ?=
# Per migration session: how long to wait for a table lock, and for one statement (PostgreSQL durations; 0 = none).
MIGRATE_LOCK_TIMEOUT ?= 5s
MIGRATE_STATEMENT_TIMEOUT ?= 15min
# make backup / make deploy: where dumps go; BACKUP=skip deploys without one (never do that to production lightly);
# BACKUP=pitr checks WAL archiving (a success within PITR_MAX_ARCHIVE_AGE, default 1h) and records the point to recover to.
BACKUP_DIR ?= backups
BACKUP ?= auto
PITR_MAX_ARCHIVE_AGE ?= 1h
# make rollback / make redo on a DATABASE_URL server: a rollback of every migration, or one that loses rows, needs
# CONFIRM=<database name> (or the name typed on a terminal).
CONFIRM ?=
# make deploy TARGETS=<file>: one postgres:// URL or environment variable name per line; the first is the canary,
# then PARALLEL at a time (docs/deploy.md#fleets).
TARGETS ?=
PARALLEL ?= 1
# make deploy with streaming standbys: refuse when one lags more than this (a time and/or a WAL size), and how long to wait
# after the run for every standby to replay it (0 = report only). docs/deploy.md, Replicas.
MAX_REPLICA_LAG ?= 30s,64MB
REPLICA_WAIT ?= 60s
# make migrate runs the verifier first and refuses a chain with errors; SKIP_VERIFY='<reason>' overrides it in an emergency.
SKIP_VERIFY ?=
# make check-order: the branch the migrations merge into.
BASE ?= origin/main
# A transactional migration that hits lock_timeout is retried this many times, after a wait that starts at
# MIGRATE_LOCK_RETRY_DELAY and doubles, with jitter (0 = no retry).
MIGRATE_LOCK_RETRIES ?= 3
MIGRATE_LOCK_RETRY_DELAY ?= 1s
# make deploy's preflight: PREFLIGHT=warn deploys despite sessions in the way (locks on the tables the pending
# migrations touch, transactions older than MAX_TRANSACTION_AGE); DRIFT=warn or skip despite drift.
PREFLIGHT ?= refuse
MAX_TRANSACTION_AGE ?= 1min
DRIFT ?= refuse
export MIGRATE_LOCK_TIMEOUT MIGRATE_STATEMENT_TIMEOUT BACKUP_DIR MIGRATE_LOCK_RETRIES MIGRATE_LOCK_RETRY_DELAY PREFLIGHT MAX_TRANSACTION_AGE DRIFT
export PITR_MAX_ARCHIVE_AGE CONFIRM
# make history: the newest LIMIT events of the audit trail (NAME=<version>_<slug> for one migration; FORMAT=json).
LIMIT ?= 50
FORMAT ?=
export MAX_REPLICA_LAG REPLICA_WAIT

NODE ?= node
MIGRATE = $(NODE) dist/scripts/migrate.js --dir $(MIGRATIONS_DIR)
DRY_RUN_FLAG = $(if $(filter-out 0 no false,$(DRY_RUN)),--dry-run)
# The verifier's report is shown only when it finds errors (warnings do not stop a migration).
VERIFY_FIRST = $(if $(SKIP_VERIFY),echo "warning: the verifier was skipped: $(SKIP_VERIFY)" >&2,report="$$($(NODE) dist/verify/cli.js $(MIGRATIONS_DIR) 2>&1)" || { printf '%s\n' "$$report" >&2; echo "error: the verifier found errors in $(MIGRATIONS_DIR), so nothing was applied: fix them (or, in an emergency, SKIP_VERIFY='<reason>')" >&2; exit 1; })

# Stamps: npm ci when package.json or package-lock.json changed; tsc when a TypeScript source changed.
INSTALLED := node_modules/.installed
BUILT := dist/.built
SOURCES := $(shell find core verify runner scripts bench -name '*.ts' 2>/dev/null)

$(INSTALLED): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

$(BUILT): $(INSTALLED) $(SOURCES) tsconfig.json
	npx tsc -p .
	@touch $@

# The command as installed (package.json's bin): the compiled CLI bundled by esbuild into a few files (docs/performance.md).
VERIFY_CLI := dist/verify/verify-migrations.mjs
$(VERIFY_CLI): $(BUILT)
	$(NODE) dist/scripts/bundle.js >/dev/null

# ---- the chain -------------------------------------------------------------------------------------------------

.PHONY: all
all: $(BUILT) ## verify the chain, apply it to the database, print status
	@$(MAKE) --no-print-directory verify
	@$(MAKE) --no-print-directory migrate
	@$(MAKE) --no-print-directory status

.PHONY: verify
verify: $(VERIFY_CLI) ## check the migration files with the verifier (no database)
	$(NODE) $(VERIFY_CLI) $(MIGRATIONS_DIR)

.PHONY: verify-db
verify-db: $(BUILT) ## verify, then prove on a scratch database that each down restores the schema (VERIFY_DATABASE_URL, else embedded)
	$(NODE) dist/verify/cli.js --execute $(if $(LOCKS),--locks=$(LOCKS)) $(MIGRATIONS_DIR)

.PHONY: drift
drift: $(BUILT) ## compare DATABASE_URL's schema (else the embedded server's) with what its applied migrations make; prints the DDL that would reconcile them (read-only)
	$(NODE) dist/verify/cli.js --drift $(MIGRATIONS_DIR)

.PHONY: migrate
migrate: $(BUILT) ## verify, then apply every pending migration (DATABASE_URL, else the embedded server); SKIP_VERIFY='<reason>' skips the verifier
	@$(VERIFY_FIRST)
	@$(MIGRATE) up $(DRY_RUN_FLAG)

.PHONY: rollback
rollback: $(BUILT) ## roll back the last STEPS migrations (STEPS=1 by default, STEPS=all for every one); lists what the downs drop; CONFIRM=<database> where data is lost
	@$(MIGRATE) down $(STEPS) $(DRY_RUN_FLAG)

.PHONY: redo
redo: $(BUILT) ## roll back the last migration and apply it again (CONFIRM=<database> when its down loses rows on a DATABASE_URL server)
	@$(MIGRATE) redo $(DRY_RUN_FLAG)

.PHONY: status
status: $(BUILT) ## list applied migrations (run_on, checksum ok/changed/missing), then pending ones
	@$(MIGRATE) status

.PHONY: new
new: $(BUILT) ## create sql/<UTC timestamp>_NAME.up.sql and .down.sql (make new NAME=add_products_barcode)
	@if [ -z "$(NAME)" ]; then echo "error: usage: make new NAME=<lower_snake_case_name>" >&2; exit 2; fi
	@$(NODE) dist/scripts/new-migration.js --dir $(MIGRATIONS_DIR) '$(NAME)'
	@$(NODE) dist/scripts/sum.js --dir $(MIGRATIONS_DIR)
	@echo "write both files, then make sum: it records them in $(MIGRATIONS_DIR)/migrations.sum, which make verify checks"

.PHONY: draft-down
draft-down: $(BUILT) ## write the down of MIGRATIONS_DIR/NAME.up.sql from its up, for review (make draft-down NAME=<version>_<slug>)
	@if [ -z "$(NAME)" ]; then echo "error: usage: make draft-down NAME=<version>_<slug>" >&2; exit 2; fi
	@$(NODE) dist/scripts/draft-down.js --dir $(MIGRATIONS_DIR) '$(NAME)'

.PHONY: new-rule
new-rule: $(BUILT) ## write verify/rules/NAME.ts, its doc and test/rules/NAME.test.ts from templates, and register it (CONTRIBUTING.md)
	@if [ -z "$(NAME)" ]; then echo "error: usage: make new-rule NAME=<kebab-case-rule-name>" >&2; exit 2; fi
	@$(NODE) dist/scripts/new-rule.js '$(NAME)'

.PHONY: sum
sum: $(BUILT) ## rewrite MIGRATIONS_DIR/migrations.sum (the checksum of every migration file; make verify checks it)
	@$(NODE) dist/scripts/sum.js --dir $(MIGRATIONS_DIR)

.PHONY: accept-checksum
accept-checksum: $(BUILT) ## accept the edited files of an applied migration (make accept-checksum NAME=<version>_<slug>); logged
	@if [ -z "$(NAME)" ]; then echo "error: usage: make accept-checksum NAME=<version>_<slug>" >&2; exit 2; fi
	@$(MIGRATE) accept-checksum '$(NAME)'

.PHONY: history
history: $(BUILT) ## print the audit trail newest first: who applied, rolled back, deployed what, when, how long (NAME=..., LIMIT=50, FORMAT=json)
	@$(NODE) dist/scripts/history.js --limit '$(LIMIT)' $(if $(NAME),--name '$(NAME)') $(if $(filter json,$(FORMAT)),--json)

.PHONY: check-order
check-order: $(BUILT) ## fail when a migration new on this branch sorts before the newest one on BASE (default origin/main)
	@$(MIGRATE) check-order --base '$(BASE)'

# ---- deployment (docs/deploy.md) -------------------------------------------------------------------------------

.PHONY: backup
backup: $(BUILT) ## pg_dump -Fc into BACKUP_DIR/<db>-<UTC time>.dump (mode 0600), checked with pg_restore --list; BACKUP=pitr: check WAL archiving, record the recovery point
	@$(NODE) dist/scripts/backup.js --dir '$(BACKUP_DIR)' --mode '$(BACKUP)'

.PHONY: deploy
deploy: $(BUILT) ## preflight (health, verify, checksums, order, indexes, drift, blocking sessions), backup, migrate (lock retries), post-checks; prints rollback
	@$(NODE) dist/scripts/$(if $(TARGETS),fleet.js --targets '$(TARGETS)' --parallel '$(PARALLEL)',deploy.js) --dir $(MIGRATIONS_DIR) --backup '$(BACKUP)' --backup-dir '$(BACKUP_DIR)'

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

.PHONY: bench
bench: $(VERIFY_CLI) ## time verify-migrations against squawk and pgfence on sql/ and generated histories and prints the speed targets with their verdicts (BENCH_ARGS=--quick: sql/ and 400 pairs)
	$(NODE) dist/bench/bench.js $(BENCH_ARGS)

.PHONY: agreement
agreement: $(BUILT) ## static down-reverses-up against a PostgreSQL 15 judge (pg_dump before up / after down) on DIR (AGREEMENT_ARGS='--limit 100')
	@if [ -z "$(DIR)" ]; then echo "error: usage: make agreement DIR=<migrations folder> [AGREEMENT_ARGS='--limit N --verbose']" >&2; exit 2; fi
	$(NODE) dist/bench/agreement.js $(AGREEMENT_ARGS) '$(DIR)'

.PHONY: hooks
hooks: $(BUILT) ## install the git pre-commit hook that verifies staged migration files
	@mkdir -p "$$(git rev-parse --git-path hooks)" && install -m 0755 scripts/hooks/pre-commit "$$(git rev-parse --git-path hooks)/pre-commit"
	@echo "installed $$(git rev-parse --git-path hooks)/pre-commit: staged .sql files are verified before each commit"

.PHONY: typecheck
typecheck: $(INSTALLED) ## type-check sources and tests (tsconfig.test.json)
	npx tsc -p tsconfig.test.json

.PHONY: build
build: $(BUILT) $(VERIFY_CLI) ## compile TypeScript into dist/, and bundle the CLI (dist/verify/verify-migrations.mjs)

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-zA-Z0-9_-]+):.*## (.*)$$/  \1|\2/' | awk -F'|' '{ printf "%-17s %s\n", $$1, $$2 }'

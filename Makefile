# KAM -- key account management. `make run` serves the demo; `make test` runs every suite.
#
#   make                      build build/kam
#   make run                  install missing packages, build, create kam.db with demo data, serve
#   make test                 install missing packages, build, run unit/http/fuzz-replay suites
#   make SANITIZE=address,undefined test    the same under ASan+UBSan (objects in build/san)
#   make check-deps           the include arrows of docs/ARCHITECTURE.md
#   make build/kam-fault      the fault-injection build for tests/fault (objects in build/fault)
#   make soak                 the long crash soak: 200 SIGKILL cycles on SQLite and PostgreSQL
#   make format | check-format

CC      ?= cc
PKGS    := libmicrohttpd jansson sqlite3 libsodium libpq libcurl xlsxwriter icu-uc icu-i18n opencc zlib \
           libzip uchardet expat
ifdef SANITIZE
BUILD   ?= build/san
SANFLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD   ?= build
SANFLAGS :=
endif
OPT     ?= -O2 -g
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith \
           -fno-common $(if $(WERROR),-Werror)
CFLAGS  += -std=c11 -D_DEFAULT_SOURCE $(OPT) $(WARN) $(SANFLAGS) -Isrc -I$(BUILD)/gen \
           -MMD -MP $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -llinear -lpthread -lm
LDFLAGS += $(SANFLAGS)
# FAULT=1: fault hooks compiled in (base/fault.h); use it through $(BUILD)/kam-fault.
ifdef FAULT
CFLAGS  += -DKAM_FAULT
endif

LIB_SRC   := $(sort $(wildcard src/base/*.c src/store/*.c src/analytics/*.c src/svc/*/*.c src/api/*/*.c \
                               src/http/*.c src/cli/*.c))
MIGR_SQL  := $(sort $(wildcard src/store/migrations/sqlite/*.sql))
MIGR_PG   := $(sort $(wildcard src/store/migrations/postgres/*.sql))
GEN_SRC   := $(BUILD)/gen/migrations_sqlite.c $(BUILD)/gen/migrations_postgres.c \
             $(BUILD)/gen/web_assets.c $(BUILD)/gen/sentiment_model.c
# The web UI (web/, npm + Vite) is built into web/dist and compiled into the binary.
WEB_DEPS  := $(shell find web/src web/public -type f 2>/dev/null) \
             $(wildcard web/index.html web/s.html web/package.json web/vite.config.* web/tsconfig*.json)
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o) $(GEN_SRC:.c=.o)
UNIT_SRC  := $(sort $(wildcard tests/unit/*.c))
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN  := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)

all: $(BUILD)/kam

$(BUILD)/kam: $(BUILD)/src/main.o $(BUILD)/libkam.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The fault-injection server of tests/fault: the same sources compiled with -DKAM_FAULT into
# their own object dir ($(BUILD)/fault), so the normal objects never carry the hooks.
$(BUILD)/kam-fault: FORCE
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/fault FAULT=1 $(BUILD)/fault/kam
	@cmp -s $(BUILD)/fault/kam $@ || cp $(BUILD)/fault/kam $@

FORCE:

$(BUILD)/libkam.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -O1 -o $@ $<

$(BUILD)/gen/migrations_sqlite.c: $(BUILD)/tools/embed $(MIGR_SQL)
	@mkdir -p $(dir $@)
	$(BUILD)/tools/embed kam_sqlite_migrations src/store/migrations/sqlite/ $(MIGR_SQL) > $@.tmp
	mv $@.tmp $@

$(BUILD)/gen/migrations_postgres.c: $(BUILD)/tools/embed $(MIGR_PG)
	@mkdir -p $(dir $@)
	$(BUILD)/tools/embed kam_postgres_migrations src/store/migrations/postgres/ $(MIGR_PG) > $@.tmp
	mv $@.tmp $@

# The shipped sentiment model (models/README.md), read by analytics/sentiment.c; a tree
# without models/sentiment.kam builds a kam without one.
SENT_MODEL := $(wildcard models/sentiment.kam)
$(BUILD)/gen/sentiment_model.c: $(BUILD)/tools/embed $(SENT_MODEL)
	@mkdir -p $(dir $@)
	$(BUILD)/tools/embed kam_sentiment_model models/ $(SENT_MODEL) > $@.tmp
	mv $@.tmp $@

# KAM_WEB=0 embeds whatever web/dist holds without running npm (for C-only work).
ifneq ($(wildcard web/package.json),)
ifneq ($(KAM_WEB),0)
WEB_STAMP := web/dist/.stamp
web/node_modules/.stamp: web/package.json web/package-lock.json
	@command -v npm >/dev/null || { echo "make: the web UI needs Node.js 20+ and npm" >&2; exit 1; }
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(WEB_STAMP): $(WEB_DEPS) web/node_modules/.stamp
	cd web && npm run --silent build
	node tools/embed-compress.mjs web/dist
	@touch $@
endif
endif

# WEB_DIST=DIR embeds another build of the web app (e.g. a `vite build --outDir DIR`, compressed
# with tools/embed-compress.mjs DIR) instead of web/dist.
WEB_DIST ?= web/dist
$(BUILD)/gen/web_assets.c: $(BUILD)/tools/embed $(WEB_STAMP)
	@mkdir -p $(dir $@)
	$(BUILD)/tools/embed kam_web_assets $(WEB_DIST)/ \
	  $$(find $(WEB_DIST) -type f ! -name .stamp 2>/dev/null | LC_ALL=C sort) > $@.tmp
	mv $@.tmp $@

$(BUILD)/unit: $(UNIT_SRC:%.c=$(BUILD)/%.o) $(BUILD)/libkam.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The key-driver analysis on a CSV, for the independent check tests/kda/check_kda.py and bench/kda.
$(BUILD)/kda_cli: $(BUILD)/tests/kda/kda_cli.o $(BUILD)/libkam.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Fuzz targets: replayed over their corpus by a plain main (tests/fuzz/replay.c) in `make test`;
# `make fuzz` builds libFuzzer binaries with clang for real fuzzing.
$(BUILD)/fuzz/%: $(BUILD)/tests/fuzz/%.o $(BUILD)/tests/fuzz/replay.o $(BUILD)/libkam.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

fuzz:
	@mkdir -p build/libfuzzer
	for f in $(FUZZ_SRC); do n=$$(basename $$f .c); \
	  clang -std=c11 -D_DEFAULT_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
	    -Ibuild/gen $$(pkg-config --cflags $(PKGS)) -o build/libfuzzer/$$n $$f \
	    $(LIB_SRC) $(GEN_SRC:$(BUILD)/%=build/%) $(LDLIBS) || exit 1; done
	@echo "run e.g.: mkdir -p build/fuzz-new && build/libfuzzer/fuzz_json build/fuzz-new tests/fuzz/corpus/fuzz_json -max_total_time=60  (new inputs go to the first folder)"

deps:
	@scripts/deps.sh run

deps-test:
	@scripts/deps.sh test

run: deps
	@$(MAKE) --no-print-directory all
	@scripts/run.sh $(BUILD)/kam

test: deps-test
	@$(MAKE) --no-print-directory all $(BUILD)/unit $(BUILD)/kda_cli $(FUZZ_BIN) $(BUILD)/kam-fault
	@KAM_BUILD=$(BUILD) tests/run.sh

bench: all
	bench/api.sh
	bench/backup.sh

# The web's TypeScript types from the OpenAPI document (web/src/api/schema.d.ts, committed).
web-types: $(BUILD)/kam
	scripts/gen-web-types.sh $(BUILD)/kam

# The long crash soak (tests/soak/README.md): 200 SIGKILL cycles on SQLite and on a throw-away
# PostgreSQL. SOAK_CYCLES=N and SOAK_SEED=X vary it.
SOAK_CYCLES ?= 200
SOAK_SEED   ?= 1
SOAK_ARGS   = --cycles $(SOAK_CYCLES) --seconds-per-cycle 3 --import-lines 4000 --seed $(SOAK_SEED)
soak: deps-test
	@$(MAKE) --no-print-directory all
	python3 tests/soak/crash.py --kam $(BUILD)/kam $(SOAK_ARGS)
	scripts/pg-tmp.sh sh -c 'python3 tests/soak/crash.py --kam "$$0" --dsn "$$KAM_TEST_PG_DSN" $(SOAK_ARGS)' $(BUILD)/kam

check-deps:
	@scripts/check-deps.sh

format:
	clang-format -i $(LIB_SRC) src/main.c $(wildcard src/*/*.h src/*/*/*.h) $(wildcard tests/unit/*.h) $(UNIT_SRC) $(wildcard tests/fuzz/*.c tests/kda/*.c) tools/embed.c

check-format:
	clang-format --dry-run -Werror $(LIB_SRC) src/main.c $(wildcard src/*/*.h src/*/*/*.h) $(wildcard tests/unit/*.h) $(UNIT_SRC) $(wildcard tests/fuzz/*.c tests/kda/*.c) tools/embed.c

clean:
	rm -rf build

.PHONY: all deps deps-test run test bench soak web-types check-deps format check-format clean fuzz FORCE
.DELETE_ON_ERROR:
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

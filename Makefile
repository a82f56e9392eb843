# Lumbung — the single entry point: deps, build, run, test, bench.
#
#   make run          install missing packages, build, start every service on loopback
#   make test         the same set-up, then every unit and system test
#   make test SAN=1   the same suite built with AddressSanitizer + UBSan
#   make bench        benchmarks that print figures (never part of `make test`)
#   make fuzz         libFuzzer targets, FUZZ_SECONDS each, built with clang (`make test` runs
#                     each for FUZZ_SMOKE_SECONDS)
#
# Sources are found by wildcard so that adding a module never means editing this file:
#   common/*.c                     -> libcommon.a (with the generated protobuf code)
#   services/NAME/*.c              -> bin/lumbung-NAME (main.c) + libNAME.a (everything else)
#   tools/NAME.c                   -> bin/NAME
#   tests/unit/test_NAME_*.c       -> a cmocka binary linked with libNAME.a when services/NAME exists
#   tests/unit/test_*.c            -> a cmocka binary linked with libcommon.a

SAN ?= 0
ifeq ($(SAN),1)
BUILD ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD ?= build
SANFLAGS :=
endif

CC      ?= cc
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unused-parameter -MMD -MP \
           -I$(BUILD)/proto -Icommon $(SANFLAGS)
LDFLAGS += $(SANFLAGS)
LDLIBS  := -lzmq -luv -lprotobuf-c -llmdb -lsodium -ljansson -lmicrohttpd -lxlsxwriter -lhpdf -lm -lpthread

DEB_PACKAGES := build-essential pkg-config libzmq3-dev libprotobuf-c-dev protobuf-c-compiler \
                protobuf-compiler liblmdb-dev lmdb-utils libuv1-dev libsodium-dev libjansson-dev \
                libmicrohttpd-dev libcmocka-dev curl python3 python3-pytest python3-zmq \
                python3-protobuf python3-yaml docker-compose libxlsxwriter-dev libhpdf-dev python3-openpyxl poppler-utils fonts-dejavu-core \
                prometheus postgresql

PROTOS      := $(wildcard proto/*.proto)
PROTO_C     := $(patsubst proto/%.proto,$(BUILD)/proto/%.pb-c.c,$(PROTOS))
PROTO_H     := $(PROTO_C:.c=.h)
PROTO_PY    := $(patsubst proto/%.proto,$(BUILD)/py/%_pb2.py,$(PROTOS))
COMMON_SRC  := $(wildcard common/*.c)
COMMON_OBJ  := $(patsubst %.c,$(BUILD)/obj/%.o,$(COMMON_SRC)) $(PROTO_C:.c=.o)
SERVICES    := $(notdir $(wildcard services/*))
SERVICE_BINS:= $(patsubst %,$(BUILD)/bin/lumbung-%,$(SERVICES))
TOOLS       := $(patsubst tools/%.c,$(BUILD)/bin/%,$(wildcard tools/*.c))
UNIT_SRC    := $(wildcard tests/unit/test_*.c)
UNIT_BINS   := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
SYSTEST_BINS:= $(patsubst tests/system/%.c,$(BUILD)/tests/system/%,$(wildcard tests/system/*.c))
BENCH_BINS  := $(patsubst bench/%.c,$(BUILD)/bench/%,$(wildcard bench/*.c))

.PHONY: all deps build run test unit system bench clean fmt
.PHONY: test-long
.DEFAULT_GOAL := all

all: build

# Installs only what is missing; apt-get as root, sudo otherwise. A stamp keeps repeat runs quick.
deps: $(BUILD)/.deps-ok
$(BUILD)/.deps-ok: Makefile
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@mkdir -p $(BUILD) && touch $@

build: deps $(SERVICE_BINS) $(TOOLS) $(UNIT_BINS) $(SYSTEST_BINS) $(PROTO_PY)

$(BUILD)/proto/%.pb-c.c $(BUILD)/proto/%.pb-c.h: proto/%.proto $(BUILD)/.deps-ok
	@mkdir -p $(BUILD)/proto
	protoc-c --c_out=$(BUILD)/proto -Iproto $<

$(BUILD)/py/%_pb2.py: proto/%.proto $(BUILD)/.deps-ok
	@mkdir -p $(BUILD)/py
	protoc --python_out=$(BUILD)/py -Iproto $<

# Every object may include any generated header, so all of them exist before any compile.
$(BUILD)/obj/%.o: %.c | $(PROTO_H)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/proto/%.pb-c.o: $(BUILD)/proto/%.pb-c.c | $(PROTO_H)
	$(CC) $(filter-out -Werror,$(CFLAGS)) -c $< -o $@

$(BUILD)/lib/libcommon.a: $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# libNAME.a holds a service's modules without main.o, so unit tests can link them.
define SERVICE_RULES
$(1)_SRC := $$(filter-out services/$(1)/main.c,$$(wildcard services/$(1)/*.c))
$(1)_OBJ := $$(patsubst %.c,$(BUILD)/obj/%.o,$$($(1)_SRC))
$(BUILD)/lib/lib$(1).a: $$($(1)_OBJ)
	@mkdir -p $$(dir $$@)
	rm -f $$@ && ar rcs $$@ $$^
$(BUILD)/bin/lumbung-$(1): $(BUILD)/obj/services/$(1)/main.o $(BUILD)/lib/lib$(1).a $(BUILD)/lib/libcommon.a
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach s,$(SERVICES),$(eval $(call SERVICE_RULES,$(s))))

# lumbungctl verify reads the transactions books with that service's own store codecs.
$(BUILD)/bin/lumbungctl: $(BUILD)/obj/tools/lumbungctl.o $(BUILD)/lib/libtransactions.a $(BUILD)/lib/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bin/%: $(BUILD)/obj/tools/%.o $(BUILD)/lib/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The integrators' C example (docs/examples/bus_example.c, docs/bus.md): built from the generated
# protobuf code alone, with libzmq and protobuf-c, as an integrator builds it; no libcommon.a.
EXAMPLE_BINS := $(patsubst docs/examples/%.c,$(BUILD)/bin/%,$(wildcard docs/examples/*.c))
build: $(EXAMPLE_BINS)
$(BUILD)/bin/bus_example: $(BUILD)/obj/docs/examples/bus_example.o $(PROTO_C:.c=.o)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lzmq -lprotobuf-c

# test_gateway_json_pb.c links libgateway.a; test_store.c links only libcommon.a.
unit_service = $(firstword $(filter $(SERVICES),$(word 2,$(subst _, ,$(1)))))
.SECONDEXPANSION:
$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $$(if $$(call unit_service,$$*),$(BUILD)/lib/lib$$(call unit_service,$$*).a) $(BUILD)/lib/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

# txseed writes loans into a transactions store with that service's own rules.
$(BUILD)/tests/system/txseed: $(BUILD)/obj/tests/system/txseed.o $(BUILD)/lib/libtransactions.a $(BUILD)/lib/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Helper binaries of the system tests (e.g. testsvc, a bare service built only from common/).
$(BUILD)/tests/system/%: $(BUILD)/obj/tests/system/%.o $(BUILD)/lib/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Test-only protos (tests/unit/testdata/*.proto, e.g. package lumbung_test) are generated into
# $(BUILD)/proto/testdata/ and linked into test_gateway_json_pb alone, never into libcommon.a.
TEST_PROTO_C := $(patsubst tests/unit/testdata/%.proto,$(BUILD)/proto/testdata/%.pb-c.c,\
                $(wildcard tests/unit/testdata/*.proto))
# Keep every intermediate (objects, generated code): no rebuilds and no "rm" noise on each run.
.SECONDARY:
$(BUILD)/proto/testdata/%.pb-c.c $(BUILD)/proto/testdata/%.pb-c.h: tests/unit/testdata/%.proto $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	protoc-c --c_out=$(BUILD)/proto/testdata -Itests/unit/testdata $<
$(BUILD)/obj/tests/unit/test_gateway_json_pb.o: $(TEST_PROTO_C:.c=.h)
$(BUILD)/tests/test_gateway_json_pb: $(TEST_PROTO_C:.c=.o)

$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(BUILD)/lib/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The web interface (docs/web.md). $(BUILD)/web is services/gateway/web/ with a gzip sibling of
# every text file; the gateway loads it into memory at start. The browser tests need Debian's
# nodejs, npm and chromium and the packages pinned by tests/web/package-lock.json; a tool
# already on the PATH counts as installed. Playwright never downloads a browser of its own.
WEB_DEB_PACKAGES := nodejs:node npm:npm chromium:chromium fonts-dejavu-core:fc-list
WEB_SRC := $(shell find services/gateway/web -type f 2>/dev/null)
.PHONY: web
build: web
deps: $(BUILD)/.web-deps-ok
web: $(BUILD)/web/.stamp
$(BUILD)/web/.stamp: $(WEB_SRC)
	rm -rf $(BUILD)/web && mkdir -p $(BUILD)/web && cp -R services/gateway/web/. $(BUILD)/web/
	find $(BUILD)/web -type f \( -name '*.html' -o -name '*.js' -o -name '*.css' -o -name '*.svg' \
	  -o -name '*.json' \) -exec gzip -9 -n -k {} +
	@touch $@
# install_tools PACKAGE:COMMAND...: installs each Debian PACKAGE unless it or COMMAND is there.
define install_tools
	@missing=""; for pc in $(1); do p=$${pc%%:*}; c=$${pc#*:}; \
	  dpkg -s $$p >/dev/null 2>&1 || command -v $$c >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef
$(BUILD)/.web-deps-ok: Makefile tests/web/package.json tests/web/package-lock.json $(BUILD)/.deps-ok
	$(call install_tools,$(WEB_DEB_PACKAGES))
	cd tests/web && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The deployment tests: `kubectl kustomize` renders deploy/k8s (Debian's kubernetes-client; a
# kubectl already on the PATH counts, since the two cannot both own /usr/bin/kubectl), iproute2
# makes the multi-host test's network namespaces, systemd-analyze checks the units.
DEPLOY_DEB_PACKAGES := kubernetes-client:kubectl iproute2:ip systemd:systemd-analyze
deps: $(BUILD)/.deploy-deps-ok
$(BUILD)/.deploy-deps-ok: Makefile $(BUILD)/.deps-ok
	$(call install_tools,$(DEPLOY_DEB_PACKAGES))
	@touch $@

run: build
	@# exec: SIGTERM to make reaches the supervisor itself, which stops every service.
	exec env LUMBUNG_BIN=$(BUILD)/bin deploy/run-local.sh

# The fuzz targets run briefly in every `make test` (FUZZ_SMOKE_SECONDS each, over their seed
# corpus): a parser that crashes on its seeds or on what a few seconds find fails the suite.
test: build fuzz-smoke-build
	LUMBUNG_BUILD=$(BUILD) LUMBUNG_FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_SMOKE_SECONDS=$(FUZZ_SMOKE_SECONDS) tests/run.sh

unit: build
	LUMBUNG_BUILD=$(BUILD) tests/run.sh unit

# The crash suite at length: 100 SIGKILLs under load instead of `make test`'s 10, and the
# fault-injection tests (docs/reliability.md).
test-long: build
	LUMBUNG_BUILD=$(BUILD) LUMBUNG_CRASH_KILLS=100 /usr/bin/python3 -m pytest -p no:cacheprovider \
	  -q -rfEs tests/system/test_crash_suite.py tests/system/test_faults.py
	tail -1 $(BUILD)/test-logs/crash-suite.log

# The LD_PRELOAD shim of the fault-injection tests (tests/fault/faultfs.c; never in a service).
build: $(BUILD)/tests/faultfs.so
$(BUILD)/tests/faultfs.so: tests/fault/faultfs.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -std=c11 -Wall -Wextra -Werror -fPIC -shared -o $@ $< -ldl -lpthread

system: build
	LUMBUNG_BUILD=$(BUILD) tests/run.sh system

bench: build $(BENCH_BINS)
	LUMBUNG_BUILD=$(BUILD) bench/run.sh

# Fuzzing: `make fuzz [FUZZ_SECONDS=60]` builds each libFuzzer
# target tests/fuzz/fuzz_*.c with clang in $(FUZZ_BUILD) (a sub-make with CC=clang, so common/
# and the services it links are instrumented too) and runs it for FUZZ_SECONDS; a crash fails.
# fuzz_NAME_*.c links libNAME.a like the unit tests. clang and its fuzzer runtime are installed
# by fuzz-deps (for `make test` and `make fuzz`). Inputs found go to $(FUZZ_BUILD)/corpus/,
# crashes to crashes/; a crash found becomes a regression input in tests/fuzz/corpus/NAME/.
FUZZ_PACKAGES := clang libclang-rt-dev
FUZZ_SECONDS  ?= 60
FUZZ_BUILD    ?= build-fuzz
FUZZ_SANFLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined \
                 -fno-omit-frame-pointer
FUZZ_NAMES    := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))

FUZZ_SMOKE_SECONDS ?= 5

.PHONY: fuzz fuzz-build fuzz-deps fuzz-smoke-build
fuzz-deps:
	@missing=""; for p in $(FUZZ_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

fuzz-smoke-build: fuzz-deps
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=clang SANFLAGS='$(FUZZ_SANFLAGS)' fuzz-build

fuzz: fuzz-smoke-build
	@for t in $(FUZZ_NAMES); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$t $(FUZZ_BUILD)/crashes; \
	  echo "fuzz $$t for $(FUZZ_SECONDS) s"; \
	  $(FUZZ_BUILD)/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_BUILD)/crashes/$$t- $(FUZZ_BUILD)/corpus/$$t \
	    $$(ls -d tests/fuzz/corpus/$$t 2>/dev/null) 2>$(FUZZ_BUILD)/$$t.log || \
	    { tail -40 $(FUZZ_BUILD)/$$t.log; exit 1; }; \
	  grep -E '^stat::(number_of_executed_units|new_units_added)' $(FUZZ_BUILD)/$$t.log; \
	done

fuzz-build: $(patsubst %,$(BUILD)/fuzz/%,$(FUZZ_NAMES))
$(BUILD)/fuzz/%: $(BUILD)/obj/tests/fuzz/%.o $$(if $$(call unit_service,$$*),$(BUILD)/lib/lib$$(call unit_service,$$*).a) $(BUILD)/lib/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# Spoor's front door. `make run` and `make test` set up everything from zero.
BUILD_DIR ?= build
JOBS ?= 2
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo
SPOOR_FLAGS ?=
FUZZ_SECONDS ?= 300

# Let ccache reuse objects across clones in other folders (CI builds a
# fresh clone each time): paths are hashed relative to the checkout.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

.PHONY: all setup configure build ui run test unit integration install demo bench bench-embedded bench-e2e bench-clickhouse bench-query bench-scale-out fuzz fmt lint clean

all: build

setup:
	@scripts/setup.sh

$(BUILD_DIR)/build.ninja:
	@cmake -S . -B $(BUILD_DIR) -G Ninja $(CMAKE_FLAGS) >/dev/null

configure: setup $(BUILD_DIR)/build.ninja

build: configure
	@ninja -C $(BUILD_DIR) -j $(JOBS)

# The web UI (ui/dist, served by spoor on 16686), rebuilt only when one of
# its sources is newer than the last build.
UI_SOURCES := $(shell find ui/src ui/public -type f 2>/dev/null) \
  $(wildcard ui/index.html ui/package.json ui/package-lock.json ui/vite.config.ts ui/tsconfig*.json)

ui: ui/dist/index.html

ui/dist/index.html: $(UI_SOURCES) | setup
	@echo "ui: npm run build"
	@cd ui && npm run build --silent
	@touch $@

run: build ui
	$(BUILD_DIR)/src/spoor all-in-one $(SPOOR_FLAGS)

# HotROD in C++ (client/cpp/examples/hotrod): spoor on the memory store and
# the four traced services; Ctrl-C stops both.
HOTROD_PORT ?= 8080
demo: build ui
	@echo "HotROD:  http://127.0.0.1:$(HOTROD_PORT)/   (click a customer)"
	@echo "Spoor:   http://127.0.0.1:16686/"
	@trap 'kill 0' INT TERM EXIT; \
	  $(BUILD_DIR)/src/spoor all-in-one --span-storage.type=memory $(SPOOR_FLAGS) & \
	  $(BUILD_DIR)/client/cpp/spoor_hotrod $(HOTROD_PORT) http://127.0.0.1:4318/v1/traces & \
	  wait

# The C++ tracer library, its headers, pkg-config file and CMake package
# (docs/client-cpp.md) under PREFIX.
PREFIX ?= /usr/local
install: build
	@cmake --install $(BUILD_DIR) --prefix $(PREFIX) --component tracer

# The fuzz targets build in a configuration of their own (clang, sanitizers,
# build-fuzz/); `make test` runs each of them briefly.
test: build ui
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)
	@scripts/fuzz.sh 10

unit: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -L unit

integration: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -L integration

bench: build
	@$(BUILD_DIR)/bench/spoor_bench --benchmark_min_time=0.5
	@$(MAKE) --no-print-directory bench-embedded
	@$(MAKE) --no-print-directory bench-e2e

# End-to-end ingest (docs/performance.md): spoor with memory, then embedded
# storage, driven by tracegen over every protocol; the table is printed and
# appended to bench/RESULTS.md.
# BENCH_PROTOCOLS / BENCH_STORAGES narrow the runs (comma-separated);
# BENCH_SPOOR_FLAGS adds spoor flags, e.g. --config-file=bench/tail-sampling.yaml;
# BENCH_TRACEGEN_FLAGS tracegen's, e.g. --sampler-tags (docs/performance.md).
BENCH_SECONDS ?= 10
BENCH_CONNECTIONS ?= 2
BENCH_PROTOCOLS ?= otlp-grpc,otlp-http,otlp-http-json,jaeger-udp,jaeger-http,zipkin
BENCH_STORAGES ?= memory,embedded
BENCH_SPOOR_FLAGS ?=
BENCH_TRACEGEN_FLAGS ?=
bench-e2e: build
	@node bench/e2e.mjs --build=$(BUILD_DIR) --seconds=$(BENCH_SECONDS) \
	  --connections=$(BENCH_CONNECTIONS) --protocols=$(BENCH_PROTOCOLS) \
	  --storages=$(BENCH_STORAGES) $(if $(BENCH_SPOOR_FLAGS),--spoor-flags=$(BENCH_SPOOR_FLAGS)) \
	  $(if $(BENCH_TRACEGEN_FLAGS),--tracegen-flags=$(BENCH_TRACEGEN_FLAGS)) \
	  --append=bench/RESULTS.md

# End-to-end figures of the embedded store (bench/RESULTS.md): 1 M spans
# written with sync_writes off, then queried; then BENCH_SYNC_SPANS written
# with sync_writes on. The stores live in a temporary directory ($TMPDIR).
BENCH_SPANS ?= 1000000
BENCH_SYNC_SPANS ?= 200000
bench-embedded: configure
	@ninja -C $(BUILD_DIR) -j $(JOBS) spoor_embedded_bench
	@dir=$$(mktemp -d) && trap 'rm -rf "$$dir"' EXIT && \
	  $(BUILD_DIR)/bench/spoor_embedded_bench --spans=$(BENCH_SPANS) --dir=$$dir/store && \
	  rm -rf "$$dir/store" && \
	  $(BUILD_DIR)/bench/spoor_embedded_bench --spans=$(BENCH_SYNC_SPANS) --sync --write-only \
	    --dir=$$dir/store-sync

# The ClickHouse backend's figures (docs/storage-clickhouse.md): a local
# ClickHouse loaded through spoor by tracegen; ingest cost, bytes per span
# on disk, query latency at BENCH_CLICKHOUSE_SPANS spans. Appended to
# bench/RESULTS.md.
BENCH_CLICKHOUSE_SPANS ?= 10000000
bench-clickhouse: build
	@node bench/clickhouse.mjs --build=$(BUILD_DIR) --spans=$(BENCH_CLICKHOUSE_SPANS) \
	  --append=bench/RESULTS.md

# The query language's figures (docs/performance.md, "Query language"):
# BENCH_QUERY_SPANS spans in the embedded store and in ClickHouse, filtered
# searches and the GetTrace of a 10,008-span trace over HTTP and gRPC.
BENCH_QUERY_SPANS ?= 10000000
bench-query: build
	@node bench/query_language.mjs --build=$(BUILD_DIR) --spans=$(BENCH_QUERY_SPANS) \
	  --append=bench/RESULTS.md

# The scale-out topology's figures (docs/deployment.md, (c)): NATS JetStream
# and a ClickHouse server on free loopback ports; a collector into the stream
# at full speed for BENCH_SCALE_OUT_SECONDS, one ingester draining it, then
# BENCH_SCALE_OUT_RATE spans/s through one and two ingesters (CPU per span,
# delay, stream depth). Appended to bench/RESULTS.md.
BENCH_SCALE_OUT_SECONDS ?= 15
BENCH_SCALE_OUT_RATE ?= 20000
bench-scale-out: build
	@node bench/scale_out.mjs --build=$(BUILD_DIR) --seconds=$(BENCH_SCALE_OUT_SECONDS) \
	  --rate=$(BENCH_SCALE_OUT_RATE) --append=bench/RESULTS.md

fuzz: setup
	@scripts/fuzz.sh $(FUZZ_SECONDS)

fmt:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

lint: configure
	@git ls-files 'src/*.cc' 'tools/*.cc' | xargs clang-tidy -p $(BUILD_DIR) --quiet

clean:
	rm -rf $(BUILD_DIR) build-fuzz ui/dist

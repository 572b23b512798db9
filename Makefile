# Thin wrapper around CMake for people who just want it to work.
#   make setup   install system packages (Debian 12)
#   make build   configure + build (RelWithDebInfo) into build/
#   make test    setup + build + ctest
#   make demo    setup + build + run the demo (KEEP=1: keep it running for the web app)
#   make asan    ASan/UBSan build + tests into build-asan/
#   make tsan    ThreadSanitizer build of the concurrent parts + their tests into build-tsan/
#   make fuzz    libFuzzer harnesses (clang-14) into build-fuzz/, each run SECONDS (default 60)
#   make fuzz-smoke  every harness's seeds + 3 s of fuzzing each (not part of make test yet)
#   make bench   run the benchmarks
#   make fault-matrix-table  run the fault matrix and write its table into docs/reliability.md
#   make package the Debian package (CPack) into build/package/
#   make soak    10 minutes of load on disputed serve with the three connectors and their sandboxes

BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CMAKE_BUILD_TYPE ?= RelWithDebInfo

.PHONY: all setup configure build test demo asan tsan fuzz fuzz-smoke bench fault-matrix-table package soak format clean

all: build

setup:
	@bash scripts/setup.sh

$(BUILD_DIR)/CMakeCache.txt:
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(CMAKE_BUILD_TYPE)

configure: $(BUILD_DIR)/CMakeCache.txt

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: setup
	$(MAKE) build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 600

# The demo needs the engine, the sandboxes, the three plugins and the smtp transport, not the tests.
DEMO_TARGETS = disputed disputed-sandbox zendesk salesforce msgraph smtp

demo: setup configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target $(DEMO_TARGETS)
	python3 scripts/demo.py . $(BUILD_DIR) $(if $(KEEP),--keep)

asan: setup
	cmake --preset asan
	cmake --build --preset asan -j $(JOBS)
	ctest --preset asan -j $(JOBS)

tsan: setup
	bash scripts/tsan.sh

SECONDS ?= 60
fuzz: setup
	bash scripts/fuzz.sh --seconds $(SECONDS) $(HARNESSES)

fuzz-smoke: setup
	bash scripts/fuzz.sh --smoke

bench: setup
	$(MAKE) build
	$(BUILD_DIR)/bin/disputed-bench-registration
	$(BUILD_DIR)/bin/disputed-bench-reports --disputes 100000
	$(BUILD_DIR)/bin/disputed-bench-sync
	$(BUILD_DIR)/bin/disputed-bench-messages --disputes 1000
	$(BUILD_DIR)/bin/zendesk_poll_bench
	$(BUILD_DIR)/bin/salesforce_poll_bench
	$(BUILD_DIR)/bin/msgraph_poll_bench 10000
	bash bench/api_bench.sh $(BUILD_DIR) 20

fault-matrix-table: build
	rm -rf $(BUILD_DIR)/fault_matrix
	cd $(BUILD_DIR) && ctest -R 'FaultMatrix\.' -j $(JOBS) --output-on-failure
	python3 scripts/fault_matrix.py --write --rows $(BUILD_DIR)/fault_matrix --doc docs/reliability.md

# The package holds the binary and the plugins (packaging/Packaging.cmake): only they are built.
PACKAGE_TARGETS = disputed zendesk zendesk_oauth salesforce msgraph smtp
package: setup configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target $(PACKAGE_TARGETS)
	cd $(BUILD_DIR) && cpack -G DEB

MINUTES ?= 10
soak: setup configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target $(DEMO_TARGETS)
	nice -n 10 bash bench/soak.sh --connectors $(BUILD_DIR) $(MINUTES)

format:
	git ls-files '*.cpp' '*.hpp' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) build-asan build-tsan build-fuzz

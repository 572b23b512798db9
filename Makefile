# Thin wrapper around CMake for people who just want it to work.
#   make setup   install system packages (Debian 12)
#   make build   configure + build (RelWithDebInfo) into build/
#   make test    setup + build + ctest
#   make demo    setup + build + run the demo
#   make asan    ASan/UBSan build + tests into build-asan/
#   make bench   run the benchmarks

BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CMAKE_BUILD_TYPE ?= RelWithDebInfo

.PHONY: all setup configure build test demo asan bench format clean

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

demo: setup
	$(MAKE) build
	python3 scripts/demo.py . $(BUILD_DIR)

asan: setup
	cmake --preset asan
	cmake --build --preset asan -j $(JOBS)
	ctest --preset asan -j $(JOBS)

bench: setup
	$(MAKE) build
	$(BUILD_DIR)/bin/disputed-bench-registration
	$(BUILD_DIR)/bin/disputed-bench-reports --disputes 100000
	bash bench/api_bench.sh $(BUILD_DIR) 20

format:
	find core tests bench sdk plugins -name '*.cpp' -o -name '*.hpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) build-asan

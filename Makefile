# The README's two commands live here: `make demo` and `make test`. Everything else is a thin
# wrapper over CMake (one build for everything; see CMakeLists.txt).

MAKEFLAGS += --no-print-directory
JOBS  ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE ?= cmake
REL   := build/release
ASAN  := build/asan
TSAN  := build/tsan
FUZZ  := build/fuzz
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 5
PREFIX ?= /usr/local

.PHONY: all deps build build-asan build-tsan build-fuzz test test-release test-asan test-tsan \
        test-fuzz demo install fuzz bench format clean

all: build

deps:
	@deploy/install-deps.sh

build: deps
	@$(CMAKE) -S . -B $(REL) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@$(CMAKE) --build $(REL) -j $(JOBS)

build-asan: deps
	@$(CMAKE) -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHALE_SANITIZE=ON >/dev/null
	@$(CMAKE) --build $(ASAN) -j $(JOBS)

build-tsan: deps
	@$(CMAKE) -S . -B $(TSAN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHALE_TSAN=ON >/dev/null
	@$(CMAKE) --build $(TSAN) -j $(JOBS)

# The libFuzzer targets, built with clang (with ASan+UBSan and the fuzzer's coverage), and only
# them and what they link.
build-fuzz: deps
	@CC=clang $(CMAKE) -S . -B $(FUZZ) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHALE_FUZZ=ON >/dev/null
	@$(CMAKE) --build $(FUZZ) -j $(JOBS) --target hale_fuzz_targets

# Release and ASan+UBSan run every test; the TSan build runs the tests labelled `thread`; every
# fuzz target runs FUZZ_SMOKE_SECONDS from its kept corpus (a crash fails the run).
test: build build-asan build-tsan build-fuzz
	@$(MAKE) --no-print-directory test-release test-asan test-tsan test-fuzz

test-release:
	@echo "== tests: release build"
	@cd $(REL) && ctest --output-on-failure -j $(JOBS)

test-asan:
	@echo "== tests: ASan+UBSan build"
	@cd $(ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS)

test-tsan:
	@echo "== tests: TSan build (label: thread)"
	@cd $(TSAN) && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$(CURDIR)/tests/tsan.supp \
	    ctest --output-on-failure -j $(JOBS) -L thread

test-fuzz:
	@echo "== tests: fuzz targets (clang), $(FUZZ_SMOKE_SECONDS)s each"
	@tests/fuzz/run-fuzzers.sh --smoke $(FUZZ) $(FUZZ_SMOKE_SECONDS)

demo: build
	@examples/demo.sh $(REL)

install: build
	@$(CMAKE) --install $(REL) --prefix $(PREFIX)

# Runs every libFuzzer target for FUZZ_SECONDS each; new crashers land in build/fuzz/findings.
fuzz: build-fuzz
	@tests/fuzz/run-fuzzers.sh $(FUZZ) $(FUZZ_SECONDS)

bench: build
	@deploy/install-deps.sh --bench
	@tests/bench/run.sh $(REL)

format:
	@git ls-files '*.c' '*.h' | xargs clang-format -i

clean:
	rm -rf build

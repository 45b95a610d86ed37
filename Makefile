# Tessera: the two commands of README.md.
#   make run   installs missing Debian packages, builds, runs examples/dispatch.tsr through tsr
#   make test  the same set-up, then every test through CTest
BUILD ?= build
JOBS  ?= 2

.PHONY: all deps configure build run test bench fuzz clean

all: build

deps:
	@scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release > $(BUILD).configure.log 2>&1 \
	  || { cat $(BUILD).configure.log; exit 1; }

build: configure
	@cmake --build $(BUILD) -j$(JOBS)

run: build
	@$(BUILD)/dsl/tsr run examples/dispatch.tsr

test: build
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

bench: build
	@$(BUILD)/bench/bench_dispatch
	@bench/lang/run.sh $(BUILD)
	@bench/kernels/run.sh $(BUILD)

# The parser fuzzer (clang + libFuzzer), 60 seconds by default: make fuzz SECONDS=600
fuzz:
	@tests/fuzz/run.sh $(or $(SECONDS),60)

clean:
	rm -rf $(BUILD) $(BUILD).configure.log

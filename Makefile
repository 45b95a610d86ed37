# Tessera: the two commands of README.md.
#   make run   installs missing Debian packages, builds, runs the flagship example
#   make test  the same set-up, then every test through CTest
BUILD ?= build
JOBS  ?= 2

.PHONY: all deps configure build run test bench clean

all: build

deps:
	@scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release > $(BUILD).configure.log 2>&1 \
	  || { cat $(BUILD).configure.log; exit 1; }

build: configure
	@cmake --build $(BUILD) -j$(JOBS)

run: build
	@$(BUILD)/examples/extend_dispatch

test: build
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

bench: build
	@$(BUILD)/bench/bench_dispatch

clean:
	rm -rf $(BUILD) $(BUILD).configure.log

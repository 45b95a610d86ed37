# Tessera: the two commands of README.md.
#   make run   installs missing Debian packages, builds, trains the Fashion-MNIST MLP (examples/train_fashion_mnist.tsr)
#   make test  the same set-up, then every test through CTest
#   make sanitize  the whole suite under AddressSanitizer + UBSan (+ LeakSanitizer), Debug build
BUILD ?= build
SANITIZE_BUILD ?= build-sanitize
JOBS  ?= 2

.PHONY: all deps configure build run test bench fuzz sanitize clean

all: build

deps:
	@scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release > $(BUILD).configure.log 2>&1 \
	  || { cat $(BUILD).configure.log; exit 1; }

build: configure
	@cmake --build $(BUILD) -j$(JOBS)

run: build
	@$(BUILD)/dsl/tsr run examples/train_fashion_mnist.tsr

test: build
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

bench: build
	@$(BUILD)/bench/bench_dispatch
	@bench/lang/run.sh $(BUILD)
	@bench/kernels/run.sh $(BUILD)
	@bench/data/run.sh $(BUILD)
	@bench/train/run.sh $(BUILD)
	@$(BUILD)/dsl/tsr run bench/train/cnn_step.tsr

# Every test under -fsanitize=address,undefined; any report fails its test. Suppressions:
# tests/sanitize/ (third-party code only, each one explained there). -O1 as AddressSanitizer
# recommends: at -O0 the tensor tests ran past 15 minutes each. intercept_tls_get_addr=0: the
# sanitizer runtimes on Debian 12 (GCC 12's libasan, clang 14's) guess where a dlopen'd
# library's thread-local block lies from a header glibc no longer writes, and when a block
# lands 16 bytes into a page LeakSanitizer scans a made-up range and crashes at exit (LLVM
# fixed the guess in 17). Without the interception it does not scan those blocks at all, which
# can only add leak reports (fewer roots), never hide one.
sanitize: deps
	@cmake -S . -B $(SANITIZE_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
	  -DTESSERA_SANITIZE=ON > $(SANITIZE_BUILD).configure.log 2>&1 \
	  || { cat $(SANITIZE_BUILD).configure.log; exit 1; }
	@cmake --build $(SANITIZE_BUILD) -j$(JOBS)
	@cd $(SANITIZE_BUILD) && TSR_TEST_TIMEOUT=900 \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1:intercept_tls_get_addr=0 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/sanitize/lsan.supp:print_suppressions=0 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j$(JOBS) --timeout 900

# Both fuzzers (clang + libFuzzer + ASan + UBSan): the parser, then whole programs through
# lowering, inference and code generation; 60 seconds each by default: make fuzz SECONDS=1800
fuzz:
	@tests/fuzz/run.sh $(or $(SECONDS),60)
	@tests/fuzz/run_programs.sh $(or $(SECONDS),60)

clean:
	rm -rf $(BUILD) $(BUILD).configure.log $(SANITIZE_BUILD) $(SANITIZE_BUILD).configure.log

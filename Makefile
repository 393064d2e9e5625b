# Two entry points for a fresh Debian machine (run as root): `make demo` and `make test`.
# Each installs the Debian packages it needs when they are missing, then configures and builds.
BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?=
PACKAGES := cmake g++ make libyaml-dev libeigen3-dev libgsl-dev libfmt-dev libcli11-dev libgtest-dev libbenchmark-dev libcurl4-openssl-dev libcpp-httplib-dev pkg-config

.PHONY: deps browser configure build demo test bench fuzz clean

deps:
	@missing=""; for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) || \
	  { echo "could not install:$$missing (run as root, or install them yourself)"; exit 1; }; fi

# The HTML report test renders in Debian's Chromium; without it that one test is skipped.
browser:
	@command -v chromium >/dev/null 2>&1 || { echo "installing chromium (for the HTML report test)"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 || \
	  echo "could not install chromium: the browser test will be skipped"; }

configure: deps
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j$(JOBS)

demo: build
	./$(BUILD)/cli/ridgeline predict --hardware m4-max-40c --memory 64 --model llama-3.1-8b --quant q4_k_m --runtime llama.cpp-metal --prompt 8192 --gen 512
	./$(BUILD)/cli/ridgeline chunk --hardware m4-max-32c --memory 36 --model gemma-4-26b-a4b --quant mlx-3bit --runtime mlx --context 131072

test: build browser
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

bench: deps
	@cmake -S . -B $(BUILD)-bench -DCMAKE_BUILD_TYPE=Release -DRIDGELINE_BENCH=ON >/dev/null
	@cmake --build $(BUILD)-bench -j$(JOBS) --target ridgeline_bench
	./$(BUILD)-bench/bench/ridgeline_bench

# libFuzzer over every parser for FUZZ_SECONDS, seeded with the bad-input corpus and fixtures;
# crashers are written to fuzz/crashers/ (keep them as regression cases in tests/bad_inputs).
FUZZ_SECONDS ?= 120
fuzz: deps
	@command -v clang++ >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang)
	@cmake -S . -B $(BUILD)-fuzz -DCMAKE_CXX_COMPILER=clang++ -DRIDGELINE_FUZZ=ON >/dev/null
	@cmake --build $(BUILD)-fuzz -j$(JOBS) --target ridgeline_fuzz
	@mkdir -p fuzz/crashers $(BUILD)-fuzz/corpus
	@python3 fuzz/seed_corpus.py $(BUILD)-fuzz/corpus
	./$(BUILD)-fuzz/fuzz/ridgeline_fuzz -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	  -artifact_prefix=fuzz/crashers/ $(BUILD)-fuzz/corpus

clean:
	rm -rf $(BUILD) $(BUILD)-bench $(BUILD)-fuzz

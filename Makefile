# segscore — every task is one make target. `make demo` and `make test` work on a fresh Debian
# machine with Swift: `deps` installs the system libraries only when pkg-config cannot find them.

SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := libpng-dev libtiff-dev libdeflate-dev pkg-config
BIN := .build/debug/segscore
DEMO_OUT := out/demo

.PHONY: deps build release test demo check lint format fixtures clean bench bench-baseline bench-memory sanitize diff-decoders diff-seeds

deps:
	@if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists libpng libtiff-4 libdeflate; then \
		echo "deps: libpng $$(pkg-config --modversion libpng), libtiff $$(pkg-config --modversion libtiff-4), libdeflate $$(pkg-config --modversion libdeflate) found"; \
	else \
		echo "deps: installing $(APT_PACKAGES)"; \
		$(SUDO) apt-get update && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(APT_PACKAGES); \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

test: deps
	$(SWIFT) test

# The whole test suite under AddressSanitizer, then ThreadSanitizer (own build folders).
sanitize: deps
	LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/Sanitizers/lsan.supp $(SWIFT) test --sanitize=address --scratch-path .build-asan
	$(SWIFT) test --sanitize=thread --scratch-path .build-tsan

# Warnings are errors, in the products and in the tests (own build folder, so `make test` keeps its cache).
check: deps
	$(SWIFT) build --build-tests -Xswiftc -warnings-as-errors --scratch-path .build-check

# The house format (.swift-format; Tests/.swift-format for tests): `make lint` checks, `make format` rewrites.
lint:
	$(SWIFT) format lint --strict --recursive --parallel Sources Tests Package.swift

format:
	$(SWIFT) format format --in-place --recursive --parallel Sources Tests Package.swift

# The demo: ISBI 2012 membrane labels turned into 4 classes, against synthetic predictions.
DEMO_ARGS := Fixtures/demo/gt Fixtures/demo/pred --labels Fixtures/demo/labels.json

demo: build
	@mkdir -p $(DEMO_OUT)
	$(BIN) evaluate $(DEMO_ARGS) --json $(DEMO_OUT)/report.json --csv $(DEMO_OUT)/per-image.csv \
		--summary-csv $(DEMO_OUT)/per-class.csv
	@echo
	@echo "demo: reports written to $(DEMO_OUT)/: report.json, per-image.csv, per-class.csv"

# The benchmark: release build, the C decode-only baseline of Benchmarks/decode_limit (plain
# libpng and libtiff, the libraries segscore links, nothing else), then segscore-bench on a
# generated PNG dataset (BENCH_ARGS) and a TIFF one (BENCH_TIFF_ARGS; empty to skip): alternated
# runs of (a) the C loop, (b) evaluate with the PNG fast path, (c) evaluate forced onto libpng.
BENCH_ARGS ?=
BENCH_TIFF_ARGS ?= --format tiff --pairs 500
DECODE_LIMIT := out/bench/decode_limit

$(DECODE_LIMIT): Benchmarks/decode_limit/decode_limit.c
	@mkdir -p $(@D)
	$(CC) -O2 -Wall -std=c11 -o $@ $< $$(pkg-config --cflags --libs libpng libtiff-4) -lpthread

bench-baseline: deps $(DECODE_LIMIT)

bench: release bench-baseline
	.build/release/segscore-bench --c-baseline $(DECODE_LIMIT) $(BENCH_ARGS)
	@if [ -n "$(strip $(BENCH_TIFF_ARGS))" ]; then \
		echo; .build/release/segscore-bench --c-baseline $(DECODE_LIMIT) $(BENCH_TIFF_ARGS); fi

# Memory: peak RSS of `segscore evaluate` on 2,000 and on 20,000 generated pairs (about 180 MB of
# PNGs in the temporary folder, kept for the next run), and their ratio.
bench-memory: release
	.build/release/segscore-bench --memory --pairs 2000 $(BENCH_ARGS)

# Regenerates the synthetic decoder fixtures (Fixtures/png, Fixtures/tiff, Fixtures/bad).
fixtures: deps
	cc -O2 -Wall -o Fixtures/generator/make_fixtures Fixtures/generator/make_fixtures.c \
		$$(pkg-config --cflags --libs libpng libtiff-4) -lz
	Fixtures/generator/make_fixtures Fixtures
	cc -O2 -Wall -o Fixtures/generator/make_demo Fixtures/generator/make_demo.c $$(pkg-config --cflags --libs libpng)
	Fixtures/generator/make_demo Fixtures

clean:
	rm -rf .build out Fixtures/generator/make_fixtures Fixtures/generator/make_demo

# Fuzzing the C shim with libFuzzer (clang, ASan + UBSan). Corpora grow in out/fuzz/; the seeds
# are in Fixtures/fuzz/. FUZZ_SECONDS per harness.
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-ISources/CMaskCodecs/include -ISources/CMaskCodecs
CODEC_SOURCES := Sources/CMaskCodecs/cmask.c Sources/CMaskCodecs/png_decode.c Sources/CMaskCodecs/png_fast.c \
	Sources/CMaskCodecs/tiff_decode.c Sources/CMaskCodecs/nifti_decode.c
CODEC_LIBS = $$(pkg-config --libs libpng libtiff-4 libdeflate) -lz
FUZZ_SOURCES := Tests/Fuzz/decode_fuzz.c $(CODEC_SOURCES)

.PHONY: fuzz fuzz-build
fuzz-build: deps
	@mkdir -p out/fuzz
	$(FUZZ_CC) $(FUZZ_FLAGS) -DFUZZ_PNG $(FUZZ_SOURCES) -o out/fuzz/png_fuzz $(CODEC_LIBS) 2>/dev/null
	$(FUZZ_CC) $(FUZZ_FLAGS) -DFUZZ_TIFF $(FUZZ_SOURCES) -o out/fuzz/tiff_fuzz $(CODEC_LIBS) 2>/dev/null
	$(FUZZ_CC) $(FUZZ_FLAGS) -DFUZZ_NIFTI $(FUZZ_SOURCES) -o out/fuzz/nifti_fuzz $(CODEC_LIBS) 2>/dev/null
	$(FUZZ_CC) $(FUZZ_FLAGS) -DFUZZ_PNG_DIFF $(FUZZ_SOURCES) -o out/fuzz/png-diff_fuzz $(CODEC_LIBS) 2>/dev/null

fuzz: fuzz-build
	@for h in png tiff nifti png-diff; do \
		mkdir -p out/fuzz/$$h-corpus out/fuzz/$$h-crashes; \
		echo "fuzz: $$h for $(FUZZ_SECONDS) s"; \
		out/fuzz/$${h}_fuzz -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
			-artifact_prefix=out/fuzz/$$h-crashes/ -print_final_stats=1 \
			out/fuzz/$$h-corpus Fixtures/fuzz/$${h%-diff} 2>&1 | grep -E "^(#|stat::|==|SUMMARY|Done|png_diff)" | tail -12 || exit 1; \
	done

# The differential harness alone: every input through the PNG fast path and libpng, trapping on
# any difference (FUZZ_SECONDS=600 for the 10-minute run). Its corpus grows in out/fuzz/png-diff-corpus;
# `make diff-seeds` first adds 500 generated variants (split IDATs, ancillary chunks, …) as seeds.
.PHONY: fuzz-png-diff
fuzz-png-diff: fuzz-build
	@mkdir -p out/fuzz/png-diff-corpus out/fuzz/png-diff-crashes
	out/fuzz/png-diff_fuzz -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
		-artifact_prefix=out/fuzz/png-diff-crashes/ -print_final_stats=1 \
		out/fuzz/png-diff-corpus Fixtures/fuzz/png Fixtures/fuzz/regression/png $$(ls -d out/diff/seeds 2>/dev/null) 2>&1 \
		| grep -E "^(#|stat::|==|SUMMARY|Done|png_diff)" | tail -20

diff-seeds: deps
	@mkdir -p out/diff/seeds
	$(MAKE) diff-decoders DIFF_COUNT=500 DIFF_FLAGS="-w out/diff/seeds"

# The two PNG decoders against each other on DIFF_COUNT generated variants (every filter type,
# odd widths, 1-pixel images, split IDAT chunks, ancillary chunks, bad CRCs, truncations, …) and
# on every fixture and fuzz-corpus PNG: identical samples or identical refusal (ASan + UBSan).
DIFF_COUNT ?= 20000
diff-decoders: deps
	@mkdir -p out/diff
	$(CC) -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -std=gnu11 -Wall \
		-ISources/CMaskCodecs/include -ISources/CMaskCodecs -ISources/CMaskTestCodecs/include \
		$$(pkg-config --cflags libpng libtiff-4) Tests/Fuzz/diff_decoders.c Sources/CMaskTestCodecs/png_variants.c \
		$(CODEC_SOURCES) -o out/diff/diff_decoders $(CODEC_LIBS)
	out/diff/diff_decoders -n $(DIFF_COUNT) -o out/diff $(DIFF_FLAGS) $$(find Fixtures -name '*.png' -type f) \
		Fixtures/fuzz/regression/png/*

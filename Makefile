# segscore — every task is one make target. `make demo` and `make test` work on a fresh Debian
# machine with Swift: `deps` installs the system libraries only when pkg-config cannot find them.

SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := libpng-dev libtiff-dev libdeflate-dev pkg-config
BIN := .build/debug/segscore
DEMO_OUT := out/demo

.PHONY: deps build release test demo check lint format fixtures clean bench bench-baseline bench-memory bench-surface bench-nifti sanitize \
	browser-check dist dist-check wheel wheel-check action-check examples-check slurm-check shards-check diff-decoders diff-seeds

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

# TEST_FLAGS: extra `swift test` flags; CI runs the suite on the `make check` build with
# TEST_FLAGS="--skip-build --scratch-path .build-check" (one debug build, not two).
TEST_FLAGS ?=
test: deps
	$(SWIFT) test $(TEST_FLAGS)

# Shards at scale: 2,000 generated pairs scored unsharded and as 1…7 shards merged (evaluate
# --shard I/N --partial, segscore merge); every report, the summary and the exit code must be
# byte-identical. Not part of `make test` (it takes minutes).
shards-check: deps
	SEGSCORE_SHARDS_CHECK=1 $(SWIFT) test --filter ShardScaleCheck

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
		--summary-csv $(DEMO_OUT)/per-class.csv --html $(DEMO_OUT)/report.html --overlays $(DEMO_OUT)/overlays \
		--confusion-csv $(DEMO_OUT)/confusion.csv
	@echo
	@echo "demo: reports written to $(DEMO_OUT)/: report.json, per-image.csv, per-class.csv, report.html, overlays/, confusion.csv"

# The HTML report in a real browser: installs Debian's chromium when it is not on PATH, then loads
# the demo's report and one of 2,000 generated pairs headless (no console message, the page's
# script ran, a screenshot that is not blank). The demo's screenshot is kept as docs/images/report.png.
browser-check: build
	@if ! command -v chromium >/dev/null 2>&1; then \
		echo "browser-check: installing chromium"; \
		$(SUDO) apt-get update && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; \
	fi
	@mkdir -p docs/images
	SEGSCORE_SCREENSHOT=$(CURDIR)/docs/images/report.png $(SWIFT) test --filter BrowserCheckTests

# The benchmark: release build, the C decode-only baseline of Benchmarks/decode_limit (plain
# libpng and libtiff, the libraries segscore links, nothing else), then segscore-bench on a
# generated PNG dataset (BENCH_ARGS) and TIFF ones (BENCH_TIFF_ARGS, once per compression in
# BENCH_TIFF_COMPRESSIONS; empty to skip): alternated runs of (a) the C loop, (b) evaluate with the
# fast path, (c) evaluate forced onto libpng or libtiff.
BENCH_ARGS ?=
BENCH_TIFF_ARGS ?= --format tiff --pairs 500
BENCH_TIFF_COMPRESSIONS ?= lzw deflate
DECODE_LIMIT := out/bench/decode_limit

$(DECODE_LIMIT): Benchmarks/decode_limit/decode_limit.c
	@mkdir -p $(@D)
	$(CC) -O2 -Wall -std=c11 -o $@ $< $$(pkg-config --cflags --libs libpng libtiff-4) -lpthread

bench-baseline: deps $(DECODE_LIMIT)

bench: release bench-baseline
	.build/release/segscore-bench --c-baseline $(DECODE_LIMIT) $(BENCH_ARGS)
	@if [ -n "$(strip $(BENCH_TIFF_ARGS))" ]; then for c in $(BENCH_TIFF_COMPRESSIONS); do \
		echo; .build/release/segscore-bench --c-baseline $(DECODE_LIMIT) $(BENCH_TIFF_ARGS) --tiff-compression $$c || exit 1; \
	done; fi

# The NIfTI benchmark: 200 generated 128x256x256 uint8 .nii.gz pairs in nnU-Net's layout (about
# 3.2 GB once inflated; NIFTI_BENCH_ARGS="--pairs 50" for fewer), timed alternately: segscore
# evaluate --variant nnunet-eval, the C loop that only inflates the same files (Benchmarks/gunzip_limit:
# libdeflate's gzip call, segscore's own gunzip with -f, zlib with -z), and nnunetv2 2.8.1's compute_metrics_on_folder (SimpleITK reader, its
# default processes) from the virtual environment PEERS_VENV, created here when absent (nnunetv2
# and a CPU torch: a large download; not part of `make test` or CI).
NIFTI_BENCH_ARGS ?=
PEERS_VENV ?= $(abspath ../peers-venv)
GUNZIP_LIMIT := out/bench/gunzip_limit

$(GUNZIP_LIMIT): Benchmarks/gunzip_limit/gunzip_limit.c Sources/CMaskCodecs/crc32_fold.c Sources/CMaskCodecs/crc32_count.c
	@mkdir -p $(@D)
	$(CC) -O2 -Wall -std=c11 -ISources/CMaskCodecs/include -ISources/CMaskCodecs -o $@ $^ -ldeflate -lz -lpthread

$(PEERS_VENV)/bin/nnUNetv2_evaluate_folder:
	Benchmarks/nnunet_folder/make_venv.sh $(PEERS_VENV)

# NIFTI_PEERS=0 leaves nnunetv2 out (about a minute a run) for quick iterations; the default times it.
NIFTI_PEERS ?= 1
NIFTI_PEER_ARGS = $(if $(filter 1,$(NIFTI_PEERS)),--nnunet-python $(PEERS_VENV)/bin/python \
	--nnunet-script Benchmarks/nnunet_folder/compute_metrics.py)

bench-nifti: release $(GUNZIP_LIMIT) $(if $(filter 1,$(NIFTI_PEERS)),$(PEERS_VENV)/bin/nnUNetv2_evaluate_folder)
	.build/release/segscore-bench --format nifti --gunzip-baseline $(GUNZIP_LIMIT) $(NIFTI_PEER_ARGS) $(NIFTI_BENCH_ARGS)

# Memory: peak RSS of `segscore evaluate` on 2,000 and on 20,000 generated pairs (about 180 MB of
# PNGs in the temporary folder, kept for the next run), and their ratio.
bench-memory: release
	.build/release/segscore-bench --memory --pairs 2000 $(BENCH_ARGS)

# Boundary metrics: plain evaluate vs --surface-metrics all on the generated 512×512 4-class PNG
# set, per-pair 2-D and 3-D times, and medpy's (a venv in $(MEDPY_VENV), made on first use) beside them.
MEDPY_VENV ?= $(abspath ../peers-venv-medpy)

$(MEDPY_VENV)/bin/python:
	python3 -m venv $(MEDPY_VENV)
	$(MEDPY_VENV)/bin/pip install --quiet medpy numpy

bench-surface: release $(MEDPY_VENV)/bin/python
	.build/release/segscore-bench --surface --peer-python $(MEDPY_VENV)/bin/python $(BENCH_ARGS)

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
	Sources/CMaskCodecs/tiff_decode.c Sources/CMaskCodecs/tiff_read.c Sources/CMaskCodecs/tiff_description.c \
	Sources/CMaskCodecs/tiff_fast.c Sources/CMaskCodecs/nifti_decode.c Sources/CMaskCodecs/crc32_fold.c \
	Sources/CMaskCodecs/crc32_count.c
CODEC_LIBS = $$(pkg-config --libs libpng libtiff-4 libdeflate) -lz
FUZZ_SOURCES := Tests/Fuzz/decode_fuzz.c $(CODEC_SOURCES)

.PHONY: fuzz fuzz-build
fuzz-build: deps
	@mkdir -p out/fuzz
	$(FUZZ_CC) $(FUZZ_FLAGS) -DFUZZ_PNG $(FUZZ_SOURCES) -o out/fuzz/png_fuzz $(CODEC_LIBS) 2>/dev/null
	$(FUZZ_CC) $(FUZZ_FLAGS) -DFUZZ_TIFF $(FUZZ_SOURCES) -o out/fuzz/tiff_fuzz $(CODEC_LIBS) 2>/dev/null
	$(FUZZ_CC) $(FUZZ_FLAGS) -DFUZZ_NIFTI $(FUZZ_SOURCES) -o out/fuzz/nifti_fuzz $(CODEC_LIBS) 2>/dev/null
	$(FUZZ_CC) $(FUZZ_FLAGS) -DFUZZ_PNG_DIFF $(FUZZ_SOURCES) -o out/fuzz/png-diff_fuzz $(CODEC_LIBS) 2>/dev/null
	$(FUZZ_CC) $(FUZZ_FLAGS) -DFUZZ_TIFF_DIFF $(FUZZ_SOURCES) -o out/fuzz/tiff-diff_fuzz $(CODEC_LIBS) 2>/dev/null

fuzz: fuzz-build
	@for h in png tiff nifti png-diff tiff-diff; do \
		mkdir -p out/fuzz/$$h-corpus out/fuzz/$$h-crashes; \
		echo "fuzz: $$h for $(FUZZ_SECONDS) s"; \
		out/fuzz/$${h}_fuzz -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
			-artifact_prefix=out/fuzz/$$h-crashes/ -print_final_stats=1 \
			out/fuzz/$$h-corpus Fixtures/fuzz/$${h%-diff} 2>&1 | grep -E "^(#|stat::|==|SUMMARY|Done|png_diff|tiff_diff)" | tail -12 || exit 1; \
	done

# Distribution. `make dist`: dist/segscore-VERSION-linux-ARCH.tar.gz (+ .sha256), a binary with
# the Swift runtime and the C libraries linked statically (it needs only glibc); its own build
# folder .build-dist. `make dist-check` runs it from outside the tree with no LD_LIBRARY_PATH.
dist: deps
	bash scripts/dist.sh

dist-check: build
	bash scripts/dist-check.sh

# The Python wheel carrying that binary (standard library only to build; `make wheel-check`
# installs it into a fresh venv and runs python/tests there; WHEEL_PANDAS=1 adds pandas).
wheel: dist
	python3 scripts/wheel.py

wheel-check:
	bash scripts/wheel-check.sh

# The GitHub Action's steps (action/*.sh) run locally with GITHUB_* variables set.
action-check:
	bash scripts/action-check.sh

# Sharded runs on schedulers (examples/): the Kubernetes and GitHub steps run locally with their
# index variables; `slurm-check` installs Debian's slurm-wlm and munge when missing, brings up a
# single-node Slurm (scripts/slurm-up.sh) and runs the job array + merge for real. Both compare
# the merged reports and exit code with the unsharded run's.
examples-check: build
	bash scripts/examples-check.sh

slurm-check: build
	@command -v slurmctld >/dev/null 2>&1 || { $(SUDO) apt-get update && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends slurm-wlm munge; }
	bash scripts/slurm-check.sh

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

# The same for the TIFF fast path against libtiff (FUZZ_SECONDS=600 for the 10-minute run); its
# corpus grows in out/fuzz/tiff-diff-corpus, seeded with the fixtures, the TIFF fuzz corpus, the
# regression inputs and, after `make diff-seeds`, 500 generated variants (out/diff/tiff-seeds).
.PHONY: fuzz-tiff-diff
fuzz-tiff-diff: fuzz-build
	@mkdir -p out/fuzz/tiff-diff-corpus out/fuzz/tiff-diff-crashes
	out/fuzz/tiff-diff_fuzz -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
		-artifact_prefix=out/fuzz/tiff-diff-crashes/ -print_final_stats=1 \
		out/fuzz/tiff-diff-corpus Fixtures/fuzz/tiff Fixtures/fuzz/regression/tiff Fixtures/tiff \
		$$(ls -d out/diff/tiff-seeds 2>/dev/null) 2>&1 | grep -E "^(#|stat::|==|SUMMARY|Done|tiff_diff)" | tail -20

diff-seeds: deps
	@mkdir -p out/diff/seeds out/diff/tiff-seeds
	$(MAKE) diff-decoders DIFF_COUNT=500 DIFF_FLAGS="-w out/diff/seeds" TIFF_DIFF_FLAGS="-w out/diff/tiff-seeds"

# The two PNG decoders against each other on DIFF_COUNT generated variants (every filter type,
# odd widths, 1-pixel images, split IDAT chunks, ancillary chunks, bad CRCs, truncations, …) and
# on every fixture and fuzz-corpus PNG: identical samples or identical refusal (ASan + UBSan).
# Then the two TIFF decoders on TIFF_DIFF_COUNT generated variants (every compression, predictor
# on and off, both byte orders, odd widths and rows per strip, partial edge tiles, hand-made LZW
# and Deflate streams, truncation, flipped strip bytes, bad strip offsets and byte counts) and on
# every fixture and fuzz-corpus TIFF.
DIFF_COUNT ?= 20000
TIFF_DIFF_COUNT ?= $(DIFF_COUNT)
DIFF_CFLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -std=gnu11 -Wall \
	-ISources/CMaskCodecs/include -ISources/CMaskCodecs -ISources/CMaskTestCodecs/include
diff-decoders: deps
	@mkdir -p out/diff
	$(CC) $(DIFF_CFLAGS) $$(pkg-config --cflags libpng libtiff-4) Tests/Fuzz/diff_decoders.c \
		Sources/CMaskTestCodecs/png_variants.c Sources/CMaskTestCodecs/tiff_variants.c $(CODEC_SOURCES) \
		-o out/diff/diff_decoders $(CODEC_LIBS)
	out/diff/diff_decoders -f png -n $(DIFF_COUNT) -o out/diff $(DIFF_FLAGS) $$(find Fixtures -name '*.png' -type f) \
		Fixtures/fuzz/regression/png/*
	out/diff/diff_decoders -f tiff -n $(TIFF_DIFF_COUNT) -o out/diff $(TIFF_DIFF_FLAGS) \
		$$(find Fixtures -name '*.tif' -type f) $$(find Fixtures/fuzz/regression/tiff -type f)

# segscore — every task is one make target. `make demo` and `make test` work on a fresh Debian
# machine with Swift: `deps` installs the system libraries only when pkg-config cannot find them.

SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := libpng-dev libtiff-dev pkg-config
BIN := .build/debug/segscore
DEMO_OUT := out/demo

.PHONY: deps build release test demo check fixtures clean

deps:
	@if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists libpng libtiff-4; then \
		echo "deps: libpng $$(pkg-config --modversion libpng), libtiff $$(pkg-config --modversion libtiff-4) found"; \
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

check: deps
	$(SWIFT) build -Xswiftc -warnings-as-errors

# Until `evaluate` lands, the demo inspects the bundled real masks (ISBI 2012, StarDist).
DEMO_FILES := Fixtures/real/isbi2012-membrane-unet/gt/0.png \
	Fixtures/real/isbi2012-membrane-unet/pred_unpaired_testset/0_predict.png \
	Fixtures/real/nuclei-stardist-tiff/gt/synthetic_mask3d.tif \
	Fixtures/png/palette4.png Fixtures/tiff/u16_4ch_separate_tiled.tif

demo: build
	@mkdir -p $(DEMO_OUT)
	$(BIN) inspect $(DEMO_FILES)
	$(BIN) inspect --json $(DEMO_FILES) > $(DEMO_OUT)/inspect.jsonl
	@echo "demo: JSON report written to $(DEMO_OUT)/inspect.jsonl"

# Regenerates the synthetic decoder fixtures (Fixtures/png, Fixtures/tiff, Fixtures/bad).
fixtures: deps
	cc -O2 -Wall -o Fixtures/generator/make_fixtures Fixtures/generator/make_fixtures.c \
		$$(pkg-config --cflags --libs libpng libtiff-4) -lz
	Fixtures/generator/make_fixtures Fixtures

clean:
	rm -rf .build out Fixtures/generator/make_fixtures

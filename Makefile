# cube: the two everyday entry points are `make demo` and `make test` (see README.md).
SWIFT ?= swift
PREFIX ?= /usr/local
SAMPLE ?= fixtures/netcdf/monthly/era_2000-0*.nc
DEMO ?= .build/demo
# Seconds each fuzz target runs: FUZZ_SECONDS in `make fuzz`, FUZZ_SMOKE_SECONDS in `make test`.
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 30

# `make install` builds with SwiftPM in BUILD_CONFIG (release or debug) and installs the result
# under $(DESTDIR)$(PREFIX). Setting BUILD_DIR to a directory of already-built tools installs
# those instead, without running SwiftPM (for `sudo make install BUILD_DIR=.build/release`
# after `make release`, and for the install test, which installs what `swift test` built).
BUILD_CONFIG ?= release
BUILD_DIR ?=
DESTDIR ?=
INSTALL ?= install
bindir = $(PREFIX)/bin
mandir = $(PREFIX)/share/man
bashcompdir = $(PREFIX)/share/bash-completion/completions
zshcompdir = $(PREFIX)/share/zsh/site-functions
fishcompdir = $(PREFIX)/share/fish/vendor_completions.d

# Every tool is an executable target in Sources/cube-*/.
TOOLS := $(sort $(patsubst Sources/%/,%,$(wildcard Sources/cube-*/)))
TOOL_BIN = $(or $(BUILD_DIR),.build/$(BUILD_CONFIG))
INSTALLED = $(addprefix $(DESTDIR)$(bindir)/,$(TOOLS)) \
	$(patsubst %,$(DESTDIR)$(mandir)/man1/%.1,$(TOOLS)) \
	$(DESTDIR)$(mandir)/man7/cube.7 \
	$(addprefix $(DESTDIR)$(bashcompdir)/,$(TOOLS)) \
	$(addprefix $(DESTDIR)$(zshcompdir)/_,$(TOOLS)) \
	$(patsubst %,$(DESTDIR)$(fishcompdir)/%.fish,$(TOOLS))

.PHONY: deps python build release demo test test-sanitizers fuzz regen install install-build uninstall clean

deps:
	@scripts/install-deps
	@scripts/check-deps

python:
	@scripts/setup-python

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# Runs the main job on the bundled sample (three monthly NetCDF files): convert to Zarr,
# rechunk for time series, show the result, and measure both layouts.
demo: release
	rm -rf $(DEMO) && mkdir -p $(DEMO)
	.build/release/cube-convert $(SAMPLE) --concat time -o $(DEMO)/era.zarr
	.build/release/cube-rechunk $(DEMO)/era.zarr -o $(DEMO)/era-series.zarr --for time-series
	.build/release/cube-info $(DEMO)/era-series.zarr --along time
	.build/release/cube-consolidate --check $(DEMO)/era-series.zarr
	.build/release/cube-bench $(DEMO)/era.zarr/t2m $(DEMO)/era-series.zarr/t2m --points 5

# Runs every test: the generated files' freshness (man pages, completions) and the man
# pages' lint first, the tests under ThreadSanitizer and AddressSanitizer, each fuzz target
# for FUZZ_SMOKE_SECONDS, then unit, CLI, install, S3 and interop tests (zarr-python 2 and
# 3 and xarray read what cube writes), so the test summary is the last thing printed.
test: deps python
	scripts/check-generated
	SWIFT=$(SWIFT) scripts/test-sanitizers
	SWIFT=$(SWIFT) FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS) fuzz/run
	CUBE_REQUIRE_INTEROP=1 $(SWIFT) test

# Runs the tests under ThreadSanitizer (the engine, stores, arrays and buffer cache) and
# AddressSanitizer (every test but the S3 store's), each built in its own directory under
# ~/.cache/cube.
test-sanitizers: deps
	SWIFT=$(SWIFT) scripts/test-sanitizers

# Builds the libFuzzer targets in fuzz/ and runs each for FUZZ_SECONDS, seeded from fixtures/.
fuzz: deps
	SWIFT=$(SWIFT) FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run

# Rewrites the generated files from the command definitions; commit the result.
regen:
	scripts/regen-man
	scripts/regen-completions

# Installs the tools, their man pages (cube-*(1), cube(7)) and bash, zsh and fish completions.
install: $(if $(BUILD_DIR),,install-build)
	$(INSTALL) -d $(DESTDIR)$(bindir) $(DESTDIR)$(mandir)/man1 $(DESTDIR)$(mandir)/man7 \
		$(DESTDIR)$(bashcompdir) $(DESTDIR)$(zshcompdir) $(DESTDIR)$(fishcompdir)
	$(INSTALL) -m 755 $(addprefix $(TOOL_BIN)/,$(TOOLS)) $(DESTDIR)$(bindir)
	$(INSTALL) -m 644 $(patsubst %,man/%.1,$(TOOLS)) $(DESTDIR)$(mandir)/man1
	$(INSTALL) -m 644 man/cube.7 $(DESTDIR)$(mandir)/man7
	for tool in $(TOOLS); do \
		$(INSTALL) -m 644 completions/$$tool.bash $(DESTDIR)$(bashcompdir)/$$tool && \
		$(INSTALL) -m 644 completions/_$$tool $(DESTDIR)$(zshcompdir)/_$$tool && \
		$(INSTALL) -m 644 completions/$$tool.fish $(DESTDIR)$(fishcompdir)/$$tool.fish || exit 1; \
	done

install-build: deps
	$(SWIFT) build -c $(BUILD_CONFIG)

# Removes exactly the files `make install` puts in place (directories stay).
uninstall:
	rm -f $(INSTALLED)

clean:
	rm -rf .build .build-fuzz .venv

# cube: the two everyday entry points are `make demo` and `make test` (see README.md).
SWIFT ?= swift
PREFIX ?= /usr/local
SAMPLE ?= fixtures/netcdf/monthly/era_2000-0*.nc
DEMO ?= .build/demo

.PHONY: deps python build release demo test clean

deps:
	@scripts/install-deps
	@scripts/check-deps

python:
	@scripts/setup-python

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# Runs the main job on the bundled sample (three monthly NetCDF files) and shows the result.
demo: release
	rm -rf $(DEMO) && mkdir -p $(DEMO)
	.build/release/cube-convert $(SAMPLE) --concat time -o $(DEMO)/era.zarr
	.build/release/cube-info $(DEMO)/era.zarr --along time
	.build/release/cube-consolidate --check $(DEMO)/era.zarr

# Runs every test: unit, CLI, interop (zarr-python 2 and 3 and xarray read what cube
# writes) and the man pages' freshness and lint.
test: deps python
	scripts/check-man
	CUBE_REQUIRE_INTEROP=1 $(SWIFT) test

clean:
	rm -rf .build .venv

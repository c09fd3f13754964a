#!/usr/bin/env python3
"""The xarray peer of `cube-convert SOURCE -o STORE`, for benchmarks/convert.sh.

    .venv/zarr3/bin/python benchmarks/xarray_convert.py SOURCE STORE [--workers N]

Opens SOURCE lazily with one time step per dask chunk (the source's own chunks in
benchmarks/data/reanalysis.nc) and writes it with

    xr.open_dataset(SOURCE, chunks={"time": 1}).to_zarr(STORE, mode="w", zarr_format=3,
                                                        consolidated=True)

under dask's threaded scheduler (one thread per core unless --workers), with no
encoding given, so every array gets zarr-python's default codec (v3: bytes + zstd
level 0), as cube-convert's default output does.
"""
import argparse
import os
import sys
import warnings

import dask
import xarray as xr


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("source")
    ap.add_argument("store")
    ap.add_argument("--workers", type=int, default=os.cpu_count(),
                    help="threads of dask's threaded scheduler (default: all cores)")
    args = ap.parse_args(argv)
    with warnings.catch_warnings():
        # zarr 3 warns that consolidated metadata is not yet part of the v3 spec
        warnings.simplefilter("ignore")
        with dask.config.set(scheduler="threads", num_workers=args.workers):
            ds = xr.open_dataset(args.source, chunks={"time": 1})
            ds.to_zarr(args.store, mode="w", zarr_format=3, consolidated=True)
            ds.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

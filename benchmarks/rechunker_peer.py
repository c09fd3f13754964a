#!/usr/bin/env python3
"""The rechunker peer of `cube-rechunk SOURCE -o TARGET --chunks SPEC --max-mem MEM`,
for benchmarks/rechunk.sh.

    .venv/rechunker/bin/python benchmarks/rechunker_peer.py SOURCE TARGET \\
        --chunks time=-1,lat=10,lon=10 --max-mem 256MiB --temp TEMP [--workers N]

Runs, for every array of the Zarr v2 group SOURCE (dimension names from xarray's
`_ARRAY_DIMENSIONS`),

    plan = rechunker.rechunk(group, target_chunks={name: chunks, ...}, max_mem=MEM,
                             target_store=TARGET, temp_store=TEMP,
                             target_options={name: {"compressor": <the source's>, ...}})
    plan.execute()

under dask's threaded scheduler (one thread per core unless --workers), then writes
consolidated metadata (zarr.consolidate_metadata), as xarray users do. An array's chunks
are the requested length for each dimension named in --chunks (-1: the whole dimension)
and its source chunks elsewhere, the rule cube-rechunk follows, so coordinates are
rechunked too. The target keeps each source array's compressor and filters (zstd level 0
in the benchmark); rechunker gives its intermediate store the same options when no
temp_options are passed, so that is zstd level 0 too. TEMP is left as rechunker leaves it (it never deletes
it), so the caller can report whether it was left behind.

rechunker 0.5.4 needs zarr-python 2 (it uses zarr.hierarchy and zarr.core.Array), so
SOURCE and TARGET are Zarr v2. rechunker does not carry `fill_value` (it creates the
target arrays with zarr.empty, whose fill_value is None); benchmarks/check_rechunk.py
reports that.
"""
import argparse
import os
import sys
import warnings

import dask
import rechunker
import zarr
from dask.utils import parse_bytes


def parse_chunks(spec):
    """'time=-1,lat=10' -> {'time': -1, 'lat': 10}"""
    out = {}
    for part in spec.split(","):
        name, _, value = part.partition("=")
        if not name or not value:
            raise SystemExit(f"rechunker_peer.py: bad --chunks entry {part!r} (want DIM=N)")
        out[name.strip()] = int(value)
    return out


def target_chunks_for(array, requested):
    dims = array.attrs.get("_ARRAY_DIMENSIONS")
    if dims is None or len(dims) != array.ndim:
        return tuple(array.chunks)
    chunks = []
    for dim, length, source_chunk in zip(dims, array.shape, array.chunks):
        want = requested.get(dim)
        chunks.append(source_chunk if want is None else (length if want == -1 else want))
    return tuple(chunks)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("source")
    ap.add_argument("target")
    ap.add_argument("--chunks", required=True, help="DIM=N,... (-1: the whole dimension)")
    ap.add_argument("--max-mem", required=True, help="rechunker's max_mem, e.g. 256MiB")
    ap.add_argument("--temp", required=True, help="rechunker's temp_store (a directory)")
    ap.add_argument("--workers", type=int, default=os.cpu_count(),
                    help="threads of dask's threaded scheduler (default: all cores)")
    args = ap.parse_args(argv)
    requested = parse_chunks(args.chunks)
    max_mem = parse_bytes(args.max_mem)

    source = zarr.open_consolidated(args.source, mode="r")
    target_chunks, target_options = {}, {}
    for name, array in source.arrays():
        target_chunks[name] = target_chunks_for(array, requested)
        target_options[name] = {"compressor": array.compressor, "filters": array.filters}

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with dask.config.set(scheduler="threads", num_workers=args.workers):
            plan = rechunker.rechunk(source, target_chunks=target_chunks, max_mem=max_mem,
                                     target_store=args.target, temp_store=args.temp,
                                     target_options=target_options)
            plan.execute()
    zarr.consolidate_metadata(args.target)
    return 0


if __name__ == "__main__":
    sys.exit(main())

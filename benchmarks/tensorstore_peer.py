#!/usr/bin/env python3
"""The TensorStore peer of `cube-rechunk SOURCE -o TARGET --chunks SPEC --max-mem MEM`,
for benchmarks/rechunk.sh.

    .venv/zarr3/bin/python benchmarks/tensorstore_peer.py SOURCE TARGET \\
        --chunks time=-1,lat=10,lon=10 --max-mem 256MiB [--workers N]

For every array of the Zarr v3 group SOURCE (read from its consolidated metadata), opens
the source array with TensorStore's zarr3 driver, creates the target array with the same
metadata except the chunk shape (so the same codecs, fill value, dimension names and
attributes), and copies it with one transaction-free write of the whole array:

    target = ts.open({"driver": "zarr3", ..., "metadata": {...}}, create=True).result()
    target.write(source).result()

An array's chunks are the requested length for each dimension named in --chunks (-1: the
whole dimension) and its source chunks elsewhere, the rule cube-rechunk follows. The
arrays share one TensorStore context whose cache pool is limited to --max-mem and whose
data-copy concurrency is --workers (default: all cores); TensorStore has no other memory
budget, so --max-mem does not bound what a write holds. TensorStore does not know groups:
the root group's zarr.json (its attributes) is written by this script, and consolidated
metadata by zarr-python (zarr.consolidate_metadata), as cube-rechunk's output has both.
"""
import argparse
import json
import os
import sys
import warnings

import tensorstore as ts
import zarr


def parse_size(text):
    units = {"": 1, "B": 1, "K": 1000, "KB": 1000, "KIB": 1024, "M": 10**6, "MB": 10**6,
             "MIB": 2**20, "G": 10**9, "GB": 10**9, "GIB": 2**30}
    number = text.rstrip("KMGiBkmgib")
    return int(float(number) * units[text[len(number):].upper()])


def parse_chunks(spec):
    out = {}
    for part in spec.split(","):
        name, _, value = part.partition("=")
        if not name or not value:
            raise SystemExit(f"tensorstore_peer.py: bad --chunks entry {part!r} (want DIM=N)")
        out[name.strip()] = int(value)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("source")
    ap.add_argument("target")
    ap.add_argument("--chunks", required=True, help="DIM=N,... (-1: the whole dimension)")
    ap.add_argument("--max-mem", required=True, help="TensorStore cache pool limit, e.g. 256MiB")
    ap.add_argument("--workers", type=int, default=os.cpu_count(),
                    help="TensorStore data_copy_concurrency (default: all cores)")
    args = ap.parse_args(argv)
    requested = parse_chunks(args.chunks)

    with open(os.path.join(args.source, "zarr.json")) as f:
        root = json.load(f)
    members = (root.get("consolidated_metadata") or {}).get("metadata")
    if not members:
        raise SystemExit(f"tensorstore_peer.py: {args.source} has no consolidated metadata")
    context = ts.Context({
        "cache_pool": {"total_bytes_limit": parse_size(args.max_mem)},
        "data_copy_concurrency": {"limit": args.workers},
        "file_io_concurrency": {"limit": max(args.workers, 4)},
    })

    os.makedirs(args.target, exist_ok=False)
    for name, meta in sorted(members.items()):
        if meta.get("node_type") != "array":
            raise SystemExit(f"tensorstore_peer.py: {name}: only a flat group of arrays is supported")
        dims = meta.get("dimension_names") or [None] * len(meta["shape"])
        source_chunks = meta["chunk_grid"]["configuration"]["chunk_shape"]
        chunks = []
        for dim, length, source_chunk in zip(dims, meta["shape"], source_chunks):
            want = requested.get(dim)
            chunks.append(source_chunk if want is None else (length if want == -1 else want))
        target_meta = {k: v for k, v in meta.items() if k not in ("zarr_format", "node_type", "storage_transformers")}
        target_meta["chunk_grid"] = {"name": "regular", "configuration": {"chunk_shape": chunks}}
        source = ts.open({"driver": "zarr3", "kvstore": {"driver": "file", "path": os.path.join(args.source, name, "")}},
                         read=True, context=context).result()
        target = ts.open({"driver": "zarr3", "kvstore": {"driver": "file", "path": os.path.join(args.target, name, "")},
                          "metadata": target_meta}, create=True, context=context).result()
        target.write(source).result()

    with open(os.path.join(args.target, "zarr.json"), "w") as f:
        json.dump({"zarr_format": 3, "node_type": "group", "attributes": root.get("attributes", {})}, f, indent=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # consolidated metadata is not yet part of the v3 spec
        zarr.consolidate_metadata(args.target)
    return 0


if __name__ == "__main__":
    sys.exit(main())

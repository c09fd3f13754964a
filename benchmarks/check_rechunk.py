#!/usr/bin/env python3
"""Check a rechunked Zarr store against its source, element for element.

    .venv/zarr3/bin/python benchmarks/check_rechunk.py SOURCE TARGET [--chunks SPEC]

Opens both stores (Zarr v2 or v3) with zarr-python and checks, for every array of SOURCE:

- it is in TARGET with the same shape and data type;
- every value is the same: compared bit for bit (so NaN == NaN, and -0.0 != 0.0), in
  blocks of at most about 256 MiB that cover whole target chunks;
- its chunk shape is the requested one (--chunks, default time=-1,lat=10,lon=10: the
  requested length for each named dimension, -1 for the whole dimension, and the source's
  chunk length for dimensions not named; dimension names from v3 `dimension_names` or
  xarray's v2 `_ARRAY_DIMENSIONS`);
- its attributes are the source's, exactly;

and that the root group's attributes are the source's, and that TARGET has no arrays the
source lacks. Differences in fill_value, compressor/codecs and the lack of consolidated
metadata are printed as notes (they do not change the values read by zarr-python), and
fill_value differences are named because xarray reads a v2 fill_value as _FillValue.
Prints one line per array ("ok" or "FAIL" with reasons), then "N passed, N failed", and
exits 1 on any failure.
"""
import argparse
import json
import math
import sys
import warnings

import numpy as np
import zarr

BLOCK_BYTES = 256 * 2**20


def parse_chunks(spec):
    out = {}
    for part in spec.split(","):
        name, _, value = part.partition("=")
        out[name.strip()] = int(value)
    return out


def dims_of(array):
    meta = array.metadata
    names = getattr(meta, "dimension_names", None)
    if names is None:
        names = array.attrs.get("_ARRAY_DIMENSIONS")
    return list(names) if names is not None else [None] * array.ndim


def user_attrs(array):
    attrs = dict(array.attrs)
    if array.metadata.zarr_format == 2:
        attrs.pop("_ARRAY_DIMENSIONS", None)  # compared as dimension names instead
    return attrs


def codecs_of(array):
    meta = array.metadata
    if meta.zarr_format == 2:
        return json.dumps({"compressor": meta.compressor.get_config() if meta.compressor else None,
                           "filters": [f.get_config() for f in meta.filters] if meta.filters else None},
                          sort_keys=True)
    return json.dumps([c.to_dict() for c in meta.codecs], sort_keys=True, default=str)


def fill_of(array):
    value = array.metadata.fill_value
    if value is None:
        return None
    value = np.asarray(value).item() if not isinstance(value, (str, bytes)) else value
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    return value


def same_bits(a, b):
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype.kind in "fciub":
        return np.array_equal(np.ascontiguousarray(a).view(np.uint8), np.ascontiguousarray(b).view(np.uint8))
    return np.array_equal(a, b)


def blocks(shape, chunks, itemsize):
    """Slices along the first axis whose target chunk length is below the array's length
    (whole chunks at a time), each block at most about BLOCK_BYTES."""
    if not shape or math.prod(shape) * itemsize <= BLOCK_BYTES:
        yield tuple(slice(0, n) for n in shape)
        return
    axis = next((i for i, (n, c) in enumerate(zip(shape, chunks)) if c < n), 0)
    per_index = math.prod(shape) // shape[axis] * itemsize
    step = max(chunks[axis], BLOCK_BYTES // per_index // chunks[axis] * chunks[axis])
    for start in range(0, shape[axis], step):
        region = [slice(0, n) for n in shape]
        region[axis] = slice(start, min(start + step, shape[axis]))
        yield tuple(region)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("source")
    ap.add_argument("target")
    ap.add_argument("--chunks", default="time=-1,lat=10,lon=10")
    args = ap.parse_args(argv)
    requested = parse_chunks(args.chunks)
    warnings.simplefilter("ignore")  # zarr 3 on consolidated metadata, v2 stores

    src = zarr.open_group(args.source, mode="r")
    dst = zarr.open_group(args.target, mode="r")
    passed = failed = 0
    notes = []

    problems = []
    if dict(src.attrs) != dict(dst.attrs):
        problems.append(f"group attributes differ: {dict(src.attrs)!r} != {dict(dst.attrs)!r}")
    extra = sorted(set(dst.array_keys()) - set(src.array_keys()))
    if extra:
        problems.append(f"arrays not in the source: {extra}")
    print(f"{'FAIL' if problems else 'ok'} /: group attributes{', ' + '; '.join(problems) if problems else ''}")
    passed, failed = (passed, failed + 1) if problems else (passed + 1, failed)
    try:
        zarr.open_consolidated(args.target, mode="r")
    except Exception as error:
        notes.append(f"/: no consolidated metadata ({type(error).__name__})")

    for name in sorted(src.array_keys()):
        a = src[name]
        problems = []
        if name not in dst:
            print(f"FAIL {name}: missing from the target")
            failed += 1
            continue
        b = dst[name]
        if a.shape != b.shape or a.dtype != b.dtype:
            problems.append(f"shape/dtype {b.shape} {b.dtype} != {a.shape} {a.dtype}")
        dims = dims_of(a)
        if dims_of(b) != dims:
            problems.append(f"dimension names {dims_of(b)} != {dims}")
        want = tuple(a.chunks[i] if requested.get(d) is None else (n if requested[d] == -1 else requested[d])
                     for i, (d, n) in enumerate(zip(dims, a.shape)))
        if tuple(b.chunks) != want:
            problems.append(f"chunks {tuple(b.chunks)} != requested {want}")
        if user_attrs(a) != user_attrs(b):
            problems.append(f"attributes differ: {user_attrs(b)!r} != {user_attrs(a)!r}")
        compared = differing = 0
        if not problems or all(not p.startswith("shape") for p in problems):
            for region in blocks(a.shape, b.chunks, a.dtype.itemsize):
                x, y = a[region], b[region]
                compared += x.size
                if not same_bits(x, y):
                    equal = (x == y) | (np.isnan(x) & np.isnan(y)) if x.dtype.kind in "fc" else (x == y)
                    differing += int(x.size - np.count_nonzero(equal)) or 1
            if differing:
                problems.append(f"{differing} of {compared} values differ")
        if fill_of(a) != fill_of(b):
            notes.append(f"{name}: fill_value {fill_of(b)!r} != source's {fill_of(a)!r}"
                         + (" (xarray reads a v2 fill_value as _FillValue)" if b.metadata.zarr_format == 2 else ""))
        if a.metadata.zarr_format == b.metadata.zarr_format and codecs_of(a) != codecs_of(b):
            notes.append(f"{name}: codecs {codecs_of(b)} != source's {codecs_of(a)}")
        if problems:
            print(f"FAIL {name}: " + "; ".join(problems))
            failed += 1
        else:
            print(f"ok {name}: {compared} values identical, chunks {tuple(b.chunks)}, attributes equal")
            passed += 1
    for note in notes:
        print(f"note {note}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

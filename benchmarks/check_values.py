#!/usr/bin/env python3
"""Check that a Zarr store holds the same data as a NetCDF source, values only.

    .venv/zarr3/bin/python benchmarks/check_values.py SOURCE STORE

For stores that interop/check_convert.py cannot judge because they were never meant to
be xarray-faithful (nccopy's NCZarr output has no consolidated metadata and
netCDF-specific attributes). Opens SOURCE with xarray and STORE with
`xarray.open_zarr(consolidated=False)`, both decoded (packed variables cast to float64),
and asserts that they are `equal`: same variables, dimensions, coordinates and values
(other attributes are not compared). Packed variables are compared twice: decoded (cast
to float64) and raw (`mask_and_scale=False`, the stored integers), and their packing
attributes (scale_factor, add_offset, _FillValue, missing_value) must be equal as
float64, so a lossy attribute is told apart from wrong data. Compares 64 steps of the
first dimension at a time, so memory stays small.
Prints "ok ..." or "FAIL ..." and exits 1 on a difference.
"""
import sys
import warnings

import numpy as np
import xarray as xr


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print(__doc__.split("\n\n")[1].strip(), file=sys.stderr)
        return 2
    source, store = argv
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        src = xr.open_dataset(source, chunks={})
        dst = xr.open_zarr(store, consolidated=False)
        raw = dict(mask_and_scale=False, decode_times=False)
        src_raw = xr.open_dataset(source, chunks={}, **raw)
        dst_raw = xr.open_zarr(store, consolidated=False, **raw)
    problems = compare(src, dst, "decoded")
    packed = [n for n in src_raw.variables
              if {"scale_factor", "add_offset"} & set(src_raw[n].attrs)]
    if packed:
        problems += compare(src_raw[packed], dst_raw[packed], "raw")
    for name in packed:
        for key in ("scale_factor", "add_offset", "_FillValue", "missing_value"):
            a = src_raw[name].attrs.get(key)
            b = dst_raw[name].attrs.get(key) if name in dst_raw.variables else None
            if a is not None or b is not None:
                if a is None or b is None or float(a) != float(b):
                    problems.append(f"{name}: attribute {key} {a!r} != {b!r}")
    if problems:
        print("FAIL " + "\n     ".join(problems))
        return 1
    print(f"ok   {len(src.variables)} variables equal (decoded values, dims, coordinates; "
          f"{len(packed)} packed variable(s) also raw and packing attributes)")
    return 0


def compare(src, dst, what):
    """Problems found comparing the values of two datasets (empty: equal)."""
    problems = []
    if set(src.variables) != set(dst.variables):
        problems.append(f"variables {sorted(src.variables)} != {sorted(dst.variables)}")
    for name in sorted(set(src.variables) & set(dst.variables)):
        a, b = src[name].variable, dst[name].variable
        if a.dims != b.dims or a.shape != b.shape:
            problems.append(f"{name}: dims {a.dims}{a.shape} != {b.dims}{b.shape}")
            continue
        if a.dtype.kind == "f" or b.dtype.kind == "f":
            a, b = a.astype("f8"), b.astype("f8")
        step = {a.dims[0]: 64} if a.ndim else {}
        n = a.shape[0] if a.ndim else 1
        for i in range(0, n, 64):
            part = {d: slice(i, i + 64) for d in step}
            x, y = np.asarray(a.isel(part).values), np.asarray(b.isel(part).values)
            same = (x == y) | ((x != x) & (y != y))
            if not np.all(same):
                idx = tuple(int(j) for j in np.argwhere(~np.asarray(same))[0])
                problems.append(f"{name} ({what}): {int((~same).sum())} value(s) differ in "
                                f"[{i}:{i + 64}], first at {idx}: {x[idx]!r} != {y[idx]!r}")
                break
    return problems


if __name__ == "__main__":
    sys.exit(main())

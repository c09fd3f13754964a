#!/usr/bin/env python3
"""Check structured (compound) arrays that cube writes to Zarr v2 with zarr-python 2.18.

    check_structured.py source SOURCE VARIABLE OUT.npy      (venv with netCDF4 / h5py)
    check_structured.py compare STORE ARRAY EXPECTED.npy    (venv with zarr-python 2.18)
    check_structured.py sample STORE EXPECTED_DIR           (venv with zarr-python 2.18)

`source` reads VARIABLE (a path such as `samples` or `group/var`) from a NetCDF
file with netCDF4 (raw: no masking or scaling) or from a plain HDF5 file with
h5py, and saves it with numpy.save, structured dtype included.  The zarr
venv has neither library, so the two steps run in different venvs.

`compare` opens STORE/ARRAY with zarr-python (`zarr.open_array(mode="r")`)
and checks it against the saved array: the same shape, and for every field of
the expected dtype (recursively for nested fields) the same name, base type,
sub-array shape and values (NaN equal to NaN).  zarr-python reads padding
(`["", "|V7"]` in the `.zarray` dtype) as extra fields named `f1`, ... which are
not compared.

`sample` writes, with zarr-python 2.18 itself, structured arrays to a new v2
store (`nested`: a sub-array, fixed bytes and a nested field; `with_fill`: a
big-endian field, a fill value and never-written chunks) and saves each one's
values as EXPECTED_DIR/<name>.npy, so a copy made by another writer can be
compared.  (zarr-python 2.18 cannot write padded dtypes itself: it reads its
own `["", "|V7"]` entries back as fields and then refuses the cast.)

Prints one line per check and "N passed, N failed"; exits 1 if anything
failed, 2 on a usage error.
"""
import os
import sys

import numpy as np


def read_source(path, variable):
    with open(path, "rb") as f:
        hdf5 = f.read(8) == b"\x89HDF\r\n\x1a\n"
    if hdf5:
        import h5py
        with h5py.File(path, "r") as f:
            netcdf = "_NCProperties" in f.attrs
            if not netcdf:
                return f[variable][()]
    import netCDF4
    with netCDF4.Dataset(path) as ds:
        *groups, name = variable.split("/")
        node = ds
        for g in groups:
            node = node.groups[g]
        var = node.variables[name]
        var.set_auto_maskandscale(False)
        return np.asarray(var[...])


def field_problems(expected, got, where):
    """Differences between two structured arrays, field by field, by name."""
    problems = []
    for name in expected.dtype.names:
        if name not in (got.dtype.names or ()):
            problems.append(f"{where}{name}: missing (fields: {got.dtype.names})")
            continue
        e, g = expected[name], got[name]
        if e.dtype.names:
            problems.extend(field_problems(e, g, f"{where}{name}."))
            continue
        if e.dtype.base.kind != g.dtype.base.kind or e.dtype.itemsize != g.dtype.itemsize or e.shape != g.shape:
            problems.append(f"{where}{name}: {e.dtype} {e.shape} became {g.dtype} {g.shape}")
            continue
        same = np.array_equal(e, g, equal_nan=e.dtype.kind in "fc")
        if not same:
            problems.append(f"{where}{name}: values differ: {e.tolist()!r} != {g.tolist()!r}")
    return problems


def compare(store, array, expected_path):
    import zarr
    expected = np.load(expected_path, allow_pickle=False)
    got = zarr.open_array(store, path=array, mode="r")[...]
    if got.shape != expected.shape:
        return [f"shape {got.shape} != {expected.shape}"]
    if not got.dtype.names:
        return [f"dtype {got.dtype} is not structured"]
    return field_problems(expected, got, "")


def sample(store, expected_dir):
    """Structured arrays written by zarr-python 2.18, and their values."""
    import zarr
    os.makedirs(expected_dir, exist_ok=True)
    root = zarr.open_group(store, mode="w")
    packed = np.dtype([("a", "u1"), ("b", "<f8"), ("c", "<i2", (2,)), ("name", "S3"),
                       ("inner", [("p", "<i2"), ("q", "u1")])])
    simple = np.dtype([("x", "<f4"), ("y", ">i4")])
    n = 5
    values = np.zeros(n, packed)
    values["a"] = np.arange(n) + 1
    values["b"] = np.arange(n) * 0.5 - 1.0
    values["b"][2] = np.nan
    values["c"] = np.arange(2 * n).reshape(n, 2) - 3
    values["name"] = [b"ab", b"", b"xyz", b"q", b"zz"]
    values["inner"]["p"] = -np.arange(n)
    values["inner"]["q"] = 200 + np.arange(n)
    root.create_dataset("nested", shape=(n,), chunks=(2,), dtype=packed, fill_value=None)[...] = values
    np.save(os.path.join(expected_dir, "nested.npy"), values)

    fill = np.array((1.5, -1), simple)[()]
    b = root.create_dataset("with_fill", shape=(7,), chunks=(3,), dtype=simple, fill_value=fill)
    part = np.array([(0.25, 1), (0.5, 2), (0.75, 3)], simple)
    b[0:3] = part  # chunks 1 and 2 are never written: they read as the fill value
    expected = np.full(7, fill, simple)
    expected[0:3] = part
    np.save(os.path.join(expected_dir, "with_fill.npy"), expected)
    return []


def main(argv):
    if len(argv) == 4 and argv[0] == "source":
        np.save(argv[3], read_source(argv[1], argv[2]), allow_pickle=False)
        print(f"saved {argv[2]} of {argv[1]}")
        return 0
    if len(argv) == 4 and argv[0] == "compare":
        problems = compare(argv[1], argv[2], argv[3])
    elif len(argv) == 3 and argv[0] == "sample":
        problems = sample(argv[1], argv[2])
    else:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    for p in problems:
        print(f"FAIL {p}")
    if not problems:
        print(f"ok   {' '.join(argv[1:3])}")
    print(f"{0 if problems else 1} passed, {1 if problems else 0} failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

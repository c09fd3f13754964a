#!/usr/bin/env python3
"""Check a Zarr store converted from NetCDF/HDF5 against xarray's reading of the source.

    check_convert.py SOURCE ZARR_STORE [--group G ...] [--engine E]
    check_convert.py SOURCE... ZARR_STORE --concat DIM
    check_convert.py SOURCE --group-paths

For every group of SOURCE (the root first, then nested groups depth first in
file order) it opens the source with xarray -- engine "netcdf4" for NetCDF
3/4 files, "h5netcdf" for plain HDF5 files (no `_NCProperties` attribute in
the root group) -- and the store with
`xarray.open_zarr(ZARR_STORE, group=G, consolidated=True)`, and asserts that
the two datasets are `identical` (names, dimensions, coordinates, values,
dtypes after decoding, variable and global attributes).

The one exception is packed variables (those with `scale_factor` or
`add_offset`).  xarray unpacks them into the dtype of `scale_factor` /
`add_offset`; the Zarr attributes are JSON numbers, which xarray reads back
as float64, so after any Zarr round trip -- xarray's own included -- they
decode to float64 where the source may decode to float32.  Such variables
are therefore compared after casting both sides to float64.  Where the source
unpacks in float32, a decoded value may differ from the float64 one by
float32 rounding (at most 2 float32 epsilons times |value| + 2 |add_offset|);
where it unpacks in float64 the values must be equal.  Because that tolerance
would hide an off-by-one packed integer, the packed form is compared too:
both sides are reopened with `mask_and_scale=False, decode_times=False`, and
the raw integers, dtype and attributes (`scale_factor`, `add_offset`,
`_FillValue`, `missing_value`, ...) must be identical.

Attributes are checked more strictly than `identical` does (with NumPy 2,
float32(0.1) == 0.1 holds): an attribute present on both sides must keep its
kind (integer, float, text) and, for floats, its exact value as float64, so a
float32 0.1 must be stored as 0.10000000149011612 and 100000.0 not as 100000.

A second, deliberate exception: NetCDF enum variables.  xarray drops the enum's
names; cube keeps them the CF way, as `flag_values` (the base integers) and
`flag_meanings` (the names, spaces replaced by underscores).  Those two
attributes are accepted on the store side when they match the source's enum
member for member, and are otherwise reported.

With --concat DIM, all but the last argument are sources, opened one by one
and joined with `xarray.concat(dim=DIM, data_vars="minimal",
coords="minimal", compat="equals", join="exact", combine_attrs="override")`:
variables with DIM are concatenated, the others must be equal in every file
and are taken from the first, other coordinates must match exactly, and
global attributes come from the first file.

--drop VAR leaves a source variable out of the comparison (for stores
written with --skip-unsupported); VAR is a name in each compared group.

--engine netcdf4|h5netcdf overrides the engine.  The two name the dimensions
of HDF5 datasets without dimension scales differently (see
fixtures/netcdf/XARRAY-MAPPING.md), so a plain HDF5 file read through
libnetcdf matches "--engine netcdf4".

--group-paths prints the group paths of SOURCE, one per line, and exits.

Unless --group is given, it first checks that the store's consolidated
metadata lists exactly the source's groups.  Prints one line per check ("ok
..." or "FAIL ..." followed by xarray's assert_identical message and the first
differing element of each variable) and finishes with "N passed, N failed";
exits 1 if anything failed, 2 on a usage error.
"""
import argparse
import contextlib
import os
import sys
import warnings

import numpy as np
import xarray as xr

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


# ---------------------------------------------------------------------------
# Opening sources (shared with fixtures/make_netcdf_fixtures.py)
# ---------------------------------------------------------------------------

def _is_hdf5(path):
    with open(path, "rb") as f:
        head = f.read(8)
    # HDF5 may also start at 512, 1024, ... (user block); netCDF files start at 0
    return head == HDF5_SIGNATURE


ENGINE_OVERRIDE = None  # set by --engine


def engine_for(path):
    """xarray engine for a source file: netcdf4 unless it is plain HDF5."""
    if ENGINE_OVERRIDE:
        return ENGINE_OVERRIDE
    if not _is_hdf5(path):
        return "netcdf4"
    import h5py
    with h5py.File(path, "r") as f:
        netcdf = "_NCProperties" in f.attrs or any(
            "_Netcdf4Dimid" in obj.attrs or "_Netcdf4Coordinates" in obj.attrs
            for obj in f.values() if isinstance(obj, h5py.Dataset))
    return "netcdf4" if netcdf else "h5netcdf"


def open_kwargs(path):
    """Extra open_dataset arguments for a source file."""
    # h5netcdf refuses datasets without dimension scales unless told how to
    # name their dimensions; "sort" names them phony_dim_0, 1, ... per group.
    return {"phony_dims": "sort"} if engine_for(path) == "h5netcdf" else {}


def group_paths(path):
    """Group paths of a source ("/", "/a", "/a/b", ...): pre-order, file order."""
    out = []
    if engine_for(path) != "h5netcdf":
        import netCDF4
        with netCDF4.Dataset(path, "r") as ds:
            def walk(g, prefix):
                out.append(prefix or "/")
                for name, child in g.groups.items():
                    walk(child, f"{prefix}/{name}")
            walk(ds, "")
    else:
        import h5py
        with h5py.File(path, "r") as f:
            def walk(g, prefix):
                out.append(prefix or "/")
                for name, child in g.items():
                    if isinstance(child, h5py.Group):
                        walk(child, f"{prefix}/{name}")
            walk(f, "")
    return out


def open_one(path, group, **extra):
    kw = dict(engine=engine_for(path), group=None if group == "/" else group)
    kw.update(open_kwargs(path))
    kw.update(extra)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return xr.open_dataset(path, **kw).load()


def open_source(paths, group, concat_dim=None, **extra):
    """xarray's dataset for a group of one source, or of several joined along concat_dim."""
    if isinstance(paths, str):
        paths = [paths]
    if concat_dim is None:
        if len(paths) != 1:
            raise ValueError("several sources need --concat DIM")
        return open_one(paths[0], group, **extra)
    parts = [open_one(p, group, **extra) for p in paths]
    return xr.concat(parts, dim=concat_dim, data_vars="minimal", coords="minimal",
                     compat="equals", join="exact", combine_attrs="override")


def store_group_paths(store):
    """Group paths listed by the store's consolidated metadata ("/" first)."""
    import zarr
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        root = zarr.open_consolidated(store, mode="r")
        return ["/"] + sorted("/" + name for name, node in root.members(max_depth=None)
                              if isinstance(node, zarr.Group))


def open_store(store, group, **extra):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return xr.open_zarr(store, group=None if group == "/" else group.strip("/"),
                            consolidated=True, chunks=None, **extra).load()


# ---------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------

def packed_names(ds_raw):
    """Variables that carry scale_factor / add_offset (seen without decoding)."""
    return sorted(str(k) for k, v in ds_raw.variables.items()
                  if "scale_factor" in v.attrs or "add_offset" in v.attrs)


def _identical_message(a, b):
    try:
        xr.testing.assert_identical(a, b)
        return None
    except AssertionError as exc:
        return str(exc)


def _first_differences(a, b):
    """One line per variable whose values differ: where, and the two values."""
    lines = []
    for n in a.variables:
        if n not in b.variables or a[n].shape != b[n].shape:
            continue
        x, y = np.asarray(a[n].values), np.asarray(b[n].values)
        try:
            same = (x == y) | ((x != x) & (y != y))  # NaN equals NaN
        except (TypeError, ValueError):
            continue
        same = np.asarray(same, dtype=bool)
        if not same.all():
            idx = tuple(int(i) for i in np.argwhere(~same)[0])
            lines.append(f"{n}: {int((~same).sum())} value(s) differ, first at {idx}: "
                         f"{x[idx].item()!r} != {y[idx].item()!r}")
    return lines


def _attr_kind(value):
    """("text" | "int" | "float", flat list) for an attribute value."""
    items = value if isinstance(value, (list, tuple)) else [value]
    if all(isinstance(x, int) for x in items):  # JSON integers, any size (uint64 too)
        return "int", [int(x) for x in items]
    arr = np.asarray(value)
    if arr.dtype.kind in "USO":
        return "text", [str(x) for x in arr.reshape(-1).tolist()]
    if arr.dtype.kind in "iub":
        return "int", [int(x) for x in arr.reshape(-1).tolist()]
    return "float", arr.astype("f8").reshape(-1).tolist()


def _strict_attr_problems(a, b, where):
    """Attributes present on both sides must agree in kind and exact value.

    xarray's identical() compares with ==, and NumPy 2 compares float32(0.1)
    == 0.1 in float32, so it cannot see a float32 attribute written with too
    few digits (0.1 instead of 0.10000000149011612) or an integer written as
    1.0.  Here float32 values are compared as the float64 they equal, and
    integers, floats and text must stay what they were.
    """
    problems = []
    for key in sorted(set(a) & set(b), key=str):
        ka, va = _attr_kind(a[key])
        kb, vb = _attr_kind(b[key])
        if ka != kb:
            problems.append(f"{where}attribute {key}: {ka} {a[key]!r} became {kb} {b[key]!r}")
        elif ka == "float":
            if len(va) != len(vb) or not np.array_equal(np.array(va), np.array(vb), equal_nan=True):
                problems.append(f"{where}attribute {key}: {va!r} != {vb!r} (as float64)")
        elif va != vb:
            problems.append(f"{where}attribute {key}: {va!r} != {vb!r}")
    return problems


def _unpacked_close(a, b, add_offset, exact):
    """Elementwise: unpacked values agree exactly, or up to float32 unpacking rounding."""
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    if exact:
        return (a == b) | (nan_a & nan_b)
    # float32 unpacking rounds twice (after the multiply and after the add)
    tol = 2 * np.finfo("f4").eps * (np.abs(b) + 2 * abs(float(add_offset)))
    with np.errstate(invalid="ignore"):
        return (np.abs(a - b) <= tol) | (nan_a & nan_b)


def enum_members(path, group):
    """{variable: {value: name}} for the NetCDF enum variables of one group."""
    if engine_for(path) != "netcdf4":
        return {}
    import netCDF4
    members = {}
    with netCDF4.Dataset(path) as ds:
        g = ds if group == "/" else ds[group.strip("/")]
        for name, var in g.variables.items():
            if isinstance(var.datatype, netCDF4.EnumType):
                members[name] = {int(v): k for k, v in var.datatype.enum_dict.items()}
    return members


def accept_enum_flags(src, dst, sources, group):
    """Copy cube's flag_values/flag_meanings onto the source side where they match its enum."""
    paths = [sources] if isinstance(sources, str) else sources
    for name, members in enum_members(paths[0], group).items():
        if name not in src.variables or name not in dst.variables:
            continue
        values = dst[name].attrs.get("flag_values")
        meanings = dst[name].attrs.get("flag_meanings")
        if values is None or meanings is None:
            continue
        pairs = dict(zip((int(v) for v in np.atleast_1d(values)), str(meanings).split(" ")))
        if pairs == {v: k.replace(" ", "_") for v, k in members.items()}:
            src[name].attrs["flag_values"] = values
            src[name].attrs["flag_meanings"] = meanings


def compare_group(sources, store, group, concat_dim=None, drop=()):
    """None if identical (with the packed-variable and enum rules), else a readable reason."""
    extra = {"drop_variables": list(drop)} if drop else {}
    src = open_source(sources, group, concat_dim, **extra)
    dst = open_store(store, group)
    accept_enum_flags(src, dst, sources, group)
    src_raw = open_source(sources, group, concat_dim, mask_and_scale=False, decode_times=False,
                          **extra)
    dst_raw = open_store(store, group, mask_and_scale=False, decode_times=False)
    packed = [n for n in sorted(set(packed_names(src_raw)) | set(packed_names(dst_raw)))
              if n in src.variables and n in dst.variables]

    problems = []
    # 1. the decoded datasets, packed variables cast to float64 on both sides;
    #    values within float32 unpacking rounding count as equal
    for n in packed:
        exact = src[n].dtype == np.float64
        src[n] = src[n].astype("f8", keep_attrs=True)
        dst[n] = dst[n].astype("f8", keep_attrs=True)
        if src[n].shape == dst[n].shape:
            # values within rounding are taken as equal; real differences stay visible
            offset = src_raw[n].attrs.get("add_offset", 0.0)
            close = _unpacked_close(src[n].values, dst[n].values, offset, exact)
            src[n] = src[n].copy(data=np.where(close, dst[n].values, src[n].values))
    msg = _identical_message(src, dst)
    if msg:
        problems.append(msg)
        problems.extend(_first_differences(src, dst))
    problems.extend(_strict_attr_problems(src.attrs, dst.attrs, ""))
    for n in src.variables:
        if n in dst.variables:
            problems.extend(_strict_attr_problems(src[n].attrs, dst[n].attrs, f"{n}: "))
    # 2. packed variables in packed form: raw integers, dtype and attributes
    if packed:
        ra = xr.Dataset({n: src_raw[n].variable for n in packed})
        rb = xr.Dataset({n: dst_raw[n].variable for n in packed})
        msg = _identical_message(ra, rb)
        if msg:
            problems.append("packed form (mask_and_scale=False):\n" + msg)
            problems.extend(_first_differences(ra, rb))
        for n in packed:
            problems.extend(_strict_attr_problems(ra[n].attrs, rb[n].attrs, f"{n} (packed): "))
    return "\n".join(problems) or None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+", metavar="SOURCE... ZARR_STORE")
    ap.add_argument("--group", action="append", metavar="G",
                    help="compare only this group path (repeatable); default: every group")
    ap.add_argument("--concat", metavar="DIM", help="join several sources along DIM")
    ap.add_argument("--drop", action="append", default=[], metavar="VAR",
                    help="leave this source variable out (repeatable), e.g. the ones "
                         "cube-convert --skip-unsupported skipped")
    ap.add_argument("--engine", choices=("netcdf4", "h5netcdf"),
                    help="open the sources with this xarray engine instead of the default "
                         "(netcdf4 for NetCDF, h5netcdf for plain HDF5)")
    ap.add_argument("--group-paths", action="store_true",
                    help="print the group paths of SOURCE and exit")
    args = ap.parse_args(argv)
    global ENGINE_OVERRIDE
    ENGINE_OVERRIDE = args.engine

    if args.group_paths:
        for p in group_paths(args.paths[0]):
            print(p)
        return 0
    if len(args.paths) < 2:
        ap.error("need SOURCE and ZARR_STORE")
    sources, store = args.paths[:-1], args.paths[-1]
    if len(sources) > 1 and not args.concat:
        ap.error("several sources need --concat DIM")
    if not os.path.isdir(store):
        ap.error(f"no such store: {store}")

    groups = args.group or group_paths(sources[0])
    passed = failed = 0
    if not args.group:  # the hierarchy itself: the same groups, no more, no fewer
        try:
            found = store_group_paths(store)
            extra = sorted(set(found) - set(groups))
            missing = sorted(set(groups) - set(found))
            reason = "; ".join(
                ([f"groups not in the source: {', '.join(extra)}"] if extra else []) +
                ([f"groups missing from the store: {', '.join(missing)}"] if missing else [])
            ) or None
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}"
        if reason is None:
            passed += 1
            print(f"ok   group hierarchy ({len(found)} groups)")
        else:
            failed += 1
            print(f"FAIL group hierarchy: {reason}")
    for g in groups:
        g = "/" + g.strip("/")
        try:
            reason = compare_group(sources, store, g, args.concat, args.drop)
        except Exception as exc:  # cannot open or align: a failure of this group
            reason = f"{type(exc).__name__}: {exc}"
        if reason is None:
            passed += 1
            print(f"ok   {g}")
        else:
            failed += 1
            print(f"FAIL {g}")
            for line in reason.splitlines():
                print(f"     {line}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError):
        sys.exit(main())

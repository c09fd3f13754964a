#!/usr/bin/env python3
"""Check Zarr stores against a manifest, using whichever zarr-python is installed.

    python interop/check_store.py MANIFEST ROOT [--only-format 2|3] [--consolidated]

MANIFEST is the JSON file described in fixtures/README.md; each array and group
in it is looked up under ROOT/<store>/<path>.  For every array the script opens
it with the installed zarr and compares data type, byte order, shape, chunks,
shards, fill value, dimension names, attributes (when the entry has them) and
every value.  With --consolidated it also opens each store through its
consolidated metadata and checks that every manifest array and group is listed
there (stores marked "consolidated": false in the manifest's optional "stores"
list are skipped).  zarr-python 2 silently cannot read format 3, so those
entries are skipped and counted on a separate line.

Prints one line per check ("ok ..." or "FAIL ...: reason") and finishes with
exactly "N passed, N failed"; exits 1 if anything failed.

The helpers encode_value/decode_values/canonical_dtype also define the manifest
value encoding; fixtures/make_zarr_fixtures.py imports them.
"""
import argparse
import base64
import json
import math
import os
import sys
import warnings

import numpy as np
import zarr

ZARR_MAJOR = int(zarr.__version__.split(".")[0])

# zarr-python 3 warns about its own extension data types (fixed-length bytes
# and UTF-32 in format 3); that is expected here and only clutters the output.
warnings.filterwarnings("ignore", message=".*does not have a Zarr V3 specification.*")


# ---------------------------------------------------------------------------
# Manifest encoding helpers (shared with the fixture generator)
# ---------------------------------------------------------------------------

def canonical_dtype(dt):
    """Canonical manifest name of a numpy dtype (byte order ignored)."""
    dt = np.dtype(dt)
    if dt.kind == "b":
        return "bool"
    if dt.kind in "iufc":
        return dt.newbyteorder("=").name  # e.g. int32, float16, complex64
    if dt.kind == "S":
        return f"bytes:{dt.itemsize}"
    if dt.kind == "U":
        return f"unicode:{dt.itemsize // 4}"
    if dt.kind in "OT":  # object (zarr 2) or numpy StringDType (zarr 3)
        return "string"
    raise ValueError(f"no canonical name for dtype {dt!r}")


def _enc_float(x):
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def _dec_float(v):
    return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}.get(v, v) \
        if isinstance(v, str) else float(v)


def encode_value(x, canon):
    """One element (or a fill value) -> its JSON manifest encoding."""
    if x is None:
        return None
    if canon == "bool":
        return bool(x)
    if canon.startswith(("int", "uint")):
        return int(x)
    if canon.startswith("float"):
        return _enc_float(x)
    if canon.startswith("complex"):
        x = complex(x)
        return [_enc_float(x.real), _enc_float(x.imag)]
    if canon.startswith("bytes:"):
        # base64 of exactly N bytes: the value right-padded with NULs
        n = int(canon.split(":")[1])
        return base64.b64encode(bytes(x).ljust(n, b"\0")).decode("ascii")
    if canon.startswith("unicode:") or canon == "string":
        return str(x)
    raise ValueError(canon)


def encode_values(arr, canon):
    """Whole array -> flat list in C order."""
    return [encode_value(x, canon) for x in np.asarray(arr).reshape(-1).tolist()]


def decode_values(values, canon, shape):
    """Manifest values -> numpy array for comparison (strings as object)."""
    if canon == "bool":
        out = np.array(values, dtype=bool)
    elif canon.startswith(("int", "uint")):
        out = np.array(values, dtype=canon)
    elif canon.startswith("float"):
        out = np.array([_dec_float(v) for v in values], dtype=canon)
    elif canon.startswith("complex"):
        out = np.array([complex(_dec_float(r), _dec_float(i)) for r, i in values], dtype=canon)
    elif canon.startswith(("bytes:", "unicode:")):
        n = int(canon.split(":")[1])
        if canon.startswith("bytes:"):
            values = [base64.b64decode(v, validate=True) for v in values]
        # numpy would silently truncate over-long values
        too_long = [v for v in values if len(v.rstrip(b"\0" if isinstance(v, bytes) else "\0")) > n]
        if too_long:
            raise ValueError(f"value longer than {canon}: {too_long[0]!r}")
        out = np.array(values, dtype=("S" if canon.startswith("bytes:") else "U") + str(n))
    elif canon == "string":
        out = np.empty(len(values), dtype=object)
        out[:] = values
    else:
        raise ValueError(canon)
    return out.reshape(shape)


def same_values(actual, expected, canon):
    """Exact equality; NaN equals NaN (per component for complex)."""
    if actual.shape != expected.shape:
        return False
    if canon.startswith("float"):
        return np.array_equal(actual.astype(canon), expected, equal_nan=True)
    if canon.startswith("complex"):
        a = actual.astype(canon)
        return (np.array_equal(a.real, expected.real, equal_nan=True)
                and np.array_equal(a.imag, expected.imag, equal_nan=True))
    if canon == "string":
        return [str(x) for x in actual.reshape(-1).tolist()] == expected.reshape(-1).tolist()
    # numpy compares S/U values without their trailing NULs, matching zarr's semantics
    return bool(np.array_equal(actual, expected))


def same_scalar(actual, expected, canon):
    """Compare two fill values given in manifest encoding."""
    if actual is None or expected is None:
        return actual is None and expected is None
    a = decode_values([actual], canon, (1,))
    e = decode_values([expected], canon, (1,))
    return same_values(a, e, canon)


# ---------------------------------------------------------------------------
# Reading through the installed zarr
# ---------------------------------------------------------------------------

def _byte_order_from_dtype(dt):
    bo = np.dtype(dt).byteorder
    if bo == "|":
        return None
    if bo == "=":
        return sys.byteorder
    return "big" if bo == ">" else "little"


def _v3_byte_order(codecs):
    """Endianness of the array->bytes codec (looking inside sharding)."""
    for c in codecs:
        name = type(c).__name__
        if name == "BytesCodec":
            return None if c.endian is None else c.endian.value
        if name == "ShardingCodec":
            return _v3_byte_order(c.codecs)
    return None  # e.g. vlen-utf8


def read_array(store_dir, path, fmt):
    """Return a dict of the facts the manifest records, as the reader sees them."""
    if ZARR_MAJOR == 2:
        a = zarr.open_array(store=store_dir, path=path, mode="r")
        shards = None
        attrs = a.attrs.asdict()
    else:
        a = zarr.open_array(store=store_dir, path=path, mode="r", zarr_format=fmt)
        if a.metadata.zarr_format != fmt:
            raise ValueError(f"store holds format {a.metadata.zarr_format}")
        shards = list(a.shards) if a.shards is not None else None
        attrs = dict(a.attrs)
    canon = canonical_dtype(a.dtype)
    if fmt == 2:
        dims = attrs.pop("_ARRAY_DIMENSIONS", None)
        byte_order = _byte_order_from_dtype(a.dtype)
    else:
        dims = a.metadata.dimension_names
        dims = list(dims) if dims is not None else None
        byte_order = _v3_byte_order(a.metadata.codecs)
    fill = a.fill_value
    return {
        "dtype": canon,
        "byte_order": byte_order,
        "shape": list(a.shape),
        "chunks": list(a.chunks),
        "shards": shards,
        "fill_value": None if fill is None else encode_value(fill, canon),
        "dimension_names": dims,
        "attributes": json.loads(json.dumps(attrs)),
        "data": a[...],
    }


def check_array(root, entry):
    """Return None if the array matches the manifest entry, else a reason."""
    got = read_array(os.path.join(root, entry["store"]), entry["path"], entry["zarr_format"])
    problems = []
    for key in ("dtype", "shape", "chunks", "shards", "dimension_names"):
        if got[key] != entry.get(key):
            problems.append(f"{key} {got[key]!r} != {entry.get(key)!r}")
    if "byte_order" in entry and got["byte_order"] != entry["byte_order"]:
        problems.append(f"byte_order {got['byte_order']!r} != {entry['byte_order']!r}")
    if "attributes" in entry and got["attributes"] != entry["attributes"]:
        problems.append(f"attributes {got['attributes']!r} != {entry['attributes']!r}")
    if problems:  # values cannot be compared if the type or shape differ
        return "; ".join(problems)
    canon = entry["dtype"]
    if not same_scalar(got["fill_value"], entry["fill_value"], canon):
        problems.append(f"fill_value {got['fill_value']!r} != {entry['fill_value']!r}")
    expected = decode_values(entry["values"], canon, tuple(entry["shape"]))
    if not same_values(np.asarray(got["data"]), expected, canon):
        actual = encode_values(got["data"], canon)
        bad = [i for i, (x, y) in enumerate(zip(actual, entry["values"]))
               if not same_scalar(x, y, canon)]
        first = bad[0] if bad else 0
        problems.append(f"{len(bad)} value(s) differ, first at flat index {first}: "
                        f"{actual[first]!r} != {entry['values'][first]!r}")
    return "; ".join(problems) or None


def check_group(root, entry, fmt):
    store_dir = os.path.join(root, entry["store"])
    if ZARR_MAJOR == 2:
        g = zarr.open_group(store=store_dir, path=entry["path"], mode="r")
        attrs = g.attrs.asdict()
    else:
        g = zarr.open_group(store=store_dir, path=entry["path"], mode="r", zarr_format=fmt)
        attrs = dict(g.attrs)
    attrs = json.loads(json.dumps(attrs))
    if "attributes" in entry and attrs != entry["attributes"]:
        return f"attributes {attrs!r} != {entry['attributes']!r}"
    return None


def consolidated_members(store_dir, fmt):
    """{path: "array"|"group"} for every node listed by consolidated metadata."""
    if ZARR_MAJOR == 2:
        g = zarr.open_consolidated(store_dir, mode="r")
        found = {}
        g.visititems(lambda name, node: found.__setitem__(
            name, "array" if isinstance(node, zarr.Array) else "group"))
        return found
    g = zarr.open_consolidated(store_dir, mode="r", zarr_format=fmt)
    if g.metadata.consolidated_metadata is None:
        raise ValueError("no consolidated metadata")
    return {name: ("array" if isinstance(node, zarr.Array) else "group")
            for name, node in g.members(max_depth=None)}


def store_format(root, store, manifest):
    """Format of a store: from its manifest entries, else from the files."""
    for e in manifest.get("arrays", []) + manifest.get("groups", []):
        if e["store"] == store and "zarr_format" in e:
            return e["zarr_format"]
    return 3 if os.path.exists(os.path.join(root, store, "zarr.json")) else 2


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("manifest")
    ap.add_argument("root")
    ap.add_argument("--only-format", type=int, choices=(2, 3))
    ap.add_argument("--consolidated", action="store_true")
    args = ap.parse_args(argv)

    with open(args.manifest, encoding="utf-8") as f:
        manifest = json.load(f)
    passed = failed = skipped = 0

    def report(name, reason):
        nonlocal passed, failed
        if reason is None:
            passed += 1
            print(f"ok   {name}")
        else:
            failed += 1
            print(f"FAIL {name}: {reason}")

    def wanted(fmt):
        nonlocal skipped
        if args.only_format is not None and fmt != args.only_format:
            return False
        if ZARR_MAJOR == 2 and fmt == 3:
            skipped += 1
            return False
        return True

    for entry in manifest.get("arrays", []):
        if not wanted(entry["zarr_format"]):
            continue
        name = f"{entry['store']}/{entry['path']}"
        try:
            report(name, check_array(args.root, entry))
        except Exception as exc:  # any read error is a failure of this array
            report(name, f"{type(exc).__name__}: {exc}")

    for entry in manifest.get("groups", []):
        fmt = entry.get("zarr_format") or store_format(args.root, entry["store"], manifest)
        if not wanted(fmt):
            continue
        name = f"{entry['store']}/{entry['path']} (group)"
        try:
            report(name, check_group(args.root, entry, fmt))
        except Exception as exc:
            report(name, f"{type(exc).__name__}: {exc}")

    if args.consolidated:
        unconsolidated = {s["store"] for s in manifest.get("stores", [])
                          if s.get("consolidated") is False}
        stores = sorted({e["store"] for e in manifest.get("arrays", []) + manifest.get("groups", [])})
        for store in stores:
            fmt = store_format(args.root, store, manifest)
            if store in unconsolidated or not wanted(fmt):
                continue
            name = f"{store} (consolidated)"
            try:
                found = consolidated_members(os.path.join(args.root, store), fmt)
                expect = {e["path"]: "array" for e in manifest["arrays"] if e["store"] == store}
                expect.update({e["path"]: "group" for e in manifest.get("groups", [])
                               if e["store"] == store and e["path"] != ""})
                missing = sorted(p for p, kind in expect.items() if found.get(p) != kind)
                report(name, f"not listed: {', '.join(missing)}" if missing else None)
            except Exception as exc:
                report(name, f"{type(exc).__name__}: {exc}")

    if skipped:
        print(f"skipped {skipped} format-3 entries (zarr-python {zarr.__version__} cannot read them)")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

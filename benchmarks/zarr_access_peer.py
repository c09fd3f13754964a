"""The zarr-python peer of cube-bench: the same reads of one array, timed the same way.

    zarr_access_peer.py STORE ARRAY [--patterns series,slice,box,scan] [--points 20]
                        [--seed 0] [--along DIM] [--box lat=10,lon=10] [--window 30]
                        [--warm] [--dry-run]

Reads ARRAY of the Zarr store STORE with zarr-python 3 (`zarr.open_array(STORE,
path=ARRAY, mode="r")` and basic indexing, its default configuration) at the places
cube-bench reads it (Sources/CubeEngine/Bench/AccessPattern.swift, SplitMix64.swift):

  series  the whole series dimension (--along; default the one named time, else the first)
          at --points random points of the others
  slice   everything at --points random indices of the series dimension
  box     --box lengths (default 10) of the other dimensions over a --window (default 30) of
          the series dimension, at --points random places
  scan    the whole array once, one read made of every stored object's region in C order

Points come from SplitMix64, one stream per pattern seeded with --seed xor the FNV-1a hash
of the pattern's name; a start along each dimension, in dimension order, is the high 64
bits of next() * (length - read length + 1). So a store of the same shape is read at
cube-bench's points.

Cold reads, as cube-bench's (BenchRunner.swift): before every timed read, untimed, the
cached pages of every file of the store (walked once) are dropped with
posix_fadvise(POSIX_FADV_DONTNEED), and the array is opened afresh. --warm keeps the pages
and makes one untimed pass first.

Prints JSON: the tool and its versions, the array (shape, chunks, shards, dimensions), the
settings and per pattern the read shape, reads, median, p95 and mean seconds (median: the
middle or the mean of the middle two; p95: nearest rank), MB/s (10^6 bytes of array data
returned over the sum of the read times), and per read: bytes returned, chunks covered,
stored objects (files) touched and their bytes on disk, every read's seconds and start.
--dry-run prints the same without reading (no times).
"""

import argparse
import json
import math
import os
import sys
import time

M64 = (1 << 64) - 1


class SplitMix64:
    """cube-bench's generator (SplitMix64.swift), bit for bit."""

    def __init__(self, seed):
        self.state = seed & M64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & M64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        return z ^ (z >> 31)

    def index(self, bound):
        """A value in 0..<bound: the high half of the 128-bit product (no draw below 2)."""
        if bound <= 1:
            return 0
        return (self.next() * bound) >> 64

    @classmethod
    def stream(cls, name, seed):
        return cls(seed ^ fnv1a(name))


def fnv1a(text):
    h = 0xCBF29CE484222325
    for byte in text.encode():
        h = ((h ^ byte) * 0x100000001B3) & M64
    return h


PATTERNS = ("series", "slice", "box", "scan")
DEFAULT_BOX, DEFAULT_WINDOW = 10, 30


def series_axis(dimensions, along):
    if along is not None:
        if along not in dimensions:
            sys.exit(f"zarr_access_peer.py: no dimension named '{along}' (dimensions: {', '.join(dimensions)})")
        return dimensions.index(along)
    return next((d for d, name in enumerate(dimensions) if name.lower() == "time"), 0)


def read_shape(pattern, shape, dimensions, axis, box, window):
    """AccessPattern.swift's readShape."""
    def box_length(d):
        asked = box.get(dimensions[d])
        if d == axis:
            length = window if window is not None else asked if asked is not None else DEFAULT_WINDOW
        else:
            length = asked if asked is not None else DEFAULT_BOX
        return shape[d] if length == -1 else min(max(length, 1), shape[d])

    if pattern == "series":
        return [n if d == axis else min(1, n) for d, n in enumerate(shape)]
    if pattern == "slice":
        return [min(1, n) if d == axis else n for d, n in enumerate(shape)]
    if pattern == "box":
        return [box_length(d) for d in range(len(shape))]
    return list(shape)


def grid_regions(shape, unit):
    """The region of every cell of the grid of `unit`, in C order: [(start, count)]."""
    cells = [math.ceil(n / u) for n, u in zip(shape, unit)]
    regions = []
    for flat in range(math.prod(cells)):
        coords = []
        for c in reversed(cells):
            coords.append(flat % c)
            flat //= c
        coords.reverse()
        start = [i * u for i, u in zip(coords, unit)]
        regions.append((start, [min(u, n - s) for u, n, s in zip(unit, shape, start)]))
    return regions


def reads(pattern, shape, size, object_shape, points, seed):
    """AccessPattern.swift's reads: a list of reads, each a list of (start, count) regions."""
    if not shape or 0 in shape:
        return []
    if pattern == "scan":
        return [grid_regions(shape, object_shape)]
    random = SplitMix64.stream(pattern, seed)
    return [[([random.index(n - k + 1) for n, k in zip(shape, size)], size)] for _ in range(points)]


def unit_range(start, count, unit):
    """The grid cells of `unit` that a region covers, per dimension."""
    return [range(s // u, (s + c - 1) // u + 1) for s, c, u in zip(start, count, unit)]


def cells(ranges):
    out = [()]
    for r in ranges:
        out = [prefix + (i,) for prefix in out for i in r]
    return out


def percentile(values, fraction):
    """BenchMeasurement.percentile: the median is the middle (mean of the two middle ones),
    other fractions the nearest rank."""
    if not values:
        return 0.0
    s = sorted(values)
    if fraction == 0.5:
        mid = len(s) // 2
        return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2
    rank = math.ceil(fraction * len(s))
    return s[min(max(rank, 1), len(s)) - 1]


def store_files(root):
    files = []
    for directory, _, names in os.walk(root):
        files.extend(os.path.join(directory, name) for name in names)
    return sorted(f for f in files if os.path.isfile(f) and not os.path.islink(f))


def drop_pages(files):
    """PageCacheDropper.drop: posix_fadvise(DONTNEED) on every file, errors ignored."""
    for path in files:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
        except OSError:
            continue
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        except OSError:
            pass
        finally:
            os.close(fd)


def parse_box(text):
    box = {}
    for item in filter(None, (part.strip() for part in (text or "").split(","))):
        name, _, value = item.partition("=")
        if not name or not value.lstrip("-").isdigit() or (int(value) < 1 and int(value) != -1):
            sys.exit(f"zarr_access_peer.py: box spec '{text}': write it like lat=10,lon=10 (-1: the full length)")
        box[name.strip()] = int(value)
    return box


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store")
    parser.add_argument("array")
    parser.add_argument("--patterns", default="series,slice,box,scan")
    parser.add_argument("--points", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--along")
    parser.add_argument("--box")
    parser.add_argument("--window", type=int)
    parser.add_argument("--warm", action="store_true")
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    patterns = [p.strip() for p in args.patterns.split(",")]
    if "all" in patterns:
        patterns = list(PATTERNS)
    if any(p not in PATTERNS for p in patterns):
        sys.exit(f"zarr_access_peer.py: unknown pattern in '{args.patterns}': use series, slice, box or scan")
    patterns = [p for p in PATTERNS if p in patterns]  # cube-bench's order
    if args.points < 1 or not 0 <= args.seed <= M64 or (args.window is not None and args.window < 1):
        sys.exit("zarr_access_peer.py: --points and --window must be at least 1, --seed a UInt64")
    box = parse_box(args.box)

    import numpy
    import zarr

    def open_array():
        return zarr.open_array(args.store, path=args.array, mode="r")

    array = open_array()
    shape = list(array.shape)
    chunk_shape = list(array.chunks)  # the decoded unit (the inner chunk when sharded)
    object_shape = list(array.shards or array.chunks)  # the stored object
    metadata = array.metadata
    if getattr(metadata, "dimension_names", None):
        dimensions = list(metadata.dimension_names)
    else:
        dimensions = list(array.attrs.get("_ARRAY_DIMENSIONS") or [f"dim_{d}" for d in range(len(shape))])
    item_size = array.dtype.itemsize
    axis = series_axis(dimensions, args.along)
    array_dir = os.path.join(args.store, *filter(None, args.array.split("/")))
    files = store_files(args.store)
    object_bytes = {}

    def stored_size(coords):  # bytes on disk of one stored object (0: not written, the fill value)
        if coords not in object_bytes:
            try:
                object_bytes[coords] = os.stat(os.path.join(array_dir, metadata.encode_chunk_key(coords))).st_size
            except FileNotFoundError:
                object_bytes[coords] = 0
        return object_bytes[coords]

    results = []
    for pattern in patterns:
        size = read_shape(pattern, shape, dimensions, axis, box, args.window)
        planned = reads(pattern, shape, size, object_shape, args.points, args.seed)
        selections = [[tuple(slice(s, s + c) for s, c in zip(start, count)) for start, count in read]
                      for read in planned]
        chunks = objects = bytes_read = returned = 0
        for read in planned:
            for start, count in read:
                chunks += math.prod(len(r) for r in unit_range(start, count, chunk_shape))
                touched = [c for c in cells(unit_range(start, count, object_shape)) if stored_size(c) > 0]
                objects += len(touched)
                bytes_read += sum(stored_size(c) for c in touched)
                returned += math.prod(count) * item_size
        seconds = []
        if not args.dry_run:
            if args.warm:
                warm = open_array()
                for read in selections:
                    for selection in read:
                        warm[selection]
            for read in selections:
                if not args.warm:
                    drop_pages(files)
                fresh = open_array()
                start = time.perf_counter()
                for selection in read:
                    data = fresh[selection]
                seconds.append(time.perf_counter() - start)
                assert isinstance(data, numpy.ndarray)
        n = len(planned)
        total = sum(seconds)
        results.append({
            "pattern": pattern, "dimension": dimensions[axis], "read_shape": size, "reads": len(seconds) or n,
            "median_seconds": percentile(seconds, 0.5), "p95_seconds": percentile(seconds, 0.95),
            "mean_seconds": total / len(seconds) if seconds else 0.0,
            "mb_per_second": returned / total / 1e6 if total > 0 else 0.0,
            "bytes_per_read": round(returned / n, 3) if n else 0,
            "chunks_per_read": round(chunks / n, 3) if n else 0,
            "objects_per_read": round(objects / n, 3) if n else 0,
            "bytes_read_per_read": round(bytes_read / n, 3) if n else 0,
            "seconds": seconds,
            "starts": [read[0][0] for read in planned] if pattern != "scan" else None,
        })

    import importlib.metadata as m
    print(json.dumps({
        "tool": "zarr-python",
        "versions": {"python": sys.version.split()[0],
                     **{name: m.version(name) for name in ("zarr", "numpy", "numcodecs")}},
        "zarr_config": {"async.concurrency": zarr.config.get("async.concurrency"),
                        "threading.max_workers": zarr.config.get("threading.max_workers")},
        "store": args.store, "array": args.array, "shape": shape, "dimensions": dimensions,
        "chunk_shape": chunk_shape, "shard_shape": list(array.shards) if array.shards else None,
        "data_type": str(array.dtype),
        "settings": {"points": args.points, "seed": args.seed, "cold": not args.warm, "along": args.along,
                     "box": box, "window": args.window, "patterns": patterns, "dry_run": args.dry_run,
                     "files_dropped": 0 if args.warm else len(files)},
        "patterns": results,
    }, indent=1))


if __name__ == "__main__":
    main()

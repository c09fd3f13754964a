#!/usr/bin/env bash
# Time access patterns with cube-bench and with zarr-python on one year of reanalysis-like
# data stored twice: in map chunks (one time step each, 1×181×360) and in time-series
# chunks (2920×10×10). The classic trade-off: a time series at one point reads one chunk
# of the series store but every chunk of the map store, and a map at one time the reverse.
#
#   benchmarks/access.sh                  # RUNS=3 of each tool, store and pattern, interleaved
#   RUNS=1 POINTS=5 benchmarks/access.sh  # quicker, noisier
#
# Builds the release binaries, makes sure .venv/zarr3 exists (scripts/setup-python),
# generates benchmarks/data/reanalysis.nc once (make_reanalysis.py), converts it once with
# cube-convert into reanalysis.zarr (Zarr v3, bytes + zstd level 0, chunks 1×181×360) and
# rechunks that once with cube-rechunk into reanalysis-series.zarr (--chunks
# time=-1,lat=10,lon=10; checked value for value by check_rechunk.py when made); both are
# kept while complete (shared steps: benchmarks/lib.sh). Then, RUNS rounds, each runs every
# tool on every store, array and pattern, one process each, under /usr/bin/time -v (peak
# RSS), interleaved so that machine noise falls on all alike (run from benchmarks/data):
#
#   cube         .build/release/cube-bench STORE/ARRAY --patterns P --points N --seed S --json -q
#   zarr-python  benchmarks/zarr_access_peer.py STORE ARRAY --patterns P --points N --seed S:
#                zarr.open_array(STORE, path=ARRAY, mode="r")[region], the same regions
#                (cube-bench's SplitMix64 points, reimplemented), timed the same way
#
# Both read cold: before each timed read, untimed, every file of the store gets
# posix_fadvise(POSIX_FADV_DONTNEED) and the array is opened afresh. The report shows per
# tool, store and pattern the median over the rounds of each run's median and p95 read
# time and MB/s, chunks and bytes read per read, and the largest peak RSS, with the ratio
# of the series store's median to the map store's; and checks that both tools made the
# same reads (chunks, bytes returned and bytes stored per read agree). Writes
# benchmarks/results/access.md (and every run's row in access-runs.tsv) and prints it.
#
# Environment:
#   RUNS=3          rounds; the table shows medians over them
#   POINTS=10       random points per pattern (series, slice, box); the scan is one read
#   SEED=0          seed of the points
#   PATTERNS="series slice box scan"   patterns, in this order within a round
#   ARRAYS=t2m      arrays (t2m, msl or "t2m msl")
#   TOOLS="cube zarr-python"           which tools, in this order
#   BUILD=1         0 skips `swift build -c release` (times the binary already built)
#   VERIFY=1        0 skips checking the series store when it is made
#   TAG=            results go to access-TAG.md / access-TAG-runs.tsv instead
#   DATA_DIR=benchmarks/data   RESULTS_DIR=benchmarks/results
set -euo pipefail

. "$(dirname "$0")/lib.sh"
POINTS=${POINTS:-10}
SEED=${SEED:-0}
PATTERNS=${PATTERNS:-series slice box scan}
ARRAYS=${ARRAYS:-t2m}
TOOLS=${TOOLS:-cube zarr-python}
TAG=${TAG:-}
CUBE=$release/cube-bench
CONVERT=$release/cube-convert
RECHUNK=$release/cube-rechunk
name=access${TAG:+-$TAG}

map=reanalysis.zarr
series=reanalysis-series.zarr
chunks=time=-1,lat=10,lon=10

if ! [[ $RUNS =~ ^[1-9][0-9]*$ && $POINTS =~ ^[1-9][0-9]*$ && $SEED =~ ^[0-9]+$ ]]; then
  log "RUNS and POINTS must be positive integers, SEED a whole number"; exit 64
fi
for tool in $TOOLS; do
  case $tool in cube|zarr-python) ;; *) log "unknown tool '$tool' in TOOLS"; exit 64 ;; esac
done
for pattern in $PATTERNS; do
  case $pattern in series|slice|box|scan) ;; *) log "unknown pattern '$pattern' in PATTERNS"; exit 64 ;; esac
done
for array in $ARRAYS; do
  case $array in t2m|msl) ;; *) log "ARRAYS are t2m and msl, not '$array'"; exit 64 ;; esac
done

# --- GNU time (for -v), build, Python, data ---------------------------------------------
[[ -x /usr/bin/time ]] || apt_install time
cd "$root"
build_release "$CUBE" "$CONVERT" "$RECHUNK"
scripts/setup-python

private_copy "$CUBE" "$CONVERT" "$RECHUNK"

reanalysis_nc "$nc"
cd "$DATA_DIR"
make_store "converting $nc -> $map (Zarr v3, zstd level 0, the source's 1×181×360 chunks)" "$map" \
  "$work/cube-convert" "$nc" -o "$map" --overwrite -q
made_series=0
store_complete "$series" || made_series=1
make_store "rechunking $map -> $series (--chunks $chunks)" "$series" \
  "$work/cube-rechunk" "$map" -o "$series" --chunks "$chunks" -q
if ((made_series)) && [[ $VERIFY == 1 ]]; then
  log "checking $series against $map (check_rechunk.py)"
  "$PY" "$bench/check_rechunk.py" "$map" "$series" --chunks "$chunks" >&2
fi
# the stores as timed: each array's shape, chunks and bytes on disk
"$PY" - "$map" "$series" $ARRAYS >"$work/stores.txt" <<'EOF'
import os, sys, zarr
for store in sys.argv[1:3]:
    for name in sys.argv[3:]:
        a = zarr.open_array(store, path=name, mode="r")
        files = [os.path.join(d, f) for d, _, fs in os.walk(os.path.join(store, name)) for f in fs]
        size = sum(os.path.getsize(f) for f in files)
        print(f"{store}/{name}: shape {'×'.join(map(str, a.shape))} {a.dtype}, chunks {'×'.join(map(str, a.chunks))}, "
              f"{len(files) - 1} chunk files, {size / 2**20:.0f} MiB on disk ({a.nbytes / 2**20:.0f} MiB decoded)")
EOF
sed 's/^/access.sh: /' "$work/stores.txt" >&2

# --- what is timed: commit, machine, versions (recorded now, before anything can change) ---
commit=$(commit_description "$CUBE")
{
  machine_description
  echo "cube-bench: $("$CUBE" --version 2>&1 | head -n 1), built $(date -r "$CUBE" '+%Y-%m-%d %H:%M:%S %Z') (timed from a copy)"
  echo "python (.venv/zarr3): $(python_versions "$PY" zarr numcodecs numpy)"
  echo "zarr-python configuration: $("$PY" -c 'import zarr
print(", ".join(f"{k} {zarr.config.get(k)}" for k in ("async.concurrency", "threading.max_workers")))') (defaults)"
  echo "load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$work/machine.txt"
runs_tsv=$RESULTS_DIR/$name-runs.tsv
printf 'round\ttool\tstore\tarray\tpattern\tstatus\treads\tmedian_s\tp95_s\tmb_per_s\tchunks_per_read\tbytes_per_read\tbytes_read_per_read\twall_s\tpeak_rss_kib\tcpu_percent\tload1\tseconds\n' >"$runs_tsv"
: >"$work/failures.txt"

command_for() {  # tool store array pattern: the command line, run from $DATA_DIR
  case $1 in
    cube) echo "$work/cube-bench $2/$3 --patterns $4 --points $POINTS --seed $SEED --json -q" ;;
    zarr-python) echo "$PY $bench/zarr_access_peer.py $2 $3 --patterns $4 --points $POINTS --seed $SEED" ;;
  esac
}
summary() {  # tool json: the tsv's columns reads ... bytes_read_per_read, then every read's seconds
  "$PY" -c 'import json, sys
tool, path = sys.argv[1:]
doc = json.load(open(path))
p = (doc["arrays"][0] if tool == "cube" else doc)["patterns"][0]
cols = [p["reads"], p["median_seconds"], p["p95_seconds"], p["mb_per_second"], p["chunks_per_read"],
        p["bytes_per_read"], p["bytes_read_per_read"]]
print("\t".join(map(str, cols)) + "\t" + ",".join(f"{s:.6f}" for s in p["seconds"]))' "$1" "$2"
}

for ((round = 1; round <= RUNS; round++)); do
  for array in $ARRAYS; do
    for pattern in $PATTERNS; do
      for store in "$map" "$series"; do
        for tool in $TOOLS; do
          load1=$(cut -d' ' -f1 /proc/loadavg)
          read -r -a cmd <<<"$(command_for "$tool" "$store" "$array" "$pattern")"
          timed "$work/time.txt" "$work/out.json" "$work/err.txt" "${cmd[@]}"
          if ((rc == 0)) && cols=$(summary "$tool" "$work/out.json" 2>"$work/summary-err.txt"); then
            status=ok
          else
            if ((rc == 0)); then cat "$work/summary-err.txt" >>"$work/err.txt"; fi
            status="exit $rc"
            cols=$'\t\t\t\t\t\t\t'  # no measurement, no seconds
            if ! grep -q "^$tool	$store	$array	$pattern	" "$work/failures.txt"; then
              printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$store" "$array" "$pattern" "${cmd[*]}" \
                "$(tail -n 5 "$work/err.txt" | tr '\n' ' ' | cut -c1-400)" >>"$work/failures.txt"
            fi
          fi
          printf '%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$tool" "$store" "$array" "$pattern" \
            "$status" "${cols%$'\t'*}" "$seconds" "$rss" "$cpu" "$load1" "${cols##*$'\t'}" >>"$runs_tsv"
          log "round $round/$RUNS, $array $pattern, $store, $tool: $status, median $(cut -f2 <<<"$cols")s, peak RSS $((rss / 1024)) MiB, wall ${seconds}s, load $load1"
        done
      done
    done
  done
done

# --- report ------------------------------------------------------------------------------
cd "$root"
"$PY" - "$runs_tsv" "$RUNS" "$POINTS" "$SEED" "$work" "$commit" "$map" "$series" "$TOOLS" "$PATTERNS" "$ARRAYS" \
  >"$RESULTS_DIR/$name.md" <<'EOF'
import csv, datetime, os, statistics, sys

runs_tsv, nruns, points, seed, work, commit, map_store, series_store, tools, patterns, arrays = sys.argv[1:]
tools, patterns, arrays = tools.split(), patterns.split(), arrays.split()
rows = list(csv.DictReader(open(runs_tsv), delimiter="\t"))
labels = {"cube": "cube-bench", "zarr-python": "zarr-python"}
stores = {map_store: "map chunks 1×181×360", series_store: "series chunks 2920×10×10"}
shapes = {"series": "2920×1×1", "slice": "1×181×360", "box": "30×10×10", "scan": "the whole array"}

def ok(tool, store, array, pattern):
    return [r for r in rows if (r["tool"], r["store"], r["array"], r["pattern"]) == (tool, store, array, pattern)
            and r["status"] == "ok"]

def med(rs, key):
    return statistics.median(float(r[key]) for r in rs) if rs else None

def t(s):
    if s is None:
        return "–"
    return f"{s * 1e3:.3g} ms" if s < 1 else f"{s:.3g} s"

def ratio(a, b, bold=True):  # median a against median b: "N× faster" (a is shorter) or "N× slower"
    if a is None or b is None or a <= 0 or b <= 0:
        return "–"
    x = max(a / b, b / a)
    if x < 1.05:
        return "same"
    text = f"{x:,.1f}× {'faster' if a < b else 'slower'}" if x < 10 else f"{x:,.0f}× {'faster' if a < b else 'slower'}"
    return f"**{text}**" if bold and x >= 10 else text

def cell(rs, key, fmt):
    v = med(rs, key)
    return "–" if v is None else fmt(v)

print("# Access patterns: cube-bench vs zarr-python, map chunks vs time-series chunks\n")
print(f"{datetime.date.today().isoformat()}, commit {commit}. Stores: `{map_store}` (map chunks, "
      f"1×181×360, one time step each) and `{series_store}` (time-series chunks, 2920×10×10), the same "
      f"data (Zarr v3, bytes + zstd level 0). {points} random points per pattern (seed {seed}; the scan "
      f"is one read of the whole array), cold reads (each file's cached pages dropped and the array "
      f"opened afresh before every timed read). Median over {nruns} round(s) of each run's median; "
      f"tools, stores and patterns interleaved.\n")
print("```\n" + open(os.path.join(work, "stores.txt")).read().rstrip() + "\n```\n")
for array in arrays:
    print(f"## {array}: median time per read\n")
    head = ["pattern (one read)"]
    for store in (map_store, series_store):
        head += [f"{stores[store].split(' ')[0]} store: {labels[tool]}" for tool in tools]
    head += [f"series vs map store: {labels[tool]}" for tool in tools]
    print("| " + " | ".join(head) + " |")
    print("|---|" + "---:|" * (len(head) - 1))
    for pattern in patterns:
        line = [f"{pattern} ({shapes[pattern]})"]
        for store in (map_store, series_store):
            line += [t(med(ok(tool, store, array, pattern), "median_s")) for tool in tools]
        line += [ratio(med(ok(tool, series_store, array, pattern), "median_s"),
                       med(ok(tool, map_store, array, pattern), "median_s")) for tool in tools]
        print("| " + " | ".join(line) + " |")
    print()
    print(f"## {array}: details\n")
    print("| pattern | store | tool | median | p95 | MB/s | chunks/read | MB read/read | peak RSS (MiB) | runs | series vs map store | zarr-python vs cube-bench |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for pattern in patterns:
        for store in (map_store, series_store):
            for tool in tools:
                rs = ok(tool, store, array, pattern)
                every = [r for r in rows if (r["tool"], r["store"], r["array"], r["pattern"]) == (tool, store, array, pattern)]
                cube_rs = ok("cube", store, array, pattern)
                rss = f"{max(int(r['peak_rss_kib']) for r in rs) / 1024:.0f}" if rs else "–"
                vs_map = ratio(med(rs, "median_s"), med(ok(tool, map_store, array, pattern), "median_s")) \
                    if store == series_store else ""
                vs_cube = ratio(med(rs, "median_s"), med(cube_rs, "median_s"), bold=False) if tool != "cube" else ""
                print(f"| {pattern} | {stores[store]} | {labels[tool]} | {t(med(rs, 'median_s'))} | "
                      f"{t(med(rs, 'p95_s'))} | {cell(rs, 'mb_per_s', lambda v: f'{v:,.3g}')} | "
                      f"{cell(cube_rs or rs, 'chunks_per_read', lambda v: f'{v:g}')} | "
                      f"{cell(rs, 'bytes_read_per_read', lambda v: f'{v / 1e6:,.2f}')} | {rss} | "
                      f"{len(rs)}/{len(every)} | {vs_map} | {vs_cube} |")
    print()
print("Median and p95: of one read's wall time (the array opened, then timed: the read alone), the "
      "median over the rounds of each run's median and p95 (p95 is the nearest rank: with fewer than 20 "
      "points, a run's slowest read). MB/s: array bytes returned (10^6) over the summed read "
      "times, median over the rounds. chunks/read: chunks decoded per read, from cube-bench. MB read/read: "
      "bytes of the chunk files fetched per read (cube-bench counts them; the peer sums the files' sizes). "
      "Peak RSS: the largest over the rounds of the process's maximum resident set size (GNU time), the "
      "whole process (for zarr-python, the interpreter with numpy and zarr loaded). Series vs map store: "
      "the series store's median against the map store's, for the same tool and pattern; zarr-python vs "
      "cube-bench: zarr-python's median against cube-bench's, for the same store and pattern.\n")

print("## Same reads\n")
print("Both tools must read the same regions. cube-bench does not print its points, so what it counts "
      "per read (chunks, array bytes returned, bytes of the chunk files fetched, which differ from "
      "file to file) is compared with the peer's, computed from its own points; the first round:\n")
print("| array | pattern | store | chunks/read | bytes/read | bytes read/read | same |")
print("|---|---|---|---:|---:|---:|---|")
mismatch = False
for array in arrays:
    for pattern in patterns:
        for store in (map_store, series_store):
            pair = {}
            for tool in ("cube", "zarr-python"):
                rs = [r for r in ok(tool, store, array, pattern) if r["round"] == "1"]
                if rs:
                    pair[tool] = rs[0]
            if len(pair) < 2:
                continue
            keys = ("chunks_per_read", "bytes_per_read", "bytes_read_per_read")
            same = all(abs(float(pair["cube"][k]) - float(pair["zarr-python"][k])) < 0.01 for k in keys)
            mismatch |= not same
            vals = [pair["cube"][k] if same else f"{pair['cube'][k]} vs {pair['zarr-python'][k]}" for k in keys]
            print(f"| {array} | {pattern} | {store} | " + " | ".join(vals) + f" | {'yes' if same else '**NO**'} |")
if mismatch:
    print("\n**The tools did not make the same reads: the comparison above is not like for like.**")

failures = [line.rstrip("\n").split("\t") for line in open(os.path.join(work, "failures.txt"))]
if failures:
    print("\n## Failures\n")
    for tool, store, array, pattern, cmd, msg in failures:
        print(f"- {labels[tool]}, {store}, {array}, {pattern}: `{cmd}` → {msg.strip()}")
print("\n## Machine\n")
print("```\n" + open(os.path.join(work, "machine.txt")).read().rstrip() + "\n```")
loads = [float(r["load1"]) for r in rows]
print(f"\nOther jobs (e.g. Swift builds) may share the machine: the 1-minute load average just before "
      f"each run was {min(loads):.2f}–{max(loads):.2f} (median {statistics.median(loads):.2f}).")
print("\n## Runs\n")
print("| round | tool | store | array | pattern | status | reads | median s | p95 s | MB/s | chunks/read | wall s | peak RSS (MiB) | CPU % | load1 |")
print("|---:|---|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
num = lambda text, fmt: format(float(text), fmt) if text else ""
for r in rows:
    rss = f"{int(r['peak_rss_kib']) / 1024:.0f}" if r["peak_rss_kib"] else ""
    print(f"| {r['round']} | {r['tool']} | {r['store']} | {r['array']} | {r['pattern']} | {r['status']} | "
          f"{r['reads']} | {num(r['median_s'], '.6f')} | {num(r['p95_s'], '.6f')} | {num(r['mb_per_s'], '.3f')} | "
          f"{num(r['chunks_per_read'], 'g')} | {r['wall_s']} | {rss} | {r['cpu_percent']} | {r['load1']} |")
EOF
cat "$RESULTS_DIR/$name.md"

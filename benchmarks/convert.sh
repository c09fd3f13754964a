#!/usr/bin/env bash
# Time cube-convert against xarray and nccopy on one year of reanalysis-like data.
#
#   benchmarks/convert.sh            # RUNS=3 of each tool, interleaved
#   RUNS=1 benchmarks/convert.sh     # quicker, noisier
#
# Builds the release binaries, makes sure .venv/zarr3 exists (scripts/setup-python),
# generates benchmarks/data/reanalysis.nc once (benchmarks/make_reanalysis.py), then
# runs each tool RUNS times under /usr/bin/time -v, cleaning its output before each run
# and interleaving the tools so machine noise hits them alike. The last run of each tool
# is checked against the source. Writes benchmarks/results/convert.md (and the raw
# per-run rows in convert-runs.tsv beside it) and prints the markdown.
#
# Tools (run from benchmarks/data, outputs in benchmarks/data/out/):
#   cube      .build/release/cube-convert reanalysis.nc -o out/cube.zarr --overwrite -q $CUBE_ARGS
#             (defaults: Zarr v3, zstd level 0, source chunks, --max-mem 256MiB, all cores)
#   xarray    benchmarks/xarray_convert.py: open_dataset(chunks={"time": 1}).to_zarr(
#             zarr_format=3, consolidated=True), dask threaded scheduler, default codec
#   nccopy    nccopy reanalysis.nc 'file://.../out/nccopy.zarr#mode=nczarr,file'
#   nccopy-u  the same with -u (unlimited dimensions made fixed), for when nccopy refuses
#             the unlimited time dimension; informational, see the notes in the output
#
# Environment:
#   RUNS=3        runs per tool; the table shows the median
#   STEPS=2920    time steps of the generated file (2920: a year, 3-hourly, ~1.14 GB decoded);
#                 other values use data/reanalysis-STEPS.nc
#   TOOLS="cube xarray nccopy nccopy-u"   which tools, in this order within a round
#   CUBE_ARGS=    extra cube-convert arguments, e.g. "--jobs 1" or "--max-mem 1GiB"
#   BUILD=1       0 skips `swift build -c release`
#   VERIFY=1      0 skips checking the outputs
#   SETTLE=61     seconds to wait after deleting a round's outputs before the next round
#   DATA_DIR=benchmarks/data   RESULTS_DIR=benchmarks/results
set -euo pipefail

. "$(dirname "$0")/lib.sh"
STEPS=${STEPS:-2920}
TOOLS=${TOOLS:-cube xarray nccopy nccopy-u}
CUBE_ARGS=${CUBE_ARGS:-}
CUBE=$release/cube-convert

if [[ $STEPS == 2920 ]]; then source_name=reanalysis.nc; else source_name=reanalysis-$STEPS.nc; fi
src=$DATA_DIR/$source_name
out=$DATA_DIR/out

if ! [[ $RUNS =~ ^[1-9][0-9]*$ ]]; then log "RUNS must be a positive integer"; exit 64; fi
for tool in $TOOLS; do
  case $tool in cube|xarray|nccopy|nccopy-u) ;; *) log "unknown tool '$tool' in TOOLS"; exit 64 ;; esac
done

# --- tools from Debian: GNU time (for -v) and nccopy ---------------------------------
missing=()
[[ -x /usr/bin/time ]] || missing+=(time)
command -v nccopy >/dev/null || missing+=(netcdf-bin)
if ((${#missing[@]})); then apt_install "${missing[@]}"; fi

# --- build, Python, data ---------------------------------------------------------------
cd "$root"
build_release "$CUBE"
scripts/setup-python
reanalysis_nc "$src" "$STEPS"
decoded=$("$PY" -c 'import netCDF4, sys
with netCDF4.Dataset(sys.argv[1]) as d:
    print(sum(v.size * v.dtype.itemsize for v in d.variables.values()))' "$src")
log "source: $src, $decoded bytes decoded, $(du -m "$src" | cut -f1) MB on disk"

# --- timing ------------------------------------------------------------------------------
private_copy "$CUBE"
# what is timed: commit, machine, versions (recorded now, before anything can change)
commit=$(commit_description "$CUBE")
{
  machine_description
  echo "cube-convert: $("$CUBE" --version 2>&1 | head -n 1), built $(date -r "$CUBE" '+%Y-%m-%d %H:%M:%S %Z') (timed from a copy)"
  echo "debian: $(dpkg-query -W -f '${Package} ${Version}\n' 2>/dev/null |
    grep -E '^(libnetcdf[0-9]+|libhdf5-[0-9]+[0-9.-]*|libhdf5-serial-dev|libzstd1|libblosc1|zlib1g|netcdf-bin) ' |
    sort -u | paste -sd, | sed 's/,/, /g')"
  echo "python: $("$PY" -c 'import sys, importlib.metadata as m, netCDF4
names = ["xarray", "zarr", "dask", "numpy", "numcodecs", "netCDF4", "h5py"]
print(f"{sys.version.split()[0]}; " + ", ".join(f"{n} {m.version(n)}" for n in names)
      + f" (netCDF4 wheel: libnetcdf {netCDF4.__netcdf4libversion__}, HDF5 {netCDF4.__hdf5libversion__})")')"
} >"$work/machine.txt"
runs_tsv=$RESULTS_DIR/convert-runs.tsv
printf 'round\ttool\tstatus\tseconds\tpeak_rss_kib\tcpu_percent\tuser_s\tsys_s\tload1\n' >"$runs_tsv"
: >"$work/verify.txt"
: >"$work/failures.txt"

command_for() {  # the tool's command line, run from $DATA_DIR
  case $1 in
    cube) echo "$work/cube-convert $source_name -o out/cube.zarr --overwrite -q $CUBE_ARGS" ;;
    xarray) echo "$PY $bench/xarray_convert.py $source_name out/xarray.zarr" ;;
    nccopy) echo "nccopy $source_name file://$out/nccopy.zarr#mode=nczarr,file" ;;
    nccopy-u) echo "nccopy -u $source_name file://$out/nccopy-u.zarr#mode=nczarr,file" ;;
  esac
}
store_for() { case $1 in cube) echo cube.zarr ;; xarray) echo xarray.zarr ;; nccopy) echo nccopy.zarr ;; nccopy-u) echo nccopy-u.zarr ;; esac; }

verify() {  # tool store
  local tool=$1 store=$2 result status
  case $tool in
    cube|xarray)
      if [[ -f $root/interop/check_convert.py ]]; then
        result=$("$PY" "$root/interop/check_convert.py" "$src" "$store" 2>&1) && status=ok || status=FAIL
      else
        result=$("$PY" "$bench/check_values.py" "$src" "$store" 2>&1) && status=ok || status=FAIL
      fi ;;
    nccopy|nccopy-u)
      result=$("$PY" "$bench/check_values.py" "$src" "$store" 2>&1) && status=ok || status=FAIL
      result+=$'\n'"t2m/.zarray: $(cat "$store/t2m/.zarray" 2>&1)" ;;
  esac
  printf '### %s: %s\n\n```\n%s\n```\n\n' "$tool" "$status" "$result" >>"$work/verify.txt"
  log "verify $tool: $status"
}

# the source in the page cache for every tool alike (it is read warm by all runs)
cat "$src" >/dev/null
cd "$DATA_DIR"
for ((round = 1; round <= RUNS; round++)); do
  fresh_outputs "$out"
  for tool in $TOOLS; do
    sync
    load1=$(cut -d' ' -f1 /proc/loadavg)
    read -r -a cmd <<<"$(command_for "$tool")"
    log "round $round/$RUNS: $tool"
    timed "$work/time.txt" "$work/out.txt" "$work/out.txt" "${cmd[@]}"
    if ((rc == 0)); then status=ok; else status="exit $rc"; fi
    printf '%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$tool" "$status" "$seconds" "$rss" \
      "$cpu" "$user" "$sys" "$load1" >>"$runs_tsv"
    log "  $status, ${seconds}s, peak RSS $((rss / 1024)) MiB, CPU ${cpu}%"
    if ((rc != 0)); then
      if ! grep -q "^$tool	" "$work/failures.txt"; then
        printf '%s\t%s\t%s\n' "$tool" "$(command_for "$tool")" \
          "$(grep -v '^Command exited' "$work/out.txt" | tr '\n' ' ' | cut -c1-400)" >>"$work/failures.txt"
      fi
    elif ((round == RUNS)) && [[ $VERIFY == 1 ]]; then
      verify "$tool" "$out/$(store_for "$tool")"
    fi
    if ((rc == 0)); then
      du -sm "$out/$(store_for "$tool")" | cut -f1 >"$work/size-$tool.txt"
    fi
  done
done
rm -rf "$out"

# --- report ------------------------------------------------------------------------------
cd "$root"

"$PY" - "$runs_tsv" "$decoded" "$RUNS" "$work" "$src" "$commit" "$CUBE_ARGS" "$TOOLS" \
  >"$RESULTS_DIR/convert.md" <<'EOF'
import csv, datetime, os, statistics, sys

runs_tsv, decoded, nruns, work, src, commit, cube_args, tools = sys.argv[1:]
decoded, nruns = int(decoded), int(nruns)
rows = list(csv.DictReader(open(runs_tsv), delimiter="\t"))
failures = {}
for line in open(os.path.join(work, "failures.txt")):
    tool, cmd, msg = line.rstrip("\n").split("\t", 2)
    failures[tool] = (cmd, msg.strip())
labels = {
    "cube": "cube-convert" + (f" {cube_args}" if cube_args else ""),
    "xarray": "xarray + dask (threads)",
    "nccopy": "nccopy → NCZarr",
    "nccopy-u": "nccopy -u → NCZarr ¹",
}

def med(xs):
    return statistics.median(xs) if xs else None

print(f"# cube-convert vs xarray vs nccopy\n")
print(f"{datetime.date.today().isoformat()}, commit {commit}. Source: `{os.path.basename(src)}`, "
      f"{decoded / 1e9:.3f} GB decoded ({decoded / 2**30:.3f} GiB), "
      f"{os.path.getsize(src) / 1e6:.0f} MB on disk; source in the page cache; "
      f"median of {nruns} run(s) per tool, tools interleaved.\n")
print("| tool | median s | MB/s | peak RSS (MiB) | CPU % | runs | output MiB (du) |")
print("|---|---:|---:|---:|---:|---:|---:|")
medians = {}
for tool in tools.split():
    mine = [r for r in rows if r["tool"] == tool]
    ok = [r for r in mine if r["status"] == "ok"]
    size_file = os.path.join(work, f"size-{tool}.txt")
    size = open(size_file).read().strip() if os.path.exists(size_file) else "–"
    if not ok:
        msg = failures.get(tool, ("", "failed"))[1]
        print(f"| {labels[tool]} | failed: {msg[:160]} | – | – | – | 0/{len(mine)} | – |")
        continue
    s = med([float(r["seconds"]) for r in ok])
    medians[tool] = s
    rss = max(int(r["peak_rss_kib"]) for r in ok) / 1024
    cpu = med([float(r["cpu_percent"]) for r in ok])
    print(f"| {labels[tool]} | {s:.1f} | {decoded / 1e6 / s:.0f} | {rss:.0f} | {cpu:.0f} | "
          f"{len(ok)}/{len(mine)} | {size} |")
print()
print("MB/s = decoded bytes (10^6) / median wall seconds. Peak RSS = the largest over the runs "
      "(GNU time's maximum resident set size). CPU % = (user + sys) / wall, median; "
      "200 % is both cores busy.")
if "cube" in medians and "xarray" in medians:
    print(f"\ncube-convert is {medians['xarray'] / medians['cube']:.1f}× faster than xarray "
          "(target: at least 5×; peak RSS within --max-mem + 64 MiB, 320 MiB at the default).")
if "nccopy-u" in tools.split():
    print("\n¹ `nccopy -u` makes the unlimited time dimension fixed. NCZarr writes Zarr v2 "
          "without consolidated metadata, and keeps the source's deflate only if libnetcdf "
          "finds its filter plugins (see its `.zarray` below: `\"compressor\": null` means "
          "uncompressed), so it is not like for like.")
if failures:
    print("\n## Failures\n")
    for tool, (cmd, msg) in failures.items():
        print(f"- {labels[tool]}: `{cmd}` → {msg}")
print("\n## Checks of the last run's outputs\n")
print(open(os.path.join(work, "verify.txt")).read().rstrip() or "(not run)")
print("\n## Machine\n")
print("```\n" + open(os.path.join(work, "machine.txt")).read().rstrip() + "\n```")
print("\nOther jobs (e.g. Swift builds) may share the machine; `load1` below is the "
      "1-minute load average just before each run.")
print("\n## Runs\n")
print("| round | tool | status | seconds | peak RSS (MiB) | CPU % | user s | sys s | load1 |")
print("|---:|---|---|---:|---:|---:|---:|---:|---:|")
for r in rows:
    rss = f"{int(r['peak_rss_kib']) / 1024:.0f}" if r["peak_rss_kib"] else ""
    print(f"| {r['round']} | {r['tool']} | {r['status']} | {r['seconds']} | {rss} | "
          f"{r['cpu_percent']} | {r['user_s']} | {r['sys_s']} | {r['load1']} |")
EOF
cat "$RESULTS_DIR/convert.md"

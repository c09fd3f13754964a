#!/usr/bin/env bash
# Time cube-rechunk against rechunker (and TensorStore) on one year of reanalysis-like data,
# map-shaped chunks (one time step each) into time-series chunks (time=-1, lat=10, lon=10).
#
#   benchmarks/rechunk.sh                 # RUNS=3 of each tool at each budget, interleaved
#   RUNS=1 benchmarks/rechunk.sh          # quicker, noisier
#
# Builds the release binaries, makes sure .venv/zarr3 exists (scripts/setup-python) and
# .venv/rechunker (from benchmarks/requirements-rechunker.txt: rechunker needs zarr-python 2),
# generates benchmarks/data/reanalysis.nc once (benchmarks/make_reanalysis.py) and converts
# it once with cube-convert into reanalysis.zarr (Zarr v3, bytes + zstd level 0, chunks
# 1×181×360) and, for rechunker, reanalysis-v2.zarr (Zarr v2, zstd level 0, same chunks).
# Then runs each tool at each budget RUNS times under /usr/bin/time -v, interleaving tools
# and budgets so machine noise hits them alike, the tools taking turns at going first
# (each round writes side by side into an emptied out/, then waits SETTLE seconds after
# deleting it: see fresh_outputs in lib.sh),
# and records what each run left beside or inside its output (temporary stores).
# The last run of each tool at each budget is checked element for element against its
# source (benchmarks/check_rechunk.py). Writes benchmarks/results/rechunk.md (and the
# raw per-run rows in rechunk-runs.tsv beside it) and prints the markdown.
#
# Tools (run from benchmarks/data, outputs in benchmarks/data/out/), MEM each of $MEMS:
#   cube        .build/release/cube-rechunk reanalysis.zarr -o out/cube-MEM.zarr
#                 --chunks $CHUNKS --max-mem MEM -q --overwrite $CUBE_ARGS   (all cores)
#   cube-v2     the same from reanalysis-v2.zarr (so Zarr v2 in and out, like rechunker's)
#   rechunker   benchmarks/rechunker_peer.py reanalysis-v2.zarr out/rechunker-MEM.zarr
#                 --temp out/rechunker-MEM-temp.zarr: rechunker.rechunk(group, target_chunks,
#                 max_mem=MEM, target_store, temp_store, target_options=the source's
#                 compressor).execute() under dask's threaded scheduler; Zarr v2, because
#                 rechunker 0.5.4 cannot use zarr-python 3
#   tensorstore benchmarks/tensorstore_peer.py reanalysis.zarr out/tensorstore-MEM.zarr:
#                 ts.open(target, create=True).write(ts.open(source)) per array, cache pool
#                 limited to MEM (which TensorStore does not otherwise respect)
#
# Environment:
#   RUNS=3          runs per tool and budget; the table shows the median
#   PEER_RUNS=$RUNS runs of rechunker and tensorstore (the first PEER_RUNS rounds), for when
#                   they are too slow to repeat
#   MEMS="256MiB 32MiB"   the --max-mem budgets (also rechunker's max_mem)
#   TOOLS="cube cube-v2 rechunker tensorstore"   which tools; round N starts with the Nth
#                   (wrapping around), so each tool takes each position in turn
#   CHUNKS=time=-1,lat=10,lon=10   the requested chunks
#   CUBE_ARGS=      extra cube-rechunk arguments, e.g. "--jobs 1" or "--keep-temp"
#   BUILD=1         0 skips `swift build -c release` (times the binary already built)
#   VERIFY=1        0 skips checking the outputs
#   SETTLE=61       seconds to wait after deleting a round's outputs before the next round
#   SOURCE_CACHE=cold   each run's source is dropped from the page cache just before it
#                   (cold: read from the device, as an archive larger than memory), or
#                   read into it (warm)
#   TAG=            results go to rechunk-TAG.md / rechunk-TAG-runs.tsv instead
#   DATA_DIR=benchmarks/data   RESULTS_DIR=benchmarks/results
set -euo pipefail

. "$(dirname "$0")/lib.sh"
PEER_RUNS=${PEER_RUNS:-$RUNS}
MEMS=${MEMS:-256MiB 32MiB}
TOOLS=${TOOLS:-cube cube-v2 rechunker tensorstore}
CHUNKS=${CHUNKS:-time=-1,lat=10,lon=10}
CUBE_ARGS=${CUBE_ARGS:-}
TAG=${TAG:-}
RK=$root/.venv/rechunker
RKPY=$RK/bin/python
CUBE=$release/cube-rechunk
CONVERT=$release/cube-convert
name=rechunk${TAG:+-$TAG}

v3=reanalysis.zarr
v2=reanalysis-v2.zarr
out=$DATA_DIR/out

if ! [[ $RUNS =~ ^[1-9][0-9]*$ && $PEER_RUNS =~ ^[0-9]+$ ]]; then
  log "RUNS must be a positive integer, PEER_RUNS a whole number"; exit 64
fi
for tool in $TOOLS; do
  case $tool in cube|cube-v2|rechunker|tensorstore) ;; *) log "unknown tool '$tool' in TOOLS"; exit 64 ;; esac
done
for mem in $MEMS; do
  [[ $mem =~ ^[0-9]+(MiB|GiB)$ ]] || { log "MEMS entries look like 256MiB or 1GiB, not '$mem'"; exit 64; }
done
uses() { [[ " $TOOLS " == *" $1 "* ]]; }

# --- GNU time (for -v) -----------------------------------------------------------------
[[ -x /usr/bin/time ]] || apt_install time

# --- build, Python, data ---------------------------------------------------------------
cd "$root"
build_release "$CUBE" "$CONVERT"
scripts/setup-python

# .venv/rechunker, the way scripts/setup-python makes its venvs: wheels only, rebuilt from
# scratch when the requirements file changes (its sha256 is kept in the venv)
if uses rechunker; then
  req=$bench/requirements-rechunker.txt
  want=$(sha256sum "$req" | cut -d' ' -f1)
  if ! [[ -x $RKPY && -f $RK/.requirements.sha256 && $(<"$RK/.requirements.sha256") == "$want" ]]; then
    log "building $RK from $req"
    rm -rf "$RK"
    "${PYTHON:-python3}" -m venv "$RK"
    "$RKPY" -m pip install --quiet --disable-pip-version-check --no-input --only-binary=:all: -r "$req"
    echo "$want" >"$RK/.requirements.sha256"
  fi
fi

private_copy "$CUBE" "$CONVERT"

reanalysis_nc "$nc"
make_store "converting $nc -> $v3 (Zarr v3, zstd level 0, the source's 1×181×360 chunks)" "$DATA_DIR/$v3" \
  "$work/cube-convert" "$nc" -o "$DATA_DIR/$v3" --overwrite -q
if uses rechunker || uses cube-v2; then
  make_store "converting $nc -> $v2 (Zarr v2, zstd level 0, for rechunker)" "$DATA_DIR/$v2" \
    "$work/cube-convert" "$nc" -o "$DATA_DIR/$v2" --zarr-format 2 --codec zstd:0 --overwrite -q
fi
# decoded bytes of the rechunked data variables (t2m + msl; the coordinates are 14 KB)
decoded=$("$PY" -c 'import json, math, sys
meta = json.load(open(sys.argv[1] + "/zarr.json"))["consolidated_metadata"]["metadata"]
size = {"float32": 4, "int16": 2, "float64": 8, "int32": 4}
print(sum(math.prod(meta[v]["shape"]) * size[meta[v]["data_type"]] for v in ("t2m", "msl")))' "$DATA_DIR/$v3")
log "data: $decoded bytes decoded (t2m + msl); $v3 $(du -sm "$DATA_DIR/$v3" | cut -f1) MiB$(
  store_complete "$DATA_DIR/$v2" && echo ", $v2 $(du -sm "$DATA_DIR/$v2" | cut -f1) MiB")"

# --- what is timed: commit, machine, versions (recorded now, before anything can change) ---
commit=$(commit_description "$CUBE")
{
  machine_description
  echo "cube-rechunk: $("$CUBE" --version 2>&1 | head -n 1), built $(date -r "$CUBE" '+%Y-%m-%d %H:%M:%S %Z') (timed from a copy)"
  echo "python (.venv/zarr3: tensorstore, checks): $(python_versions "$PY" zarr numcodecs numpy tensorstore)"
  if uses rechunker; then
    echo "python (.venv/rechunker): $(python_versions "$RKPY" rechunker zarr numcodecs dask numpy)"
  fi
} >"$work/machine.txt"
runs_tsv=$RESULTS_DIR/$name-runs.tsv
printf 'round\ttool\tmem\tstatus\tseconds\tpeak_rss_kib\tcpu_percent\tuser_s\tsys_s\tload1\toutput_mib\tleft_behind\n' >"$runs_tsv"
: >"$work/verify.txt"
: >"$work/failures.txt"

store_for() { echo "$1-$2.zarr"; }  # tool mem
source_for() { case $1 in cube-v2|rechunker) echo "$v2" ;; *) echo "$v3" ;; esac; }
command_for() {  # tool mem: the tool's command line, run from $DATA_DIR
  local store; store=out/$(store_for "$1" "$2")
  case $1 in
    cube|cube-v2) echo "$work/cube-rechunk $(source_for "$1") -o $store --chunks $CHUNKS --max-mem $2 -q --overwrite $CUBE_ARGS" ;;
    rechunker) echo "$RKPY $bench/rechunker_peer.py $v2 $store --chunks $CHUNKS --max-mem $2 --temp out/$1-$2-temp.zarr" ;;
    tensorstore) echo "$PY $bench/tensorstore_peer.py $v3 $store --chunks $CHUNKS --max-mem $2" ;;
  esac
}
left_behind() {  # tool mem: what the run left in out/ beside its store (named after it), and hidden state inside it
  local store=$1-$2.zarr entry list=()
  while IFS= read -r entry; do
    list+=("$entry ($(du -sm "$out/$entry" | cut -f1) MiB)")
  done < <(cd "$out" && find . -mindepth 1 -maxdepth 1 -name "*$1-$2*" ! -name "$store" -printf '%P\n' | sort)
  if [[ -d $out/$store ]]; then
    while IFS= read -r entry; do
      list+=("$store/$entry")
    done < <(cd "$out/$store" && find . -mindepth 1 -maxdepth 1 -name '.*' ! -name .zgroup ! -name .zattrs ! -name .zmetadata -printf '%P\n' | sort)
  fi
  if ((${#list[@]})); then (IFS=';'; echo "${list[*]}" | sed 's/;/; /g'); else echo none; fi
}

verify() {  # tool mem
  local tool=$1 mem=$2 result status
  result=$("$PY" "$bench/check_rechunk.py" "$(source_for "$tool")" "out/$(store_for "$tool" "$mem")" --chunks "$CHUNKS" 2>&1) &&
    status=ok || status=FAIL
  printf '### %s at %s: %s\n\n`check_rechunk.py %s out/%s`\n\n```\n%s\n```\n\n' "$tool" "$mem" "$status" \
    "$(source_for "$tool")" "$(store_for "$tool" "$mem")" "$result" >>"$work/verify.txt"
  echo "$status" >"$work/check-$tool-$mem.txt"
  log "  verify $tool at $mem: $status ($(tail -n 1 <<<"$result"))"
}

[[ $SOURCE_CACHE == cold || $SOURCE_CACHE == warm ]] || { log "SOURCE_CACHE is cold or warm, not '$SOURCE_CACHE'"; exit 64; }
cd "$DATA_DIR"
for ((round = 1; round <= RUNS; round++)); do
  fresh_outputs "$out"
  for mem in $MEMS; do
    # Each round starts one tool further along TOOLS, so every tool runs in every position
    # alike: the first run after SETTLE's idle wait pays more to touch memory (this VM's
    # host takes back memory the guest leaves free for a few seconds).
    read -r -a listed <<<"$TOOLS"
    for ((turn = 0; turn < ${#listed[@]}; turn++)); do
      tool=${listed[$(((turn + round - 1) % ${#listed[@]}))]}
      case $tool in rechunker|tensorstore) ((round <= PEER_RUNS)) || continue ;; esac
      last=$RUNS; case $tool in rechunker|tensorstore) last=$((PEER_RUNS < RUNS ? PEER_RUNS : RUNS)) ;; esac
      sync
      set_page_cache "$SOURCE_CACHE" "$(source_for "$tool")"  # the same for every tool: see lib.sh
      load1=$(cut -d' ' -f1 /proc/loadavg)
      read -r -a cmd <<<"$(command_for "$tool" "$mem")"
      log "round $round/$RUNS, $mem: $tool"
      timed "$work/time.txt" "$work/out.txt" "$work/out.txt" "${cmd[@]}"
      if ((rc == 0)); then status=ok; else status="exit $rc"; fi
      size=; [[ -d $out/$(store_for "$tool" "$mem") ]] && size=$(du -sm "$out/$(store_for "$tool" "$mem")" | cut -f1)
      left=$(left_behind "$tool" "$mem")
      printf '%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$tool" "$mem" "$status" "$seconds" \
        "$rss" "$cpu" "$user" "$sys" "$load1" "$size" "$left" >>"$runs_tsv"
      log "  $status, ${seconds}s, peak RSS $((rss / 1024)) MiB, CPU ${cpu}%, left behind: $left"
      if ((rc != 0)); then
        if ! grep -q "^$tool	$mem	" "$work/failures.txt"; then
          printf '%s\t%s\t%s\t%s\n' "$tool" "$mem" "$(command_for "$tool" "$mem")" \
            "$(grep -v '^Command exited' "$work/out.txt" | tail -n 5 | tr '\n' ' ' | cut -c1-400)" >>"$work/failures.txt"
        fi
      elif ((round == last)) && [[ $VERIFY == 1 ]]; then
        verify "$tool" "$mem"
      fi
    done
  done
done
rm -rf "$out"

# --- report ------------------------------------------------------------------------------
cd "$root"

"$PY" - "$runs_tsv" "$decoded" "$RUNS" "$PEER_RUNS" "$work" "$commit" "$CUBE_ARGS" "$TOOLS" "$MEMS" "$CHUNKS" "$SOURCE_CACHE" \
  >"$RESULTS_DIR/$name.md" <<'EOF'
import csv, datetime, os, re, statistics, sys

runs_tsv, decoded, nruns, peer_runs, work, commit, cube_args, tools, mems, chunks, source_cache = sys.argv[1:]
decoded, nruns, peer_runs = int(decoded), int(nruns), int(peer_runs)
tools, mems = tools.split(), mems.split()
rows = list(csv.DictReader(open(runs_tsv), delimiter="\t"))
failures = {}
for line in open(os.path.join(work, "failures.txt")):
    tool, mem, cmd, msg = line.rstrip("\n").split("\t", 3)
    failures[tool, mem] = (cmd, msg.strip())
extra = f" {cube_args}" if cube_args else ""
labels = {
    "cube": ("cube-rechunk" + extra, "v3 → v3"),
    "cube-v2": ("cube-rechunk" + extra, "v2 → v2"),
    "rechunker": ("rechunker + dask (threads)", "v2 → v2 ¹"),
    "tensorstore": ("TensorStore `write` ²", "v3 → v3"),
}

def mib(text):
    n, unit = re.fullmatch(r"(\d+)(MiB|GiB)", text).groups()
    return int(n) * (1024 if unit == "GiB" else 1)

def invalid(tool, mem):
    return " — **but its output failed the check, so this is not a valid time**" if checks.get((tool, mem)) == "FAIL" else ""

def med(xs):
    return statistics.median(xs) if xs else None

print("# cube-rechunk vs rechunker vs TensorStore\n")
print(f"{datetime.date.today().isoformat()}, commit {commit}. Source: `reanalysis.zarr` "
      f"(and `reanalysis-v2.zarr`), from `reanalysis.nc` by cube-convert, chunks 1×181×360, "
      f"zstd level 0; rechunked to `{chunks}`. Data: t2m + msl, {decoded / 1e9:.3f} GB decoded "
      f"({decoded / 2**30:.3f} GiB); "
      + ("each run's source dropped from the page cache just before it (read from the device); " if source_cache == "cold"
         else "each run's source read into the page cache just before it; ")
      + f"median of {nruns} run(s) per "
      f"tool and budget (rechunker and TensorStore: {min(peer_runs, nruns)}), interleaved, "
      f"each round started by the next tool in turn.\n")
print("| tool | Zarr | --max-mem | median s | MB/s | peak RSS (MiB) | CPU % | runs | check | output MiB | left behind |")
print("|---|---|---:|---:|---:|---:|---:|---:|---|---:|---|")
medians, rss_max, checks = {}, {}, {}
for mem in mems:
    for tool in tools:
        mine = [r for r in rows if r["tool"] == tool and r["mem"] == mem]
        if not mine:
            continue
        ok = [r for r in mine if r["status"] == "ok"]
        label, fmt = labels[tool]
        check_file = os.path.join(work, f"check-{tool}-{mem}.txt")
        check = open(check_file).read().strip() if os.path.exists(check_file) else "–"
        checks[tool, mem] = check
        check = "**FAIL**" if check == "FAIL" else check
        left = sorted({r["left_behind"] for r in mine})
        left = "; ".join(left) if len(left) == 1 else " / ".join(left)
        if not ok:
            msg = failures.get((tool, mem), ("", "failed"))[1]
            print(f"| {label} | {fmt} | {mem} | failed: {msg[:160]} | – | – | – | 0/{len(mine)} | – | – | {left} |")
            continue
        s = med([float(r["seconds"]) for r in ok])
        medians[tool, mem] = s
        rss = max(int(r["peak_rss_kib"]) for r in ok) / 1024
        rss_max[tool, mem] = rss
        cpu = med([float(r["cpu_percent"]) for r in ok])
        size = ok[-1]["output_mib"] or "–"
        print(f"| {label} | {fmt} | {mem} | {s:.1f} | {decoded / 1e6 / s:.0f} | {rss:.0f} | {cpu:.0f} | "
              f"{len(ok)}/{len(mine)} | {check} | {size} | {left} |")
print()
print("MB/s = decoded bytes of t2m + msl (10^6) / median wall seconds. Peak RSS = the largest "
      "over the runs (GNU time's maximum resident set size). CPU % = (user + sys) / wall, median; "
      "200 % is both cores busy. Check = `check_rechunk.py` on the last run's output (below); a "
      "time whose output failed it measures a wrong result. Left behind = what a run left in `out/` beside its store, or "
      "hidden inside it (the state of an unfinished cube-rechunk).")
print("\n¹ rechunker 0.5.4 requires zarr-python < 3 and fails with zarr 3.1.6 (`module 'zarr' has "
      "no attribute 'hierarchy'`), so it runs with zarr 2.18 on a Zarr v2 copy of the source "
      "(`cube-convert --zarr-format 2 --codec zstd:0`), writing Zarr v2 with the source's "
      "compressor (zstd level 0; its temporary store gets the same). `max_mem` is rechunker's "
      "per-task limit, so with dask's 2 threads it may hold about twice that; it keeps no "
      "fill_value. The cube-rechunk v2 → v2 row is the like-for-like comparison.")
print("\n² TensorStore 0.1.86: `ts.open(target, create=True).write(ts.open(source))` per array, "
      "same codecs; `--max-mem` only limits its cache pool, TensorStore has no budget for a write.")
print("\n## Targets (issue: cube-rechunk measured)\n")
for mem in mems:
    budget = mib(mem)
    for tool in ("cube", "cube-v2"):
        if (tool, mem) in rss_max:
            rss = rss_max[tool, mem]
            print(f"- {mem}, {labels[tool][1]}: cube-rechunk peak RSS {rss:.0f} MiB, "
                  f"{'within' if rss <= budget + 64 else 'OVER'} the budget + 64 MiB ({budget + 64} MiB){invalid(tool, mem)}.")
    if ("rechunker", mem) in medians:
        for tool in ("cube-v2", "cube"):
            if (tool, mem) in medians:
                ratio = medians["rechunker", mem] / medians[tool, mem]
                target = " (target: at least 3×)" if budget == 256 else ""
                print(f"- {mem}: cube-rechunk {labels[tool][1]} is {ratio:.1f}× as fast as rechunker{target}; "
                      f"rechunker's peak RSS {rss_max['rechunker', mem]:.0f} MiB{invalid(tool, mem)}.")
if failures:
    print("\n## Failures\n")
    for (tool, mem), (cmd, msg) in failures.items():
        print(f"- {labels[tool][0]} at {mem}: `{cmd}` → {msg}")
print("\n## Checks of the last run's outputs\n")
print(open(os.path.join(work, "verify.txt")).read().rstrip() or "(not run)")
print("\n## Machine\n")
print("```\n" + open(os.path.join(work, "machine.txt")).read().rstrip() + "\n```")
print("\nOther jobs (e.g. Swift builds) may share the machine; `load1` below is the "
      "1-minute load average just before each run.")
print("\n## Runs\n")
print("| round | tool | --max-mem | status | seconds | peak RSS (MiB) | CPU % | user s | sys s | load1 | output MiB | left behind |")
print("|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|")
for r in rows:
    rss = f"{int(r['peak_rss_kib']) / 1024:.0f}" if r["peak_rss_kib"] else ""
    print(f"| {r['round']} | {r['tool']} | {r['mem']} | {r['status']} | {r['seconds']} | {rss} | "
          f"{r['cpu_percent']} | {r['user_s']} | {r['sys_s']} | {r['load1']} | {r['output_mib']} | {r['left_behind']} |")
EOF
cat "$RESULTS_DIR/$name.md"

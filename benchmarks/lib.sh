# What the benchmark scripts (convert.sh, rechunk.sh, access.sh) share. Sourced, not run,
# first thing: . "$(dirname "$0")/lib.sh". It sets
#   root, bench            the package and its benchmarks/ directory
#   RUNS, BUILD, VERIFY    from the environment, defaults 3, 1 and 1
#   SETTLE                 from the environment, default 61: seconds fresh_outputs waits
#   SOURCE_CACHE           from the environment, default cold: set_page_cache's mode for
#                          the inputs of each timed run (cold or warm)
#   DATA_DIR, RESULTS_DIR  from the environment (default benchmarks/data and
#                          benchmarks/results), made, as absolute paths
#   PY                     .venv/zarr3's python (made by scripts/setup-python)
#   release                .build/release, where `swift build -c release` puts the binaries
#   nc                     the year of reanalysis-like data, $DATA_DIR/reanalysis.nc
#   work                   a temporary directory, deleted on exit
#   log                    prints "SCRIPT: message" on standard error
# and defines the functions below.

root=$(cd "$(dirname "$0")/.." && pwd)
bench=$root/benchmarks
RUNS=${RUNS:-3}
BUILD=${BUILD:-1}
VERIFY=${VERIFY:-1}
SETTLE=${SETTLE:-61}
SOURCE_CACHE=${SOURCE_CACHE:-cold}
DATA_DIR=$(mkdir -p "${DATA_DIR:-$bench/data}" && cd "${DATA_DIR:-$bench/data}" && pwd)
RESULTS_DIR=$(mkdir -p "${RESULTS_DIR:-$bench/results}" && cd "${RESULTS_DIR:-$bench/results}" && pwd)
PY=$root/.venv/zarr3/bin/python
release=$root/.build/release
nc=$DATA_DIR/reanalysis.nc
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log() { echo "$(basename "$0"): $*" >&2; }

# private_copy BINARY...: copies each into $work, so that a concurrent `swift build` or
# clean cannot swap or delete what is timed mid-run; time $work/NAME
private_copy() { cp "$@" "$work/"; }

# apt_install PACKAGE...: installs Debian packages (with sudo unless root)
apt_install() {
  log "installing $* with apt-get"
  local sudo=
  [[ $(id -u) == 0 ]] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

# build_release BINARY...: `swift build -c release` in $root unless BUILD=0 (log in
# $RESULTS_DIR/build.log), then every BINARY must be there
build_release() {
  local binary
  if [[ $BUILD == 1 ]]; then
    log "swift build -c release"
    if ! (cd "$root" && swift build -c release) >"$RESULTS_DIR/build.log" 2>&1; then
      grep -m 5 'error:' "$RESULTS_DIR/build.log" >&2 || tail -n 5 "$RESULTS_DIR/build.log" >&2
      log "swift build -c release failed (log: $RESULTS_DIR/build.log); BUILD=0 times the binary already in .build/release"
      exit 1
    fi
  fi
  for binary; do
    [[ -x $binary ]] || { log "no $binary (build with: swift build -c release)"; exit 1; }
  done
}

# reanalysis_nc PATH [STEPS]: make_reanalysis.py writes PATH (STEPS time steps, default
# 2920) unless a complete one is there (the script renames its file into place when done)
reanalysis_nc() {
  local nc=$1 steps=${2:-2920}
  if [[ -f $nc ]] && "$PY" -c 'import netCDF4, sys
with netCDF4.Dataset(sys.argv[1]) as d: sys.exit(len(d.dimensions["time"]) != int(sys.argv[2]))' "$nc" "$steps" 2>/dev/null; then
    log "using $nc"
  else
    log "generating $nc ($steps steps)"
    rm -f "$nc"
    "$PY" "$bench/make_reanalysis.py" --steps "$steps" --out "$nc" >&2
  fi
}

# store_complete STORE: the Zarr store was written to the end: its consolidated metadata is
# there (cube-convert moves a store into place only when done, and writes it last; so does
# cube-rechunk, which until then keeps a .cube-rechunk directory and a root attribute
# _cube_rechunk_incomplete)
store_complete() {
  [[ -d $1 && ! -e $1/.cube-rechunk ]] || return 1
  [[ -f $1/.zmetadata ]] && return 0
  "$PY" -c 'import json, sys
meta = json.load(open(sys.argv[1] + "/zarr.json"))
sys.exit(not meta.get("consolidated_metadata") or "_cube_rechunk_incomplete" in meta.get("attributes", {}))' "$1" 2>/dev/null
}

# make_store WHAT STORE COMMAND...: runs COMMAND (which writes STORE; WHAT says how) unless
# STORE is complete. An unfinished cube-rechunk output is continued by the same command.
make_store() {
  local what=$1 store=$2
  shift 2
  if store_complete "$store"; then
    log "using $store"
  else
    log "$what"
    "$@"
    store_complete "$store" || { log "$store is not complete after: $*"; exit 1; }
  fi
}

# fresh_outputs DIR: deletes DIR (the last round's outputs) and makes it again, empty, then
# waits SETTLE seconds after a sync if anything was deleted. Each round's tools write side by
# side into DIR and nothing is deleted during a round, so no run pays for the deletion of
# another's output: ext4 without a journal (this machine's) passes over every inode freed in
# the last minute each time it allocates one, which made a run right after a deletion of
# ~12,000 inodes take up to twice as long, whichever tool it was.
fresh_outputs() {
  if [[ -e $1 ]]; then
    rm -rf "$1"
    sync
    log "waiting ${SETTLE}s after deleting the last round's outputs"
    sleep "$SETTLE"
  fi
  mkdir -p "$1"
}

# set_page_cache MODE PATH...: puts the files under each PATH (files or directories) in the
# state MODE says: cold drops them from the page cache (POSIX_FADV_DONTNEED; they are clean),
# so a run reads its input from the device, as from an archive larger than memory; warm
# reads them all in. Done just before each run: this machine's kernel pages out file pages
# left unused for a few seconds (DAMON), so inputs read in once at the start of a series
# were partly cold at random by the time a run read them.
set_page_cache() {
  "$PY" - "$@" <<'EOF'
import os, sys
mode, tops = sys.argv[1], sys.argv[2:]
if mode not in ("cold", "warm"):
    sys.exit(f"set_page_cache: the mode is cold or warm, not {mode!r}")
def files(top):
    if os.path.isfile(top):
        yield top
    for directory, _, names in os.walk(top):
        for name in names:
            yield os.path.join(directory, name)
for top in tops:
    for path in files(top):
        with open(path, "rb") as f:
            if mode == "cold":
                os.posix_fadvise(f.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
            else:
                while f.read(1 << 20):
                    pass
EOF
}

# timed TIME_FILE OUT_FILE ERR_FILE COMMAND...: runs COMMAND under GNU time -v (its report
# in TIME_FILE), standard output to OUT_FILE and standard error to ERR_FILE (the same name:
# both in one file), and sets rc (exit status), seconds (wall), rss (peak RSS, KiB), cpu
# ((user + sys) / wall, %), user and sys (seconds)
timed() {
  local time_file=$1 out_file=$2 err_file=$3
  shift 3
  rc=0
  if [[ $err_file == "$out_file" ]]; then
    /usr/bin/time -v -o "$time_file" "$@" >"$out_file" 2>&1 || rc=$?
  else
    /usr/bin/time -v -o "$time_file" "$@" >"$out_file" 2>"$err_file" || rc=$?
  fi
  seconds=$(time_field 'Elapsed (wall clock) time (h:mm:ss or m:ss)' "$time_file" |
    awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }')  # h:mm:ss or m:ss.ss
  rss=$(time_field 'Maximum resident set size (kbytes)' "$time_file")
  cpu=$(time_field 'Percent of CPU this job got' "$time_file")
  cpu=${cpu%\%}
  user=$(time_field 'User time (seconds)' "$time_file")
  sys=$(time_field 'System time (seconds)' "$time_file")
}
time_field() { sed -n "s/^[[:space:]]*$1: //p" "$2" | head -n 1; }

# commit_description BINARY: HEAD's short hash, whether the tree has uncommitted changes,
# and with BUILD=0 when BINARY was built
commit_description() {
  local commit
  commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
  if [[ -n $(git -C "$root" --no-optional-locks status --porcelain --untracked-files=no 2>/dev/null) ]]; then
    commit="$commit (+ uncommitted changes)"
  fi
  if [[ $BUILD != 1 ]]; then commit="$commit; BUILD=0: binary built $(date -r "$1" '+%Y-%m-%d %H:%M %Z')"; fi
  echo "$commit"
}

# machine_description: cores, CPU, memory, the data's disk, OS and Swift, one per line
machine_description() {
  echo "nproc: $(nproc)"
  echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
  echo "memory: $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
  echo "disk ($DATA_DIR): $(df --output=fstype,source "$DATA_DIR" | tail -n 1 | tr -s ' '), $(df -h --output=avail "$DATA_DIR" | tail -n 1 | tr -d ' ') free of $(df -h --output=size "$DATA_DIR" | tail -n 1 | tr -d ' ')"
  echo "os: $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
  echo "swift: $(swift --version 2>&1 | grep -m1 -i 'swift version')"
}

# python_versions PYTHON PACKAGE...: the interpreter's version and each package's
python_versions() {
  local python=$1
  shift
  "$python" -c 'import sys, importlib.metadata as m
print(f"{sys.version.split()[0]}; " + ", ".join(f"{n} {m.version(n)}" for n in sys.argv[1:]))' "$@"
}

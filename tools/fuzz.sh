#!/usr/bin/env bash
# Fuzz lrplens's readers: tools/fuzz.sh [SECONDS] [TARGET...]
#
# Builds build-fuzz (clang, -Dfuzz=true: libFuzzer, ASan + UBSan), then runs
# each target (model tensor rules image, default all) for SECONDS (default
# 60), at most LRPLENS_FUZZ_JOBS (2) at a time, at nice 19.  The corpus
# grows in LRPLENS_FUZZ_DIR (default build-fuzz/fuzz: keep it outside the
# tree), seeded from tests/fuzz/seeds, tests/fuzz/regressions, tests/data
# and, when installed, libonnx-testdata.  Crashes, leaks, sanitizer
# reports, timeouts and out-of-memory inputs land in DIR/artifacts/TARGET;
# copy each (after fixing it) to tests/fuzz/regressions/TARGET.  Ends with
# one line per target: executions, exec/s, coverage, features, corpus.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(model tensor rules image)
dir=${LRPLENS_FUZZ_DIR:-$top/build-fuzz/fuzz}
jobs=${LRPLENS_FUZZ_JOBS:-2}
testdata=/usr/share/libonnx-testdata/data/node

cc=$(command -v clang-14 || command -v clang || true)
[ -n "$cc" ] || { echo "fuzz.sh: clang is needed (apt-get install clang-14 libclang-rt-14-dev)" >&2; exit 2; }
if [ ! -f build-fuzz/build.ninja ]; then
  CC=$cc meson setup build-fuzz -Dfuzz=true -Dbuildtype=debugoptimized -Db_lundef=false >/dev/null
fi
nice -n 19 ninja -C build-fuzz $(printf 'tests/fuzz/fuzz-%s ' "${targets[@]}") >/dev/null

# Per target: largest input, and its seed directories beyond the corpus.
max_len() {
  case $1 in
    model) echo 32768 ;; image) echo 16384 ;; tensor) echo 4096 ;; rules) echo 1024 ;;
  esac
}
seeds() {
  local t=$1
  echo "tests/fuzz/seeds/$t tests/fuzz/regressions/$t"
  case $t in
    model) echo "tests/data" ; [ -d "$testdata" ] && echo "$testdata" ;;
    tensor) echo "tests/data" ; [ -d "$testdata" ] && echo "$testdata" ;;
  esac
  return 0
}
dict() {
  case $1 in tensor|model|rules|image) echo "-dict=tests/fuzz/$1.dict" ;; esac
}

run_one() {
  local t=$1
  local log=$dir/logs/$t.log
  mkdir -p "$dir/corpus/$t" "$dir/artifacts/$t" "$dir/logs"
  # The memory ceiling: no single allocation over 64 MiB, 2 GiB in all.
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  nice -n 19 "build-fuzz/tests/fuzz/fuzz-$t" "$dir/corpus/$t" $(seeds "$t") \
    $(dict "$t") -max_len="$(max_len "$t")" -timeout=10 -rss_limit_mb=2048 \
    -malloc_limit_mb=64 -max_total_time="$secs" -print_final_stats=1 \
    -artifact_prefix="$dir/artifacts/$t/" >"$log" 2>&1 || true
}

summary() {
  local t=$1 execs rate cov status
  local log=$dir/logs/$t.log
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" | tail -1)
  status=clean
  grep -qE '^==[0-9]+==ERROR|runtime error|^SUMMARY|deadly signal|ERROR: libFuzzer' "$log" \
    && status="FOUND (see $log, $dir/artifacts/$t)"
  printf '%-7s %s execs, %s exec/s, %s, %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-no coverage line}" "$status"
}

export -f run_one max_len seeds dict
export dir secs testdata
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c "run_one {}"
failed=0
for t in "${targets[@]}"; do
  summary "$t"
  grep -qE '^==[0-9]+==ERROR|runtime error|^SUMMARY|deadly signal|ERROR: libFuzzer' \
    "$dir/logs/$t.log" && failed=1
done
exit $failed

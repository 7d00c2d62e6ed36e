#!/usr/bin/env bash
# lrplens in one command, on Debian 12:
#   tools/bootstrap.sh run    install what is missing, build, open lrplens on the bundled model
#   tools/bootstrap.sh test   install what is missing, build, run the whole test suite, then
#                             again under AddressSanitizer + UndefinedBehaviorSanitizer
# Needs root (or sudo) only when packages are missing.
set -euo pipefail

mode=${1:-run}
shift || true
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

install_packages() {
  local wanted missing=()
  wanted=$(grep -v '^\s*#' tools/debian-packages.txt | grep -v '^\s*$')
  for p in $wanted; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing: ${missing[*]}"
  local sudo=
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

configure() {
  local dir=$1; shift
  if [ -f "$dir/build.ninja" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@"
  fi
  ninja -C "$dir"
}

# meson's summary is per build; CI reads one closing line for the whole run.
count() {
  local log=$1 field=$2
  grep -E "^${field}:" "$log" | awk '{s += $2} END {print s + 0}'
}

run_tests() {
  local log status=0
  log=$(mktemp)
  # Debian's Python packages (torch, onnx, numpy) belong to /usr/bin/python3.
  export LRPLENS_PYTHON=/usr/bin/python3
  configure build
  meson test -C build --print-errorlogs --num-processes 2 "$@" 2>&1 | tee -a "$log" || status=1

  configure build-sanitize -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    meson test -C build-sanitize --print-errorlogs --num-processes 2 --no-suite slow "$@" \
    2>&1 | tee -a "$log" || status=1

  local ok fail timeout skipped
  ok=$(count "$log" "Ok")
  fail=$(count "$log" "Fail")
  timeout=$(count "$log" "Timeout")
  skipped=$(count "$log" "Skipped")
  echo
  echo "$ok passed, $((fail + timeout)) failed, $skipped skipped"
  rm -f "$log"
  return $status
}

case "$mode" in
  run)
    install_packages
    configure build
    exec ./build/app/lrplens "$@"
    ;;
  test)
    install_packages
    run_tests "$@"
    ;;
  *)
    echo "usage: $0 run|test" >&2
    exit 2
    ;;
esac

#!/usr/bin/env bash
# The command line on bad input: one line on stderr starting "lrplens: ",
# naming what is wrong, and exit status 2, never a crash.  And the good
# paths a user takes first.  TAP output.
#   test-cli.sh LRPLENS_BINARY SOURCE_DIR
set -u
lrplens=$1
src=$2
models=$src/resources/models
images=$src/resources/images
bad=$src/tests/data/bad
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0
failed=0

echo "1..42"

# expect_fail NAME NEEDLE COMMAND...: exit 2, one stderr line with NEEDLE
expect_fail() {
  local name=$1 needle=$2 status lines
  shift 2
  n=$((n + 1))
  "$@" >"$work/out" 2>"$work/err"
  status=$?
  lines=$(wc -l <"$work/err")
  if [ "$status" -eq 2 ] && [ "$lines" -eq 1 ] && grep -q "^lrplens: " "$work/err" \
     && grep -qF -- "$needle" "$work/err"; then
    echo "ok $n $name"
  else
    echo "not ok $n $name (status $status, $lines lines)"
    sed 's/^/# /' "$work/err"
    failed=1
  fi
}

# expect_ok NAME NEEDLE COMMAND...: exit 0 and NEEDLE on stdout
expect_ok() {
  local name=$1 needle=$2 status
  shift 2
  n=$((n + 1))
  "$@" >"$work/out" 2>"$work/err"
  status=$?
  if [ "$status" -eq 0 ] && grep -qF -- "$needle" "$work/out"; then
    echo "ok $n $name"
  else
    echo "not ok $n $name (status $status)"
    sed 's/^/# /' "$work/out" "$work/err"
    failed=1
  fi
}

M=$models/fashion-cnn.onnx
I=$images/fmnist-0-ankle-boot.png
head -c 3000 "$M" >"$work/truncated.onnx"
head -c 2048 /dev/zero | tr '\0' '\377' >"$work/ff.onnx"
printf 'not a model at all, just text\n' >"$work/text.onnx"
printf 'GIF89a garbage' >"$work/broken.png"
: >"$work/empty.onnx"
printf '\x93NUMPY\x01\x00' >"$work/short.npy"

expect_fail "missing model" "nothing.onnx" "$lrplens" predict "$work/nothing.onnx" "$I"
expect_fail "empty model" "empty" "$lrplens" predict "$work/empty.onnx" "$I"
expect_fail "truncated model" "truncated.onnx" "$lrplens" predict "$work/truncated.onnx" "$I"
expect_fail "random bytes" "ff.onnx" "$lrplens" info "$work/ff.onnx"
expect_fail "text as model" "text.onnx" "$lrplens" info "$work/text.onnx"
expect_fail "image as model" "not an ONNX model" "$lrplens" info "$I"
expect_fail "directory as model" "folder" "$lrplens" info "$src"
expect_fail "unsupported operator" "blocks.3/erf" "$lrplens" info "$bad/unsupported-op.onnx"
expect_fail "absurd shape" "too large" "$lrplens" info "$bad/absurd-shape.onnx"
expect_fail "missing image" "nothing.png" "$lrplens" predict "$M" "$work/nothing.png"
expect_fail "broken image" "broken.png" "$lrplens" predict "$M" "$work/broken.png"
expect_fail "truncated npy" "short.npy" "$lrplens" predict "$M" "$work/short.npy"
expect_fail "class out of range" "class 12 is out of range" "$lrplens" explain "$M" "$I" --class 12
expect_fail "bad composite" "not a composite" "$lrplens" explain "$M" "$I" --composite nope
expect_fail "bad rule map entry" "entry 2" "$lrplens" explain "$M" "$I" --rules "conv=gamma;dens=epsilon"
expect_fail "rule map entry that selects no layer" "entry 2 (“#7=flat”)" \
  "$lrplens" explain "$M" "$I" --rules "epsilon_plus;#7=flat"
expect_fail "bad baseline" "--baseline" "$lrplens" explain "$M" "$I" --baseline nope
expect_fail "unexplainable graph" "attention" "$lrplens" explain "$bad/gated.onnx" "$bad/x-1x4.npy"
expect_fail "unknown command" "frobnicate" "$lrplens" frobnicate
expect_fail "bad option" "--nope" "$lrplens" predict --nope "$M" "$I"
expect_fail "bad colormap" "viridis" "$lrplens" explain "$M" "$I" --colormap viridis
expect_fail "clip zero" "--clip" "$lrplens" explain "$M" "$I" --clip 0
expect_fail "clip over 100" "--clip" "$lrplens" explain "$M" "$I" --clip 100.5
expect_fail "bad normalization" "--normalization" "$lrplens" explain "$M" "$I" --normalization abs
expect_fail "bad heatmap format" "h.jpg" "$lrplens" explain "$M" "$I" --heatmap "$work/h.jpg"
expect_fail "unwritable colour bar" "no-such-dir" "$lrplens" explain "$M" "$I" \
  --colorbar "$work/no-such-dir/bar.svg"

expect_fail "window without a display" "no display" env -u DISPLAY -u WAYLAND_DISPLAY "$lrplens"
expect_ok "predict" "Ankle boot" "$lrplens" predict "$M" "$I" --top 2
expect_ok "predict json" '"label" : "Ankle boot"' "$lrplens" predict "$M" "$I" --json
expect_ok "info" "BatchNormalization" "$lrplens" info "$M"
expect_ok "info names layers after their modules" "pool2" "$lrplens" info "$M"
expect_ok "rule map naming a layer" "explained class 9" "$lrplens" explain "$M" "$I" \
  --rules 'epsilon_plus;name:conv1=flat;name:fc?=epsilon'
expect_ok "info from a pipe" "BatchNormalization" "$lrplens" info <(cat "$M")
expect_ok "explain list" "epsilon_gamma_box" "$lrplens" explain --list
expect_ok "explain to files" "explained class 9" "$lrplens" explain "$M" "$I" \
  --composite epsilon_gamma_box --out "$work/r.npy" --heatmap "$work/h.png" \
  --overlay "$work/o.png" --layers "$work/layers"
n=$((n + 1))
if [ -s "$work/r.npy" ] && [ -s "$work/h.png" ] && [ -s "$work/o.png" ] \
   && grep -q '"input"' "$work/layers/index.json"; then
  echo "ok $n explain wrote relevance, heatmaps and layers"
else
  echo "not ok $n explain wrote relevance, heatmaps and layers"; failed=1
fi
expect_ok "explain list colormaps" "coldnhot" "$lrplens" explain --list
expect_ok "explain to vector files" "explained class 9" "$lrplens" explain "$M" "$I" \
  --heatmap "$work/h.svg" --overlay "$work/o.pdf" --colorbar "$work/bar.svg" \
  --colormap coldnhot --clip 95 --normalization absolute --opacity 0.6
n=$((n + 1))
if head -c 200 "$work/h.svg" | grep -q "<svg" && head -c 5 "$work/o.pdf" | grep -q "^%PDF" \
   && grep -q "<path" "$work/bar.svg"; then
  echo "ok $n explain wrote SVG and PDF"
else
  echo "not ok $n explain wrote SVG and PDF"; failed=1
fi
expect_ok "explain verbose: the rule of every layer" "* gamma(gamma=0.5)" "$lrplens" explain \
  "$M" "$I" --rules "epsilon_gamma_box;name:conv3=gamma(gamma=0.5)" --verbose
n=$((n + 1))
if grep -qE '^7 +#2 +conv3 +Conv +\[1, 32, 14, 14\] +\* gamma\(gamma=0.5\)$' "$work/out" \
   && grep -qE '^3 +#1 +conv2 +Conv +\[1, 16, 28, 28\] +gamma\(gamma=0.25\)$' "$work/out" \
   && grep -qE '^2 +relu1 +Relu .* pass$' "$work/out" \
   && grep -q 'preset epsilon_gamma_box' "$work/out"; then
  echo "ok $n explain verbose marks only the layers the map changed"
else
  echo "not ok $n explain verbose marks only the layers the map changed"
  sed 's/^/# /' "$work/out"; failed=1
fi
expect_ok "bench" "peak-rss:" "$lrplens" bench "$M" "$I" --runs 2 --composite epsilon_plus
exit $failed

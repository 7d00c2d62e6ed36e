#!/usr/bin/env bash
# MaxPool ties as exact arithmetic breaks them: lrplens's relevance on
# images with flat regions (constant blocks, a letterbox, a checkerboard, a
# ramp, a flat sky, clipped highlights; tools/torch_lrp.py ties) against a
# float64 PyTorch implementation of Zennit's mechanism, for two composites
# and the gradient baselines, on torchvision vgg11_bn and resnet18 (random
# weights, BatchNorm kept).  Identical receptive fields must give the
# first position of a window, whatever the kernels' rounding.
# Near-ties between values that really differ by less than float32
# resolves are decided in double precision (engine/lrp-exact.c).  Cases
# listed in KNOWN_MISSES still miss for another reason (see README,
# "MaxPool ties"); they are reported as TODO, and the test fails once one
# of them passes, so that the list stays honest.
# TAP output; skips when Debian's torch is missing.
#   test-torch-ties.sh LRPLENS_BINARY SOURCE_DIR
set -u
lrplens=$1
src=$2
python=${LRPLENS_PYTHON:-/usr/bin/python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

KNOWN_MISSES="
resnet18 letterbox epsilon_gamma_box
"

if ! "$python" -c "import torch, torchvision, onnx" 2>/dev/null; then
  echo "1..0 # SKIP Debian's python3-torch, python3-torchvision and python3-onnx are needed"
  exit 0
fi
archs="vgg11_bn resnet18"
per_arch=24
echo "1..$((2 * per_arch))"
n=0
for arch in $archs; do
  if ! "$python" "$src/tools/export_torchvision.py" $arch "$work/$arch.onnx" >"$work/log" 2>&1 \
     || ! "$python" "$src/tools/torch_lrp.py" ties "$lrplens" "$work/$arch.onnx" $arch \
          >"$work/tap" 2>"$work/log"; then
    :  # failing cases are reported below; a crash leaves lines missing
  fi
  lines=$(grep -cE "^(not )?ok [0-9]+ $arch " "$work/tap" 2>/dev/null || true)
  if [ "${lines:-0}" -ne $per_arch ]; then
    for i in $(seq $per_arch); do
      n=$((n + 1)); echo "not ok $n $arch: tools/torch_lrp.py ties failed"
    done
    sed 's/^/# /' "$work/log"; continue
  fi
  while read -r line; do
    n=$((n + 1))
    case_name=$(echo "$line" | sed -E 's/^(not )?ok [0-9]+ ([^ ]+ [^ ]+ [^ ]+) .*/\2/')
    line=$(echo "$line" | sed -E "s/^(not )?ok [0-9]+/\1ok $n/")
    if echo "$KNOWN_MISSES" | grep -qxF "$case_name"; then
      case "$line" in
        not*) echo "$line # TODO near-tie of different values, known miss" ;;
        *) echo "not ok $n $case_name passes now: remove it from KNOWN_MISSES (${line#ok $n })" ;;
      esac
    else
      echo "$line"
    fi
  done < <(grep -E "^(not )?ok [0-9]+ $arch " "$work/tap")
done

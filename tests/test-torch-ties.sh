#!/usr/bin/env bash
# MaxPool ties as exact arithmetic breaks them: lrplens's relevance on
# images with flat regions (constant blocks, a letterbox, a checkerboard, a
# ramp, a flat sky, clipped highlights; tools/torch_lrp.py ties) and on the
# bundled photos (and one letterboxed), at 224 px and 112 px (vgg11_bn: at
# every intermediate tensor too), against a
# float64 PyTorch implementation of Zennit's mechanism, for two composites
# and the gradient baselines, on torchvision vgg11_bn and resnet18 (random
# weights, BatchNorm kept).  Identical receptive fields must give the
# first position of a window, whatever the kernels' rounding.
# Near-ties between values that really differ by less than float32
# resolves are decided in double precision (engine/lrp-near-ties.c).  Cases
# listed in KNOWN_MISSES still miss for another reason: resnet18's LRP
# composites where a residual sum nearly cancels (see README, "MaxPool
# winners"); they are reported as TODO, and the test fails once one of
# them passes, so that the list stays honest.
# TAP output; skips when Debian's torch is missing.
#   test-torch-ties.sh LRPLENS_BINARY SOURCE_DIR
set -u
lrplens=$1
src=$2
python=${LRPLENS_PYTHON:-/usr/bin/python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

KNOWN_MISSES="
resnet18@224 letterbox epsilon_gamma_box
resnet18@224 photo-coffee epsilon_gamma_box
resnet18@224 photo-letterbox epsilon_gamma_box
resnet18@224 photo-letterbox epsilon_plus_flat
resnet18@112 photo-letterbox epsilon_gamma_box
"

if ! "$python" -c "import torch, torchvision, onnx" 2>/dev/null; then
  echo "1..0 # SKIP Debian's python3-torch, python3-torchvision and python3-onnx are needed"
  exit 0
fi
photos="photo-astronaut photo-chelsea photo-coffee photo-rocket photo-letterbox"
synthetic="blocks checker clipped letterbox ramp sky"
# One run per line: architecture, input size, whether every intermediate
# tensor is compared too (VGG's, whose names map simply), images (4 methods
# each).
runs="vgg11_bn 224 --layers $synthetic $photos
resnet18 224 - $synthetic $photos
resnet18 112 - $photos"
total=0
while read -r arch size layers images; do
  total=$((total + 4 * $(echo $images | wc -w)))
done <<< "$runs"
echo "1..$total"
n=0
while read -r arch size layers images; do
  want=$((4 * $(echo $images | wc -w)))
  [ "$layers" = - ] && layers=
  model="$work/$arch-$size.onnx"
  [ -f "$model" ] || "$python" "$src/tools/export_torchvision.py" $arch "$model" --size $size \
    >"$work/log" 2>&1
  # Failing cases are reported below; a crash leaves lines missing.
  "$python" "$src/tools/torch_lrp.py" ties "$lrplens" "$model" $arch $images --size $size \
    $layers >"$work/tap" 2>>"$work/log" || true
  lines=$(grep -cE "^(not )?ok [0-9]+ $arch " "$work/tap" 2>/dev/null || true)
  if [ "${lines:-0}" -ne $want ]; then
    for i in $(seq $want); do
      n=$((n + 1)); echo "not ok $n $arch at $size px: tools/torch_lrp.py ties failed"
    done
    sed 's/^/# /' "$work/log"; continue
  fi
  while read -r line; do
    n=$((n + 1))
    case_name=$(echo "$line" | sed -E "s/^(not )?ok [0-9]+ ([^ ]+) ([^ ]+ [^ ]+) .*/\2@$size \3/")
    line=$(echo "$line" | sed -E "s/^(not )?ok [0-9]+ ([^ ]+)/\1ok $n \2@$size/")
    if echo "$KNOWN_MISSES" | grep -qxF "$case_name"; then
      case "$line" in
        not*) echo "$line # TODO known miss: likely a residual sum near zero (see README)" ;;
        *) echo "not ok $n $case_name passes now: remove it from KNOWN_MISSES (${line#ok $n })" ;;
      esac
    else
      echo "$line"
    fi
  done < <(grep -E "^(not )?ok [0-9]+ $arch " "$work/tap")
done <<< "$runs"

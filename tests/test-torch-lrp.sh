#!/usr/bin/env bash
# lrplens's relevance on full-size networks (torchvision VGG16 and ResNet50,
# random weights) against a float64 PyTorch implementation of Zennit's
# mechanism (tools/torch_lrp.py), for epsilon_gamma_box and
# epsilon_plus_flat.  The reference cases cover small models; this covers
# depth, width, merged BatchNorms and 16 residual sums.
# TAP output; skips when Debian's torch is missing.
#   test-torch-lrp.sh LRPLENS_BINARY SOURCE_DIR
set -u
lrplens=$1
src=$2
python=${LRPLENS_PYTHON:-/usr/bin/python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! "$python" -c "import torch, torchvision, onnx" 2>/dev/null; then
  echo "1..0 # SKIP Debian's python3-torch, python3-torchvision and python3-onnx are needed"
  exit 0
fi
archs="vgg16 resnet50"
echo "1..4"
n=0
for arch in $archs; do
  if ! "$python" "$src/tools/export_torchvision.py" $arch "$work/$arch.onnx" >"$work/log" 2>&1; then
    for c in epsilon_gamma_box epsilon_plus_flat; do
      n=$((n + 1)); echo "not ok $n $arch $c: export failed"
    done
    sed 's/^/# /' "$work/log"; continue
  fi
  "$python" "$src/tools/torch_lrp.py" check "$lrplens" "$work/$arch.onnx" $arch \
    >"$work/tap" 2>"$work/log"
  # The script's own TAP lines, renumbered into this plan; a crash fails both.
  for c in epsilon_gamma_box epsilon_plus_flat; do
    n=$((n + 1))
    line=$(grep -E "^(not )?ok [0-9]+ $arch $c " "$work/tap")
    if [ -n "$line" ]; then
      echo "$line" | sed -E "s/^(not )?ok [0-9]+/\1ok $n/"
    else
      echo "not ok $n $arch $c: tools/torch_lrp.py check failed"; sed 's/^/# /' "$work/log"
    fi
  done
done

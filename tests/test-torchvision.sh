#!/usr/bin/env bash
# Every architecture tools/export_torchvision.py lists exports (random
# weights), loads in lrplens, gives torch's logits for the same input, and
# can be explained.  TAP output; skips when Debian's torch is missing.
#   test-torchvision.sh LRPLENS_BINARY SOURCE_DIR
set -u
lrplens=$1
src=$2
python=${LRPLENS_PYTHON:-/usr/bin/python3}
archs="vgg11 vgg13 vgg16 vgg19 vgg11_bn vgg13_bn vgg16_bn vgg19_bn resnet18 resnet34 resnet50
       resnet101 resnet152 densenet121 mobilenet_v2 squeezenet1_1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! "$python" -c "import torch, torchvision, onnx" 2>/dev/null; then
  echo "1..0 # SKIP Debian's python3-torch, python3-torchvision and python3-onnx are needed"
  exit 0
fi

n=0
echo "1..$(echo $archs | wc -w)"
for arch in $archs; do
  n=$((n + 1))
  model="$work/$arch.onnx"
  if ! "$python" "$src/tools/export_torchvision.py" "$arch" "$model" \
       --check-input "$work/in.npy" --check-output "$work/torch.npy" >"$work/log" 2>&1; then
    echo "not ok $n $arch: export failed"; sed 's/^/# /' "$work/log"; continue
  fi
  if ! "$lrplens" predict "$model" "$work/in.npy" --logits "$work/ours.npy" >"$work/log" 2>&1; then
    echo "not ok $n $arch: lrplens predict failed"; sed 's/^/# /' "$work/log"; rm -f "$model"; continue
  fi
  err=$("$python" -c "
import numpy as np
a = np.load('$work/ours.npy'); b = np.load('$work/torch.npy')
print('%.3g' % (np.abs(a - b).max() / np.abs(b).max()))")
  if ! "$lrplens" explain "$model" "$work/in.npy" --composite epsilon_gamma_box --low -2.2 \
       --high 2.7 --out "$work/r.npy" >"$work/log" 2>&1; then
    echo "not ok $n $arch: lrplens explain failed"; sed 's/^/# /' "$work/log"; rm -f "$model"; continue
  fi
  if "$python" -c "import sys; sys.exit(0 if float('$err') <= 1e-4 else 1)"; then
    echo "ok $n $arch: logits max rel error $err against torch, explained"
  else
    echo "not ok $n $arch: logits max rel error $err against torch (> 1e-4)"
  fi
  rm -f "$model"
done
